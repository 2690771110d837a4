/* links_bulk — see links_bulk.h. The file is checked in C first (encoding, shape, duplicates),
 * then the rows that passed go to a temporary table in one transaction where the database
 * checks the ids and applies them with two set-based upserts; any bad row rolls it all back. */
#include "core/domain/links_bulk.h"
#include "core/base/config.h"
#include "core/base/sanitize.h"
#include "core/db/db.h"
#include "core/security/auth.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { K_CLIENT, K_PROJECT };
static const char *const kind_names[] = {"client_company", "project_deal"};

struct row {
    int line;
    int kind;
    int64_t local, remote; /* remote 0: empty (no company/deal) */
};

struct err {
    int line; /* 0: the whole file */
    char *msg;
};

struct bulk {
    const char *label;
    struct row *rows;
    size_t nrows, caprows;
    struct err *errs;
    size_t nerrs, caperrs;
};

static void add_err(struct bulk *b, int line, const char *fmt, ...) OD_PRINTF(3, 4);
static void add_err(struct bulk *b, int line, const char *fmt, ...)
{
    if (b->nerrs == b->caperrs) {
        b->caperrs = b->caperrs ? b->caperrs * 2 : 16;
        b->errs = od_xrealloc(b->errs, b->caperrs * sizeof *b->errs);
    }
    struct strbuf sb = STRBUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    sb_vaddf(&sb, fmt, ap);
    va_end(ap);
    b->errs[b->nerrs++] = (struct err){line, sb_detach(&sb)};
}

/* A field as it may be quoted in a message: sanitized, at most 40 bytes. */
static char *shown(const char *s, size_t n)
{
    char *v = od_sanitize_n(s, n > 40 ? 40 : n);
    if (n <= 40) return v;
    char *w = od_xasprintf("%s...", v);
    free(v);
    return w;
}

static bool valid_utf8(const char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t k = od_utf8_decode((const unsigned char *)s + i, n - i, &cp);
        if (s[i] == '\0' || (cp == 0xFFFD && !(k == 3 && !memcmp(s + i, "\xef\xbf\xbd", 3))))
            return false;
        i += k;
    }
    return true;
}

/* A positive id of at most 2^53 - 1, digits only, no leading zero; -1 otherwise. */
static int64_t parse_id(const char *s, size_t n)
{
    if (n == 0 || n > 16 || s[0] == '0') return -1;
    int64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v <= 9007199254740991LL ? v : -1;
}

/* Split one line into fields (a field may be wrapped in quotes without quotes inside). Returns
 * the number of fields (up to 4 are kept), -1 for a broken quote. */
static int split(const char *s, size_t n, const char *f[4], size_t fl[4])
{
    int nf = 0;
    for (size_t i = 0;;) {
        const char *start = s + i;
        size_t len;
        if (i < n && s[i] == '"') {
            const char *q = memchr(s + i + 1, '"', n - i - 1);
            if (!q || (q + 1 < s + n && q[1] != ',')) return -1;
            start = s + i + 1;
            len = (size_t)(q - start);
            i = (size_t)(q - s) + 1;
        } else {
            const char *c = memchr(s + i, ',', n - i);
            len = c ? (size_t)(c - (s + i)) : n - i;
            if (memchr(start, '"', len)) return -1;
            i += len;
        }
        if (nf < 4) {
            f[nf] = start;
            fl[nf] = len;
        }
        nf++;
        if (i >= n) return nf;
        i++;          /* the comma */
        if (i == n) { /* a trailing comma: one more, empty field */
            if (nf < 4) {
                f[nf] = s + n;
                fl[nf] = 0;
            }
            return nf + 1;
        }
    }
}

