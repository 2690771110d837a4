# cli_docs.sh — issue #16: `--help`, the man pages and the bash/zsh completion come from one
# command table and cannot drift.
# - `make install PREFIX=<scratch>` installs both binaries, opsdeck.1 and opsdeck-sim.1, the
#   bash and the zsh completion where those shells look;
# - man -l renders both pages without a warning (and groff -ww is silent);
# - every command of the table (the `const struct od_command cmd_NAME_def` lines the Makefile
#   collects) is in --help, in the man page and offered by bash and zsh completion;
# - bash completion, driven through `complete -F` with COMP_WORDS/COMP_CWORD as bash does:
#   `opsdeck rep` -> report, `opsdeck report profitability --by ` -> the four groupings, ...;
# - every option a command's usage text names is offered by completion for that command, and
#   every option completion offers is in the usage text;
# - every command exits 2 on an unknown option, before it tries the database.
. tests/lib/common.sh

HIDDEN="man" # build tools: in the table, not shown to users (OD_CMD_HIDDEN)
P="$T_TMP/prefix"
export MANWIDTH=80 LC_ALL=C.UTF-8

# --- install into a scratch prefix
if make --no-print-directory install PREFIX="$P" >"$T_TMP/install.log" 2>&1; then
    t_ok "make install PREFIX=<scratch>"
else
    t_fail "make install PREFIX=<scratch>" "$(tail -20 "$T_TMP/install.log")"
fi
for f in bin/opsdeck bin/opsdeck-sim share/man/man1/opsdeck.1 share/man/man1/opsdeck-sim.1 \
    share/bash-completion/completions/opsdeck share/zsh/site-functions/_opsdeck; do
    t_check "installed: $f" test -s "$P/$f"
done
t_check "the installed binary runs" "$P/bin/opsdeck" --version

# --- the man pages render without warnings
for page in opsdeck opsdeck-sim; do
    man --warnings -l "$P/share/man/man1/$page.1" >"$T_TMP/$page.txt" 2>"$T_TMP/$page.warn"
    rc=$?
    t_eq "man -l $page.1 exits 0" 0 "$rc"
    t_eq "man --warnings -l $page.1: no warning" "" "$(cat "$T_TMP/$page.warn")"
    t_eq "groff -ww -z $page.1: no warning" "" "$(groff -ww -z -man "$P/share/man/man1/$page.1" 2>&1)"
done
t_check "opsdeck.1 names itself" grep -q '^OPSDECK(1)' "$T_TMP/opsdeck.txt"
t_check "opsdeck-sim.1 lists --rate-limits on|off" grep -q -- '--rate-limits on|off' "$T_TMP/opsdeck-sim.txt"

# --- bash completion, the way bash calls it
BASH_COMP="$P/share/bash-completion/completions/opsdeck"
# comp WORD... : what completion offers for the last word (may be ""), one line, sorted
comp() {
    bash --norc --noprofile -c '
        source "$1" || exit 1
        fn=$(complete -p opsdeck | sed -n "s/.*-F \([^ ]*\) opsdeck$/\1/p")
        [ -n "$fn" ] || { echo "no complete -F for opsdeck"; exit 1; }
        shift
        COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
        COMPREPLY=()
        "$fn" opsdeck "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
        printf "%s\n" "${COMPREPLY[@]}"' comp "$BASH_COMP" opsdeck "$@" 2>&1 | sort | tr '\n' ' ' | sed 's/ $//'
}
t_eq "bash: complete -F is registered for opsdeck" "complete -F _opsdeck opsdeck" \
    "$(bash --norc -c "source '$BASH_COMP' && complete -p opsdeck" 2>&1)"
t_eq "bash: opsdeck rep -> report" "report" "$(comp rep)"
t_eq "bash: opsdeck report -> profitability" "profitability" "$(comp report '')"
t_eq "bash: --by offers the four groupings" "client month person project" \
    "$(comp report profitability --by '')"
t_eq "bash: --by c -> client" "client" "$(comp report profitability --by c)"
t_eq "bash: after --by client, --f -> --format --from" "--format --from" \
    "$(comp report profitability --by client --f)"
t_eq "bash: --format values" "csv json table" "$(comp report profitability --format '')"
t_eq "bash: user add --role values" "account_manager admin oncall ops" "$(comp user add a@b.c --role '')"
t_eq "bash: sync's provider" "all harvest hubspot" "$(comp sync '')"
t_eq "bash: links set KIND" "client project" "$(comp links set '')"
t_eq "bash: a free-text argument offers nothing" "" "$(comp links set client '')"
t_eq "bash: completion shells" "bash zsh" "$(comp completion '')"
t_eq "bash: global options" "--config --help --version" "$(comp --)"
mkdir -p "$T_TMP/files/subdir" && : >"$T_TMP/files/a.dump"
t_eq "bash: restore FILE offers files" "$T_TMP/files/a.dump $T_TMP/files/subdir" "$(comp restore "$T_TMP/files/")"
t_eq "bash: backup --dir offers only directories" "$T_TMP/files/subdir" "$(comp backup --dir "$T_TMP/files/")"
t_eq "bash: --config before the command offers files" "$T_TMP/files/a.dump $T_TMP/files/subdir" \
    "$(comp --config "$T_TMP/files/")"
