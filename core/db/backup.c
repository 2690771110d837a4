/* backup — checksums, manifest, row counts and pruning for `opsdeck backup`/`restore`.
 * See backup.h. */
#include "core/db/backup.h"
#include "core/base/json.h"
#include "core/db/db.h"
#include "core/base/sanitize.h"
#include "core/base/util.h"
#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- checksums ---- */

int od_sha256_file(const char *path, char hex[65])
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return od_seterr("cannot read %s: %s", path, strerror(errno));
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    unsigned char buf[65536];
    ssize_t n;
    while ((n = read(fd, buf, sizeof(buf))) != 0) {
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            int err = errno;
            close(fd);
            return od_seterr("cannot read %s: %s", path, strerror(err));
        }
        crypto_hash_sha256_update(&st, buf, (unsigned long long)n);
    }
    close(fd);
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&st, h);
    sodium_bin2hex(hex, 65, h, sizeof(h));
    return 0;
}

char *od_backup_sibling(const char *dump_path, const char *ext)
{
    size_t n = strlen(dump_path);
    if (n > 5 && strcmp(dump_path + n - 5, ".dump") == 0) n -= 5;
    return od_xasprintf("%.*s%s", (int)n, dump_path, ext);
}

static int write_atomic(const char *path, const char *data, size_t len)
{
    char *tmp = od_xasprintf("%s.tmp", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    int ok = fd >= 0 && write(fd, data, len) == (ssize_t)len && fsync(fd) == 0;
    int err = errno;
    if (fd >= 0 && close(fd) != 0) ok = 0;
    if (ok && rename(tmp, path) != 0) ok = 0, err = errno;
    if (!ok) unlink(tmp);
    free(tmp);
    return ok ? 0 : od_seterr("cannot write %s: %s", path, strerror(err));
}

int od_backup_write_checksum(const char *dump_path, const char *hex)
{
    const char *base = strrchr(dump_path, '/');
    char *line = od_xasprintf("%s  %s\n", hex, base ? base + 1 : dump_path);
    char *path = od_backup_sibling(dump_path, ".sha256");
    int rc = write_atomic(path, line, strlen(line));
    free(path);
    free(line);
    return rc;
}

int od_backup_verify_checksum(const char *dump_path, char got[65])
{
    char *path = od_backup_sibling(dump_path, ".sha256");
    char want[65] = "";
    FILE *f = fopen(path, "re");
    int rc = -1;
    if (!f) {
        od_seterr("no checksum file %s (%s): an unverified backup is not restored", path,
                  strerror(errno));
    } else if (fscanf(f, "%64[0-9a-f]", want) != 1 || strlen(want) != 64) {
        od_seterr("%s is not a sha256sum line", path);
    } else if (od_sha256_file(dump_path, got) == 0) {
        if (strcmp(want, got) == 0)
            rc = 0;
        else
            od_seterr("%s does not match its checksum: %s says %s, the file has %s; it is "
                      "damaged or was changed",
                      dump_path, path, want, got);
    }
    if (f) fclose(f);
    free(path);
    return rc;
}

/* ---- row counts ---- */

int od_backup_count_rows(PGconn *c, struct od_backup_counts *out)
{
    /* Identifiers are quoted by format(%I) on the server; no values are built into SQL. */
    PGresult *r = od_db_exec(
        c,
        "SELECT CASE WHEN n.nspname = 'public' THEN c.relname ELSE n.nspname || '.' || c.relname "
        "END, (xpath('/row/c/text()', query_to_xml(format('SELECT count(*) AS c FROM %I.%I', "
        "n.nspname, c.relname), false, true, '')))[1]::text "
        "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition "
        "AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
        "AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%' ORDER BY 1",
        0, NULL);
    if (!r) return -1;
    out->n = (size_t)PQntuples(r);
    out->t = od_xcalloc(out->n ? out->n : 1, sizeof(*out->t));
    for (size_t i = 0; i < out->n; i++) {
        out->t[i].name = od_xstrdup(PQgetvalue(r, (int)i, 0));
        out->t[i].rows = strtoll(PQgetvalue(r, (int)i, 1), NULL, 10);
    }
    PQclear(r);
    return 0;
}

int64_t od_backup_counts_total(const struct od_backup_counts *c)
{
    int64_t t = 0;
    for (size_t i = 0; i < c->n; i++)
        t += c->t[i].rows;
    return t;
}

void od_backup_counts_release(struct od_backup_counts *c)
{
    for (size_t i = 0; i < c->n; i++)
        free(c->t[i].name);
    free(c->t);
    c->t = NULL;
    c->n = 0;
}

/* ---- manifest ---- */

int od_backup_manifest_from_db(PGconn *c, struct od_backup_manifest *m)
{
    PGresult *r = od_db_exec(c,
                             "SELECT current_setting('server_version'), current_database(), "
                             "to_regclass('schema_migrations') IS NOT NULL",
                             0, NULL);
    if (!r) return -1;
    m->server_version = od_xstrdup(PQgetvalue(r, 0, 0));
    m->database = od_xstrdup(PQgetvalue(r, 0, 1));
    int have = PQgetvalue(r, 0, 2)[0] == 't';
    PQclear(r);
    if (!have) return 0;
    r = od_db_exec(c, "SELECT version FROM schema_migrations ORDER BY version", 0, NULL);
    if (!r) return -1;
    m->nmigrations = (size_t)PQntuples(r);
    m->migrations = od_xcalloc(m->nmigrations + 1, sizeof(char *));
    for (size_t i = 0; i < m->nmigrations; i++)
        m->migrations[i] = od_xstrdup(PQgetvalue(r, (int)i, 0));
    PQclear(r);
    return 0;
}

/* ---- the database side of backup and restore ---- */

char *od_backup_begin_snapshot(PGconn *c)
{
    if (od_db_cmd(c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", 0, NULL) < 0) return NULL;
    /* Counting large tables and waiting for pg_dump are not what the timeouts are for. */
    if (od_db_cmd(c, "SET LOCAL statement_timeout = 0", 0, NULL) < 0 ||
        od_db_cmd(c, "SET LOCAL idle_in_transaction_session_timeout = 0", 0, NULL) < 0)
        return NULL;
    PGresult *r = od_db_exec(c, "SELECT pg_export_snapshot()", 0, NULL);
    if (!r) return NULL;
    char *id = od_xstrdup(PQgetvalue(r, 0, 0));
    PQclear(r);
    return id;
}

int od_backup_target_objects(PGconn *c, char **what)
{
    *what = NULL;
    PGresult *r = od_db_exec(
        c,
        "SELECT n.nspname || '.' || c.relname FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') "
        "AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
        "AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%' ORDER BY 1",
        0, NULL);
    if (!r) return -1;
    int n = PQntuples(r);
    struct strbuf sb = STRBUF_INIT;
    for (int i = 0; i < n && i < 5; i++) {
        if (i) sb_add(&sb, ", ");
        char *s = od_sanitize(PQgetvalue(r, i, 0));
        sb_add(&sb, s);
        free(s);
    }
    if (n > 5) sb_addf(&sb, " and %d more", n - 5);
    PQclear(r);
    *what = sb_detach(&sb);
    return n;
}

int od_backup_restored_counts(PGconn *c, struct od_backup_counts *out)
{
    if (od_db_cmd(c, "SET statement_timeout = 0", 0, NULL) < 0 ||
        od_db_cmd(c, "ANALYZE", 0, NULL) < 0)
        return -1;
    return od_backup_count_rows(c, out);
}

int od_backup_manifest_write(const struct od_backup_manifest *m, const char *dump_path)
{
    cJSON *o = cJSON_CreateObject();
    int signed_ = m->mac && *m->mac;
    cJSON_AddStringToObject(
        o, "format", m->format ? m->format : (signed_ ? OD_BACKUP_FORMAT : OD_BACKUP_FORMAT_V1));
    cJSON_AddStringToObject(o, "created_at", m->created_at);
    cJSON_AddStringToObject(o, "server_version", m->server_version);
    cJSON_AddStringToObject(o, "database", m->database);
    cJSON_AddStringToObject(o, "dump_file", m->dump_file);
    od_json_add_i64(o, "bytes", m->bytes);
    cJSON_AddStringToObject(o, "sha256", m->sha256);
    cJSON *mig = cJSON_AddArrayToObject(o, "schema_migrations");
    for (size_t i = 0; i < m->nmigrations; i++)
        cJSON_AddItemToArray(mig, cJSON_CreateString(m->migrations[i]));
    cJSON *t = cJSON_AddObjectToObject(o, "row_counts");
    for (size_t i = 0; i < m->counts.n; i++)
        od_json_add_i64(t, m->counts.t[i].name, m->counts.t[i].rows);
    od_json_add_i64(o, "total_rows", od_backup_counts_total(&m->counts));
    if (signed_) {
        od_json_add_i64(o, "mac_key_id", m->mac_key_id);
        cJSON_AddStringToObject(o, "mac", m->mac);
    }
    char *text = cJSON_Print(o);
    cJSON_Delete(o);
    if (!text) od_die("out of memory");
    struct strbuf sb = STRBUF_INIT;
    sb_add(&sb, text);
    sb_addch(&sb, '\n');
    cJSON_free(text);
    char *path = od_backup_sibling(dump_path, ".json");
    int rc = write_atomic(path, sb.buf, sb.len);
    free(path);
    sb_release(&sb);
    return rc;
}

static char *json_str(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return od_xstrdup(cJSON_IsString(v) ? v->valuestring : "");
}

int od_backup_manifest_read(const char *dump_path, struct od_backup_manifest *m)
{
    char *path = od_backup_sibling(dump_path, ".json");
    FILE *f = fopen(path, "re");
    if (!f) {
        od_seterr("no manifest %s next to the dump: %s", path, strerror(errno));
        free(path);
        return -1;
    }
    struct strbuf sb = STRBUF_INIT;
    char buf[8192];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0 && sb.len < (16u << 20))
        sb_addn(&sb, buf, n);
    fclose(f);
    cJSON *o = cJSON_Parse(sb_str(&sb));
    sb_release(&sb);
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(o, "row_counts");
    if (!cJSON_IsObject(t)) {
        cJSON_Delete(o);
        od_seterr("%s is not an opsdeck backup manifest (no row_counts)", path);
        free(path);
        return -1;
    }
    free(path);
    m->format = json_str(o, "format");
    m->created_at = json_str(o, "created_at");
    m->server_version = json_str(o, "server_version");
    m->database = json_str(o, "database");
    m->dump_file = json_str(o, "dump_file");
    m->sha256 = json_str(o, "sha256");
    const cJSON *b = cJSON_GetObjectItemCaseSensitive(o, "bytes");
    m->bytes = cJSON_IsNumber(b) ? (int64_t)b->valuedouble : 0;
    const cJSON *kid = cJSON_GetObjectItemCaseSensitive(o, "mac_key_id");
    m->mac_key_id = cJSON_IsNumber(kid) && kid->valuedouble >= 1 && kid->valuedouble <= UINT32_MAX
                        ? (uint32_t)kid->valuedouble
                        : 0;
    m->mac = json_str(o, "mac");
    const cJSON *mig = cJSON_GetObjectItemCaseSensitive(o, "schema_migrations");
    m->nmigrations = (size_t)cJSON_GetArraySize(mig);
    m->migrations = od_xcalloc(m->nmigrations + 1, sizeof(char *));
    for (size_t i = 0; i < m->nmigrations; i++) {
        const cJSON *v = cJSON_GetArrayItem(mig, (int)i);
        m->migrations[i] = od_xstrdup(cJSON_IsString(v) ? v->valuestring : "");
    }
    m->counts.n = (size_t)cJSON_GetArraySize(t);
    m->counts.t = od_xcalloc(m->counts.n ? m->counts.n : 1, sizeof(*m->counts.t));
    size_t i = 0;
    for (const cJSON *v = t->child; v && i < m->counts.n; v = v->next, i++) {
        m->counts.t[i].name = od_xstrdup(v->string ? v->string : "");
        m->counts.t[i].rows = cJSON_IsNumber(v) ? (int64_t)v->valuedouble : -1;
    }
    cJSON_Delete(o);
    return 0;
}

void od_backup_manifest_release(struct od_backup_manifest *m)
{
    free(m->format);
    free(m->mac);
    free(m->created_at);
    free(m->server_version);
    free(m->database);
    free(m->dump_file);
    free(m->sha256);
    for (size_t i = 0; i < m->nmigrations; i++)
        free(m->migrations[i]);
    free(m->migrations);
    od_backup_counts_release(&m->counts);
    memset(m, 0, sizeof(*m));
}

/* ---- authentication ---- */

/* Length-prefixed, so no field can run into the next: "name:LEN:value\n" / "name=N\n". */
static void canon_str(struct strbuf *sb, const char *name, const char *v)
{
    v = v ? v : "";
    sb_addf(sb, "%s:%zu:", name, strlen(v));
    sb_add(sb, v);
    sb_addch(sb, '\n');
}

static void canon_int(struct strbuf *sb, const char *name, int64_t v)
{
    sb_addf(sb, "%s=%lld\n", name, (long long)v);
}

/* Everything restore relies on, in a fixed order; independent of JSON layout. */
static void manifest_canonical(const struct od_backup_manifest *m, struct strbuf *sb)
{
    canon_str(sb, "format", m->format);
    canon_str(sb, "created_at", m->created_at);
    canon_str(sb, "server_version", m->server_version);
    canon_str(sb, "database", m->database);
    canon_str(sb, "dump_file", m->dump_file);
    canon_str(sb, "sha256", m->sha256);
    canon_int(sb, "bytes", m->bytes);
    canon_int(sb, "mac_key_id", m->mac_key_id);
    canon_int(sb, "schema_migrations", (int64_t)m->nmigrations);
    for (size_t i = 0; i < m->nmigrations; i++)
        canon_str(sb, "migration", m->migrations[i]);
    canon_int(sb, "row_counts", (int64_t)m->counts.n);
    for (size_t i = 0; i < m->counts.n; i++) {
        canon_str(sb, "table", m->counts.t[i].name);
        canon_int(sb, "rows", m->counts.t[i].rows);
    }
}

static void manifest_mac(const struct od_backup_manifest *m, const unsigned char *key,
                         unsigned char mac[crypto_auth_BYTES])
{
    struct strbuf sb = STRBUF_INIT;
    manifest_canonical(m, &sb);
    crypto_auth(mac, (const unsigned char *)sb_str(&sb), sb.len, key);
    sb_release(&sb);
}

void od_backup_manifest_sign(struct od_backup_manifest *m, const unsigned char *key,
                             uint32_t key_id)
{
    unsigned char mac[crypto_auth_BYTES];
    char hex[2 * crypto_auth_BYTES + 1];
    free(m->format);
    m->format = od_xstrdup(OD_BACKUP_FORMAT);
    m->mac_key_id = key_id;
    manifest_mac(m, key, mac);
    sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
    free(m->mac);
    m->mac = od_xstrdup(hex);
}

int od_backup_manifest_verify(const struct od_backup_manifest *m, const unsigned char *key)
{
    unsigned char want[crypto_auth_BYTES], got[crypto_auth_BYTES];
    size_t len = 0;
    if (!m->mac || sodium_hex2bin(got, sizeof got, m->mac, strlen(m->mac), NULL, &len, NULL) != 0 ||
        len != sizeof got)
        return od_seterr("the manifest's mac is not %zu hex digits", 2 * sizeof got);
    manifest_mac(m, key, want);
    if (sodium_memcmp(want, got, sizeof got) != 0)
        return od_seterr("the manifest's MAC does not verify: the manifest was changed after the "
                         "backup, or the backup was made with a different master key file");
    return 0;
}

int od_backup_manifest_match(const struct od_backup_manifest *m, const char *dump_path,
                             const char *hex)
{
    struct stat st;
    if (!m->sha256 || strcmp(m->sha256, hex) != 0)
        return od_seterr("%s is not the dump its manifest describes: the manifest says sha256 "
                         "%s, the file has %s; it was changed or replaced after the backup",
                         dump_path, m->sha256 && *m->sha256 ? m->sha256 : "(none)", hex);
    if (stat(dump_path, &st) != 0)
        return od_seterr("cannot read %s: %s", dump_path, strerror(errno));
    if ((int64_t)st.st_size != m->bytes)
        return od_seterr("%s is %lld bytes, its manifest says %lld", dump_path,
                         (long long)st.st_size, (long long)m->bytes);
    return 0;
}

/* ---- pruning ---- */

static int is_backup_name(const char *s)
{
    static const char pat[] = "ddddddddTddddddZ";
    size_t pl = strlen(OD_BACKUP_PREFIX);
    if (strncmp(s, OD_BACKUP_PREFIX, pl) != 0 || strcmp(s + pl + OD_BACKUP_STAMP_LEN, ".dump"))
        return 0;
    for (size_t i = 0; i < OD_BACKUP_STAMP_LEN; i++) {
        char c = s[pl + i];
        if (pat[i] == 'd' ? (c < '0' || c > '9') : c != pat[i]) return 0;
    }
    return 1;
}

static int newest_first(const void *a, const void *b)
{
    return strcmp(*(char *const *)b, *(char *const *)a);
}

int od_backup_newest(const char *dir, char **dump_path)
{
    *dump_path = NULL;
    DIR *d = opendir(dir);
    if (!d) return od_seterr("cannot list %s: %s", dir, strerror(errno));
    char best[64] = "";
    for (struct dirent *de; (de = readdir(d));)
        if (strlen(de->d_name) == strlen(OD_BACKUP_PREFIX) + OD_BACKUP_STAMP_LEN + 5 &&
            is_backup_name(de->d_name) && strcmp(de->d_name, best) > 0)
            snprintf(best, sizeof best, "%s", de->d_name);
    closedir(d);
    if (!*best) return 0;
    *dump_path = od_xasprintf("%s/%s", dir, best);
    return 1;
}

int od_backup_prune(const char *dir, int keep, FILE *out)
{
    DIR *d = opendir(dir);
    if (!d) return od_seterr("cannot list %s: %s", dir, strerror(errno));
    char **names = NULL;
    size_t n = 0;
    for (struct dirent *de; (de = readdir(d));) {
        if (strlen(de->d_name) != strlen(OD_BACKUP_PREFIX) + OD_BACKUP_STAMP_LEN + 5 ||
            !is_backup_name(de->d_name))
            continue;
        names = od_xrealloc(names, (n + 1) * sizeof(*names));
        names[n++] = od_xstrdup(de->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof(*names), newest_first);
    int removed = 0;
    static const char *const exts[] = {".dump", ".sha256", ".json"};
    for (size_t i = 0; i < n; i++) {
        if (i >= (size_t)keep) {
            char *dump = od_xasprintf("%s/%s", dir, names[i]);
            for (size_t e = 0; e < OD_ARRAY_LEN(exts); e++) {
                char *p = od_backup_sibling(dump, exts[e]);
                if (unlink(p) != 0 && errno != ENOENT && out)
                    fprintf(out, "cannot remove %s: %s\n", p, strerror(errno));
                free(p);
            }
            if (out) fprintf(out, "%s\n", dump);
            free(dump);
            removed++;
        }
        free(names[i]);
    }
    free(names);
    return removed;
}
