/* config_env — the process environment that is not a setting, read in this one place.
 * Settings come from the key table in config.c (file, then OPSDECK_SECTION_KEY variables);
 * what is here are facts about the session (HOME, SSH_CONNECTION, PATH) and the few variables
 * that choose where a setting comes from. The rest of the program asks od_config_env(). */
#include <stdlib.h>
#include <string.h>
#include "core/base/config.h"
#include "core/base/util.h"

static const char *const env_names[OD_ENV_COUNT] = {
    [OD_ENV_HOME] = "HOME",
    [OD_ENV_TMPDIR] = "TMPDIR",
    [OD_ENV_XDG_CONFIG_HOME] = "XDG_CONFIG_HOME",
    [OD_ENV_CONFIG] = "OPSDECK_CONFIG",
    [OD_ENV_DATABASE_URL] = "OPSDECK_DATABASE_URL",
    [OD_ENV_LOG_LEVEL] = "OPSDECK_LOG_LEVEL",
    [OD_ENV_NO_PROGRESS] = "NO_PROGRESS",
    [OD_ENV_THEME] = "OPSDECK_THEME",
    [OD_ENV_COLORS] = "OPSDECK_COLORS",
    [OD_ENV_HARVEST_TOKEN] = "OPSDECK_HARVEST_TOKEN",
    [OD_ENV_HUBSPOT_TOKEN] = "OPSDECK_HUBSPOT_TOKEN",
    [OD_ENV_TMUX] = "TMUX",
    [OD_ENV_STY] = "STY",
};

const char *od_config_env_name(enum od_env which)
{
    return (unsigned)which < OD_ENV_COUNT ? env_names[which] : "";
}

const char *od_config_env(enum od_env which)
{
    if ((unsigned)which >= OD_ENV_COUNT) return NULL;
    const char *v = getenv(env_names[which]);
    return v && *v ? v : NULL;
}

const char *od_config_search_path(void)
{
    const char *path = getenv("PATH");
    return path && *path ? path : "/usr/local/bin:/usr/bin:/bin";
}

const char *od_config_login_source(void)
{
    static _Thread_local char src[64];
    const char *ssh = getenv("SSH_CONNECTION");
    size_t n = ssh ? strcspn(ssh, " ") : 0;
    if (n == 0 || n >= sizeof src || strspn(ssh, "0123456789abcdefABCDEF.:%") < n) return "local";
    memcpy(src, ssh, n);
    src[n] = '\0';
    return src;
}

int64_t od_config_source_date(void)
{
    const char *s = getenv("SOURCE_DATE_EPOCH");
    long long v = s && *s ? strtoll(s, NULL, 10) : 0;
    return v > 0 ? (int64_t)v : 0;
}
