#!/bin/sh
# deb.sh — `make deb`: build/opsdeck_<version>_<arch>.deb with dpkg-deb, from what `make` built
# (no debhelper, no source package: a binary package of this tree). It holds:
#   /usr/bin/opsdeck, /usr/bin/opsdeck-sim            stripped (bin/ keeps the debug info)
#   /usr/share/man/man1/opsdeck.1.gz, opsdeck-sim.1.gz generated from the command tables
#   /usr/share/bash-completion/completions/opsdeck, /usr/share/zsh/vendor-completions/_opsdeck
#   /lib/systemd/system/opsdeck-worker.service         contrib/, with /usr/bin paths; not enabled
#   /etc/opsdeck/opsdeck.ini   conffile, 0640 root:opsdeck: the database URL goes here
#   /etc/opsdeck/worker.env    conffile, 0640 root:opsdeck: OPSDECK_CONFIG for the service
#   /usr/share/opsdeck/themes, /usr/share/doc/opsdeck (copyright, changelog.gz, README, docs)
# postinst creates the `opsdeck` system user and group (no login shell, home /var/lib/opsdeck)
# and gives /etc/opsdeck's files to that group. It honours DPKG_ROOT, so the package can be
# installed into a directory with `dpkg --root=DIR --force-script-chrootless` (no chroot and no
# container needed: tests/integration/deb_install.sh does exactly that).
# Environment: DEB_MAINTAINER ("Name <email>"; default: the last commit's author), OUT (dir).
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
VERSION=$(cat VERSION)
ARCH=$(dpkg --print-architecture)
OUT=${OUT:-build}
MAINT=${DEB_MAINTAINER:-$(git log -1 --format='%an <%ae>' 2>/dev/null || echo 'opsdeck maintainers <opsdeck@example.org>')}
STAGE=$(mktemp -d "${TMPDIR:-/tmp}/opsdeck-deb.XXXXXX")
trap 'rm -rf "$STAGE"' EXIT
S=$STAGE/root
UNITDIR=$(pkg-config --variable=systemdsystemunitdir systemd 2>/dev/null || true)
UNITDIR=${UNITDIR:-/lib/systemd/system}
DATE=$(date -u -R -d "@${SOURCE_DATE_EPOCH:-$(date +%s)}")

for f in bin/opsdeck bin/opsdeck-sim build/man/opsdeck.1 build/man/opsdeck-sim.1 \
    build/completion/opsdeck.bash build/completion/_opsdeck; do
    [ -s "$f" ] || { echo "deb: $f is missing; run make first" >&2; exit 1; }
done

umask 022
install -d "$S/DEBIAN" "$S/usr/bin" "$S/usr/share/man/man1" "$S/usr/share/opsdeck/themes" \
    "$S/usr/share/doc/opsdeck/docs" "$S/usr/share/bash-completion/completions" \
    "$S/usr/share/zsh/vendor-completions" "$S$UNITDIR" "$S/etc/opsdeck"

# --- files
for b in opsdeck opsdeck-sim; do
    install -m 0755 "bin/$b" "$S/usr/bin/$b"
    strip --strip-unneeded --remove-section=.comment --remove-section=.note "$S/usr/bin/$b"
    gzip -9n <"build/man/$b.1" >"$S/usr/share/man/man1/$b.1.gz"
