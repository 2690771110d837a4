/* http_error — what went wrong upstream, in one line a person can act on (http.h:
 * od_http_describe). Used for every failed request's error: the job's last_error, the breaker's
 * remembered cause, the log. The provider's own message comes from its error body: HubSpot
 * {"message": ...}, Harvest {"error_description": ...} or {"message": ...}, or the first line of
 * a text body; it is sanitized and cut, since it is outside text on its way to a terminal. */
#include "core/net/http.h"
#include "core/base/json.h"
#include "core/base/sanitize.h"
#include <stdlib.h>
#include <string.h>

#define MAX_PARSE 65536 /* error bodies are small; a huge one is not parsed, only its start */

const char *od_http_reason(long status)
{
    static const struct {
        long code;
        const char *text;
    } reasons[] = {
        {400, "Bad Request"},
        {401, "Unauthorized"},
        {402, "Payment Required"},
        {403, "Forbidden"},
        {404, "Not Found"},
        {405, "Method Not Allowed"},
        {408, "Request Timeout"},
        {409, "Conflict"},
        {410, "Gone"},
        {413, "Content Too Large"},
        {414, "URI Too Long"},
        {415, "Unsupported Media Type"},
        {422, "Unprocessable Content"},
        {423, "Locked"},
        {429, "Too Many Requests"},
        {477, "Migration in Progress"},
        {500, "Internal Server Error"},
        {501, "Not Implemented"},
        {502, "Bad Gateway"},
        {503, "Service Unavailable"},
        {504, "Gateway Timeout"},
        {520, "Unknown Error"},
        {521, "Web Server Is Down"},
        {522, "Connection Timed Out"},
        {523, "Origin Is Unreachable"},
        {524, "A Timeout Occurred"},
        {525, "SSL Handshake Failed"},
        {526, "Invalid SSL Certificate"},
    };
    for (size_t i = 0; i < sizeof reasons / sizeof reasons[0]; i++)
        if (reasons[i].code == status) return reasons[i].text;
    return "";
}

/* The provider's message from an error body (borrowed from doc), or NULL. */
static const char *json_message(const struct od_json *doc)
{
    const struct od_jv *root = od_json_root(doc);
    static const char *const keys[] = {"message", "error_description", "error"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const char *s = od_jv_string(od_jv_get(root, keys[i]));
        if (s && *s) return s;
    }
    const char *s = od_jv_string(od_jv_get(od_jv_first(od_jv_get(root, "errors")), "message"));
    return s && *s ? s : NULL;
}

void od_http_describe(struct strbuf *sb, const char *provider, const char *method, const char *path,
                      long status, const char *body, size_t len)
{
    sb_addf(sb, "%s %s %s: HTTP %ld", provider && *provider ? provider : "upstream",
            method ? method : "?", path ? path : "?", status);
    const char *reason = od_http_reason(status);
    if (*reason) sb_addf(sb, " %s", reason);
    if (!body || !len) return;
    /* od_json_parse sets od_err() on bad JSON: keep the caller's message. */
    char *saved = od_xstrdup(od_err());
    struct od_json *doc = len <= MAX_PARSE ? od_json_parse(body, len) : NULL;
    od_seterr("%s", saved);
    free(saved);
    const char *msg = doc ? json_message(doc) : NULL;
    size_t n = msg ? strlen(msg) : 0;
    if (!doc && body[0] != '{' && body[0] != '[' && body[0] != '<') {
        msg = body; /* a text body: its first line */
        for (n = 0; n < len && body[n] != '\r' && body[n] != '\n'; n++)
            ;
    }
    if (msg && n) {
        char *clean = od_sanitize_n(msg, n > 4 * OD_HTTP_MESSAGE_MAX ? 4 * OD_HTTP_MESSAGE_MAX : n);
        char cut[4 * OD_HTTP_MESSAGE_MAX + 8];
        od_fit(clean, OD_HTTP_MESSAGE_MAX, cut, sizeof cut);
        if (*cut) {
            sb_add(sb, " \"");
            sb_add(sb, cut);
            sb_addch(sb, '"');
        }
        free(clean);
    }
    od_json_free(doc);
}
