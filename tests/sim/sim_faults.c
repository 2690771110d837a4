/* sim_faults — injected failures. See sim_faults.h. Rates are kept in parts per million. */
#include "tests/sim/sim_faults.h"
#include "tests/sim/sim_overlay.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PPM 1000000L

static const char *const rate_keys[] = {"error_rate", "timeout_rate", "truncate_rate",
                                        "malformed_json_rate"};
enum { R_ERROR, R_TIMEOUT, R_TRUNCATE, R_MALFORMED, R_COUNT };

static struct {
    long rate[R_COUNT];
    long latency_ms, storm, change_pages;
    enum sim_provider provider; /* PROV_NONE = both */
    char retry_after[64];       /* "" = "1" */
    bool daily;
    long unavailable, huge, huge_mib, huge_length;
} F;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

void faults_init(void)
{
    memset(&F, 0, sizeof F);
}

void faults_release(void) {}

static int count_value(const cJSON *v, long max, long *out)
{
    if (cJSON_IsBool(v)) {
        *out = cJSON_IsTrue(v);
        return 0;
    }
    if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > (double)max) return -1;
    *out = (long)v->valuedouble;
    return 0;
}

/* A Retry-After sent verbatim: a whole number (as JSON number or text) or any printable text
 * such as an HTTP-date or garbage, so clients can be tested with what a server might send. */
static int retry_after_value(const cJSON *v, char *out, size_t n)
{
    if (cJSON_IsNumber(v)) {
        if (v->valuedouble < 0 || v->valuedouble > 1e18) return -1;
        snprintf(out, n, "%.0f", v->valuedouble);
        return 0;
    }
    if (!cJSON_IsString(v) || strlen(v->valuestring) >= n) return -1;
    for (const char *p = v->valuestring; *p; p++)
        if ((unsigned char)*p < ' ' || (unsigned char)*p > '~') return -1;
    snprintf(out, n, "%s", v->valuestring);
    return 0;
}

static int apply_one(const cJSON *it, struct strbuf *err)
{
    const char *k = it->string;
    long v;
    for (int i = 0; i < R_COUNT; i++) {
        if (strcmp(k, rate_keys[i])) continue;
        if (!cJSON_IsNumber(it) || it->valuedouble < 0 || it->valuedouble > 1) goto bad;
        F.rate[i] = (long)(it->valuedouble * PPM + 0.5);
        return 0;
    }
    if (!strcmp(k, "latency_ms")) {
        if (count_value(it, 60000, &F.latency_ms) < 0) goto bad;
    } else if (!strcmp(k, "rate_limit_storm")) {
        if (count_value(it, 1000000, &F.storm) < 0) goto bad;
    } else if (!strcmp(k, "unavailable_storm")) {
        if (count_value(it, 1000000, &F.unavailable) < 0) goto bad;
    } else if (!strcmp(k, "huge_body")) {
        if (count_value(it, 1000000, &F.huge) < 0) goto bad;
    } else if (!strcmp(k, "huge_body_mib")) {
        if (count_value(it, 1 << 20, &F.huge_mib) < 0 || F.huge_mib < 1) goto bad;
    } else if (!strcmp(k, "huge_body_length")) {
        if (count_value(it, 1, &F.huge_length) < 0) goto bad;
    } else if (!strcmp(k, "retry_after")) {
        if (retry_after_value(it, F.retry_after, sizeof F.retry_after) < 0) goto bad;
    } else if (!strcmp(k, "rate_limit_policy")) {
        const char *p = cJSON_IsString(it) ? it->valuestring : "";
        if (strcmp(p, "daily") && strcmp(p, "default")) goto bad;
        F.daily = !strcmp(p, "daily");
    } else if (!strcmp(k, "change_between_pages")) {
        if (count_value(it, 1000000, &F.change_pages) < 0) goto bad;
    } else if (!strcmp(k, "bad_records")) {
        if (count_value(it, 100000, &v) < 0) goto bad;
        pthread_rwlock_wrlock(&sim_world.lock);
        sim_world.nbad = v;
        pthread_rwlock_unlock(&sim_world.lock);
    } else if (!strcmp(k, "provider")) {
        const char *p = cJSON_IsString(it) ? it->valuestring : "";
        if (!strcmp(p, "harvest"))
            F.provider = PROV_HARVEST;
        else if (!strcmp(p, "hubspot"))
            F.provider = PROV_HUBSPOT;
        else if (!strcmp(p, "all"))
            F.provider = PROV_NONE;
        else
            goto bad;
    } else if (!strcmp(k, "expire_tokens_now")) {
        if (cJSON_IsTrue(it)) oauth_expire_all();
    } else if (!strcmp(k, "delete")) {
        const cJSON *id, *list = cJSON_IsArray(it) ? it : NULL;
        if (!list && !cJSON_IsNumber(it)) goto bad;
        cJSON_ArrayForEach(id, list)
        {
            if (!cJSON_IsNumber(id) || overlay_delete_entry((int64_t)id->valuedouble) < 0) {
                sb_addf(err, "delete: %s", cJSON_IsNumber(id) ? od_err() : "ids must be numbers");
                return -1;
            }
        }
        if (cJSON_IsNumber(it) && overlay_delete_entry((int64_t)it->valuedouble) < 0) {
            sb_addf(err, "delete: %s", od_err());
            return -1;
        }
    } else if (strcmp(k, "reset")) {
        sb_addf(err, "unknown fault '%s'", k);
        return -1;
    }
    return 0;
bad:
    sb_addf(err, "bad value for fault '%s'", k);
    return -1;
}