done
install -m 0644 build/completion/opsdeck.bash "$S/usr/share/bash-completion/completions/opsdeck"
install -m 0644 build/completion/_opsdeck "$S/usr/share/zsh/vendor-completions/_opsdeck"
install -m 0644 themes/*.theme "$S/usr/share/opsdeck/themes/"
sed -e 's|/usr/local/bin/opsdeck|/usr/bin/opsdeck|g' \
    -e 's|^Documentation=.*|Documentation=man:opsdeck(1) file:///usr/share/doc/opsdeck/docs/deployment.md|' \
    -e 's|^# service. Install: copy to /etc/systemd/system/,|# service. From the opsdeck package;|' \
    contrib/opsdeck-worker.service >"$S$UNITDIR/opsdeck-worker.service"
chmod 0644 "$S$UNITDIR/opsdeck-worker.service"

cat >"$S/etc/opsdeck/opsdeck.ini" <<'INI'
# /etc/opsdeck/opsdeck.ini: opsdeck on this machine. The opsdeck-worker service reads it
# (OPSDECK_CONFIG in /etc/opsdeck/worker.env); so does `opsdeck --config /etc/opsdeck/opsdeck.ini`.
# Readable by root and the opsdeck group only: it holds the database password.
# Every key with its default and meaning: `opsdeck config --keys`; check with
# `opsdeck --config /etc/opsdeck/opsdeck.ini config --check`.

[database]
# url = postgresql://opsdeck:PASSWORD@db.example.com/opsdeck

[secrets]
# Encrypts the stored Harvest/HubSpot tokens. Create it once, owned by the service's account:
#   sudo opsdeck keygen --file /etc/opsdeck/master.key && sudo chown opsdeck: /etc/opsdeck/master.key
key_file = /etc/opsdeck/master.key

[log]
level = info
INI
printf '# Environment of the opsdeck-worker service (no secrets here: only where they are).\nOPSDECK_CONFIG=/etc/opsdeck/opsdeck.ini\n' \
    >"$S/etc/opsdeck/worker.env"
chmod 0640 "$S/etc/opsdeck/opsdeck.ini" "$S/etc/opsdeck/worker.env"
printf '/etc/opsdeck/opsdeck.ini\n/etc/opsdeck/worker.env\n' >"$S/DEBIAN/conffiles"

D=$S/usr/share/doc/opsdeck
install -m 0644 README.md "$D/README.md"
gzip -9n <CHANGELOG.md >"$D/CHANGELOG.md.gz"
install -m 0644 docs/*.md "$D/docs/"
cat >"$D/copyright" <<EOF
opsdeck: a terminal operations console for Harvest and HubSpot.

Copyright $(date -u -d "@${SOURCE_DATE_EPOCH:-$(date +%s)}" +%Y) the opsdeck authors ($MAINT)

No licence has been published with the sources yet; until one is, all rights are reserved
by the authors.
EOF
printf 'opsdeck (%s) unstable; urgency=medium\n\n  * Package of opsdeck %s; what changed is in\n    /usr/share/doc/opsdeck/CHANGELOG.md.gz.\n\n -- %s  %s\n' \
    "$VERSION" "$VERSION" "$MAINT" "$DATE" | gzip -9n >"$D/changelog.gz"

# --- maintainer scripts
cat >"$S/DEBIAN/postinst" <<'SH'
#!/bin/sh
# opsdeck postinst: the opsdeck system user and group; /etc/opsdeck readable by that group.
# Honours DPKG_ROOT (dpkg --root DIR --force-script-chrootless): then /etc/passwd and friends
# are those under DIR, edited with useradd/groupadd --prefix.
set -e
root=${DPKG_ROOT:-}
has() { # DB NAME: the entry exists in the target system
    if [ -n "$root" ]; then grep -q "^$2:" "$root/etc/$1"; else getent "$1" "$2" >/dev/null; fi
}
gid_of() { # NAME: the group's number in the target system
    if [ -n "$root" ]; then awk -F: -v n="$1" '$1 == n { print $3 }' "$root/etc/group"
    else getent group "$1" | cut -d: -f3; fi
}
if [ "$1" = configure ]; then
    if ! has group opsdeck; then
        groupadd --system ${root:+--prefix "$root"} opsdeck
    fi
    if ! has passwd opsdeck; then
        useradd --system --gid opsdeck --home-dir /var/lib/opsdeck --no-create-home \
            --shell /usr/sbin/nologin --comment "opsdeck sync worker" ${root:+--prefix "$root"} opsdeck
    fi
    gid=$(gid_of opsdeck)
    for f in /etc/opsdeck/opsdeck.ini /etc/opsdeck/worker.env; do
        if ! dpkg-statoverride ${root:+--root "$root"} --list "$f" >/dev/null 2>&1; then
            chgrp "$gid" "$root$f"
            chmod 0640 "$root$f"
        fi
    done
    if [ -z "$root" ] && [ -d /run/systemd/system ]; then
        systemctl --system daemon-reload >/dev/null || true
    fi
fi
exit 0
SH
cat >"$S/DEBIAN/postrm" <<'SH'
#!/bin/sh
# opsdeck postrm: systemd forgets the unit. The opsdeck user stays (files it owns may remain),
# as does any key file an administrator created in /etc/opsdeck.
set -e
if [ -z "${DPKG_ROOT:-}" ] && [ -d /run/systemd/system ]; then
    systemctl --system daemon-reload >/dev/null || true
fi
exit 0
SH
chmod 0755 "$S/DEBIAN/postinst" "$S/DEBIAN/postrm"

# --- control
DEPENDS=""
if command -v dpkg-shlibdeps >/dev/null 2>&1; then
    mkdir -p "$STAGE/src/debian"
    printf 'Source: opsdeck\n\nPackage: opsdeck\nArchitecture: any\n' >"$STAGE/src/debian/control"
    DEPENDS=$(cd "$STAGE/src" && dpkg-shlibdeps -O -e"$S/usr/bin/opsdeck" -e"$S/usr/bin/opsdeck-sim" 2>/dev/null |
        sed -n 's/^shlibs:Depends=//p')
fi
[ -n "$DEPENDS" ] || DEPENDS="libc6, libncursesw6, libpq5, libcurl4, libcjson1, libsodium23, libmicrohttpd12, libinih1"
SIZE=$(du -sk --exclude=DEBIAN "$S" | cut -f1)
cat >"$S/DEBIAN/control" <<EOF
Package: opsdeck
Version: $VERSION
Architecture: $ARCH
Maintainer: $MAINT
Installed-Size: $SIZE
Depends: $DEPENDS, passwd
Recommends: postgresql-client
Suggests: postgresql
Section: admin
Priority: optional
Description: terminal operations console for Harvest and HubSpot
 opsdeck pulls time tracking from Harvest and deals from HubSpot into
 PostgreSQL, works out what every client, project, month and person earns
 and costs, flags what is wrong, and shows it live in an ncurses console,
 also to people logged in over SSH.
 .
 This package holds the opsdeck and opsdeck-sim programs, their manual
 pages, bash and zsh completion, and the opsdeck-worker systemd service
 (installed, not enabled: set the database in /etc/opsdeck/opsdeck.ini first).
EOF
(cd "$S" && find . -path ./DEBIAN -prune -o -type f -printf '%P\n' | LC_ALL=C sort | xargs md5sum) \
    >"$S/DEBIAN/md5sums"
chmod 0644 "$S/DEBIAN/control" "$S/DEBIAN/conffiles" "$S/DEBIAN/md5sums"

mkdir -p "$OUT"
DEB="$OUT/opsdeck_${VERSION}_${ARCH}.deb"
dpkg-deb --root-owner-group -Zxz --build "$S" "$DEB" >/dev/null
echo "$DEB"
