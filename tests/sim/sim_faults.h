/* sim_faults — injected failures. Configured by command-line flags at start and at run time by
 * POST /__sim/faults (a JSON object; {"reset":true} clears). Decisions are deterministic: they
 * come from a hash of the request number, so a run with the same requests fails the same way.
 * Faults only ever apply to provider endpoints (/v2, /crm, /oauth), never to /__sim. */
#ifndef SIM_FAULTS_H
#define SIM_FAULTS_H
#include "tests/sim/sim.h"

struct fault_decision {
    int status;     /* 500/502/503 to answer instead of the real thing, 0 = none */
    int latency_ms; /* sleep first */
    bool hang, truncate, malformed, storm;
    bool unavailable;     /* 503 with Retry-After (unavailable_storm) */
    bool daily;           /* a storm 429 is HubSpot's daily limit (policyName DAILY) */
    char retry_after[64]; /* Retry-After of storm/unavailable answers, sent verbatim */
    int64_t huge_bytes;   /* > 0: answer 200 with a streamed body this long (huge_body) */
    bool huge_length;     /* announce it with Content-Length (else chunked) */
};

void faults_init(void);
void faults_release(void);
/* Apply a JSON object of settings/actions; -1 with a message in err on bad input. */
int faults_apply_json(const cJSON *obj, struct strbuf *err);
/* Command-line flag `--NAME VALUE` (NAME without dashes); 1 handled, 0 not a fault flag,
 * -1 bad value (message in od_err()). */
int faults_apply_flag(const char *name, const char *value);
cJSON *faults_to_json(void);
void faults_decide(enum sim_provider p, uint64_t seq, struct fault_decision *d);
/* change_between_pages: true (and the counter goes down) if a page-1 listing should be followed
 * by an edit of one of its records. */
bool faults_take_change_between_pages(enum sim_provider p);
/* Mangle a 200 body in place: cut it (the caller then closes early) or break its syntax. */
void faults_malform(struct strbuf *body);

#endif
