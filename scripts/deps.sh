#!/bin/sh
# deps.sh — install the Debian packages opsdeck needs to build, test and run, if missing.
# Idempotent and quiet when everything is there. Needs root (or sudo) only to install.
set -eu
PKGS="build-essential pkg-config clang clang-format llvm libclang-rt-14-dev libncurses-dev libpq-dev
libcurl4-openssl-dev libcjson-dev libsodium-dev libmicrohttpd-dev libinih-dev libcmocka-dev
postgresql postgresql-client curl jq tmux valgrind python3 procps util-linux gcovr htop
man-db groff-base zsh lintian"
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "deps: installing:$missing"
SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q >/dev/null
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing >/tmp/opsdeck-deps.log 2>&1 ||
    { tail -20 /tmp/opsdeck-deps.log >&2; exit 1; }
# The Debian postgresql package starts a system cluster; opsdeck uses its own private one.
