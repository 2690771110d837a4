/* health_offline — the health checks that need no database, for the console's login screen
 * while PostgreSQL is unreachable (od_health_run_offline in health.h): is the configuration
 * what we think (which file, which database, the upstream addresses), is the secrets key file
 * usable, and do Harvest and HubSpot answer. The reachability checks are the same rows as in
 * the full table (health_checks.c). Nothing here opens a database connection. */
#include "core/base/config.h"
#include "core/base/log.h"
#include "core/ops/health_run.h"
#include "core/security/vault.h"
#include <stdlib.h>
#include <string.h>

static void check_config(struct od_hctx *h, const struct od_health_check *c)
{
    const struct od_config *cfg = h->env->cfg;
    const char *url = cfg->database.url;
    char *where = url && *url ? od_log_redact(url) : od_xstrdup("libpq defaults (PG* variables)");
    const char *file = h->env->config_path;
    od_health_add(h, c, OD_HEALTH_PASS, NULL, NULL, "%s%s; database %s",
                  file ? "loaded " : "no configuration file (defaults and OPSDECK_* variables)",
                  file ? file : "", where);
    free(where);
}

static void check_key_file(struct od_hctx *h, const struct od_health_check *c)
{
    const char *path = h->env->cfg->secrets.key_file;
    if (!path || !*path) {
        od_health_add(h, c, OD_HEALTH_FAIL, NULL, NULL,
                      "no key file configured (secrets.key_file): nobody can log in");
        return;
    }
    struct od_vault *v = od_vault_open(path); /* the same checks as at start: mode, owner */
    if (!v) {
        od_health_add(h, c, OD_HEALTH_FAIL, NULL, NULL, "%s", od_err());
        return;
    }
    char n[32];
    snprintf(n, sizeof n, "%d", od_vault_key_count(v));
    od_health_add(h, c, OD_HEALTH_PASS, "count", n, "%s: %d key(s), current key id %u", path,
                  od_vault_key_count(v), od_vault_current_id(v));
    od_vault_close(v);
}

static const struct od_health_check offline[] = {
    {"config:file", "system", check_config},
    {"secrets:key_file", "system", check_key_file},
    {"harvest:reachability", "component", od_health_check_reachability},
    {"hubspot:reachability", "component", od_health_check_reachability},
};

int od_health_run_offline(const struct od_health_env *env, struct od_health_report *out)
{
    return od_health_run_checks(env, offline, OD_ARRAY_LEN(offline), out);
}
