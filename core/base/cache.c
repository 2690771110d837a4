/* cache — sharded LRU, LevelDB style (reference/sync.md §6). See cache.h.
 *
 * A shard is a chained hash table plus an intrusive circular LRU list (head.next = most
 * recent, head.prev = least recent) under one mutex. The shard is chosen by the top bits of a
 * 64-bit hash, the bucket by the low bits, so both stay independent. */
#include "core/base/cache.h"
#include "core/base/util.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct entry {
    struct entry *prev, *next; /* LRU */
    struct entry *hnext;       /* bucket chain */
    uint64_t hash;
    size_t klen, vlen;
    unsigned char data[]; /* key then value */
};

struct shard {
    pthread_mutex_t lock;
    struct entry head; /* sentinel */
    struct entry **buckets;
    size_t nbuckets; /* power of 2 */
    size_t entries, bytes, max_entries, max_bytes;
    uint64_t hits, misses, inserts, updates, evictions, removals;
};

struct od_cache {
    char name[48];
    unsigned nshards, shard_bits;
    struct shard *shards;
    struct od_cache *reg_next;
};

static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;
static struct od_cache *reg_head;

static uint64_t hash_bytes(const void *key, size_t n)
{
    const unsigned char *p = key;
    uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a, then a splitmix64 finaliser */
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 0x100000001b3ULL;
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebULL;
    return h ^ (h >> 31);
}

static size_t charge(size_t klen, size_t vlen)
{
    return sizeof(struct entry) + klen + vlen;
}

struct od_cache *od_cache_new(const char *name, size_t max_entries, size_t max_bytes,
                              unsigned shards)
{
    if (max_entries < 1) max_entries = 1;
    if (max_bytes < 1) max_bytes = 1;
    unsigned want = shards ? shards : 16, bits = 0;
    while ((1u << (bits + 1)) <= want && bits < 10)
        bits++;
    /* Each shard must be able to hold at least one entry of each budget's share. */
    while (bits > 0 && max_entries < (1u << bits))
        bits--;
    struct od_cache *c = od_xcalloc(1, sizeof(*c));
    snprintf(c->name, sizeof(c->name), "%s", name ? name : "cache");
    c->shard_bits = bits;
    c->nshards = 1u << bits;
    c->shards = od_xcalloc(c->nshards, sizeof(*c->shards));
    for (unsigned i = 0; i < c->nshards; i++) {
        struct shard *s = &c->shards[i];
        pthread_mutex_init(&s->lock, NULL);
        s->head.next = s->head.prev = &s->head;
        s->nbuckets = 16;
        s->buckets = od_xcalloc(s->nbuckets, sizeof(*s->buckets));
        s->max_entries = max_entries / c->nshards;
        s->max_bytes = max_bytes / c->nshards;
    }
    pthread_mutex_lock(&reg_lock);
    struct od_cache **pp = &reg_head;
    while (*pp)
        pp = &(*pp)->reg_next;
    *pp = c;
    pthread_mutex_unlock(&reg_lock);
    return c;
}

static void lru_unlink(struct entry *e)
{
    e->prev->next = e->next;
    e->next->prev = e->prev;
}

static void lru_push_front(struct shard *s, struct entry *e)
{
    e->next = s->head.next;
    e->prev = &s->head;
    s->head.next->prev = e;
    s->head.next = e;
}

static struct entry **find_slot(struct shard *s, uint64_t h, const void *key, size_t klen)
{
    struct entry **pp = &s->buckets[h & (s->nbuckets - 1)];
    while (*pp && !((*pp)->hash == h && (*pp)->klen == klen && memcmp((*pp)->data, key, klen) == 0))
        pp = &(*pp)->hnext;
    return pp;
}

/* Unlink e (found at *slot) from both structures and free it. */
static void drop(struct shard *s, struct entry **slot, struct entry *e)
{
    *slot = e->hnext;
    lru_unlink(e);
    s->entries--;
    s->bytes -= charge(e->klen, e->vlen);
    free(e);
}

static void grow(struct shard *s)
{
    size_t n = s->nbuckets * 2;
    struct entry **b = od_xcalloc(n, sizeof(*b));
    for (size_t i = 0; i < s->nbuckets; i++)
        for (struct entry *e = s->buckets[i], *next; e; e = next) {
            next = e->hnext;
            e->hnext = b[e->hash & (n - 1)];
            b[e->hash & (n - 1)] = e;
        }
    free(s->buckets);
    s->buckets = b;
    s->nbuckets = n;
}

static void evict(struct shard *s)
{
    while (s->entries > s->max_entries || s->bytes > s->max_bytes) {
        struct entry *victim = s->head.prev;
        drop(s, find_slot(s, victim->hash, victim->data, victim->klen), victim);
        s->evictions++;
    }
}

static struct shard *shard_of(struct od_cache *c, uint64_t h)
{
    return &c->shards[c->shard_bits ? h >> (64 - c->shard_bits) : 0];
}

