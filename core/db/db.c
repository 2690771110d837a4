/* db — bounded libpq connection pool and query helpers. See db.h.
 *
 * Connections are opened lazily, up to pool_size, outside the lock (connecting can take up
 * to connect_timeout_s). A released connection that is broken or still inside a transaction
 * is closed, and its slot becomes free for a fresh one. Waiters sleep on a condition
 * variable with a deadline. */
#include "core/db/db.h"
#include "core/base/config.h"
#include "core/base/log.h"
#include "core/base/util.h"
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A thread waiting in acquire. Released connections (or free slots) are handed to the
 * oldest waiter directly, so waits are first-come first-served under contention. */
struct waiter {
    pthread_cond_t cv;
    PGconn *conn; /* handed over */
    int slot;     /* a slot was granted: connect yourself */
    struct waiter *next;
};

struct od_pool {
    pthread_mutex_t lock;
    const struct od_config *cfg; /* borrowed; outlives the pool */
    char *app_name;
    int size;
    PGconn **idle; /* stack of idle connections */
    int nidle;
    int open; /* idle + in use + being opened */
    int in_use;
    int waiting;
    struct waiter *whead, *wtail;
    struct od_pool_stats st;
};

static void set_keyword(const char **k, const char **v, int *n, const char *key, const char *val)
{
    k[*n] = key;
    v[*n] = val;
    (*n)++;
}

/* Server notices (e.g. "already exists, skipping") go to the log, never to a terminal. */
static void notice_to_log(void *arg, const char *message)
{
    (void)arg;
    char buf[512];
    snprintf(buf, sizeof(buf), "%s", message);
    buf[strcspn(buf, "\n")] = '\0';
    od_log_debug("postgres: %s", buf);
}

static atomic_int connect_failures;
static pthread_mutex_t last_failure_lock = PTHREAD_MUTEX_INITIALIZER;
static char last_failure[512];

int od_db_connect_failures(void)
{
    return atomic_load(&connect_failures);
}

void od_db_last_connect_error(char *buf, size_t n)
{
    pthread_mutex_lock(&last_failure_lock);
    snprintf(buf, n, "%s", last_failure);
    pthread_mutex_unlock(&last_failure_lock);
}

/* libpq's reason for a failed connection on one line ("...failed: X\n\tIs the server..." ->
 * "...failed: X. Is..."), any secret of the URL taken out (its parse errors quote pieces of
 * the conninfo, a bad %-escape whole). Caller frees. */
static char *failure_reason(PGconn *c, const struct od_config *cfg)
{
    struct strbuf one = STRBUF_INIT;
    for (const char *p = c ? PQerrorMessage(c) : "out of memory"; *p; p++) {
        char last = one.len ? sb_str(&one)[one.len - 1] : ' ';
        if (*p == '\n' || *p == '\t' || *p == ' ') {
            if (*p == '\n' && last != ' ' && !strchr(".:?!", last)) sb_addch(&one, '.');
            if (last != ' ') sb_addch(&one, ' ');
            continue;
        }
        sb_addch(&one, *p);
    }
    char *msg = sb_detach(&one);
    for (size_t len = strlen(msg); len && msg[len - 1] == ' ';)
        msg[--len] = '\0';
    char *red = od_log_redact_echo(msg, cfg->database.url);
    free(msg);
    return red;
}

static PGconn *connect_params(const struct od_config *cfg, const char *application_name)
{
    const char *k[8], *v[8];
    int n = 0;
    char timeout[16], options[256];
    snprintf(timeout, sizeof(timeout), "%d", cfg->database.connect_timeout_s);
    snprintf(options, sizeof(options),
             "-c statement_timeout=%d -c lock_timeout=%d -c idle_in_transaction_session_timeout=%d",
             cfg->database.statement_timeout_ms, cfg->database.lock_timeout_ms,
             cfg->database.idle_tx_timeout_ms);
    if (cfg->database.url && *cfg->database.url)
        set_keyword(k, v, &n, "dbname", cfg->database.url); /* expanded: URL or conninfo */
    set_keyword(k, v, &n, "connect_timeout", timeout);
    set_keyword(k, v, &n, "application_name", application_name);
    set_keyword(k, v, &n, "options", options);
    set_keyword(k, v, &n, NULL, NULL);
    return PQconnectdbParams(k, v, 1);
}

/* A failed attempt: od_seterr "cannot connect to the database: REASON (database.url URL)",
 * counted and kept as the last failure. Returns the reason alone (caller frees). */