int faults_apply_json(const cJSON *obj, struct strbuf *err)
{
    const cJSON *it;
    if (!cJSON_IsObject(obj)) {
        sb_add(err, "expected a JSON object");
        return -1;
    }
    pthread_mutex_lock(&mu);
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(obj, "reset"))) {
        memset(&F, 0, sizeof F);
        pthread_rwlock_wrlock(&sim_world.lock);
        sim_world.nbad = 0;
        pthread_rwlock_unlock(&sim_world.lock);
    }
    int rc = 0;
    cJSON_ArrayForEach(it, obj)
    {
        if ((rc = apply_one(it, err)) < 0) break;
    }
    pthread_mutex_unlock(&mu);
    return rc;
}

int faults_apply_flag(const char *name, const char *value)
{
    char key[64];
    size_t i;
    for (i = 0; name[i] && i + 1 < sizeof key; i++)
        key[i] = name[i] == '-' ? '_' : name[i];
    key[i] = '\0';
    if (!strcmp(key, "fault_provider")) snprintf(key, sizeof key, "provider");
    cJSON *obj = cJSON_CreateObject(), *v;
    if (!strcmp(key, "provider") || !strcmp(key, "retry_after") ||
        !strcmp(key, "rate_limit_policy")) {
        v = cJSON_CreateString(value);
    } else if (!strcmp(key, "delete")) {
        v = cJSON_CreateArray();
        for (const char *p = value; *p;) {
            char *end;
            long long id = strtoll(p, &end, 10);
            if (end == p || (*end && *end != ',')) break;
            cJSON_AddItemToArray(v, cJSON_CreateNumber((double)id));
            p = *end ? end + 1 : end;
        }
    } else {
        char *end;
        double d = strtod(value, &end);
        v = *value && !*end ? cJSON_CreateNumber(d) : cJSON_CreateString(value);
    }
    cJSON_AddItemToObject(obj, key, v);
    struct strbuf err = STRBUF_INIT;
    int rc = strcmp(key, "reset") ? faults_apply_json(obj, &err) : -1;
    cJSON_Delete(obj);
    if (rc == 0)
        rc = 1;
    else if (!err.len || strstr(sb_str(&err), "unknown fault"))
        rc = 0;
    else
        od_seterr("%s", sb_str(&err));
    sb_release(&err);
    return rc;
}

