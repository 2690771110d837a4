/* test_deadletter_roles — who may do what with dead letters, refused by the core itself (before
 * any database or network work): ops and admin list, show, replay and discard; on-call may
 * only read; account managers may do nothing with them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "core/base/util.h"
#include "core/connectors/deadletters.h"
#include "core/security/auth.h"
#include <string.h>

static void test_table(void **state)
{
    assert_true(od_auth_can(OD_ROLE_OPS, "deadletters.read"));
    assert_true(od_auth_can(OD_ROLE_OPS, "deadletters.replay"));
    assert_true(od_auth_can(OD_ROLE_OPS, "deadletters.discard"));
    assert_true(od_auth_can(OD_ROLE_ADMIN, "deadletters.replay"));
    assert_true(od_auth_can(OD_ROLE_ADMIN, "deadletters.discard"));
    assert_true(od_auth_can(OD_ROLE_ONCALL, "deadletters.read"));
    assert_false(od_auth_can(OD_ROLE_ONCALL, "deadletters.replay"));
    assert_false(od_auth_can(OD_ROLE_ONCALL, "deadletters.discard"));
    assert_false(od_auth_can(OD_ROLE_ACCOUNT_MANAGER, "deadletters.read"));
    assert_false(od_auth_can(OD_ROLE_ACCOUNT_MANAGER, "deadletters.replay"));
}

static void test_core_refuses(void **state)
{
    struct od_session s;
    memset(&s, 0, sizeof s);
    s.role = OD_ROLE_ONCALL;
    struct od_dl_who who = {&s, "oncall@example.com", "local"};
    struct od_replay_result r;
    /* no pool and no connection: the refusal must come before either is touched */
    struct od_replay_env env = {NULL, NULL, NULL};
    assert_int_equal(od_deadletter_replay(&env, &who, 1, OD_REPLAY_AUTO, &r), -1);
    assert_false(r.stored);
    assert_string_equal(r.message, "Your role (oncall) may not do deadletters.replay.");
    assert_int_equal(od_deadletter_discard(NULL, &who, 1), -1);
    assert_string_equal(od_err(), "Your role (oncall) may not do deadletters.discard.");
    s.role = OD_ROLE_ACCOUNT_MANAGER;
    struct od_deadletter_list l;
    assert_int_equal(od_deadletters_list(NULL, &who, false, 10, &l), -1);
    assert_int_equal(l.n, 0);
    struct od_deadletter d;
    assert_int_equal(od_deadletter_get(NULL, &who, 1, &d), -1);
    assert_string_equal(od_err(), "Your role (account_manager) may not do deadletters.read.");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_core_refuses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
