# as_user.sh - sourced by the shell suites that run twice: as the caller and
# as an unprivileged user.
#
# srt_as_user USER BASE_VAR PREFIX SCRIPT: when running as root with USER set
# and the variable named BASE_VAR unset, make sure USER exists (creating it if
# missing), make a temp dir /tmp/PREFIX-XXXXXX that USER owns, run SCRIPT
# again as USER with BASE_VAR naming that dir, and exit with its status.
# Otherwise (not root, no USER, or already the re-run) return at once.
srt_as_user() {
    local user=$1 var=$2 prefix=$3 script=$4 base rc
    if [ -z "$user" ] || [ "$(id -u)" -ne 0 ] || [ -n "${!var:-}" ]; then
        return 0
    fi
    if ! id -u "$user" >/dev/null 2>&1 &&
       ! useradd --system --create-home "$user" >/dev/null 2>&1 &&
       ! id -u "$user" >/dev/null 2>&1; then   # another suite may have made it meanwhile
        echo "skip: cannot create user $user"
        exit 77
    fi
    base=$(mktemp -d "/tmp/$prefix-XXXXXX")
    chown "$user:" "$base"
    setpriv --reuid="$user" --regid="$user" --init-groups --reset-env \
        env SRT_BUILD_DIR="$SRT_BUILD_DIR" "$var=$base" bash "$script"
    rc=$?
    rm -rf "$base"
    exit $rc
}