/* One data line: a row in b->rows, or one error. */
static void parse_row(struct bulk *b, int line, const char *s, size_t n)
{
    const char *f[4];
    size_t fl[4];
    bool text = n && valid_utf8(s, n);
    int nf = text ? split(s, n, f, fl) : 0;
    if (n == 0)
        add_err(b, line, "empty line");
    else if (!text)
        add_err(b, line, "not valid UTF-8 text");
    else if (nf < 0)
        add_err(b, line, "a quoted field must be the whole field, without quotes inside");
    else if (nf != 3)
        add_err(b, line, "expected 3 fields (%s), found %d", OD_LINKS_CSV_HEADER, nf);
    if (n == 0 || nf != 3) return;
    int kind = -1;
    for (int k = 0; k < 2; k++)
        if (fl[0] == strlen(kind_names[k]) && !memcmp(f[0], kind_names[k], fl[0])) kind = k;
    char *v = NULL;
    int64_t local = parse_id(f[1], fl[1]), remote = fl[2] ? parse_id(f[2], fl[2]) : 0;
    if (kind < 0)
        add_err(b, line, "unknown kind \"%s\" (client_company or project_deal)",
                v = shown(f[0], fl[0]));
    else if (local < 0)
        add_err(b, line, "harvest_id \"%s\" is not a positive integer id", v = shown(f[1], fl[1]));
    else if (remote < 0)
        add_err(b, line, "hubspot_id \"%s\" is not a positive integer id (or empty for none)",
                v = shown(f[2], fl[2]));
    free(v);
    if (kind < 0 || local < 0 || remote < 0) return;
    if (b->nrows == b->caprows) {
        b->caprows = b->caprows ? b->caprows * 2 : 256;
        b->rows = od_xrealloc(b->rows, b->caprows * sizeof *b->rows);
    }
    b->rows[b->nrows++] = (struct row){line, kind, local, remote};
}

static int cmp_key(const void *a, const void *b)
{
    const struct row *x = a, *y = b;
    if (x->kind != y->kind) return x->kind - y->kind;
    if (x->local != y->local) return x->local < y->local ? -1 : 1;
    return x->line - y->line;
}

/* The second and later rows of one (kind, harvest_id) are errors and leave b->rows. */
static void drop_duplicates(struct bulk *b)
{
    if (b->nrows < 2) return;
    qsort(b->rows, b->nrows, sizeof *b->rows, cmp_key);
    size_t out = 0;
    for (size_t i = 0; i < b->nrows; i++) {
        if (out && b->rows[out - 1].kind == b->rows[i].kind &&
            b->rows[out - 1].local == b->rows[i].local) {
            add_err(b, b->rows[i].line, "%s %lld is already on line %d",
                    kind_names[b->rows[i].kind], (long long)b->rows[i].local,
                    b->rows[out - 1].line);
            continue;
        }
        b->rows[out++] = b->rows[i];
    }
    b->nrows = out;
}

/* Lines of the file into b (rows and errors); the number of data lines read. */
static int parse_file(struct bulk *b, const char *data, size_t len)
{
    if (len > OD_LINKS_IMPORT_MAX_BYTES) {
        add_err(b, 0, "larger than %d MiB; split the file", OD_LINKS_IMPORT_MAX_BYTES >> 20);
        return 0;
    }
    if (len >= 3 && !memcmp(data, "\xef\xbb\xbf", 3)) data += 3, len -= 3;
    int line = 0, rows = 0;
    for (size_t pos = 0; pos < len || line == 0;) {
        const char *nl = memchr(data + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - data) : len, n = end - pos;
        const char *s = data + pos;
        pos = nl ? end + 1 : len;
        if (n && s[n - 1] == '\r') n--;
        if (++line == 1) {
            if (n != strlen(OD_LINKS_CSV_HEADER) || memcmp(s, OD_LINKS_CSV_HEADER, n)) {
                add_err(b, 1, "the first line must be exactly %s", OD_LINKS_CSV_HEADER);
                return 0; /* without the header the rows mean nothing */
            }
            continue;
        }
        if (++rows > OD_LINKS_IMPORT_MAX_ROWS) {
            add_err(b, line, "more than %d rows; split the file", OD_LINKS_IMPORT_MAX_ROWS);
            return rows;
        }
        parse_row(b, line, s, n);
    }
    drop_duplicates(b);
    return rows;
}

static const char check_sql[] =
    "SELECT line, kind, local_id, remote_id, no_local FROM (SELECT i.*,"
    " NOT EXISTS (SELECT 1 FROM harvest_clients x WHERE i.kind = 'client_company'"
    " AND x.id = i.local_id AND x.deleted_at IS NULL) AND NOT EXISTS (SELECT 1 FROM"
    " harvest_projects x WHERE i.kind = 'project_deal' AND x.id = i.local_id AND x.deleted_at"
    " IS NULL) AS no_local,"
    " i.remote_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM hubspot_companies x"
    " WHERE i.kind = 'client_company' AND x.id = i.remote_id AND x.deleted_at IS NULL)"
    " AND NOT EXISTS (SELECT 1 FROM hubspot_deals x WHERE i.kind = 'project_deal'"
    " AND x.id = i.remote_id AND x.deleted_at IS NULL)"
    /* a row equal to the current link stays acceptable when its remote was deleted since */
    " AND NOT EXISTS (SELECT 1 FROM client_links l WHERE i.kind = 'client_company'"
    " AND l.client_id = i.local_id AND l.company_id = i.remote_id)"
    " AND NOT EXISTS (SELECT 1 FROM project_links l WHERE i.kind = 'project_deal'"
    " AND l.project_id = i.local_id AND l.deal_id = i.remote_id) AS no_remote"
    " FROM link_import i) c WHERE no_local OR no_remote ORDER BY line";