int od_cache_put(struct od_cache *c, const void *key, size_t klen, const void *val, size_t vlen)
{
    uint64_t h = hash_bytes(key, klen);
    struct shard *s = shard_of(c, h);
    if (charge(klen, vlen) > s->max_bytes)
        return od_seterr("cache %s: an entry of %zu bytes exceeds the per-shard budget of %zu",
                         c->name, charge(klen, vlen), s->max_bytes);
    struct entry *e = od_xmalloc(sizeof(*e) + klen + vlen);
    e->hash = h;
    e->klen = klen;
    e->vlen = vlen;
    memcpy(e->data, key, klen);
    if (vlen) memcpy(e->data + klen, val, vlen);
    pthread_mutex_lock(&s->lock);
    struct entry **slot = find_slot(s, h, key, klen);
    if (*slot) {
        drop(s, slot, *slot);
        s->updates++;
        slot = find_slot(s, h, key, klen);
    } else {
        s->inserts++;
    }
    e->hnext = *slot;
    *slot = e;
    lru_push_front(s, e);
    s->entries++;
    s->bytes += charge(klen, vlen);
    evict(s);
    if (s->entries > s->nbuckets && s->nbuckets < (size_t)1 << 30) grow(s);
    pthread_mutex_unlock(&s->lock);
    return 0;
}

bool od_cache_get(struct od_cache *c, const void *key, size_t klen, void *buf, size_t cap,
                  size_t *vlen)
{
    uint64_t h = hash_bytes(key, klen);
    struct shard *s = shard_of(c, h);
    pthread_mutex_lock(&s->lock);
    struct entry *e = *find_slot(s, h, key, klen);
    if (e) {
        s->hits++;
        lru_unlink(e);
        lru_push_front(s, e);
        if (buf && cap) memcpy(buf, e->data + klen, e->vlen < cap ? e->vlen : cap);
        if (vlen) *vlen = e->vlen;
    } else {
        s->misses++;
    }
    pthread_mutex_unlock(&s->lock);
    return e != NULL;
}

bool od_cache_del(struct od_cache *c, const void *key, size_t klen)
{
    uint64_t h = hash_bytes(key, klen);
    struct shard *s = shard_of(c, h);
    pthread_mutex_lock(&s->lock);
    struct entry **slot = find_slot(s, h, key, klen);
    bool found = *slot != NULL;
    if (found) {
        drop(s, slot, *slot);
        s->removals++;
    }
    pthread_mutex_unlock(&s->lock);
    return found;
}

void od_cache_clear(struct od_cache *c)
{
    for (unsigned i = 0; i < c->nshards; i++) {
        struct shard *s = &c->shards[i];
        pthread_mutex_lock(&s->lock);
        while (s->head.next != &s->head) {
            struct entry *e = s->head.next;
            drop(s, find_slot(s, e->hash, e->data, e->klen), e);
            s->removals++;
        }
        pthread_mutex_unlock(&s->lock);
    }
}

int od_cache_put_i64(struct od_cache *c, int64_t key, const void *val, size_t vlen)
{
    return od_cache_put(c, &key, sizeof(key), val, vlen);
}

bool od_cache_get_i64(struct od_cache *c, int64_t key, void *buf, size_t cap, size_t *vlen)
{
    return od_cache_get(c, &key, sizeof(key), buf, cap, vlen);
}

bool od_cache_del_i64(struct od_cache *c, int64_t key)
{
    return od_cache_del(c, &key, sizeof(key));
}

void od_cache_stats(struct od_cache *c, struct od_cache_stats *out)
{
    memset(out, 0, sizeof(*out));
    snprintf(out->name, sizeof(out->name), "%s", c->name);
    out->shards = c->nshards;
    for (unsigned i = 0; i < c->nshards; i++) {
        struct shard *s = &c->shards[i];
        pthread_mutex_lock(&s->lock);
        out->hits += s->hits;
        out->misses += s->misses;
        out->inserts += s->inserts;
        out->updates += s->updates;
        out->evictions += s->evictions;
        out->removals += s->removals;
        out->entries += s->entries;
        out->bytes += s->bytes;
        out->max_entries += s->max_entries;
        out->max_bytes += s->max_bytes;
        pthread_mutex_unlock(&s->lock);
    }
}

void od_cache_foreach(void (*fn)(const struct od_cache_stats *st, void *ud), void *ud)
{
    pthread_mutex_lock(&reg_lock);
    for (struct od_cache *c = reg_head; c; c = c->reg_next) {
        struct od_cache_stats st;
        od_cache_stats(c, &st);
        fn(&st, ud);
    }
    pthread_mutex_unlock(&reg_lock);
}

void od_cache_free(struct od_cache *c)
{
    if (!c) return;
    pthread_mutex_lock(&reg_lock);
    for (struct od_cache **pp = &reg_head; *pp; pp = &(*pp)->reg_next)
        if (*pp == c) {
            *pp = c->reg_next;
            break;
        }
    pthread_mutex_unlock(&reg_lock);
    od_cache_clear(c);
    for (unsigned i = 0; i < c->nshards; i++) {
        pthread_mutex_destroy(&c->shards[i].lock);
        free(c->shards[i].buckets);
    }
    free(c->shards);
    free(c);
}