static char *connect_failed(PGconn *c, const struct od_config *cfg)
{
    char *red = failure_reason(c, cfg);
    char *where = cfg->database.url && *cfg->database.url ? od_log_redact(cfg->database.url) : NULL;
    /* the reason first; where it tried last (the URL says little to a newcomer) */
    od_seterr("cannot connect to the database: %s (%s%s)", red,
              where ? "database.url " : "no database.url: libpq defaults", where ? where : "");
    free(where);
    pthread_mutex_lock(&last_failure_lock);
    snprintf(last_failure, sizeof last_failure, "%s", od_err());
    atomic_fetch_add(&connect_failures, 1);
    pthread_mutex_unlock(&last_failure_lock);
    return red;
}

/* A connection worked: the database answers now, so there is no last failure to report. */
static void connect_worked(void)
{
    pthread_mutex_lock(&last_failure_lock);
    last_failure[0] = '\0';
    pthread_mutex_unlock(&last_failure_lock);
}

PGconn *od_db_connect(const struct od_config *cfg, const char *application_name)
{
    PGconn *c = connect_params(cfg, application_name);
    if (!c || PQstatus(c) != CONNECTION_OK) {
        free(connect_failed(c, cfg));
        PQfinish(c);
        return NULL;
    }
    connect_worked();
    PQsetNoticeProcessor(c, notice_to_log, NULL);
    return c;
}

int od_db_ping(const struct od_config *cfg, char *reason, size_t n)
{
    PGconn *c = connect_params(cfg, "opsdeck-ping");
    int rc = 0;
    if (!c || PQstatus(c) != CONNECTION_OK) {
        char *red = connect_failed(c, cfg);
        snprintf(reason, n, "%s", red);
        free(red);
        rc = -1;
    } else {
        connect_worked();
        if (n) reason[0] = '\0';
    }
    PQfinish(c);
    return rc;
}

struct od_pool *od_pool_open(const struct od_config *cfg, const char *application_name)
{
    struct od_pool *p = od_xcalloc(1, sizeof(*p));
    pthread_mutex_init(&p->lock, NULL);
    p->cfg = cfg;
    p->app_name = od_xstrdup(application_name);
    p->size = cfg->database.pool_size;
    p->idle = od_xcalloc((size_t)p->size, sizeof(PGconn *));
    p->st.size = p->size;
    return p;
}

static void record_wait(struct od_pool *p, int64_t us)
{
    static const int64_t bounds[] = {100, 1000, 10000, 100000, 1000000};
    int b = 0;
    while (b < 5 && us >= bounds[b])
        b++;
    p->st.wait_hist[b]++;
    p->st.wait_us_total += (uint64_t)us;
    if ((uint64_t)us > p->st.wait_us_max) p->st.wait_us_max = (uint64_t)us;
}

/* Called with the lock held: a connection or a slot became free. */
static void hand_over(struct od_pool *p, PGconn *c)
{
    struct waiter *w = p->whead;
    if (!w) {
        if (c) p->idle[p->nidle++] = c;
        return;
    }
    p->whead = w->next;
    if (!p->whead) p->wtail = NULL;
    if (c) {
        w->conn = c;
    } else {
        w->slot = 1;
        p->open++;
    }
    pthread_cond_signal(&w->cv);
}

static PGconn *connect_slot(struct od_pool *p, int64_t start)
{
    PGconn *c = od_db_connect(p->cfg, p->app_name); /* outside the lock */
    pthread_mutex_lock(&p->lock);
    if (!c) {
        p->open--;
        p->st.connect_failures++;
        pthread_mutex_unlock(&p->lock);
        return NULL; /* od_err() says why */
    }
    p->in_use++;
    p->st.acquired++;
    record_wait(p, od_now_us() - start);
    pthread_mutex_unlock(&p->lock);
    return c;
}

