/* cmdline — `:` command line; see cmdline.h. */
#include "tui/cmdline.h"
#include <stdlib.h>
#include <string.h>
#include "core/base/util.h"

#define MAX_ARGS 16

void tui_cmdline_init(struct tui_cmdline *c)
{
    memset(c, 0, sizeof *c);
    tui_edit_init(&c->edit, false);
    c->edit.max_len = 400;
}

void tui_cmdline_release(struct tui_cmdline *c)
{
    tui_edit_release(&c->edit);
    free(c->cmds);
    for (int i = 0; i < c->nhist; i++)
        free(c->hist[i]);
    free(c->draft);
    free(c->cycle_prefix);
    sb_release(&c->hint);
    memset(c, 0, sizeof *c);
}

void tui_cmdline_add(struct tui_cmdline *c, const struct tui_command *cmds, size_t n, void *ud)
{
    tui_cmdline_add_ctx(c, cmds, n, ud, NULL);
}

void tui_cmdline_add_ctx(struct tui_cmdline *c, const struct tui_command *cmds, size_t n, void *ud,
                         const char *context)
{
    for (size_t i = 0; i < n; i++) {
        if (c->ncmds == c->cap) {
            c->cap = c->cap ? c->cap * 2 : 32;
            c->cmds = od_xrealloc(c->cmds, (size_t)c->cap * sizeof *c->cmds);
        }
        c->cmds[c->ncmds++] = (struct tui_cmd_entry){&cmds[i], ud, context};
    }
}

static void stop_cycle(struct tui_cmdline *c)
{
    free(c->cycle_prefix);
    c->cycle_prefix = NULL;
    c->cycle = 0;
}

void tui_cmdline_open(struct tui_cmdline *c)
{
    c->open = true;
    tui_edit_clear(&c->edit);
    sb_reset(&c->hint);
    stop_cycle(c);
    c->hist_pos = c->nhist;
}

void tui_cmdline_close(struct tui_cmdline *c)
{
    c->open = false;
    sb_reset(&c->hint);
    stop_cycle(c);
}

/* Split in place on blanks, honouring double quotes; -1 on an unbalanced quote. */
static int split(char *s, char **argv, int max)
{
    int argc = 0;
    while (*s) {
        while (*s == ' ' || *s == '\t')
            s++;
        if (!*s) break;
        if (argc == max) return od_seterr("too many arguments (at most %d)", max - 1);
        char *out = s;
        argv[argc++] = out;
        bool quoted = false;
        for (; *s && (quoted || (*s != ' ' && *s != '\t')); s++)
            if (*s == '"')
                quoted = !quoted;
            else
                *out++ = *s;
        if (quoted) return od_seterr("unbalanced \" in the command");
        if (*s) s++;
        *out = '\0';
    }
    return argc;
}

static const struct tui_cmd_entry *find(const struct tui_cmdline *c, const char *name)
{
    for (int i = 0; i < c->ncmds; i++)
        if (strcmp(c->cmds[i].cmd->name, name) == 0) return &c->cmds[i];
    return NULL;
}

int tui_cmdline_run(struct tui_cmdline *c, struct tui_app *app, const char *line, unsigned *flags)
{
    char *copy = od_xstrdup(line);
    char *argv[MAX_ARGS + 1] = {0};
    int argc = split(copy, argv, MAX_ARGS), rc = 0;
    *flags = 0;
    if (argc > 0) {
        const struct tui_cmd_entry *e = find(c, argv[0]);
        if (e)
            *flags = e->cmd->run(app, argc, argv, e->ud);
        else
            rc = od_seterr("unknown command '%s' (press : then Tab to list the commands)", argv[0]);
    } else if (argc < 0) {
        rc = -1;
    }
    free(copy);
    return rc;
}

static void history_add(struct tui_cmdline *c, const char *line)
{
    if (!*line || (c->nhist && strcmp(c->hist[c->nhist - 1], line) == 0)) return;
    if (c->nhist == TUI_CMDLINE_HISTORY) {
        free(c->hist[0]);
        memmove(c->hist, c->hist + 1, sizeof c->hist[0] * (TUI_CMDLINE_HISTORY - 1));
        c->nhist--;
    }
    c->hist[c->nhist++] = od_xstrdup(line);
}

int tui_cmdline_exec(struct tui_cmdline *c, struct tui_app *app, unsigned *flags)
{
    char *line = od_xstrdup(tui_edit_str(&c->edit));
    history_add(c, line);
    tui_cmdline_close(c);
    int rc = tui_cmdline_run(c, app, line, flags);
    free(line);
    return rc;
}

static void history_move(struct tui_cmdline *c, int delta)
{
    int pos = c->hist_pos + delta;
    if (pos < 0 || pos > c->nhist) return;
    if (c->hist_pos == c->nhist) {
        free(c->draft);
        c->draft = od_xstrdup(tui_edit_str(&c->edit));
    }
    c->hist_pos = pos;
    tui_edit_set(&c->edit, pos == c->nhist ? c->draft : c->hist[pos]);
}

