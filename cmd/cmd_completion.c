/* cmd_completion — `opsdeck completion bash|zsh`: the shell completion script, generated from
 * the command table (cmd/command.h), so it offers exactly the commands, subcommands, options
 * and option values the binary has.
 *
 * The script is data plus a small engine. The data are three (four for zsh) associative
 * arrays keyed by a context: "opsdeck", "opsdeck report", "opsdeck report profitability".
 *   _opsdeck_words[CTX]        the words that open a deeper context (commands, subcommands)
 *   _opsdeck_flags[CTX]        the options of the context
 *   _opsdeck_arg["CTX --flag"] what follows an option; _opsdeck_arg["CTX #N"] the Nth positional
 *                              argument: enum:VALUES, file, dir, command or text (nothing)
 *   _opsdeck_help[CTX WORD]    zsh only: the one-line help shown beside a word
 * The engine walks the words typed so far (skipping option values), finds the context and the
 * position, and offers what the arrays say. `make` writes both scripts into build/completion/
 * and `make install` puts them where bash-completion and zsh look. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "cmd/command.h"
#include "core/base/util.h"

static int run(struct od_ctx *ctx, int argc, char **argv);

static const struct od_subcommand completion_subs[] = {
    {.name = "bash", .help = "bash completion (bash 4.2 or newer; also read by bash-completion)"},
    {.name = "zsh",
     .help = "zsh completion (an autoloadable _opsdeck, or source it after compinit)"},
    {0}};

const struct od_command cmd_completion_def = {
    "completion",
    "Print the bash or zsh completion script",
    "usage: opsdeck completion bash|zsh\n\n"
    "Prints a completion script for the shell, generated from opsdeck's command table:\n"
    "commands, subcommands, options and their values (e.g. report profitability --by).\n"
    "Installed by `make install` and the Debian package; to try it in this shell:\n"
    "  source <(opsdeck completion bash)\n"
    "  source <(opsdeck completion zsh)        (after compinit)\n\n"
    "Exit status: 0 ok, 2 usage.\n",
    run,
    OD_CMD_NO_CONFIG,
    .subs = completion_subs};

/* The script's data, three strbufs of "key value" entries in the shell's own syntax. */
struct data {
    bool zsh;
    struct strbuf words, flags, arg, help;
};

/* A single-quoted shell word. */
static void sq(struct strbuf *sb, const char *s)
{
    sb_addch(sb, '\'');
    for (; *s; s++)
        if (*s == '\'')
            sb_add(sb, "'\\''");
        else
            sb_addch(sb, *s);
    sb_addch(sb, '\'');
}

static void entry(const struct data *d, struct strbuf *sb, const char *key, const char *val)
{
    sb_add(sb, "    ");
    if (d->zsh) {
        sq(sb, key);
        sb_addch(sb, ' ');
    } else {
        sb_addch(sb, '[');
        sq(sb, key);
        sb_add(sb, "]=");
    }
    sq(sb, val);
    sb_addch(sb, '\n');
}

static void kind_word(struct strbuf *sb, const struct od_cli_opt *o)
{
    switch (o->kind) {
    case OD_CLI_ENUM:
        sb_add(sb, "enum:");
        for (const char *p = o->values ? o->values : ""; *p; p++)
            sb_addch(sb, *p == '|' ? ' ' : *p);
        break;
    case OD_CLI_FILE:
        sb_add(sb, "file");
        break;
    case OD_CLI_DIR:
        sb_add(sb, "dir");
        break;
    case OD_CLI_COMMAND:
        sb_add(sb, "command");
        break;
    default:
        sb_add(sb, "text");
        break;
    }
}

/* The options and positional arguments of one context. */
static void add_opts(struct data *d, const char *ctx, const struct od_cli_opt *opts)
{
    struct strbuf names = STRBUF_INIT, key = STRBUF_INIT, val = STRBUF_INIT;
    int pos = 0;
    for (const struct od_cli_opt *o = opts; o && !od_cli_end(o); o++) {
        sb_reset(&key);
        sb_reset(&val);
        if (o->name) {
            sb_addf(&names, "%s%s", names.len ? " " : "", o->name);
            if (o->kind == OD_CLI_SWITCH) continue;
            sb_addf(&key, "%s %s", ctx, o->name);
        } else {
            sb_addf(&key, "%s #%d", ctx, pos++);
        }
        kind_word(&val, o);
        entry(d, &d->arg, sb_str(&key), sb_str(&val));
    }
    if (names.len) entry(d, &d->flags, ctx, sb_str(&names));
    sb_release(&names);
    sb_release(&key);
    sb_release(&val);
}

