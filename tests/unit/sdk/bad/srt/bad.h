/* bad.h - a header that breaks every hygiene rule, so the check is seen to
 * fail (test sdk_header_check_fails, WILL_FAIL). Not part of the SDK. */
#include <stdio.h>
#include "../../core/log_int.h"
static int unused_in_header;