/* Candidates for the last word of the line; fills the hint; returns how many. */
static int candidates(struct tui_cmdline *c, const char *line, const char *prefix, const char **out,
                      int max)
{
    char *copy = od_xstrdup(line);
    char *argv[MAX_ARGS + 1] = {0};
    int argc = split(copy, argv, MAX_ARGS), n = 0;
    size_t plen = strlen(prefix);
    int argi = argc < 0 ? -1 : argc - (*prefix ? 1 : 0); /* index of the word completed */
    if (argi == 0) {
        for (int i = 0; i < c->ncmds && n < max; i++)
            if (strncmp(c->cmds[i].cmd->name, prefix, plen) == 0) out[n++] = c->cmds[i].cmd->name;
    } else if (argi > 0) {
        const struct tui_cmd_entry *e = find(c, argv[0]);
        const char *const *words = e && e->cmd->complete ? e->cmd->complete(argi, e->ud) : NULL;
        for (int i = 0; words && words[i] && n < max; i++)
            if (strncmp(words[i], prefix, plen) == 0) out[n++] = words[i];
        if (e && !words) {
            sb_reset(&c->hint);
            sb_addf(&c->hint, "%s %s — %s", e->cmd->name, e->cmd->args ? e->cmd->args : "",
                    e->cmd->help);
        }
    }
    free(copy);
    return n;
}

static void complete(struct tui_cmdline *c)
{
    const char *line = tui_edit_str(&c->edit);
    const char *sp = strrchr(line, ' ');
    size_t wstart = sp ? (size_t)(sp - line) + 1 : 0;
    char *head = od_xstrndup(line, wstart);
    if (!c->cycle_prefix) c->cycle_prefix = od_xstrdup(line + wstart);
    const char *cand[64];
    sb_reset(&c->hint);
    char *ctx = od_xasprintf("%s%s", head, c->cycle_prefix);
    int n = candidates(c, ctx, c->cycle_prefix, cand, 64);
    free(ctx);
    const char *pick = NULL;
    size_t common = n ? strlen(cand[0]) : 0;
    for (int i = 1; i < n; i++)
        for (size_t k = 0; k < common; k++)
            if (cand[i][k] != cand[0][k]) {
                common = k;
                break;
            }
    char *line_new = NULL;
    if (n == 1) {
        line_new = od_xasprintf("%s%s ", head, cand[0]);
        stop_cycle(c);
    } else if (n > 1 && common > strlen(line + wstart)) {
        line_new = od_xasprintf("%s%.*s", head, (int)common, cand[0]);
        free(c->cycle_prefix);
        c->cycle_prefix = od_xstrndup(cand[0], common);
    } else if (n > 1) {
        pick = cand[c->cycle++ % n];
        line_new = od_xasprintf("%s%s", head, pick);
    }
    for (int i = 0; i < n && n > 1; i++)
        sb_addf(&c->hint, "%s%s", i ? " " : "", cand[i]);
    if (line_new) tui_edit_set(&c->edit, line_new);
    free(line_new);
    free(head);
}

unsigned tui_cmdline_key(struct tui_cmdline *c, int key)
{
    if (key != TUI_KEY_TAB) stop_cycle(c);
    switch (key) {
    case TUI_KEY_ESC:
        tui_cmdline_close(c);
        return TUI_HANDLED | TUI_REDRAW;
    case TUI_KEY_ENTER:
        return TUI_HANDLED | TUI_REDRAW | TUI_SUBMIT;
    case TUI_KEY_TAB:
        complete(c);
        return TUI_HANDLED | TUI_REDRAW;
    case TUI_KEY_UP:
    case TUI_KEY_DOWN:
        history_move(c, key == TUI_KEY_UP ? -1 : 1);
        return TUI_HANDLED | TUI_REDRAW;
    case TUI_KEY_BACKSPACE:
        if (c->edit.text.len == 0) { /* Backspace on the empty line leaves it, like vim */
            tui_cmdline_close(c);
            return TUI_HANDLED | TUI_REDRAW;
        }
        break;
    default:
        break;
    }
    sb_reset(&c->hint);
    tui_edit_key(&c->edit, key);
    return TUI_HANDLED | TUI_REDRAW; /* modal: everything is for the command line */
}

void tui_cmdline_draw(const struct tui_cmdline *c, struct tui_grid *g, int x, int y, int w)
{
    tui_grid_fill(g, (struct tui_rect){x, y, w, 1}, ' ', TUI_ROLE_INPUT_FOCUS);
    tui_grid_text(g, x, y, 1, ":", TUI_ROLE_INPUT_FOCUS);
    int hw = c->hint.len ? tui_text_width(sb_str(&c->hint)) + 2 : 0;
    if (hw > w / 2) hw = w / 2;
    tui_edit_draw(&c->edit, g, x + 1, y, w - 1 - hw, TUI_ROLE_INPUT_FOCUS, true);
    if (hw) tui_grid_text(g, x + w - hw + 1, y, hw - 1, sb_str(&c->hint), TUI_ROLE_DIM);
}
