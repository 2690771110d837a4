/* sim — shared declarations of opsdeck-sim: configuration, the request object handlers fill in,
 * and the handler entry points of each module.
 *
 * A handler reads the request through req_*() and answers through resp_*(); it never talks to
 * libmicrohttpd itself. sim_http.c owns the connection, applies faults and rate limits around
 * the handler, logs one line per request and queues the response. */
#ifndef SIM_H
#define SIM_H
#include "core/base/json.h"
#include "core/base/util.h"
#include "tests/sim/sim_world.h"
#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>

enum sim_provider { PROV_NONE, PROV_HARVEST, PROV_HUBSPOT, PROV_COUNT };

struct sim_limit {
    int n, secs;
};

struct sim_config {
    char listen[64];
    const char *port_file, *log_file;
    uint64_t seed;
    int64_t scale;
    int32_t t0_day; /* --t0; INT32_MIN: from the seed */
    char *harvest_token, *harvest_account, *hubspot_token, *client_id, *client_secret;
    bool rate_limits;
    struct sim_limit harvest_limit, hubspot_limit, search_limit;
    int64_t code_ttl_s, access_ttl_s, hang_ms;
    bool rotate_refresh;
    int threads;
};

extern struct sim_config sim_cfg;
extern struct sim_world sim_world;

#define SIM_MAX_HEADERS 4
struct sim_req {
    void *conn; /* struct MHD_Connection *, only sim_http.c looks inside */
    const char *method, *url;
    struct strbuf body; /* uploaded request body */
    enum sim_provider provider;
    uint64_t seq; /* request number, drives deterministic fault decisions and ids */
    int64_t start_us;
    /* response */
    int status;
    struct strbuf out;
    const char *ctype;
    const char *hname[SIM_MAX_HEADERS];
    char *hval[SIM_MAX_HEADERS];
    int nheaders;
    /* timeout fault: suspended until hang_until_ms, then the connection is closed */
    int64_t hang_until_ms;
    bool suspended, big;
    int64_t huge_bytes; /* huge_body fault: stream this many bytes instead of out */
    bool huge_length;   /* ... announced by Content-Length (else chunked) */
    bool logged;        /* its line is in the request log */
};

const char *req_header(struct sim_req *r, const char *name);
const char *req_arg(struct sim_req *r, const char *name);
/* "http://host:port" from the Host header. */
void req_base_url(struct sim_req *r, struct strbuf *out);
/* Append the query string of this request with `page` replaced and secrets left out. */
void req_query_with_page(struct sim_req *r, struct strbuf *out, long page, long per_page,
                         const char *ref);
/* Parse a body of application/x-www-form-urlencoded; returns malloc'd value or NULL. */
char *form_get(const char *body, const char *key);
void url_encode(struct strbuf *out, const char *s);

void resp_json(struct sim_req *r, int status, cJSON *doc); /* takes ownership of doc */
void resp_raw(struct sim_req *r, int status, const char *ctype, const char *body);
void resp_header(struct sim_req *r, const char *name, const char *value);
/* A deterministic UUID-shaped id for error bodies. */
void sim_uuid(uint64_t n, char out[40]);

/* Parse a decimal integer argument in [min,max]; missing -> def. -1 when malformed. */
int arg_long(struct sim_req *r, const char *name, long min, long max, long def, long *out);

/* Handlers. Each fills in the response of r. */
void harvest_handle(struct sim_req *r, const char *path);
bool harvest_auth(struct sim_req *r);
void hubspot_handle(struct sim_req *r, const char *path);
bool hubspot_auth(struct sim_req *r);
void oauth_handle(struct sim_req *r, const char *path);
void admin_handle(struct sim_req *r, const char *path);
void truth_handle(struct sim_req *r);

/* OAuth token store (sim_oauth.c). */
void oauth_init(void);
void oauth_release(void);
/* 1 valid, 0 unknown, -1 expired (*expired_ago_s set). */
int oauth_check_access(const char *token, int64_t *expired_ago_s);
void oauth_expire_all(void);

/* Error bodies. */
void harvest_error(struct sim_req *r, int status, const char *error, const char *desc);
void hubspot_error(struct sim_req *r, int status, const char *category, const char *message);

/* JSON helpers: exact decimals ("12.50" as a JSON number); integers and nullable strings are
 * core/base/json.h's od_json_add_i64 / od_json_add_str, printing od_json_print. */
void json_add_fixed2(cJSON *o, const char *key, int64_t v);     /* SIM_NULL -> null */
void json_add_id_str(cJSON *o, const char *key, int64_t id);    /* HubSpot ids are strings */
void json_add_fixed2_str(cJSON *o, const char *key, int64_t v); /* "12.50" as a string */
void json_add_iso_s(cJSON *o, const char *key, int64_t s);      /* 2026-03-01T10:00:00Z */
void json_add_iso_ms(cJSON *o, const char *key, int64_t ms);    /* ...T10:00:00.123Z */

#endif
