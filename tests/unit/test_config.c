/* test_config — defaults, INI file, environment overrides, validation messages, redaction. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "core/base/config.h"
#include "core/base/util.h"
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *write_tmp(const char *text)
{
    char *path = od_xstrdup("/tmp/opsdeck-cfg-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return path;
}

static void clear_env(void)
{
    unsetenv("OPSDECK_CONFIG");
    unsetenv("OPSDECK_DATABASE_POOL_SIZE");
    unsetenv("OPSDECK_DATABASE_URL");
    unsetenv("OPSDECK_HARVEST_BASE_URL");
    setenv("XDG_CONFIG_HOME", "/nonexistent-opsdeck-test", 1);
}

static void test_defaults(void **state)
{
    clear_env();
    struct od_config cfg;
    const char *used = "x";
    assert_int_equal(od_config_load(&cfg, NULL, &used), 0);
    assert_null(used);
    assert_int_equal(cfg.database.pool_size, 8);
    assert_int_equal(cfg.sync.workers, 2);
    assert_string_equal(cfg.harvest.base_url, "https://api.harvestapp.com");
    assert_string_equal(cfg.hubspot.auth_url, "https://app.hubspot.com");
    assert_null(cfg.database.url);
    od_config_release(&cfg);
}

static void test_file_and_env_override(void **state)
{
    clear_env();
    char *path = write_tmp("[database]\npool_size = 12\nurl = postgresql://u:hunter2@h/db\n"
                           "[harvest]\nbase_url = http://127.0.0.1:9\n[keys]\nquit = x\n");
    struct od_config cfg;
    assert_int_equal(od_config_load(&cfg, path, NULL), 0);
    assert_int_equal(cfg.database.pool_size, 12);
    assert_string_equal(cfg.harvest.base_url, "http://127.0.0.1:9");
    assert_int_equal(cfg.nkeys, 1);
    assert_string_equal(cfg.key_action[0], "quit");
    od_config_release(&cfg);

    setenv("OPSDECK_DATABASE_POOL_SIZE", "3", 1);
    assert_int_equal(od_config_load(&cfg, path, NULL), 0);
    assert_int_equal(cfg.database.pool_size, 3); /* environment wins over the file */
    od_config_release(&cfg);
    unsetenv("OPSDECK_DATABASE_POOL_SIZE");
    unlink(path);
    free(path);
}

static void test_bad_env_names_key(void **state)
{
    clear_env();
    setenv("OPSDECK_DATABASE_POOL_SIZE", "abc", 1);
    struct od_config cfg;
    assert_int_equal(od_config_load(&cfg, NULL, NULL), -1);
    assert_non_null(strstr(od_err(), "pool_size"));
    assert_non_null(strstr(od_err(), "'abc'"));
    assert_non_null(strstr(od_err(), "OPSDECK_DATABASE_POOL_SIZE"));
    od_config_release(&cfg);
    setenv("OPSDECK_DATABASE_POOL_SIZE", "0", 1);
    assert_int_equal(od_config_load(&cfg, NULL, NULL), -1);
    assert_non_null(strstr(od_err(), "1 to 256"));
    od_config_release(&cfg);
    unsetenv("OPSDECK_DATABASE_POOL_SIZE");
}

static void test_bad_file_values(void **state)
{
    clear_env();
    struct od_config cfg;
    char *p1 = write_tmp("[harvest]\nbase_url = ftp://x\n");
    assert_int_equal(od_config_load(&cfg, p1, NULL), -1);
    assert_non_null(strstr(od_err(), ":2:"));
    assert_non_null(strstr(od_err(), "base_url"));
    od_config_release(&cfg);
    char *p2 = write_tmp("[nope]\nfoo = 1\n");
    assert_int_equal(od_config_load(&cfg, p2, NULL), -1);
    assert_non_null(strstr(od_err(), "unknown configuration key nope.foo"));
    od_config_release(&cfg);
    char *p3 = write_tmp("[log]\nlevel = loud\n");
    assert_int_equal(od_config_load(&cfg, p3, NULL), -1);
    assert_non_null(strstr(od_err(), "debug|info|warn|error"));
    od_config_release(&cfg);
    char *p4 = write_tmp("this is not ini\n");
    assert_int_equal(od_config_load(&cfg, p4, NULL), -1);
    od_config_release(&cfg);
    assert_int_equal(od_config_load(&cfg, "/nonexistent/opsdeck.ini", NULL), -1);
    assert_non_null(strstr(od_err(), "cannot read configuration file"));
    od_config_release(&cfg);
    char *p5 = write_tmp("[hubspot]\nscopes = a\n  b\n");
    assert_int_equal(od_config_load(&cfg, p5, NULL), -1);
    assert_non_null(strstr(od_err(), "hubspot.scopes is set more than once"));
    od_config_release(&cfg);
    char *p6 =
        write_tmp("[database]\npool_size = 3\n[ui]\ntheme = dark\n[Database]\nPOOL_SIZE = 4\n");
    assert_int_equal(od_config_load(&cfg, p6, NULL), -1);
    assert_non_null(strstr(od_err(), ":6:"));
    od_config_release(&cfg);
    char *ps[] = {p1, p2, p3, p4, p5, p6};
    for (int i = 0; i < 6; i++) {
        unlink(ps[i]);
        free(ps[i]);
    }
}