static void collect(struct data *d)
{
    struct strbuf cmds = STRBUF_INIT, ctx = STRBUF_INIT, sub = STRBUF_INIT, subs = STRBUF_INIT;
    add_opts(d, "opsdeck", od_global_opts);
    for (const struct od_command *const *c = od_commands(); *c; c++) {
        if (!od_cmd_visible(*c)) continue;
        sb_addf(&cmds, "%s%s", cmds.len ? " " : "", (*c)->name);
        sb_reset(&ctx);
        sb_addf(&ctx, "opsdeck %s", (*c)->name);
        entry(d, &d->help, sb_str(&ctx), (*c)->summary);
        add_opts(d, sb_str(&ctx), (*c)->opts);
        sb_reset(&subs);
        for (const struct od_subcommand *s = (*c)->subs; s && s->name; s++) {
            sb_addf(&subs, "%s%s", subs.len ? " " : "", s->name);
            sb_reset(&sub);
            sb_addf(&sub, "%s %s", sb_str(&ctx), s->name);
            entry(d, &d->help, sb_str(&sub), s->help ? s->help : "");
            add_opts(d, sb_str(&sub), s->opts);
        }
        if (subs.len) entry(d, &d->words, sb_str(&ctx), sb_str(&subs));
    }
    entry(d, &d->words, "opsdeck", sb_str(&cmds));
    sb_release(&cmds);
    sb_release(&ctx);
    sb_release(&sub);
    sb_release(&subs);
}

static void print_array(const struct data *d, const char *name, const struct strbuf *body)
{
    if (d->zsh)
        printf("typeset -gA %s\n%s=(\n%s)\n", name, name, sb_str(body));
    else
        printf("declare -gA %s=(\n%s)\n", name, sb_str(body));
}

/* The context walk, shared by both engines (the syntax both shells read the same way). */
#define WALK                                                                                       \
    "    local ctx=opsdeck sub=no expect='' npos=0 i w key\n"                                      \
    "    for ((i = FIRST; i < LAST; i++)); do\n"                                                   \
    "        w=${WORDS[i]}\n"                                                                      \
    "        if [[ -n $expect ]]; then expect=''; continue; fi\n"                                  \
    "        if [[ $w == -* ]]; then\n"                                                            \
    "            key=\"$ctx $w\"\n"                                                                \
    "            [[ -n ${_opsdeck_arg[$key]-} ]] && expect=1\n"                                    \
    "            continue\n"                                                                       \
    "        fi\n"                                                                                 \
    "        if [[ $sub == no && \" ${_opsdeck_words[$ctx]-} \" == *\" $w \"* ]]; then\n"          \
    "            [[ $ctx == opsdeck ]] || sub=yes\n"                                               \
    "            ctx=\"$ctx $w\"; npos=0; continue\n"                                              \
    "        fi\n"                                                                                 \
    "        npos=$((npos + 1))\n"                                                                 \
    "    done\n"

static const char bash_engine[] =
    "_opsdeck_reply() { # KIND CUR: add the values of KIND to COMPREPLY\n"
    "    local w\n"
    "    case $1 in\n"
    "    enum:*) for w in $(compgen -W \"${1#enum:}\" -- \"$2\"); do COMPREPLY+=(\"$w\"); done ;;\n"
    "    command) for w in $(compgen -W \"${_opsdeck_words[opsdeck]}\" -- \"$2\"); do "
    "COMPREPLY+=(\"$w\"); done ;;\n"
    "    file) compopt -o filenames 2>/dev/null; while IFS= read -r w; do COMPREPLY+=(\"$w\"); "
    "done < <(compgen -f -- \"$2\") ;;\n"
    "    dir) compopt -o filenames 2>/dev/null; while IFS= read -r w; do COMPREPLY+=(\"$w\"); "
    "done < <(compgen -d -- \"$2\") ;;\n"
    "    esac\n"
    "}\n\n"
    "_opsdeck() {\n"
    "    local cur=${COMP_WORDS[COMP_CWORD]} WORDS=(\"${COMP_WORDS[@]}\")\n" WALK
    "    COMPREPLY=()\n"
    "    if [[ -n $expect ]]; then\n"
    "        key=\"$ctx ${COMP_WORDS[COMP_CWORD-1]}\"\n"
    "        _opsdeck_reply \"${_opsdeck_arg[$key]}\" \"$cur\"\n"
    "    elif [[ $cur == -* ]]; then\n"
    "        COMPREPLY=($(compgen -W \"${_opsdeck_flags[$ctx]-}\" -- \"$cur\"))\n"
    "    else\n"
    "        if [[ $sub == no ]]; then\n"
    "            COMPREPLY=($(compgen -W \"${_opsdeck_words[$ctx]-}\" -- \"$cur\"))\n"
    "        fi\n"
    "        key=\"$ctx #$npos\"\n"
    "        _opsdeck_reply \"${_opsdeck_arg[$key]-}\" \"$cur\"\n"
    "    fi\n"
    "}\n"
    "complete -F _opsdeck opsdeck\n";