t_eq "bash: the command after --config FILE" "sync" "$(comp --config x.ini sy)"

# --- every command of the table is in --help, the man page and the completion
table=$(sed -n 's/^const struct od_command cmd_\([a-z0-9_]*\)_def.*/\1/p' cmd/*.c | sort)
t_check "the table has commands" test "$(echo "$table" | wc -l)" -gt 10
visible=""
for name in $table; do
    case " $HIDDEN " in *" $name "*) continue ;; esac
    visible="$visible $name"
done
all_offered=" $(comp '') "
help_out=$("$OD_BIN" --help)
zsh_ok=no
command -v zsh >/dev/null 2>&1 && zsh_ok=yes
# zcomp WORD...: what the zsh completion offers for the last word (compadd/_describe/_files
# stubbed to print what they are given), sorted, one line
zcomp() {
    zsh -f -c '
        compdef() { :; }
        compadd() { while [[ $# -gt 0 && $1 != -- ]]; do shift; done; shift; print -l -- "$@"; }
        _describe() { local a=${@[-1]}; print -l -- ${${(P)a}%%:*}; }
        _files() { print -- "<files $*>"; }
        source "$1" || exit 1
        shift
        words=("$@"); CURRENT=$#
        _opsdeck' zcomp "$P/share/zsh/site-functions/_opsdeck" opsdeck "$@" 2>&1 | sort | tr '\n' ' ' | sed 's/ $//'
}
z_offered=""
[ $zsh_ok = yes ] && z_offered=" $(zcomp '') "
for name in $visible; do
    missing=""
    "$OD_BIN" help "$name" >/dev/null 2>&1 || missing="$missing help"
    printf '%s\n' "$help_out" | grep -q "^   $name " || missing="$missing --help"
    grep -q "^   $name\$" "$T_TMP/opsdeck.txt" || missing="$missing man-section"
    grep -q "opsdeck $name" "$T_TMP/opsdeck.txt" || missing="$missing man-synopsis"
    case "$all_offered" in *" $name "*) ;; *) missing="$missing bash" ;; esac
    case "$z_offered" in *" $name "*) ;; *) missing="$missing zsh" ;; esac
    if [ -z "$missing" ]; then t_ok "command $name: in help, --help, the man page, bash and zsh"
    else t_fail "command $name: in help, --help, the man page, bash and zsh" "missing from:$missing"; fi
done
for name in $HIDDEN; do
    case "$all_offered" in *" $name "*) t_fail "hidden command $name is not offered" "$all_offered" ;;
    *) t_ok "hidden command $name is not offered" ;; esac
done
t_eq "bash offers exactly the visible commands" "$(echo $visible | tr ' ' '\n' | sort | tr '\n' ' ' | sed 's/ $//')" \
    "$(comp '')"

# --- zsh completion
if [ $zsh_ok = yes ]; then
    t_check "zsh: the script parses (zsh -n)" zsh -n "$P/share/zsh/site-functions/_opsdeck"
    t_eq "zsh: opsdeck rep -> report (zsh filters by prefix itself)" "report" \
        "$(zcomp rep | tr ' ' '\n' | grep '^rep')"
    t_eq "zsh: --by offers the four groupings" "client month person project" "$(zcomp report profitability --by '')"
    t_eq "zsh: restore FILE completes files" "<files >" "$(zcomp restore '')"
    t_eq "zsh: backup --dir completes directories" "<files -/>" "$(zcomp backup --dir '')"
    t_eq "zsh: exceptions ack ID --" "--note --version" "$(zcomp exceptions ack 7 --)"
else
    t_fail "zsh is installed (scripts/deps.sh installs it)"
fi

# --- exit status 2 for usage, for every command, before any database is tried
for name in $visible; do
    err=$(PGHOST="$T_TMP/nopg" "$OD_BIN" "$name" --no-such-option 2>&1 >/dev/null)
    rc=$?
    case "$rc:$err" in
    2:*"cannot connect"*) t_fail "command $name: an unknown option exits 2 before the database" "$err" ;;
    2:*) t_ok "command $name: an unknown option exits 2 before the database" ;;
    *) t_fail "command $name: an unknown option exits 2 before the database" "exit $rc: $err" ;;
    esac
done

# --- usage text and table agree on every option, per command
usage_flags() { # the options a usage text names: its usage lines and its indented option lines
    awk 'NR == 1, /^$/ { print; next } /^ +--[a-z]/ { print $1 }' |
        grep -o -- '--[a-z][a-z-]*' | sort -u | tr '\n' ' ' | sed 's/ $//'
}
mkdir -p "$T_TMP/empty"
for name in $visible; do
    want=$("$OD_BIN" help "$name" | usage_flags)
    got=$(cd "$T_TMP/empty" && {
        comp "$name" -- | tr ' ' '\n'
        echo
        for w in $(comp "$name" ''); do
            case "$w" in */*) continue ;; esac # a file name, not a subcommand
            comp "$name" "$w" -- | tr ' ' '\n'
            echo
        done
    } | grep -- '^--' | sort -u | tr '\n' ' ' | sed 's/ $//')
    t_eq "command $name: the options in its usage text are the table's" "$want" "$got"
done

t_done