/* Issue #12: credentials never go to a plain-http URL unless the host is loopback. */
static void test_url_keys_need_tls(void **state)
{
    clear_env();
    struct od_config cfg;
    od_config_defaults(&cfg);
    const char *keys[][2] = {{"harvest", "base_url"},
                             {"harvest", "id_url"},
                             {"hubspot", "base_url"},
                             {"hubspot", "auth_url"},
                             {"hubspot", "redirect_uri"}};
    for (size_t i = 0; i < OD_ARRAY_LEN(keys); i++) {
        char name[64];
        snprintf(name, sizeof name, "%s.%s", keys[i][0], keys[i][1]);
        assert_int_equal(od_config_set(&cfg, keys[i][0], keys[i][1], "http://api.example.com"), -1);
        if (!strstr(od_err(), name) || !strstr(od_err(), "use https://"))
            fail_msg("%s: %s", name, od_err());
        assert_int_equal(od_config_set(&cfg, keys[i][0], keys[i][1], "gopher://127.0.0.1/"), -1);
        assert_int_equal(od_config_set(&cfg, keys[i][0], keys[i][1], "http://127.0.0.1:8089"), 0);
        assert_int_equal(od_config_set(&cfg, keys[i][0], keys[i][1], "http://[::1]:8089/x"), 0);
        assert_int_equal(od_config_set(&cfg, keys[i][0], keys[i][1], "https://api.example.com"), 0);
    }
    /* a user:password@ URL is refused without echoing the password */
    assert_int_equal(od_config_set(&cfg, "harvest", "base_url", "https://me:hunter2@h.example"),
                     -1);
    assert_null(strstr(od_err(), "hunter2"));
    /* the new [http] keys are bounded */
    assert_int_equal(cfg.http.retry_after_cap_s, 60);
    assert_int_equal(cfg.http.max_body_bytes, 8 << 20);
    assert_int_equal(od_config_set(&cfg, "http", "max_body_bytes", "1024"), -1);
    assert_int_equal(od_config_set(&cfg, "http", "max_body_bytes", "536870912"), -1);
    assert_int_equal(od_config_set(&cfg, "http", "retry_after_cap_s", "0"), -1);
    assert_int_equal(od_config_set(&cfg, "http", "retry_after_cap_s", "86400"), -1);
    assert_int_equal(cfg.metrics.healthz_refresh_s, 15);
    od_config_release(&cfg);
}

/* The settings that used to be read with getenv where they were used keep their variables. */
static void test_former_getenv_settings(void **state)
{
    clear_env();
    setenv("OPSDECK_HTTP_BACKOFF_MS", "20", 1);
    setenv("OPSDECK_BREAKER_THRESHOLD", "50", 1);
    setenv("OPSDECK_BREAKER_OPEN_MS", "500", 1);
    setenv("OPSDECK_HARVEST_ACCOUNT_ID", "1000001", 1);
    setenv("OPSDECK_HUBSPOT_PORTAL_ID", "4242", 1);
    setenv("OPSDECK_HARVEST_TOKEN", "env-harvest-token", 1);
    setenv("OPSDECK_HUBSPOT_TOKEN", "env-hubspot-token", 1);
    struct od_config cfg;
    assert_int_equal(od_config_load(&cfg, NULL, NULL), 0);
    assert_int_equal(cfg.http.backoff_ms, 20);
    assert_int_equal(cfg.breaker.threshold, 50);
    assert_int_equal(cfg.breaker.open_ms, 500);
    assert_string_equal(cfg.harvest.account_id, "1000001");
    assert_string_equal(cfg.hubspot.portal_id, "4242");
    assert_string_equal(cfg.harvest.token, "env-harvest-token");
    assert_string_equal(cfg.hubspot.token, "env-hubspot-token");
    /* --show reads back as a file: the environment-only tokens are not in it */
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    od_config_print(&cfg, f);
    fclose(f);
    assert_null(strstr(buf, "env-harvest-token"));
    assert_null(strstr(buf, "token ="));
    assert_non_null(strstr(buf, "\nbackoff_ms = 20\n"));
    free(buf);
    od_config_release(&cfg);

    /* a bad value is an error naming the variable, no longer a silent default */
    setenv("OPSDECK_HTTP_BACKOFF_MS", "fast", 1);
    assert_int_equal(od_config_load(&cfg, NULL, NULL), -1);
    assert_non_null(strstr(od_err(), "OPSDECK_HTTP_BACKOFF_MS"));
    od_config_release(&cfg);
    unsetenv("OPSDECK_HTTP_BACKOFF_MS");
    setenv("OPSDECK_BREAKER_OPEN_MS", "0", 1);
    assert_int_equal(od_config_load(&cfg, NULL, NULL), -1);
    assert_non_null(strstr(od_err(), "breaker.open_ms"));
    od_config_release(&cfg);

    /* defaults */
    const char *vars[] = {"OPSDECK_BREAKER_THRESHOLD",  "OPSDECK_BREAKER_OPEN_MS",
                          "OPSDECK_HARVEST_ACCOUNT_ID", "OPSDECK_HUBSPOT_PORTAL_ID",
                          "OPSDECK_HARVEST_TOKEN",      "OPSDECK_HUBSPOT_TOKEN"};
    for (size_t i = 0; i < sizeof vars / sizeof *vars; i++)
        unsetenv(vars[i]);
    assert_int_equal(od_config_load(&cfg, NULL, NULL), 0);
    assert_int_equal(cfg.http.backoff_ms, 500);
    assert_int_equal(cfg.breaker.threshold, 5);
    assert_int_equal(cfg.breaker.open_ms, 30000);
    assert_null(cfg.hubspot.portal_id);
    assert_null(cfg.harvest.token);
    od_config_release(&cfg);
}