PGconn *od_pool_acquire(struct od_pool *p, int timeout_ms)
{
    int64_t start = od_now_us();
    if (timeout_ms < 0) timeout_ms = p->cfg->database.acquire_timeout_ms;
    pthread_mutex_lock(&p->lock);
    if (!p->whead && p->nidle > 0) {
        PGconn *c = p->idle[--p->nidle];
        p->in_use++;
        p->st.acquired++;
        record_wait(p, od_now_us() - start);
        pthread_mutex_unlock(&p->lock);
        return c;
    }
    if (!p->whead && p->open < p->size) {
        p->open++; /* reserve the slot, connect outside the lock */
        pthread_mutex_unlock(&p->lock);
        return connect_slot(p, start);
    }
    struct waiter w = {.conn = NULL, .slot = 0, .next = NULL};
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&w.cv, &ca);
    pthread_condattr_destroy(&ca);
    if (p->wtail)
        p->wtail->next = &w;
    else
        p->whead = &w;
    p->wtail = &w;
    p->waiting++;
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += timeout_ms / 1000;
    deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    int rc = 0;
    while (!w.conn && !w.slot && rc != ETIMEDOUT)
        rc = pthread_cond_timedwait(&w.cv, &p->lock, &deadline);
    p->waiting--;
    if (!w.conn && !w.slot) {
        /* timed out while still queued: leave the queue */
        struct waiter *prev = NULL;
        for (struct waiter *it = p->whead; it; prev = it, it = it->next)
            if (it == &w) {
                if (prev)
                    prev->next = w.next;
                else
                    p->whead = w.next;
                if (p->wtail == &w) p->wtail = prev;
                break;
            }
        p->st.timeouts++;
        pthread_mutex_unlock(&p->lock);
        pthread_cond_destroy(&w.cv);
        return od_seterr("no database connection free after %d ms (pool of %d, all in use)",
                         timeout_ms, p->size),
               NULL;
    }
    pthread_cond_destroy(&w.cv);
    if (w.conn) {
        p->in_use++;
        p->st.acquired++;
        record_wait(p, od_now_us() - start);
        pthread_mutex_unlock(&p->lock);
        return w.conn;
    }
    pthread_mutex_unlock(&p->lock);
    return connect_slot(p, start);
}

void od_pool_release(struct od_pool *p, PGconn *c)
{
    if (!c) return;
    int healthy = PQstatus(c) == CONNECTION_OK && PQtransactionStatus(c) == PQTRANS_IDLE;
    if (!healthy) {
        if (PQstatus(c) == CONNECTION_OK)
            od_log_warn("pool: connection returned inside a transaction; closing it");
        PQfinish(c);
    }
    pthread_mutex_lock(&p->lock);
    p->in_use--;
    if (healthy) {
        hand_over(p, c);
    } else {
        p->open--;
        p->st.replaced++;
        hand_over(p, NULL);
    }
    pthread_mutex_unlock(&p->lock);
}

void od_pool_close(struct od_pool *p)
{
    if (!p) return;
    pthread_mutex_lock(&p->lock);
    if (p->in_use) od_log_warn("pool: closing with %d connection(s) still in use", p->in_use);
    for (int i = 0; i < p->nidle; i++)
        PQfinish(p->idle[i]);
    pthread_mutex_unlock(&p->lock);
    pthread_mutex_destroy(&p->lock);
    free(p->idle);
    free(p->app_name);
    free(p);
}

void od_pool_get_stats(struct od_pool *p, struct od_pool_stats *out)
{
    pthread_mutex_lock(&p->lock);
    *out = p->st;
    out->open = p->open;
    out->in_use = p->in_use;
    out->idle = p->nidle;
    out->waiting = p->waiting;
    pthread_mutex_unlock(&p->lock);
}

int od_db_seterr(PGconn *c, const PGresult *r)
{
    const char *msg = r ? PQresultErrorMessage(r) : PQerrorMessage(c);
    char buf[512];
    snprintf(buf, sizeof(buf), "%s", msg && *msg ? msg : "unknown database error");
    size_t n = strlen(buf);
    while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
        buf[--n] = '\0';
    return od_seterr("database error: %s", buf);
}

PGresult *od_db_exec(PGconn *c, const char *sql, int nparams, const char *const *params)
{
    PGresult *r = PQexecParams(c, sql, nparams, NULL, params, NULL, NULL, 0);
    ExecStatusType s = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) {
        od_db_seterr(c, r);
        PQclear(r);
        return NULL;
    }
    return r;
}

int od_db_cmd(PGconn *c, const char *sql, int nparams, const char *const *params)
{
    PGresult *r = od_db_exec(c, sql, nparams, params);
    if (!r) return -1;
    PQclear(r);
    return 0;
}

int od_db_begin(PGconn *c)
{
    return od_db_cmd(c, "BEGIN", 0, NULL);
}

int od_db_commit(PGconn *c)
{
    return od_db_cmd(c, "COMMIT", 0, NULL);
}

void od_db_rollback(PGconn *c)
{
    if (PQtransactionStatus(c) != PQTRANS_IDLE) PQclear(PQexec(c, "ROLLBACK"));
}

char *od_db_text(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? NULL : od_xstrdup(PQgetvalue(r, row, col));
}

char *od_db_bigint_array(const int64_t *v, size_t n)
{
    struct strbuf sb = STRBUF_INIT;
    sb_grow(&sb, n * 8 + 2);
    sb_addch(&sb, '{');
    for (size_t i = 0; i < n; i++) {
        if (i) sb_addch(&sb, ',');
        sb_addi64(&sb, v[i]);
    }
    sb_addch(&sb, '}');
    return sb_detach(&sb);
}
