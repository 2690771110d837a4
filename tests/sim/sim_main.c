/* sim_main — opsdeck-sim entry point: flags and environment, start-up, clean stop on
 * SIGINT/SIGTERM. See docs/simulator.md for what the simulator serves. */
#include "tests/sim/sim.h"
#include "tests/sim/sim_faults.h"
#include "tests/sim/sim_http.h"
#include "tests/sim/sim_limits.h"
#include "tests/sim/sim_overlay.h"
#include "tests/sim/sim_usage.h"
#include <arpa/inet.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct sim_config sim_cfg;
struct sim_world sim_world;

static int parse_limit(const char *v, struct sim_limit *l)
{
    int n = 0, s = 0, used = 0;
    if (sscanf(v, "%d/%d%n", &n, &s, &used) != 2 || v[used] || n < 1 || s < 1)
        return od_seterr("expected N/SECONDS like 100/15, got '%s'", v);
    l->n = n;
    l->secs = s;
    return 0;
}

static int parse_i64(const char *v, long min, long max, int64_t *out)
{
    long x;
    if (od_parse_long(v, min, max, &x) < 0) return -1;
    *out = x;
    return 0;
}

static void set_str(char **dst, const char *v)
{
    free(*dst);
    *dst = od_xstrdup(v);
}

/* One flag with a value; -1 with od_seterr on a bad value, 0 if not ours. */
static int config_flag(const char *name, const char *v)
{
    int64_t x;
    struct sim_config *c = &sim_cfg;
    if (!strcmp(name, "listen"))
        snprintf(c->listen, sizeof c->listen, "%s", v);
    else if (!strcmp(name, "port-file"))
        c->port_file = v;
    else if (!strcmp(name, "log"))
        c->log_file = v;
    else if (!strcmp(name, "seed")) {
        if (parse_i64(v, 0, 2147483647L, &x) < 0) return -1;
        c->seed = (uint64_t)x;
    } else if (!strcmp(name, "t0")) {
        if (parse_date(v, &c->t0_day) < 0)
            return od_seterr("--t0 takes a date like 2026-06-01, got '%s'", v);
    } else if (!strcmp(name, "scale"))
        return parse_i64(v, 1, 100000000L, &c->scale) < 0 ? -1 : 1;
    else if (!strcmp(name, "harvest-token"))
        set_str(&c->harvest_token, v);
    else if (!strcmp(name, "harvest-account"))
        set_str(&c->harvest_account, v);
    else if (!strcmp(name, "hubspot-token"))
        set_str(&c->hubspot_token, v);
    else if (!strcmp(name, "hubspot-client-id"))
        set_str(&c->client_id, v);
    else if (!strcmp(name, "hubspot-client-secret"))
        set_str(&c->client_secret, v);
    else if (!strcmp(name, "rate-limits")) {
        if (strcmp(v, "on") && strcmp(v, "off"))
            return od_seterr("--rate-limits takes on or off, got '%s'", v);
        c->rate_limits = !strcmp(v, "on");
    } else if (!strcmp(name, "harvest-limit"))
        return parse_limit(v, &c->harvest_limit) < 0 ? -1 : 1;
    else if (!strcmp(name, "hubspot-limit"))
        return parse_limit(v, &c->hubspot_limit) < 0 ? -1 : 1;
    else if (!strcmp(name, "search-limit"))
        return parse_limit(v, &c->search_limit) < 0 ? -1 : 1;
    else if (!strcmp(name, "oauth-code-ttl"))
        return parse_i64(v, 0, 86400L * 365, &c->code_ttl_s) < 0 ? -1 : 1;
    else if (!strcmp(name, "access-token-ttl"))
        return parse_i64(v, 0, 86400L * 365, &c->access_ttl_s) < 0 ? -1 : 1;
    else if (!strcmp(name, "hang-ms"))
        return parse_i64(v, 0, 600000, &c->hang_ms) < 0 ? -1 : 1;
    else if (!strcmp(name, "threads")) {
        if (parse_i64(v, 1, 64, &x) < 0) return -1;
        c->threads = (int)x;
    } else
        return 0;
    return 1;
}

static void config_defaults(void)
{
    static const struct {
        char **dst;
        const char *env, *def;
    } secrets[] = {
        {&sim_cfg.harvest_token, "OPSDECK_SIM_HARVEST_TOKEN", "sim-harvest-token"},
        {&sim_cfg.harvest_account, "OPSDECK_SIM_HARVEST_ACCOUNT", "1000001"},
        {&sim_cfg.hubspot_token, "OPSDECK_SIM_HUBSPOT_TOKEN", "sim-hubspot-token"},
        {&sim_cfg.client_id, "OPSDECK_SIM_HUBSPOT_CLIENT_ID", "sim-client-id"},
        {&sim_cfg.client_secret, "OPSDECK_SIM_HUBSPOT_CLIENT_SECRET", "sim-client-secret"},
    };
    snprintf(sim_cfg.listen, sizeof sim_cfg.listen, "127.0.0.1:8089");
    sim_cfg.seed = 1;
    sim_cfg.t0_day = INT32_MIN;
    sim_cfg.scale = 1000;
    sim_cfg.rate_limits = true;
    sim_cfg.harvest_limit = (struct sim_limit){100, 15};
    sim_cfg.hubspot_limit = (struct sim_limit){100, 10};
    sim_cfg.search_limit = (struct sim_limit){5, 1};
    sim_cfg.code_ttl_s = 600;
    sim_cfg.access_ttl_s = 1800;
    sim_cfg.hang_ms = 30000;
    sim_cfg.threads = 4;
    for (size_t i = 0; i < OD_ARRAY_LEN(secrets); i++) {
        const char *e = getenv(secrets[i].env);
        *secrets[i].dst = od_xstrdup(e && *e ? e : secrets[i].def);
    }
}

