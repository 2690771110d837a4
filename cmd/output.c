/* output — see output.h. */
#include "cmd/output.h"
#include "core/base/json.h"
#include "core/base/sanitize.h"
#include "core/base/time.h"
#include "core/base/util.h"
#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const format_names[] = {"table", "csv", "json"};

static bool json_errors; /* set once by od_output_setup, before any thread */

static bool opts_have_json(const struct od_cli_opt *o)
{
    for (; o && !od_cli_end(o); o++)
        if (o->name && !strcmp(o->name, "--json")) return true;
    return false;
}

void od_output_setup(const struct od_command *cmd, int argc, char **argv)
{
    bool declared = opts_have_json(cmd->opts);
    for (const struct od_subcommand *s = cmd->subs; s && s->name && !declared; s++)
        declared = opts_have_json(s->opts);
    json_errors = declared && od_cmd_machine_output(argc, argv);
}

bool od_output_json_errors(void)
{
    return json_errors;
}

/* text to stderr; on a terminal its controls are shown escaped (it may quote the database or
 * upstream), line breaks kept. */
static void put_err(const char *text, bool json)
{
    if (!isatty(STDERR_FILENO)) {
        fputs(text, stderr);
        return;
    }
    struct strbuf t = STRBUF_INIT;
    for (const char *line = text; *line;) {
        size_t n = strcspn(line, "\n");
        od_tty_escape(&t, line, n, json);
        if (line[n] == '\n') sb_addch(&t, '\n');
        line += n + (line[n] == '\n');
    }
    fputs(sb_str(&t), stderr);
    sb_release(&t);
}

static void error_json(const char *msg, int code)
{
    cJSON *doc = cJSON_CreateObject(), *e = cJSON_AddObjectToObject(doc, "error");
    cJSON_AddStringToObject(e, "message", msg);
    od_json_add_i64(e, "code", code);
    char *s = od_json_print(doc);
    put_err(s, true);
    fputc('\n', stderr);
    free(s);
}

/* An error as JSON, or "opsdeck WHO: message" (and, for a usage error, where --help is). */
static int report(const char *who, bool usage, int code, const char *fmt, va_list ap)
{
    struct strbuf msg = STRBUF_INIT;
    sb_vaddf(&msg, fmt, ap);
    if (json_errors) {
        error_json(sb_str(&msg), code);
    } else {
        char *text = usage ? od_xasprintf("opsdeck %s: %s\nRun 'opsdeck %s --help' for usage.\n",
                                          who, sb_str(&msg), who)
                           : od_xasprintf("opsdeck %s: %s\n", who, sb_str(&msg));
        put_err(text, false);
        free(text);
    }
    sb_release(&msg);
    return code;
}

int od_cmd_error(const char *who, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report(who, false, code, fmt, ap);
    va_end(ap);
    return code;
}

int od_cmd_usage_error(const struct od_command *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report(cmd->name, true, 2, fmt, ap);
    va_end(ap);
    return 2;
}

int od_output_arg(const struct od_command *cmd, int argc, char **argv, int *i, unsigned formats,
                  struct od_output *out)
{
    const char *a = argv[*i], *v;
    if (!strcmp(a, "--json")) {
        v = "json";
    } else if (!strcmp(a, "--csv-raw") && (formats & OD_OUTPUT_CSV_RAW)) {
        out->csv_raw = true;
        return 1;
    } else if (!strncmp(a, "--format=", 9)) {
        v = a + 9;
    } else if (!strcmp(a, "--format")) {
        if (*i + 1 >= argc) return od_cmd_usage_error(cmd, "--format needs a value");
        v = argv[++*i];
    } else {
        return 0;
    }
    struct strbuf offered = STRBUF_INIT;
    for (size_t f = 0; f < OD_ARRAY_LEN(format_names); f++) {
        if (!(formats & 1u << f)) continue;
        if (!strcmp(v, format_names[f])) {
            out->format = (enum od_format)f;
            sb_release(&offered);
            return 1;
        }
        sb_addf(&offered, "%s%s", offered.len ? "|" : "", format_names[f]);
    }
    char *clean = od_sanitize(v);
    od_cmd_usage_error(cmd, "unknown format '%s' (%s)", clean, sb_str(&offered));
    free(clean);
    sb_release(&offered);
    return 2;
}

cJSON *od_output_doc(const char *name, cJSON **array)
{
    cJSON *doc = cJSON_CreateObject();
    *array = cJSON_AddArrayToObject(doc, name);
    if (!*array) od_die("out of memory (building JSON)");
    return doc;
}