#define APPLY(T, L, R, KIND)                                                                       \
    "WITH ups AS (INSERT INTO " T " (" L ", " R ", method, updated_by)"                            \
    " SELECT local_id, remote_id, 'manual', $1 FROM link_import WHERE kind = '" KIND "'"           \
    " ON CONFLICT (" L ") DO UPDATE SET " R " = excluded." R ", method = 'manual',"                \
    " updated_by = excluded.updated_by, updated_at = now(), version = " T ".version + 1"           \
    " WHERE " T "." R " IS DISTINCT FROM excluded." R " RETURNING 1) SELECT count(*) FROM ups"
static const char *const apply_sql[] = {
    APPLY("client_links", "client_id", "company_id", "client_company"),
    APPLY("project_links", "project_id", "deal_id", "project_deal"),
};

/* Rows into the temporary table link_import (inside the transaction). */
static int load_rows(PGconn *c, const struct bulk *b)
{
    if (od_db_cmd(c,
                  "CREATE TEMP TABLE link_import (line integer, kind text, local_id bigint,"
                  " remote_id bigint) ON COMMIT DROP",
                  0, NULL) < 0)
        return -1;
    struct strbuf a[4] = {STRBUF_INIT, STRBUF_INIT, STRBUF_INIT, STRBUF_INIT};
    for (int k = 0; k < 4; k++)
        sb_addch(&a[k], '{');
    for (size_t i = 0; i < b->nrows; i++) {
        const struct row *r = &b->rows[i];
        const char *sep = i ? "," : "";
        sb_addf(&a[0], "%s%d", sep, r->line);
        sb_addf(&a[1], "%s%s", sep, kind_names[r->kind]);
        sb_addf(&a[2], "%s%lld", sep, (long long)r->local);
        if (r->remote)
            sb_addf(&a[3], "%s%lld", sep, (long long)r->remote);
        else
            sb_addf(&a[3], "%sNULL", sep);
    }
    const char *p[4];
    for (int k = 0; k < 4; k++) {
        sb_addch(&a[k], '}');
        p[k] = sb_str(&a[k]);
    }
    int rc = od_db_cmd(c,
                       "INSERT INTO link_import SELECT * FROM unnest($1::integer[], $2::text[],"
                       " $3::bigint[], $4::bigint[])",
                       4, p);
    for (int k = 0; k < 4; k++)
        sb_release(&a[k]);
    return rc;
}

/* Unknown ids become errors. */
static int check_rows(PGconn *c, struct bulk *b)
{
    PGresult *r = od_db_exec(c, check_sql, 0, NULL);
    if (!r) return -1;
    for (int i = 0; i < PQntuples(r); i++) {
        bool client = !strcmp(PQgetvalue(r, i, 1), "client_company");
        bool no_local = PQgetvalue(r, i, 4)[0] == 't';
        add_err(b, atoi(PQgetvalue(r, i, 0)), "there is no %s %s",
                no_local ? (client ? "Harvest client" : "Harvest project")
                         : (client ? "HubSpot company" : "HubSpot deal"),
                PQgetvalue(r, i, no_local ? 2 : 3));
    }
    PQclear(r);
    return 0;
}

static int apply_rows(PGconn *c, const char *actor, int changed[2])
{
    const char *p[1] = {actor};
    for (int k = 0; k < 2; k++) {
        PGresult *r = od_db_exec(c, apply_sql[k], 1, p);
        if (!r) return -1;
        changed[k] = atoi(PQgetvalue(r, 0, 0));
        PQclear(r);
    }
    return 0;
}

