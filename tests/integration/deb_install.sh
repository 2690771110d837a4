# deb_install.sh — issue #16: `make deb` builds opsdeck_<version>_<arch>.deb, lintian finds no
# error in it, and it installs on a clean system: here a throwaway root directory.
#
# How it installs without a container or chroot: `dpkg --root=DIR --force-script-chrootless`.
# dpkg unpacks into DIR with its own database under DIR/var/lib/dpkg and runs the maintainer
# scripts on the host with DPKG_ROOT=DIR (the mechanism mmdebstrap uses to build systems
# without chroot); the postinst honours DPKG_ROOT (useradd/groupadd --prefix DIR). The
# libraries the package depends on are the host's (--force-depends: DIR's database knows no
# other package), so the installed /usr/bin/opsdeck runs here: --version, config --check on
# the shipped /etc/opsdeck/opsdeck.ini, and migrate against a fresh test database.
. tests/lib/common.sh

VERSION=$(cat VERSION)
ARCH=$(dpkg --print-architecture)
DEB="build/opsdeck_${VERSION}_${ARCH}.deb"

if made=$(make --no-print-directory deb 2>&1); then t_ok "make deb"; else t_fail "make deb" "$(printf '%s\n' "$made" | tail -20)"; fi
t_eq "make deb says where it wrote" "$DEB" "$(printf '%s\n' "$made" | tail -n 1)"
t_check "it wrote $DEB" test -s "$DEB"

# --- lintian: no errors (warnings are listed in the log)
if command -v lintian >/dev/null 2>&1; then
    lintian --tag-display-limit 0 "$DEB" >"$T_TMP/lintian.out" 2>&1
    sed 's/^/# lintian: /' "$T_TMP/lintian.out" | grep -v 'root privileges'
    t_eq "lintian: no errors" "" "$(grep '^E:' "$T_TMP/lintian.out")"
else
    t_fail "lintian is installed (scripts/deps.sh installs it)"
fi

# --- contents
list=$(dpkg-deb -c "$DEB" | awk '{print $6}')
for f in ./usr/bin/opsdeck ./usr/bin/opsdeck-sim ./usr/share/man/man1/opsdeck.1.gz \
    ./usr/share/man/man1/opsdeck-sim.1.gz ./usr/share/bash-completion/completions/opsdeck \
    ./usr/share/zsh/vendor-completions/_opsdeck ./lib/systemd/system/opsdeck-worker.service \
    ./etc/opsdeck/opsdeck.ini ./etc/opsdeck/worker.env ./usr/share/doc/opsdeck/copyright; do
    case "$list" in *"$f"*) t_ok "the package holds $f" ;; *) t_fail "the package holds $f" "$list" ;; esac
done
t_eq "conffiles" "/etc/opsdeck/opsdeck.ini /etc/opsdeck/worker.env" \
    "$(dpkg-deb -f "$DEB" Package >/dev/null && dpkg-deb --ctrl-tarfile "$DEB" | tar -xO ./conffiles | tr '\n' ' ' | sed 's/ $//')"

# --- a throwaway root with an empty dpkg database and a minimal user database
R="$T_TMP/root"
mkdir -p "$R/var/lib/dpkg/info" "$R/var/lib/dpkg/updates" "$R/var/lib/dpkg/triggers" "$R/etc"
: >"$R/var/lib/dpkg/status"
: >"$R/var/lib/dpkg/available"
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$R/etc/passwd"
printf 'root:x:0:\n' >"$R/etc/group"
printf 'root:*:19000:0:99999:7:::\n' >"$R/etc/shadow"
printf 'root:*::\n' >"$R/etc/gshadow"
chmod 0640 "$R/etc/shadow" "$R/etc/gshadow"
cp /etc/login.defs "$R/etc/" 2>/dev/null
notroot=""
[ "$(id -u)" = 0 ] || notroot="--force-not-root"
dpkg_r() { dpkg --root="$R" --force-script-chrootless --force-depends $notroot --log=/dev/null "$@" </dev/null; }

if dpkg_r -i "$DEB" >"$T_TMP/dpkg.out" 2>&1; then t_ok "dpkg --root installs it"
else t_fail "dpkg --root installs it" "$(tail -20 "$T_TMP/dpkg.out")"; fi
t_eq "dpkg records it installed" "install ok installed" \
    "$(dpkg-query --admindir="$R/var/lib/dpkg" -W -f='${Status}' opsdeck 2>&1)"
