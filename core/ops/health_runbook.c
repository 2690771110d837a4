/* health_runbook — what to do about each health check, from docs/runbook.md as compiled into
 * the binary (core/base/embedded.h), so the CLI and the console show the same words as the
 * document on-call reads.
 *
 * A check's section is a level-3 heading naming it in backticks — one heading may name several
 * (`harvest:token` / `hubspot:token`) — and the text up to the next heading. Its first line says
 * what to do; the rest explains. Parsed once (pthread_once); the texts live until exit. */
#include "core/base/embedded.h"
#include "core/base/util.h"
#include "core/ops/health.h"
#include <pthread.h>
#include <stdio.h>
#include <string.h>

struct section {
    char *names; /* " name1 name2 " */
    char *text;
};

static struct section *sections;
static size_t nsections;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void add_section(const char *heading, size_t hlen, const char *body, size_t blen)
{
    struct strbuf names = STRBUF_INIT;
    sb_addch(&names, ' ');
    for (const char *p = heading, *e = heading + hlen; p < e; p++) {
        const char *q = *p == '`' ? memchr(p + 1, '`', (size_t)(e - p - 1)) : NULL;
        if (!q) continue;
        sb_addn(&names, p + 1, (size_t)(q - p - 1));
        sb_addch(&names, ' ');
        p = q;
    }
    while (blen && (*body == '\n' || *body == ' '))
        body++, blen--;
    while (blen && (body[blen - 1] == '\n' || body[blen - 1] == ' '))
        blen--;
    if (names.len < 2 || !blen) {
        sb_release(&names);
        return;
    }
    sections = od_xrealloc(sections, (nsections + 1) * sizeof *sections);
    sections[nsections].names = sb_detach(&names);
    sections[nsections++].text = od_xstrndup(body, blen);
}

static void parse(void)
{
    const struct od_embedded *e = od_embedded_find("docs/runbook.md");
    if (!e) return;
    const char *p = e->data, *end = e->data + e->len;
    const char *heading = NULL, *body = NULL;
    size_t hlen = 0;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *next = nl ? nl + 1 : end;
        if (*p == '#') {
            if (heading) add_section(heading, hlen, body, (size_t)(p - body));
            heading = strncmp(p, "### ", 4) == 0 ? p : NULL;
            hlen = (size_t)((nl ? nl : end) - p);
            body = next;
        }
        p = next;
    }
    if (heading) add_section(heading, hlen, body, (size_t)(end - body));
}

const char *od_health_runbook(const char *check_name)
{
    pthread_once(&once, parse);
    if (!check_name || !*check_name || strchr(check_name, ' ')) return NULL;
    char key[128];
    snprintf(key, sizeof key, " %s ", check_name);
    for (size_t i = 0; i < nsections; i++)
        if (strstr(sections[i].names, key)) return sections[i].text;
    return NULL;
}

void od_health_runbook_line(const char *check_name, char *out, size_t n)
{
    const char *t = od_health_runbook(check_name);
    if (!t) {
        snprintf(out, n, "see docs/runbook.md");
        return;
    }
    snprintf(out, n, "%.*s", (int)strcspn(t, "\n"), t);
}

void od_health_todo(const struct od_health_report *r, struct strbuf *out)
{
    struct strbuf done = STRBUF_INIT; /* " name name " already listed, at their worst status */
    sb_addch(&done, ' ');
    bool any = false;
    for (int want = OD_HEALTH_FAIL; want >= OD_HEALTH_WARN; want--)
        for (size_t i = 0; i < r->n; i++) {
            const struct od_health_result *x = &r->results[i];
            char key[64], line[512];
            snprintf(key, sizeof key, " %s ", x->name);
            if ((int)x->status != want || strstr(sb_str(&done), key)) continue;
            sb_add(&done, key + 1);
            od_health_runbook_line(x->name, line, sizeof line);
            if (!any)
                sb_add(out, "\nwhat to do (docs/runbook.md; opsdeck health --runbook CHECK):\n");
            any = true;
            sb_addf(out, "  %-4s  %-26s  %s\n", od_health_status_name(x->status), x->name, line);
        }
    sb_release(&done);
}
