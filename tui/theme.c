/* theme — role table, theme files and effective styles; see theme.h. */
#include "tui/theme.h"
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "core/base/config.h"
#include "core/base/embedded.h"
#include "core/base/sanitize.h"
#include "core/base/util.h"

static const struct {
    const char *name, *def, *mono;
} roles[TUI_ROLE_COUNT] = {
#define TUI_ROLE_ROW(e, name, def, mono) {name, def, mono},
    TUI_ROLES(TUI_ROLE_ROW)
#undef TUI_ROLE_ROW
};

static const struct {
    const char *alias;
    int role;
} aliases[] = {{"error", TUI_ROLE_FAIL}, {"pass", TUI_ROLE_OK}, {"disabled", TUI_ROLE_DIM}};

static const char *const builtin[] = {"default", "dark", "light", "mono", "high-contrast", NULL};

const char *const *tui_theme_builtin_names(void)
{
    return builtin;
}

const char *tui_role_name(int role)
{
    return role >= 0 && role < TUI_ROLE_COUNT ? roles[role].name : "?";
}

int tui_role_find(const char *name)
{
    for (int i = 0; i < TUI_ROLE_COUNT; i++)
        if (strcasecmp(roles[i].name, name) == 0) return i;
    for (size_t i = 0; i < OD_ARRAY_LEN(aliases); i++)
        if (strcasecmp(aliases[i].alias, name) == 0) return aliases[i].role;
    return -1;
}

void tui_theme_defaults(struct tui_theme *t)
{
    memset(t, 0, sizeof *t);
    snprintf(t->name, sizeof t->name, "default");
    for (int i = 0; i < TUI_ROLE_COUNT; i++) {
        int rc = tui_style_parse(roles[i].def, NULL, &t->role[i]);
        if (rc < 0) od_die("BUG: compiled-in style of role %s: %s", roles[i].name, od_err());
    }
}

struct parse_ctx {
    struct tui_theme *t;
    struct tui_palette pal;
    char err[400];
};

/* Messages name the line (added by tui_theme_parse) and the key, never a value: a file given
 * by mistake (a config with secrets) must not show its contents. The key is sanitized and
 * fitted; the section is named only when it is one of ours. */
static int fail(struct parse_ctx *c, const char *section, const char *key, const char *why)
{
    static const char *const known[] = {"palette", "styles", "theme"};
    const char *sec = "";
    for (size_t i = 0; i < OD_ARRAY_LEN(known); i++)
        if (strcasecmp(section, known[i]) == 0) sec = known[i];
    char k[160];
    od_fit(key, 40, k, sizeof k);
    if (*sec)
        snprintf(c->err, sizeof c->err, "[%s] %s: %s", sec, k, why);
    else
        snprintf(c->err, sizeof c->err, "%s: %s", k, why);
    return 0;
}

static int on_entry(void *user, const char *section, const char *key, const char *value)
{
    struct parse_ctx *c = user;
    if (strcasecmp(section, "palette") == 0) {
        struct tui_colour col;
        if (c->pal.n >= (int)OD_ARRAY_LEN(c->pal.name))
            return fail(c, section, key, "too many palette entries (at most 32)");
        if (tui_colour_parse(value, &c->pal, &col) < 0) return fail(c, section, key, od_err());
        c->pal.name[c->pal.n] = od_xstrdup(key);
        c->pal.colour[c->pal.n++] = col;
        return 1;
    }
    if (strcasecmp(section, "theme") == 0) {
        if (strcasecmp(key, "name") == 0)
            od_fit(value, 40, c->t->name, sizeof c->t->name);
        else if (strcasecmp(key, "description") != 0)
            return fail(c, section, key, "unknown key (use name or description)");
        return 1;
    }
    if (*section && strcasecmp(section, "styles") != 0) {
        snprintf(c->err, sizeof c->err, "unknown section (use [palette], [styles] or [theme])");
        return 0;
    }
    int role = tui_role_find(key);
    if (role < 0)
        return fail(c, section, key,
                    "unknown role (opsdeck --dump-theme or docs/themes.md list them)");
    if (tui_style_parse(value, &c->pal, &c->t->role[role]) < 0)
        return fail(c, section, key, od_err());
    return 1;
}