pw=$(grep '^opsdeck:' "$R/etc/passwd")
case "$pw" in
opsdeck:x:*:*:*:/var/lib/opsdeck:/usr/sbin/nologin) t_ok "postinst created the opsdeck system user ($pw)" ;;
*) t_fail "postinst created the opsdeck system user" "$(cat "$R/etc/passwd")" ;;
esac
uid=$(echo "$pw" | cut -d: -f3)
t_check "a system uid (below 1000)" test "${uid:-1000}" -lt 1000
gid=$(awk -F: '$1 == "opsdeck" { print $3 }' "$R/etc/group")
t_check "and its group" test -n "$gid"
t_eq "opsdeck.ini: 0640, root, the opsdeck group" "640 0 $gid" "$(stat -c '%a %u %g' "$R/etc/opsdeck/opsdeck.ini")"
t_eq "worker.env: 0640, root, the opsdeck group" "640 0 $gid" "$(stat -c '%a %u %g' "$R/etc/opsdeck/worker.env")"
t_eq "worker.env names the configuration" "OPSDECK_CONFIG=/etc/opsdeck/opsdeck.ini" "$(grep -v '^#' "$R/etc/opsdeck/worker.env")"
unit="$R/lib/systemd/system/opsdeck-worker.service"
t_check "the unit runs /usr/bin/opsdeck worker" grep -qx 'ExecStart=/usr/bin/opsdeck worker' "$unit"
t_eq "the unit names no /usr/local path" "" "$(grep -n '/usr/local' "$unit")"

# --- the installed binary
t_eq "opsdeck --version" "opsdeck $VERSION" "$("$R/usr/bin/opsdeck" --version 2>&1)"
t_check "the shipped opsdeck.ini is valid (config --check)" "$R/usr/bin/opsdeck" --config "$R/etc/opsdeck/opsdeck.ini" config --check
dbname="t_deb_install_$$"
psql "$(pg_url postgres)" -qAtc "DROP DATABASE IF EXISTS \"$dbname\" WITH (FORCE)" >/dev/null 2>&1
psql "$(pg_url postgres)" -qAtc "CREATE DATABASE \"$dbname\"" >/dev/null && T_DBS="$T_DBS $dbname"
out=$(OPSDECK_DATABASE_URL=$(pg_url "$dbname") "$R/usr/bin/opsdeck" --config "$R/etc/opsdeck/opsdeck.ini" migrate 2>&1)
t_eq "the installed opsdeck migrates a fresh database" 0 "$?"
[ -n "$out" ] && printf '%s\n' "$out" | tail -3 | sed 's/^/#   /'
t_check "migrate --status: nothing pending" env OPSDECK_DATABASE_URL="$(pg_url "$dbname")" \
    "$R/usr/bin/opsdeck" --config "$R/etc/opsdeck/opsdeck.ini" migrate --status
t_eq "the installed man page renders without warnings" "" \
    "$(MANWIDTH=80 man --warnings -l "$R/usr/share/man/man1/opsdeck.1.gz" 2>&1 >/dev/null)"

# --- reinstall keeps an edited conffile and the user
printf '\n[ui]\ntheme = dark\n' >>"$R/etc/opsdeck/opsdeck.ini"
if dpkg_r --force-confold -i "$DEB" >"$T_TMP/dpkg2.out" 2>&1; then t_ok "reinstall"
else t_fail "reinstall" "$(tail -20 "$T_TMP/dpkg2.out")"; fi
t_check "an edited opsdeck.ini survives a reinstall" grep -q 'theme = dark' "$R/etc/opsdeck/opsdeck.ini"
t_eq "still one opsdeck user" 1 "$(grep -c '^opsdeck:' "$R/etc/passwd")"

# --- purge
if dpkg_r -P opsdeck >"$T_TMP/dpkg3.out" 2>&1; then t_ok "dpkg --purge"
else t_fail "dpkg --purge" "$(tail -20 "$T_TMP/dpkg3.out")"; fi
t_check "purge removes the program" test ! -e "$R/usr/bin/opsdeck"
t_check "purge removes the conffiles" test ! -e "$R/etc/opsdeck/opsdeck.ini"

t_done