static void config_release(void)
{
    free(sim_cfg.harvest_token);
    free(sim_cfg.harvest_account);
    free(sim_cfg.hubspot_token);
    free(sim_cfg.client_id);
    free(sim_cfg.client_secret);
}

static int parse_listen(const char *s, struct sockaddr_in *a)
{
    char host[64];
    const char *colon = strrchr(s, ':');
    long port;
    if (!colon || (size_t)(colon - s) >= sizeof host)
        return od_seterr("--listen wants ADDR:PORT, got '%s'", s);
    memcpy(host, s, (size_t)(colon - s));
    host[colon - s] = '\0';
    memset(a, 0, sizeof *a);
    a->sin_family = AF_INET;
    if (!strcmp(host, "localhost")) snprintf(host, sizeof host, "127.0.0.1");
    if (inet_pton(AF_INET, host, &a->sin_addr) != 1)
        return od_seterr("--listen: '%s' is not an IPv4 address", host);
    if (od_parse_long(colon + 1, 0, 65535, &port) < 0)
        return od_seterr("--listen: bad port '%s'", colon + 1);
    a->sin_port = htons((uint16_t)port);
    return 0;
}

static int write_port_file(const char *path, int port)
{
    char *tmp = od_xasprintf("%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    int rc = 0;
    if (!f || fprintf(f, "%d\n", port) < 0 || fclose(f) != 0 || rename(tmp, path) != 0)
        rc = od_seterr("cannot write port file %s", path);
    free(tmp);
    return rc;
}

int main(int argc, char **argv)
{
    const char *fault_flags[64][2];
    int nfault = 0;
    /* Pages of a megabyte or two are built and freed on every request: keep them in the heap
     * for reuse rather than mapping and faulting in fresh pages each time (glibc maps blocks
     * over 128 KiB by default), so the stand-in's own cost stays small beside opsdeck's. */
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 128 << 20);
    config_defaults();
    faults_init();
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h") || !strcmp(a, "--man")) {
            (strcmp(a, "--man") ? sim_usage_help : sim_usage_man)(stdout);
            config_release();
            faults_release();
            return 0;
        }
        if (!strcmp(a, "--rotate-refresh-tokens")) {
            sim_cfg.rotate_refresh = true;
            continue;
        }
        if (strncmp(a, "--", 2) || i + 1 >= argc) {
            fprintf(stderr, "opsdeck-sim: %s: unknown option or missing value (try --help)\n", a);
            return 2;
        }
        const char *v = argv[++i];
        int rc = config_flag(a + 2, v);
        if (rc == 0 && nfault < 64) {
            fault_flags[nfault][0] = a + 2;
            fault_flags[nfault++][1] = v;
            rc = 1;
        }
        if (rc < 0) {
            fprintf(stderr, "opsdeck-sim: %s: %s\n", a, od_err());
            return 2;
        }
    }
    struct sockaddr_in addr;
    if (parse_listen(sim_cfg.listen, &addr) < 0) {
        fprintf(stderr, "opsdeck-sim: %s\n", od_err());
        return 2;
    }
    world_init_at(&sim_world, sim_cfg.seed, sim_cfg.scale, sim_cfg.t0_day);
    overlay_init();
    limits_init();
    oauth_init();
    for (int i = 0; i < nfault; i++) {
        int rc = faults_apply_flag(fault_flags[i][0], fault_flags[i][1]);
        if (rc <= 0) {
            fprintf(stderr, "opsdeck-sim: --%s: %s\n", fault_flags[i][0],
                    rc == 0 ? "unknown option (try --help)" : od_err());
            return 2;
        }
    }
    FILE *log = NULL;
    if (sim_cfg.log_file && !(log = fopen(sim_cfg.log_file, "a"))) {
        fprintf(stderr, "opsdeck-sim: cannot open log %s\n", sim_cfg.log_file);
        return 1;
    }
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    int port = 0, sig = 0;
    if (sim_http_start(&addr, log, &port) < 0 ||
        (sim_cfg.port_file && write_port_file(sim_cfg.port_file, port) < 0)) {
        fprintf(stderr, "opsdeck-sim: %s\n", od_err());
        return 1;
    }
    fprintf(stderr, "opsdeck-sim: listening on port %d (seed %llu, scale %lld)\n", port,
            (unsigned long long)sim_cfg.seed, (long long)sim_cfg.scale);
    sigwait(&set, &sig);
    fprintf(stderr, "opsdeck-sim: signal %d, stopping\n", sig);
    sim_http_stop();
    oauth_release();
    limits_release();
    overlay_release();
    faults_release();
    world_release(&sim_world);
    config_release();
    if (log) fclose(log);
    return 0;
}