cJSON *faults_to_json(void)
{
    static const char *const prov[] = {"all", "harvest", "hubspot"};
    cJSON *o = cJSON_CreateObject();
    pthread_mutex_lock(&mu);
    for (int i = 0; i < R_COUNT; i++)
        cJSON_AddNumberToObject(o, rate_keys[i], (double)F.rate[i] / PPM);
    cJSON_AddNumberToObject(o, "latency_ms", (double)F.latency_ms);
    cJSON_AddNumberToObject(o, "rate_limit_storm", (double)F.storm);
    cJSON_AddNumberToObject(o, "change_between_pages", (double)F.change_pages);
    cJSON_AddStringToObject(o, "provider", prov[F.provider]);
    cJSON_AddStringToObject(o, "retry_after", F.retry_after[0] ? F.retry_after : "1");
    cJSON_AddStringToObject(o, "rate_limit_policy", F.daily ? "daily" : "default");
    cJSON_AddNumberToObject(o, "unavailable_storm", (double)F.unavailable);
    cJSON_AddNumberToObject(o, "huge_body", (double)F.huge);
    cJSON_AddNumberToObject(o, "huge_body_mib", (double)(F.huge_mib ? F.huge_mib : 300));
    cJSON_AddBoolToObject(o, "huge_body_length", F.huge_length != 0);
    pthread_mutex_unlock(&mu);
    pthread_rwlock_rdlock(&sim_world.lock);
    cJSON_AddNumberToObject(o, "bad_records", (double)sim_world.nbad);
    pthread_rwlock_unlock(&sim_world.lock);
    return o;
}

static bool draw(long ppm, uint64_t seq, int which)
{
    return ppm > 0 && (long)(world_hash(sim_cfg.seed, 1000 + (uint64_t)which, seq) % PPM) < ppm;
}

void faults_decide(enum sim_provider p, uint64_t seq, struct fault_decision *d)
{
    static const int codes[] = {500, 502, 503};
    memset(d, 0, sizeof *d);
    pthread_mutex_lock(&mu);
    if (F.provider == PROV_NONE || F.provider == p) {
        d->latency_ms = (int)F.latency_ms;
        d->hang = draw(F.rate[R_TIMEOUT], seq, R_TIMEOUT);
        if (draw(F.rate[R_ERROR], seq, R_ERROR))
            d->status = codes[world_hash(sim_cfg.seed, 1100, seq) % 3];
        d->truncate = draw(F.rate[R_TRUNCATE], seq, R_TRUNCATE);
        d->malformed = draw(F.rate[R_MALFORMED], seq, R_MALFORMED);
        if (F.storm > 0) {
            F.storm--;
            d->storm = true;
            d->daily = F.daily && p == PROV_HUBSPOT;
        } else if (F.unavailable > 0) {
            F.unavailable--;
            d->unavailable = true;
        } else if (F.huge > 0) {
            F.huge--;
            d->huge_bytes = (int64_t)(F.huge_mib ? F.huge_mib : 300) << 20;
            d->huge_length = F.huge_length != 0;
        }
        snprintf(d->retry_after, sizeof d->retry_after, "%s",
                 F.retry_after[0] ? F.retry_after : "1");
    }
    pthread_mutex_unlock(&mu);
}

bool faults_take_change_between_pages(enum sim_provider p)
{
    bool take = false;
    pthread_mutex_lock(&mu);
    if (F.change_pages > 0 && (F.provider == PROV_NONE || F.provider == p)) {
        F.change_pages--;
        take = true;
    }
    pthread_mutex_unlock(&mu);
    return take;
}

void faults_malform(struct strbuf *body)
{
    char *colon = body->buf ? strchr(body->buf, ':') : NULL;
    if (colon)
        *colon = '='; /* {"clients"=[...]: same length, not JSON */
    else
        sb_add(body, "<oops");
}