void od_output_add_time(cJSON *obj, const char *name, const char *ts)
{
    int64_t ms;
    if (!ts || !*ts) {
        cJSON_AddNullToObject(obj, name);
    } else if (od_time_parse_ms(ts, strlen(ts), &ms) < 0) {
        cJSON_AddStringToObject(obj, name, ts);
    } else {
        char buf[OD_TIME_BUF];
        od_time_format_ms(ms - ((ms % 1000) + 1000) % 1000, buf, sizeof buf);
        char *dot = strrchr(buf, '.'); /* "…:27.000Z" -> "…:27Z" */
        if (dot) memcpy(dot, "Z", 2);
        cJSON_AddStringToObject(obj, name, buf);
    }
}

static cJSON *from_jv(const struct od_jv *v)
{
    cJSON *c;
    switch (v->type) {
    case OD_JV_NULL:
        return cJSON_CreateNull();
    case OD_JV_FALSE:
        return cJSON_CreateFalse();
    case OD_JV_TRUE:
        return cJSON_CreateTrue();
    case OD_JV_NUMBER: /* the exact token: never through a double */
        return strpbrk(v->text, ".eE") ? cJSON_CreateString(v->text) : cJSON_CreateRaw(v->text);
    case OD_JV_STRING:
        return cJSON_CreateString(v->text);
    case OD_JV_ARRAY:
        c = cJSON_CreateArray();
        for (const struct od_jv *e = od_jv_first(v); e; e = od_jv_next(e))
            cJSON_AddItemToArray(c, from_jv(e));
        return c;
    case OD_JV_OBJECT:
        c = cJSON_CreateObject();
        for (const struct od_jv *e = od_jv_first(v); e; e = od_jv_next(e))
            cJSON_AddItemToObject(c, e->key, from_jv(e));
        return c;
    }
    return cJSON_CreateNull();
}

void od_output_add_json(cJSON *obj, const char *name, const char *text)
{
    struct od_json *doc = text ? od_json_parse(text, strlen(text)) : NULL;
    if (doc)
        cJSON_AddItemToObject(obj, name, from_jv(od_json_root(doc)));
    else
        od_json_add_str(obj, name, text);
    od_json_free(doc);
}

/* One CSV cell of a JSON value: text as is, numbers as their digits, null empty, true/false,
 * nested values as compact JSON. */
static void csv_cell(struct strbuf *sb, const cJSON *v, unsigned opts)
{
    if (cJSON_IsString(v)) {
        od_csv_field(sb, v->valuestring, opts);
    } else if (cJSON_IsRaw(v)) { /* od_json_add_i64's digits, or JSON from the database */
        od_csv_field(sb, v->valuestring, opts | OD_CSV_NUMERIC);
    } else if (cJSON_IsNull(v)) {
        od_csv_field(sb, NULL, opts);
    } else if (cJSON_IsBool(v)) {
        od_csv_field(sb, cJSON_IsTrue(v) ? "true" : "false", opts);
    } else {
        char *s = cJSON_PrintUnformatted(v);
        if (!s) od_die("out of memory (printing JSON)");
        od_csv_field(sb, s, opts | (cJSON_IsNumber(v) ? OD_CSV_NUMERIC : 0));
        free(s);
    }
}

static void write_csv(const cJSON *rows, const cJSON *proto, unsigned opts, struct strbuf *out)
{
    const cJSON *first = rows && rows->child ? rows->child : proto;
    if (!first) return;
    for (const cJSON *m = first->child; m; m = m->next) {
        if (m != first->child) sb_addch(out, ',');
        od_csv_field(out, m->string, 0);
    }
    sb_add(out, "\r\n");
    for (const cJSON *r = rows ? rows->child : NULL; r; r = r->next) {
        for (const cJSON *m = first->child; m; m = m->next) {
            if (m != first->child) sb_addch(out, ',');
            csv_cell(out, cJSON_GetObjectItemCaseSensitive(r, m->string), opts);
        }
        sb_add(out, "\r\n");
    }
}

void od_output_emit(cJSON *doc, const char *name, const struct od_output *o, cJSON *proto)
{
    bool tty = isatty(STDOUT_FILENO);
    struct strbuf out = STRBUF_INIT;
    if (o->format == OD_FORMAT_CSV) {
        unsigned opts = (o->csv_raw ? 0 : OD_CSV_GUARD) | (tty ? OD_CSV_TTY : 0);
        write_csv(cJSON_GetObjectItemCaseSensitive(doc, name), proto, opts, &out);
        cJSON_Delete(doc);
    } else {
        char *s = od_json_print(doc);
        if (tty)
            od_tty_escape(&out, s, strlen(s), true);
        else
            sb_add(&out, s);
        sb_addch(&out, '\n');
        free(s);
    }
    cJSON_Delete(proto);
    fwrite(sb_str(&out), 1, out.len, stdout);
    sb_release(&out);
}
