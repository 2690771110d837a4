/* cache — bounded LRU caches (by entry count AND bytes) with sharded locks and counters.
 *
 *   struct od_cache *c = od_cache_new("harvest.projects", 100000, 16 << 20, 0);
 *   od_cache_put_i64(c, project_id, &row, sizeof(row));
 *   struct row r; size_t n;
 *   if (od_cache_get_i64(c, project_id, &r, sizeof(r), &n) && n == sizeof(r)) ...
 *   od_cache_stats(c, &st);            // hits, misses, evictions, entries, bytes
 *   od_cache_free(c);
 *
 * Keys and values are copied in and copied out, so nothing handed out can be evicted under a
 * caller. Bytes count what an entry really costs: its header, key and value (the bucket array
 * adds at most one pointer per entry on top). The bounds hold at every moment: each of the
 * S shards (16 by default, fewer for tiny caches) owns max/S of both budgets and evicts its
 * least recently used entries to stay within them; an item larger than a shard's byte budget
 * is refused (-1). Every live cache is listed by od_cache_foreach (health screen). Thread-safe;
 * each shard has its own mutex. */
#ifndef OD_CACHE_H
#define OD_CACHE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct od_cache;

struct od_cache_stats {
    char name[48];
    uint64_t hits, misses, inserts, updates, evictions, removals;
    size_t entries, bytes;
    size_t max_entries, max_bytes; /* effective bounds (sum of the shards') */
    unsigned shards;
};

/* name is copied; max_entries >= 1, max_bytes >= 1; shards 0 = 16 (rounded to a power of 2). */
struct od_cache *od_cache_new(const char *name, size_t max_entries, size_t max_bytes,
                              unsigned shards);
void od_cache_free(struct od_cache *c);

/* Insert or replace (key and value copied). 0, or -1 (od_err) when the entry alone exceeds
 * a shard's byte budget. */
int od_cache_put(struct od_cache *c, const void *key, size_t klen, const void *val, size_t vlen);
/* On a hit copies min(cap, value size) bytes into buf, sets *vlen to the value size, marks the
 * entry most recently used and returns true. */
bool od_cache_get(struct od_cache *c, const void *key, size_t klen, void *buf, size_t cap,
                  size_t *vlen);
bool od_cache_del(struct od_cache *c, const void *key, size_t klen);
void od_cache_clear(struct od_cache *c);

int od_cache_put_i64(struct od_cache *c, int64_t key, const void *val, size_t vlen);
bool od_cache_get_i64(struct od_cache *c, int64_t key, void *buf, size_t cap, size_t *vlen);
bool od_cache_del_i64(struct od_cache *c, int64_t key);

void od_cache_stats(struct od_cache *c, struct od_cache_stats *out);
/* Calls fn for every live cache, in creation order. */
void od_cache_foreach(void (*fn)(const struct od_cache_stats *st, void *ud), void *ud);

#endif
