/* json — read-only JSON DOM with number text and source spans. See json.h. */
#include "core/base/json.h"
#include "core/base/sanitize.h"
#include "core/base/util.h"
#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NODE_BLOCK 2048
#define ARENA_BLOCK 65536
#define MAX_DEPTH 64

struct node_block {
    struct node_block *next;
    size_t used;
    struct od_jv v[NODE_BLOCK];
};

struct arena_block {
    struct arena_block *next;
    size_t used, cap;
    char data[];
};

struct od_json {
    const char *src;
    size_t len, pos;
    struct node_block *nodes;
    struct arena_block *arena;
    const struct od_jv *root;
};

static struct od_jv *node_new(struct od_json *d)
{
    if (!d->nodes || d->nodes->used == NODE_BLOCK) {
        struct node_block *b = od_xmalloc(sizeof *b);
        b->next = d->nodes;
        b->used = 0;
        d->nodes = b;
    }
    struct od_jv *v = &d->nodes->v[d->nodes->used++];
    memset(v, 0, sizeof *v);
    return v;
}

static char *arena_alloc(struct od_json *d, size_t n)
{
    if (!d->arena || d->arena->cap - d->arena->used < n) {
        size_t cap = n > ARENA_BLOCK ? n : ARENA_BLOCK;
        struct arena_block *b = od_xmalloc(sizeof *b + cap);
        b->next = d->arena;
        b->used = 0;
        b->cap = cap;
        d->arena = b;
    }
    char *p = d->arena->data + d->arena->used;
    d->arena->used += n;
    return p;
}

static int fail(struct od_json *d, const char *what)
{
    return od_seterr("malformed JSON at byte %zu: %s", d->pos, what);
}

static void skip_ws(struct od_json *d)
{
    while (d->pos < d->len) {
        char c = d->src[d->pos];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
        d->pos++;
    }
}

static int hex4(const char *s, uint32_t *out)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (uint32_t)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (uint32_t)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (uint32_t)(c - 'A' + 10);
        else
            return -1;
    }
    *out = v;
    return 0;
}

/* Bytes that end the plain run of a string: the quote, escapes, controls, non-ASCII. */
static const bool special[256] = {
    [0 ... 0x1f] = true,
    ['"'] = true,
    ['\\'] = true,
    [0x80 ... 0xff] = true,
};

/* Parse a string at d->pos (on the opening quote) into a new arena string. */
static const char *parse_string(struct od_json *d)
{
    size_t i = ++d->pos;
    /* Fast scan for the closing quote; the decoded form is never longer than the source.
     * A string of plain printable ASCII (most of them) is copied as it is. */
    bool plain = true;
    while (i < d->len) {
        unsigned char c = (unsigned char)d->src[i];
        if (!special[c]) {
            i++;
            continue;
        }
        if (c == '"') break;
        plain = false;
        i += c == '\\' ? 2 : 1;
    }
    if (i >= d->len) {
        fail(d, "unterminated string");
        return NULL;
    }
    char *out = arena_alloc(d, i - d->pos + 1), *o = out;
    if (plain) {
        memcpy(out, d->src + d->pos, i - d->pos);
        out[i - d->pos] = '\0';
        d->pos = i + 1;
        return out;
    }
    while (d->pos < i) {
        unsigned char c = (unsigned char)d->src[d->pos];
        if (c == '\\') {
            char e = d->src[d->pos + 1];
            d->pos += 2;
            switch (e) {
            case '"':
                *o++ = '"';
                break;
            case '\\':
                *o++ = '\\';
                break;
            case '/':
                *o++ = '/';
                break;
            case 'b':
                *o++ = '\b';
                break;
            case 'f':
                *o++ = '\f';
                break;
            case 'n':
                *o++ = '\n';
                break;
            case 'r':
                *o++ = '\r';
                break;
            case 't':
                *o++ = '\t';
                break;
            case 'u': {
                uint32_t cp, lo;
                if (d->pos + 4 > i || hex4(d->src + d->pos, &cp) < 0) {
                    fail(d, "bad \\u escape");
                    return NULL;
                }
                d->pos += 4;
                if (cp >= 0xD800 && cp <= 0xDBFF) {
                    if (d->pos + 6 > i || d->src[d->pos] != '\\' || d->src[d->pos + 1] != 'u' ||
                        hex4(d->src + d->pos + 2, &lo) < 0 || lo < 0xDC00 || lo > 0xDFFF) {
                        fail(d, "unpaired surrogate");
                        return NULL;
                    }
                    d->pos += 6;
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                    fail(d, "unpaired surrogate");
                    return NULL;
                }
                if (cp == 0) {
                    fail(d, "NUL in string");
                    return NULL;
                }
                o += od_utf8_encode(cp, o);
                break;
            }
            default:
                fail(d, "bad escape");
                return NULL;
            }
        } else if (c < 0x20) {
            fail(d, "control character in string");
            return NULL;
        } else if (c < 0x80) {
            *o++ = (char)c;
            d->pos++;
        } else {
            size_t k = od_utf8_valid((const unsigned char *)d->src + d->pos, i - d->pos);
            if (!k) {
                fail(d, "invalid UTF-8");
                return NULL;
            }
            memcpy(o, d->src + d->pos, k);
            o += k;
            d->pos += k;
        }
    }
    *o = '\0';
    d->pos = i + 1;
    return out;
}