static const char zsh_engine[] =
    "_opsdeck_reply() { # KIND: offer the values of KIND\n"
    "    case $1 in\n"
    "    enum:*) compadd -- ${=1#enum:} ;;\n"
    "    command) _opsdeck_describe opsdeck ;;\n"
    "    file) _files ;;\n"
    "    dir) _files -/ ;;\n"
    "    esac\n"
    "}\n\n"
    "_opsdeck_describe() { # CTX: the words of CTX with their help\n"
    "    local -a items\n"
    "    local w\n"
    "    for w in ${=_opsdeck_words[$1]}; do items+=(\"$w:${_opsdeck_help[$1 $w]-}\"); done\n"
    "    (( ${#items} )) && _describe -t commands \"${1#opsdeck} command\" items\n"
    "}\n\n"
    "_opsdeck() {\n"
    "    local cur=${words[CURRENT]}\n"
    "    local -a WORDS\n"
    "    WORDS=(\"${(@)words}\")\n" WALK "    if [[ -n $expect ]]; then\n"
    "        key=\"$ctx ${words[CURRENT-1]}\"\n"
    "        _opsdeck_reply \"${_opsdeck_arg[$key]}\"\n"
    "    elif [[ $cur == -* ]]; then\n"
    "        compadd -- ${=_opsdeck_flags[$ctx]-}\n"
    "    else\n"
    "        [[ $sub == no ]] && _opsdeck_describe \"$ctx\"\n"
    "        key=\"$ctx #$npos\"\n"
    "        _opsdeck_reply \"${_opsdeck_arg[$key]-}\"\n"
    "    fi\n"
    "}\n\n"
    "if [[ ${zsh_eval_context[-1]-} == loadautofunc ]]; then\n"
    "    _opsdeck \"$@\"\n"
    "else\n"
    "    compdef _opsdeck opsdeck\n"
    "fi\n";

/* The engine with the walk's bounds filled in: bash counts words from 0 (the command), zsh
 * from 1. */
static void print_engine(const char *engine, const char *first, const char *last)
{
    for (const char *p = engine; *p;) {
        if (!strncmp(p, "FIRST", 5)) {
            fputs(first, stdout);
            p += 5;
        } else if (!strncmp(p, "LAST", 4)) {
            fputs(last, stdout);
            p += 4;
        } else {
            fputc(*p++, stdout);
        }
    }
}

static int run(struct od_ctx *ctx, int argc, char **argv)
{
    (void)ctx;
    if (argc != 2 || (strcmp(argv[1], "bash") && strcmp(argv[1], "zsh")))
        return od_cmd_usage_error(&cmd_completion_def, "which shell? (bash or zsh)");
    struct data d = {.zsh = !strcmp(argv[1], "zsh")};
    collect(&d);
    if (d.zsh) printf("#compdef opsdeck\n");
    printf("# %s completion for opsdeck %s, generated by `opsdeck completion %s` from its\n"
           "# command table. Do not edit: regenerate it.\n",
           argv[1], OPSDECK_VERSION, argv[1]);
    print_array(&d, "_opsdeck_words", &d.words);
    print_array(&d, "_opsdeck_flags", &d.flags);
    print_array(&d, "_opsdeck_arg", &d.arg);
    if (d.zsh) print_array(&d, "_opsdeck_help", &d.help);
    putchar('\n');
    if (d.zsh)
        print_engine(zsh_engine, "2", "CURRENT");
    else
        print_engine(bash_engine, "1", "COMP_CWORD");
    sb_release(&d.words);
    sb_release(&d.flags);
    sb_release(&d.arg);
    sb_release(&d.help);
    return 0;
}
