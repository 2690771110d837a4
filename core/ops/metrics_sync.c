/* metrics_sync — see metrics_sync.h. Prometheus text format 0.0.4; histograms are cumulative
 * per `le` (seconds) with _sum and _count. */
#include "core/ops/metrics_sync.h"
#include "core/base/util.h"
#include "core/connectors/deadletters.h"
#include "core/db/db.h"
#include "core/jobs/jobstats.h"
#include "core/net/http_stats.h"
#include <stdio.h>
#include <stdlib.h>

static void family(struct strbuf *o, const char *name, const char *type, const char *help)
{
    sb_addf(o, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* Label values here come from our own tables and the database's provider/resource columns,
 * which the sync writes from constant tables; still escaped as the format requires. */
static void label(struct strbuf *o, const char *k, const char *v, bool first)
{
    sb_addf(o, "%s%s=\"", first ? "" : ",", k);
    for (; *v; v++) {
        if (*v == '\\' || *v == '"')
            sb_addch(o, '\\'), sb_addch(o, *v);
        else if (*v == '\n')
            sb_add(o, "\\n");
        else
            sb_addch(o, *v);
    }
    sb_addch(o, '"');
}

/* One histogram series: labels is the text inside {} without the le label. */
static void histogram(struct strbuf *o, const char *name, const char *labels,
                      const uint64_t *bucket, const int64_t *bounds_ms, int nbounds, uint64_t count,
                      uint64_t sum_ms)
{
    uint64_t cum = 0;
    for (int b = 0; b < nbounds; b++) {
        cum += bucket[b];
        sb_addf(o, "%s_bucket{%s,le=\"%g\"} %llu\n", name, labels, (double)bounds_ms[b] / 1000.0,
                (unsigned long long)cum);
    }
    sb_addf(o, "%s_bucket{%s,le=\"+Inf\"} %llu\n", name, labels, (unsigned long long)count);
    sb_addf(o, "%s_sum{%s} %llu.%03llu\n", name, labels, (unsigned long long)(sum_ms / 1000),
            (unsigned long long)(sum_ms % 1000));
    sb_addf(o, "%s_count{%s} %llu\n", name, labels, (unsigned long long)count);
}

void od_metrics_render_work(struct strbuf *o)
{
    struct od_http_stats h;
    od_http_stats_get(&h);
    const char *hname = "opsdeck_http_request_duration_seconds";
    family(o, hname, "histogram",
           "Latency of HTTP requests to the providers by status class (error: no answer).");
    struct strbuf l = STRBUF_INIT;
    for (int p = 0; p < OD_HTTP_STATS_PROVIDERS; p++)
        for (int c = 0; c < OD_HTTP_STATS_CLASSES; c++) {
            const struct od_http_series *s = &h.series[p][c];
            if (p == 2 && !s->count) continue; /* "other" only once it has been used */
            sb_reset(&l);
            label(&l, "provider", od_http_stats_provider_names[p], true);
            label(&l, "class", od_http_stats_class_names[c], false);
            histogram(o, hname, sb_str(&l), s->bucket, od_http_stats_bounds_ms,
                      OD_HTTP_STATS_BUCKETS, s->count, s->sum_ms);
        }
    family(o, "opsdeck_http_rate_limited_total", "counter",
           "HTTP 429 answers (waited out, not failures).");
    for (int p = 0; p < OD_HTTP_STATS_PROVIDERS; p++)
        sb_addf(o, "opsdeck_http_rate_limited_total{provider=\"%s\"} %llu\n",
                od_http_stats_provider_names[p], (unsigned long long)h.rate_limited[p]);
    family(o, "opsdeck_http_retries_total", "counter",
           "Retries of failed HTTP attempts (5xx, 423, timeouts, connection errors).");
    for (int p = 0; p < OD_HTTP_STATS_PROVIDERS; p++)
        sb_addf(o, "opsdeck_http_retries_total{provider=\"%s\"} %llu\n",
                od_http_stats_provider_names[p], (unsigned long long)h.retries[p]);

    struct od_jobstats_series *js = od_xcalloc(OD_JOBSTATS_MAX, sizeof *js);
    size_t n = od_jobstats_get(js, OD_JOBSTATS_MAX);
    family(o, "opsdeck_job_duration_seconds", "histogram",
           "How long this process's jobs ran, by outcome.");
    for (size_t i = 0; i < n; i++) {
        sb_reset(&l);
        label(&l, "provider", js[i].provider, true);
        label(&l, "resource", js[i].resource, false);
        label(&l, "outcome", js[i].outcome, false);
        histogram(o, "opsdeck_job_duration_seconds", sb_str(&l), js[i].bucket,
                  od_jobstats_bounds_ms, OD_JOBSTATS_BUCKETS, js[i].count, js[i].sum_ms);
    }
    free(js);
    sb_release(&l);
}

void od_metrics_render_sync_state(PGconn *c, struct strbuf *o)
{
    /* The last success of a resource: its cursor moved, or a job of it completed (a sync that
     * found nothing new does not move the cursor). */
    PGresult *r = od_db_exec(
        c,
        "SELECT provider, resource, greatest(0, extract(epoch FROM now() - max(t)))::bigint"
        " FROM (SELECT provider, resource, updated_at AS t FROM sync_cursors"
        "       UNION ALL"
        "       SELECT provider, resource, max(finished_at) FROM sync_jobs"
        "        WHERE state = 'completed' AND provider IN ('harvest', 'hubspot') GROUP BY 1, 2) x"
        " GROUP BY 1, 2 ORDER BY 1, 2",
        0, NULL);
    if (r) {
        family(o, "opsdeck_sync_lag_seconds", "gauge",
               "Seconds since the last successful sync of a resource.");
        struct strbuf l = STRBUF_INIT;
        for (int i = 0; i < PQntuples(r); i++) {
            sb_reset(&l);
            label(&l, "provider", PQgetvalue(r, i, 0), true);
            label(&l, "resource", PQgetvalue(r, i, 1), false);
            sb_addf(o, "opsdeck_sync_lag_seconds{%s} %s\n", sb_str(&l), PQgetvalue(r, i, 2));
        }
        sb_release(&l);
        PQclear(r);
    }
    struct od_dl_count *dc;
    size_t n;
    if (od_deadletters_counts(c, &dc, &n) == 0) {
        long long total = 0;
        for (size_t i = 0; i < n; i++)
            total += dc[i].open;
        family(o, "opsdeck_dead_letters_open", "gauge",
               "Records that failed validation and wait for replay or discard.");
        sb_addf(o, "opsdeck_dead_letters_open %lld\n", total);
        family(o, "opsdeck_dead_letters_open_by_resource", "gauge",
               "Open dead letters per provider and resource.");
        struct strbuf l = STRBUF_INIT;
        for (size_t i = 0; i < n; i++) {
            sb_reset(&l);
            label(&l, "provider", dc[i].provider, true);
            label(&l, "resource", dc[i].resource, false);
            sb_addf(o, "opsdeck_dead_letters_open_by_resource{%s} %lld\n", sb_str(&l),
                    (long long)dc[i].open);
        }
        sb_release(&l);
        free(dc);
    }
}