static int parse_number(struct od_json *d, struct od_jv *v)
{
    size_t s = d->pos, i = s;
    const char *p = d->src;
    if (i < d->len && p[i] == '-') i++;
    if (i < d->len && p[i] == '0') {
        i++;
    } else if (i < d->len && p[i] >= '1' && p[i] <= '9') {
        while (i < d->len && p[i] >= '0' && p[i] <= '9')
            i++;
    } else {
        return fail(d, "bad number");
    }
    if (i < d->len && p[i] == '.') {
        i++;
        if (i >= d->len || p[i] < '0' || p[i] > '9') return fail(d, "bad number");
        while (i < d->len && p[i] >= '0' && p[i] <= '9')
            i++;
    }
    if (i < d->len && (p[i] == 'e' || p[i] == 'E')) {
        i++;
        if (i < d->len && (p[i] == '+' || p[i] == '-')) i++;
        if (i >= d->len || p[i] < '0' || p[i] > '9') return fail(d, "bad number");
        while (i < d->len && p[i] >= '0' && p[i] <= '9')
            i++;
    }
    char *t = arena_alloc(d, i - s + 1);
    memcpy(t, p + s, i - s);
    t[i - s] = '\0';
    v->type = OD_JV_NUMBER;
    v->text = t;
    d->pos = i;
    return 0;
}

static int parse_value(struct od_json *d, struct od_jv *v, int depth);

static int parse_container(struct od_json *d, struct od_jv *v, int depth)
{
    bool obj = d->src[d->pos] == '{';
    char close = obj ? '}' : ']';
    struct od_jv *last = NULL;
    v->type = obj ? OD_JV_OBJECT : OD_JV_ARRAY;
    if (depth >= MAX_DEPTH) return fail(d, "nesting too deep");
    d->pos++;
    skip_ws(d);
    if (d->pos < d->len && d->src[d->pos] == close) {
        d->pos++;
        return 0;
    }
    for (;;) {
        struct od_jv *kid = node_new(d);
        skip_ws(d);
        if (obj) {
            if (d->pos >= d->len || d->src[d->pos] != '"') return fail(d, "expected member name");
            if (!(kid->key = parse_string(d))) return -1;
            skip_ws(d);
            if (d->pos >= d->len || d->src[d->pos] != ':') return fail(d, "expected ':'");
            d->pos++;
        }
        if (parse_value(d, kid, depth + 1) < 0) return -1;
        if (last)
            last->sibling = kid;
        else
            v->child = kid;
        last = kid;
        v->count++;
        skip_ws(d);
        if (d->pos < d->len && d->src[d->pos] == ',') {
            d->pos++;
            continue;
        }
        if (d->pos < d->len && d->src[d->pos] == close) {
            d->pos++;
            return 0;
        }
        return fail(d, obj ? "expected ',' or '}'" : "expected ',' or ']'");
    }
}

static int literal(struct od_json *d, const char *word, enum od_jv_type t, struct od_jv *v)
{
    size_t n = strlen(word);
    if (d->len - d->pos < n || memcmp(d->src + d->pos, word, n) != 0)
        return fail(d, "unexpected character");
    d->pos += n;
    v->type = t;
    return 0;
}

static int parse_value(struct od_json *d, struct od_jv *v, int depth)
{
    skip_ws(d);
    if (d->pos >= d->len) return fail(d, "unexpected end");
    v->start = d->pos;
    int rc;
    switch (d->src[d->pos]) {
    case '{':
    case '[':
        rc = parse_container(d, v, depth);
        break;
    case '"':
        v->type = OD_JV_STRING;
        rc = (v->text = parse_string(d)) ? 0 : -1;
        break;
    case 't':
        rc = literal(d, "true", OD_JV_TRUE, v);
        break;
    case 'f':
        rc = literal(d, "false", OD_JV_FALSE, v);
        break;
    case 'n':
        rc = literal(d, "null", OD_JV_NULL, v);
        break;
    default:
        rc = parse_number(d, v);
        break;
    }
    v->end = d->pos;
    return rc;
}

