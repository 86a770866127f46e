/* audit.c - dangerous names that appeared during the run.
 *
 * Placeholders make missing dangerous names uncreatable in the directories
 * that existed when the sandbox was built, but not in directories or
 * repositories the command creates itself, nor below the placeholder cap.
 * After the run the same roots are walked again; whatever dangerous path
 * exists now that was neither there before nor a placeholder of ours was
 * created by the command. srt cannot undo that safely (a new repository
 * needs its .git/config), so it is reported as a violation instead of being
 * passed over in silence. Host-free: the glue emits the events. */
#include "fsl_int.h"

int fsl_audit_new_names(const struct srt_policy *pol, const struct fsl_plan *plan,
                        const struct fsl_ledger *ledger, struct fsl_vec *out)
{
    int depth = pol->mandatory_deny_depth > 0 ? pol->mandatory_deny_depth : 3;
    int64_t deadline = fsl_now_ms() + FSL_SCAN_BUDGET_MS;
    const struct fsl_vec *ours = ledger ? fsl_ledger_paths(ledger) : NULL;
    struct fsl_scan sc = {0};
    int r = SRT_OK;
    for (size_t i = 0; r == SRT_OK && i < plan->scan_roots.n; i++)
        r = fsl_scan_tree(plan->scan_roots.v[i], depth, fsl_scan_flags(pol), deadline, &sc);
    for (size_t i = 0; r == SRT_OK && i < sc.protect.n; i++) {
        const char *p = sc.protect.v[i];
        if (!fsl_vec_has(&plan->scanned, p) && !(ours && fsl_vec_has(ours, p)) &&
            !fsl_vec_has(out, p))
            r = fsl_vec_push(out, p);
    }
    fsl_scan_free(&sc);
    return r;
}
