/* test_cache — the bounded LRU: bounds by entries and by bytes hold under 1M inserts, the
 * counters add up, least recently used entries go first, replace/delete/clear, oversized
 * entries refused, concurrent use from several threads keeps the bounds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "core/base/cache.h"
#include "core/base/util.h"
#include <pthread.h>
#include <string.h>

static void test_entry_bound_1m(void **state)
{
    struct od_cache *c = od_cache_new("t.entries", 10000, (size_t)1 << 30, 16);
    struct od_cache_stats st;
    for (int64_t i = 0; i < 1000000; i++) {
        assert_int_equal(od_cache_put_i64(c, i, &i, sizeof(i)), 0);
        if (i % 99991 == 0) {
            od_cache_stats(c, &st);
            assert_true(st.entries <= 10000);
        }
    }
    od_cache_stats(c, &st);
    assert_true(st.entries <= 10000);
    assert_true(st.entries >= 9000); /* shards fill unevenly, but not that unevenly */
    assert_int_equal(st.inserts, 1000000);
    assert_int_equal(st.evictions, 1000000 - st.entries);
    assert_true(st.bytes <= st.max_bytes);
    /* the newest entry is there, the oldest long gone */
    int64_t v = 0;
    size_t n = 0;
    assert_true(od_cache_get_i64(c, 999999, &v, sizeof(v), &n));
    assert_int_equal(v, 999999);
    assert_int_equal(n, sizeof(v));
    assert_false(od_cache_get_i64(c, 0, &v, sizeof(v), &n));
    od_cache_stats(c, &st);
    assert_int_equal(st.hits, 1);
    assert_int_equal(st.misses, 1);
    od_cache_free(c);
}

static void test_byte_bound_1m(void **state)
{
    size_t max = 4u << 20; /* 4 MiB */
    struct od_cache *c = od_cache_new("t.bytes", 1000000, max, 0);
    char val[300];
    memset(val, 'x', sizeof(val));
    struct od_cache_stats st;
    for (int64_t i = 0; i < 1000000; i++) {
        size_t len = 1 + (size_t)(i % 300);
        assert_int_equal(od_cache_put_i64(c, i, val, len), 0);
        if (i % 100003 == 0) {
            od_cache_stats(c, &st);
            assert_true(st.bytes <= max);
        }
    }
    od_cache_stats(c, &st);
    assert_true(st.bytes <= max);
    assert_true(st.bytes > max / 2);
    assert_int_equal(st.inserts - st.evictions, st.entries);
    assert_true(st.entries < 1000000);
    od_cache_free(c);
}

static void test_lru_order_and_ops(void **state)
{
    struct od_cache *c = od_cache_new("t.lru", 3, 1 << 20, 1);
    const char *keys[] = {"a", "b", "c", "d"};
    for (int i = 0; i < 3; i++)
        od_cache_put(c, keys[i], 1, keys[i], 2);
    char buf[8];
    size_t n;
    assert_true(od_cache_get(c, "a", 1, buf, sizeof(buf), &n)); /* a is now the newest */
    od_cache_put(c, "d", 1, "d", 2);                            /* evicts b */
    assert_false(od_cache_get(c, "b", 1, buf, sizeof(buf), &n));
    assert_true(od_cache_get(c, "a", 1, buf, sizeof(buf), &n));
    assert_string_equal(buf, "a");
    /* replace keeps one entry and counts an update */
    od_cache_put(c, "a", 1, "AA", 3);
    assert_true(od_cache_get(c, "a", 1, buf, sizeof(buf), &n));
    assert_string_equal(buf, "AA");
    assert_int_equal(n, 3);
    /* a short buffer gets a prefix and the real size */
    assert_true(od_cache_get(c, "a", 1, buf, 1, &n));
    assert_int_equal(n, 3);
    assert_true(od_cache_del(c, "a", 1));
    assert_false(od_cache_del(c, "a", 1));
    struct od_cache_stats st;
    od_cache_stats(c, &st);
    assert_int_equal(st.entries, 2);
    assert_int_equal(st.updates, 1);
    assert_int_equal(st.evictions, 1);
    assert_int_equal(st.removals, 1);
    od_cache_clear(c);
    od_cache_stats(c, &st);
    assert_int_equal(st.entries, 0);
    assert_int_equal(st.bytes, 0);
    od_cache_free(c);
}

static void test_oversized_refused(void **state)
{
    struct od_cache *c = od_cache_new("t.small", 100, 1024, 1);
    char big[2048] = {0};
    assert_int_equal(od_cache_put(c, "k", 1, big, sizeof(big)), -1);
    assert_non_null(strstr(od_err(), "exceeds"));
    struct od_cache_stats st;
    od_cache_stats(c, &st);
    assert_int_equal(st.entries, 0);
    od_cache_free(c);
}

static void collect(const struct od_cache_stats *st, void *ud)
{
    if (!strcmp(st->name, "t.listed")) (*(int *)ud)++;
}

static void test_registry(void **state)
{
    int n = 0;
    struct od_cache *c = od_cache_new("t.listed", 10, 10000, 0);
    od_cache_foreach(collect, &n);
    assert_int_equal(n, 1);
    od_cache_free(c);
    n = 0;
    od_cache_foreach(collect, &n);
    assert_int_equal(n, 0);
}

struct hammer {
    struct od_cache *c;
    int seed;
    int wrong; /* values read back that were not the key's (asserted on the main thread) */
};

static void *hammer(void *p)
{
    struct hammer *h = p;
    for (int64_t i = 0; i < 200000; i++) {
        int64_t k = (i * 7919 + h->seed) % 50000, v;
        if (i % 3)
            od_cache_put_i64(h->c, k, &k, sizeof(k));
        else if (od_cache_get_i64(h->c, k, &v, sizeof(v), NULL) && v != k)
            h->wrong++;
    }
    return NULL;
}

static void test_threads(void **state)
{
    struct od_cache *c = od_cache_new("t.threads", 5000, 1 << 20, 16);
    pthread_t th[4];
    struct hammer h[4];
    for (int i = 0; i < 4; i++) {
        h[i] = (struct hammer){c, i * 13, 0};
        pthread_create(&th[i], NULL, hammer, &h[i]);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(h[i].wrong, 0);
    }
    struct od_cache_stats st;
    od_cache_stats(c, &st);
    assert_true(st.entries <= 5000);
    assert_true(st.bytes <= (size_t)1 << 20);
    assert_int_equal(st.hits + st.misses, 4 * 66667);
    assert_int_equal(st.inserts + st.updates, 4 * 133333);
    od_cache_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_entry_bound_1m),    cmocka_unit_test(test_byte_bound_1m),
        cmocka_unit_test(test_lru_order_and_ops), cmocka_unit_test(test_oversized_refused),
        cmocka_unit_test(test_registry),          cmocka_unit_test(test_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