struct od_json *od_json_parse(const char *text, size_t len)
{
    struct od_json *d = od_xcalloc(1, sizeof *d);
    d->src = text;
    d->len = len;
    struct od_jv *root = node_new(d);
    if (parse_value(d, root, 0) < 0) {
        od_json_free(d);
        return NULL;
    }
    skip_ws(d);
    if (d->pos != d->len) {
        fail(d, "trailing data");
        od_json_free(d);
        return NULL;
    }
    d->root = root;
    return d;
}

void od_json_free(struct od_json *d)
{
    if (!d) return;
    while (d->nodes) {
        struct node_block *n = d->nodes->next;
        free(d->nodes);
        d->nodes = n;
    }
    while (d->arena) {
        struct arena_block *n = d->arena->next;
        free(d->arena);
        d->arena = n;
    }
    free(d);
}

const struct od_jv *od_json_root(const struct od_json *d)
{
    return d->root;
}

const char *od_jv_raw(const struct od_json *d, const struct od_jv *v, size_t *len)
{
    *len = v->end - v->start;
    return d->src + v->start;
}

/* The member named key[0..n) (first bytes compared before the rest: most keys differ there). */
static const struct od_jv *get_n(const struct od_jv *v, const char *key, size_t n)
{
    if (!v || v->type != OD_JV_OBJECT) return NULL;
    for (const struct od_jv *k = v->child; k; k = k->sibling)
        if ((!n || k->key[0] == key[0]) && strncmp(k->key, key, n) == 0 && k->key[n] == '\0')
            return k;
    return NULL;
}

const struct od_jv *od_jv_get(const struct od_jv *v, const char *key)
{
    return key ? get_n(v, key, strlen(key)) : NULL;
}

const struct od_jv *od_jv_path(const struct od_jv *v, const char *path)
{
    while (v && *path) {
        const char *dot = strchr(path, '.');
        size_t n = dot ? (size_t)(dot - path) : strlen(path);
        v = get_n(v, path, n);
        path += dot ? n + 1 : n;
    }
    return v;
}

const struct od_jv *od_jv_first(const struct od_jv *v)
{
    return v && (v->type == OD_JV_ARRAY || v->type == OD_JV_OBJECT) ? v->child : NULL;
}

const struct od_jv *od_jv_next(const struct od_jv *v)
{
    return v ? v->sibling : NULL;
}

const char *od_jv_string(const struct od_jv *v)
{
    return v && v->type == OD_JV_STRING ? v->text : NULL;
}

const char *od_jv_number(const struct od_jv *v)
{
    return v && v->type == OD_JV_NUMBER ? v->text : NULL;
}

bool od_jv_is_null(const struct od_jv *v)
{
    return !v || v->type == OD_JV_NULL;
}

void od_json_quote(struct strbuf *sb, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    if (!s) {
        sb_add(sb, "null");
        return;
    }
    sb_addch(sb, '"');
    for (const char *run = s;; s++) { /* plain runs are copied whole */
        unsigned char c = (unsigned char)*s;
        if (c >= 0x20 && c != '"' && c != '\\') continue;
        sb_addn(sb, run, (size_t)(s - run));
        if (!c) break;
        run = s + 1;
        switch (c) {
        case '"':
            sb_add(sb, "\\\"");
            break;
        case '\\':
            sb_add(sb, "\\\\");
            break;
        case '\n':
            sb_add(sb, "\\n");
            break;
        case '\r':
            sb_add(sb, "\\r");
            break;
        case '\t':
            sb_add(sb, "\\t");
            break;
        default: {
            const char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            sb_addn(sb, u, sizeof u);
        }
        }
    }
    sb_addch(sb, '"');
}

void od_json_add_i64(cJSON *obj, const char *name, int64_t v)
{
    char num[24];
    snprintf(num, sizeof num, "%lld", (long long)v);
    cJSON_AddRawToObject(obj, name, num);
}

void od_json_add_str(cJSON *obj, const char *name, const char *s)
{
    if (s)
        cJSON_AddStringToObject(obj, name, s);
    else
        cJSON_AddNullToObject(obj, name);
}

char *od_json_print(cJSON *doc)
{
    char *s = cJSON_PrintUnformatted(doc);
    cJSON_Delete(doc);
    if (!s) od_die("out of memory (printing JSON)");
    return s;
}