/* A token in the file would sit there in clear: refused, saying where it can go. */
static void test_token_not_in_file(void **state)
{
    clear_env();
    char *path = write_tmp("[harvest]\naccount_id = 7\ntoken = pat-in-clear\n");
    struct od_config cfg;
    assert_int_equal(od_config_load(&cfg, path, NULL), -1);
    assert_non_null(strstr(od_err(), ":3: harvest.token cannot be set in the file"));
    assert_non_null(strstr(od_err(), "OPSDECK_HARVEST_TOKEN"));
    assert_null(strstr(od_err(), "pat-in-clear"));
    od_config_release(&cfg);
    unlink(path);
    free(path);
}

static void test_print_redacts(void **state)
{
    clear_env();
    struct od_config cfg;
    od_config_defaults(&cfg);
    od_config_set(&cfg, "database", "url", "postgresql://me:s3cret@db.example/opsdeck");
    od_config_set(&cfg, "hubspot", "client_secret", "topsecret");
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    od_config_print(&cfg, f);
    fclose(f);
    assert_null(strstr(buf, "s3cret"));
    assert_null(strstr(buf, "topsecret"));
    assert_non_null(strstr(buf, "postgresql://me:REDACTED@db.example/opsdeck"));
    assert_non_null(strstr(buf, "client_secret = REDACTED"));
    free(buf);
    od_config_release(&cfg);
}

/* `opsdeck config --show` with database.url in each of libpq's password forms: the password
 * never appears, the rest does, and the shown conninfo still parses (password REDACTED). */
static void test_print_redacts_conninfo_forms(void **state)
{
    static const struct {
        const char *url, *secret, *keep;
    } cases[] = {
        {"host=db.example password = 'x y z' dbname=opsdeck", "x y z", "dbname=opsdeck"},
        {"host=db.example password='it\\'s \\\\ hidden' user=ops", "hidden", "user=ops"},
        {"host=db.example password=plainpw", "plainpw", "host=db.example"},
        {"host=db.example password=esc\\ aped", "aped", "host=db.example"},
        {"host=db.example sslpassword=keypw sslkey=/k", "keypw", "sslkey=/k"},
        {"host=db.example password =\t'tabpw9'", "tabpw9", "host=db.example"},
        {"postgresql://ops:url%20pw@db.example:5432/opsdeck", "url%20pw", "@db.example:5432"},
        {"postgresql://db.example/opsdeck?user=ops&password=qpw&sslmode=verify-full", "qpw",
         "sslmode=verify-full"},
    };
    for (size_t i = 0; i < OD_ARRAY_LEN(cases); i++) {
        clear_env();
        struct od_config cfg;
        od_config_defaults(&cfg);
        od_config_set(&cfg, "database", "url", cases[i].url);
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        od_config_print(&cfg, f);
        fclose(f);
        if (strstr(buf, cases[i].secret))
            fail_msg("'%s' shown for database.url = %s:\n%s", cases[i].secret, cases[i].url, buf);
        if (!strstr(buf, cases[i].keep)) fail_msg("'%s' lost:\n%s", cases[i].keep, buf);
        /* what is shown is still a valid conninfo whose password is the placeholder */
        char *line = strstr(buf, "\nurl = ");
        assert_non_null(line);
        line += 7;
        line[strcspn(line, "\n")] = '\0';
        char *err = NULL;
        PQconninfoOption *opts = PQconninfoParse(line, &err);
        if (!opts) fail_msg("shown url no longer parses: %s (%s)", line, err ? err : "");
        for (PQconninfoOption *o = opts; o->keyword; o++)
            if (o->val && (!strcmp(o->keyword, "password") || !strcmp(o->keyword, "sslpassword")))
                assert_string_equal(o->val, "REDACTED");
        PQconninfoFree(opts);
        free(buf);
        od_config_release(&cfg);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_file_and_env_override),
        cmocka_unit_test(test_bad_env_names_key),
        cmocka_unit_test(test_bad_file_values),
        cmocka_unit_test(test_print_redacts),
        cmocka_unit_test(test_print_redacts_conninfo_forms),
        cmocka_unit_test(test_url_keys_need_tls),
        cmocka_unit_test(test_former_getenv_settings),
        cmocka_unit_test(test_token_not_in_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