int tui_theme_parse(struct tui_theme *t, const char *text, const char *origin)
{
    struct parse_ctx c = {.t = t};
    int line = ini_parse_string(text, on_entry, &c);
    tui_palette_release(&c.pal);
    if (line == 0) return 0;
    if (c.err[0]) return od_seterr("%s:%d: %s", origin, line, c.err);
    return od_seterr("%s:%d: not an INI line (expected `role = style` or [section])", origin, line);
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    struct strbuf sb = STRBUF_INIT;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0 && sb.len < (1u << 20))
        sb_addn(&sb, buf, n);
    fclose(f);
    return sb_detach(&sb);
}

static char *user_theme_path(const char *name)
{
    const char *xdg = od_config_env(OD_ENV_XDG_CONFIG_HOME), *home = od_config_env(OD_ENV_HOME);
    if (xdg) return od_xasprintf("%s/opsdeck/themes/%s.theme", xdg, name);
    return home ? od_xasprintf("%s/.config/opsdeck/themes/%s.theme", home, name) : NULL;
}

static bool is_path(const char *s)
{
    size_t n = strlen(s);
    return strchr(s, '/') || (n > 6 && strcmp(s + n - 6, ".theme") == 0);
}

/* Parse text (owned, freed here) over the defaults in t; t changes only on success. */
static int apply(struct tui_theme *t, const char *name, char *text, char *origin)
{
    struct tui_theme tmp = *t;
    const char *base = strrchr(name, '/');
    od_fit(base ? base + 1 : name, 40, tmp.name, sizeof tmp.name);
    int rc = tui_theme_parse(&tmp, text, origin);
    if (rc == 0) *t = tmp;
    free(text);
    free(origin);
    return rc;
}

/* NAME: the user's themes directory, then the copy built into the binary. */
static int load_named(struct tui_theme *t, const char *name)
{
    char *origin = user_theme_path(name);
    char *text = origin ? read_file(origin) : NULL;
    if (!text) {
        free(origin);
        origin = od_xasprintf("themes/%s.theme", name);
        const struct od_embedded *e = od_embedded_find(origin);
        if (!e) {
            free(origin);
            return od_seterr("unknown theme '%s' (built in: default, dark, light, mono, "
                             "high-contrast; or NAME for ~/.config/opsdeck/themes/NAME.theme)",
                             name);
        }
        text = od_xstrndup(e->data, e->len);
    }
    return apply(t, name, text, origin);
}

int tui_theme_load(struct tui_theme *t, const char *name_or_path)
{
    tui_theme_defaults(t);
    const char *name = name_or_path && *name_or_path ? name_or_path : "default";
    if (!is_path(name)) return load_named(t, name);
    char *text = read_file(name);
    if (!text) return od_seterr("theme file %s: cannot be read (%m)", name);
    return apply(t, name, text, od_xstrdup(name));
}

int tui_theme_load_name(struct tui_theme *t, const char *name)
{
    tui_theme_defaults(t);
    size_t n = name ? strlen(name) : 0;
    bool ok = n > 0 && n < 64 && name[0] != '-';
    for (size_t i = 0; ok && i < n; i++)
        ok = (name[i] >= 'a' && name[i] <= 'z') || (name[i] >= 'A' && name[i] <= 'Z') ||
             (name[i] >= '0' && name[i] <= '9') || name[i] == '-' || name[i] == '_';
    if (!ok)
        return od_seterr("theme: give a theme NAME, not a file (built in: default, dark, light, "
                         "mono, high-contrast; or NAME for ~/.config/opsdeck/themes/NAME.theme)");
    return load_named(t, name);
}

const char *tui_theme_choose(const char *cli, const char *cfg_theme)
{
    const char *env = od_config_env(OD_ENV_THEME);
    if (cli && *cli) return cli;
    if (env) return env;
    return cfg_theme && *cfg_theme ? cfg_theme : "default";
}

struct tui_style tui_theme_style(const struct tui_theme *t, int role, enum tui_depth d)
{
    struct tui_style st = t->role[role];
    st.fg = tui_colour_degrade(st.fg, d);
    st.bg = tui_colour_degrade(st.bg, d);
    if (d == TUI_DEPTH_MONO) {
        struct tui_style mono;
        if (tui_style_parse(roles[role].mono, NULL, &mono) == 0) st.attrs |= mono.attrs;
    }
    return st;
}

void tui_theme_dump(const struct tui_theme *t, struct strbuf *sb)
{
    sb_addf(sb, "# opsdeck theme \"%s\" (every role; copy and edit what you need)\n[styles]\n",
            t->name);
    for (int i = 0; i < TUI_ROLE_COUNT; i++) {
        sb_addf(sb, "%-18s = ", roles[i].name);
        tui_style_format(&t->role[i], sb);
        sb_addch(sb, '\n');
    }
}