static int audit_import(PGconn *c, const char *label, const char *actor,
                        const struct od_links_import *res)
{
    char *detail =
        od_xasprintf("{\"rows\":%d,\"changed\":{\"client_company\":%d,"
                     "\"project_deal\":%d},\"unchanged\":%d}",
                     res->rows, res->changed_clients, res->changed_projects, res->unchanged);
    int rc = od_audit(c, 0, actor, "link.import", label, od_config_login_source(), "ok", detail);
    free(detail);
    const char *p[1] = {"import"};
    if (rc == 0) rc = od_db_cmd(c, "SELECT pg_notify('opsdeck_links', $1)", 1, p);
    return rc;
}

static int cmp_err(const void *a, const void *b)
{
    const struct err *x = a, *y = b;
    return x->line - y->line;
}

/* The transaction: load, check, apply (or not). 1 when errors were found. */
static int import_tx(PGconn *c, struct bulk *b, bool dry_run, const char *actor,
                     struct od_links_import *res)
{
    int changed[2] = {0, 0};
    if (od_db_cmd(c, "SELECT pg_advisory_xact_lock(hashtext('opsdeck.links.auto'))", 0, NULL) < 0 ||
        load_rows(c, b) < 0 || check_rows(c, b) < 0)
        return -1;
    if (b->nerrs) return 1;
    if (apply_rows(c, actor, changed) < 0) return -1;
    res->changed_clients = changed[0];
    res->changed_projects = changed[1];
    res->unchanged = res->rows - changed[0] - changed[1];
    if (!dry_run && audit_import(c, b->label, actor, res) < 0) return -1;
    return 0;
}

int od_links_import_csv(struct od_pool *pool, const char *label, const char *data, size_t len,
                        bool dry_run, const char *actor, struct od_links_import *res)
{
    memset(res, 0, sizeof *res);
    struct bulk b = {.label = label};
    res->rows = parse_file(&b, data ? data : "", data ? len : 0);
    int rc = 0;
    if (b.nrows) { /* the database checks the rows that passed, even when others did not */
        PGconn *c = od_pool_acquire(pool, OD_POOL_WAIT_DEFAULT);
        if (!c) {
            rc = -1;
        } else if (od_db_begin(c) < 0) {
            rc = -1;
            od_pool_release(pool, c);
        } else {
            rc = import_tx(c, &b, dry_run, actor ? actor : "unknown", res);
            if (rc == 0 && !dry_run)
                rc = od_db_commit(c) < 0 ? -1 : 0;
            else
                od_db_rollback(c); /* keeps od_err() */
            od_pool_release(pool, c);
        }
    }
    if (rc >= 0 && b.nerrs) {
        rc = 1;
        res->changed_clients = res->changed_projects = res->unchanged = 0;
        qsort(b.errs, b.nerrs, sizeof *b.errs, cmp_err); /* nerrs > 0 here */
        for (size_t i = 0; i < b.nerrs; i++) {
            if (b.errs[i].line)
                sb_addf(&res->errors, "%s:%d: %s\n", label, b.errs[i].line, b.errs[i].msg);
            else
                sb_addf(&res->errors, "%s: %s\n", label, b.errs[i].msg);
        }
        res->bad = (int)b.nerrs;
    }
    for (size_t i = 0; i < b.nerrs; i++)
        free(b.errs[i].msg);
    free(b.errs);
    free(b.rows);
    return rc;
}

void od_links_import_release(struct od_links_import *res)
{
    sb_release(&res->errors);
    memset(res, 0, sizeof *res);
}

int od_links_export_csv(struct od_pool *pool, struct strbuf *out)
{
    PGconn *c = od_pool_acquire(pool, OD_POOL_WAIT_DEFAULT);
    if (!c) return -1;
    PGresult *r = od_db_exec(
        c,
        "SELECT 'client_company', l.client_id, l.company_id FROM client_links l"
        " JOIN harvest_clients x ON x.id = l.client_id AND x.deleted_at IS NULL"
        " UNION ALL SELECT 'project_deal', l.project_id, l.deal_id FROM project_links l"
        " JOIN harvest_projects x ON x.id = l.project_id AND x.deleted_at IS NULL ORDER BY 1, 2",
        0, NULL);
    od_pool_release(pool, c);
    if (!r) return -1;
    sb_add(out, OD_LINKS_CSV_HEADER "\r\n");
    for (int i = 0; i < PQntuples(r); i++)
        sb_addf(out, "%s,%s,%s\r\n", PQgetvalue(r, i, 0), PQgetvalue(r, i, 1),
                PQgetisnull(r, i, 2) ? "" : PQgetvalue(r, i, 2));
    PQclear(r);
    return 0;
}
