#!/bin/sh
# net_config.sh — credentials only over TLS (issue #12 item 8), as an operator meets it:
# `opsdeck config --check` refuses every API/OAuth URL key given as plain http to a
# non-loopback host, or with another scheme, exit 2 naming the key; plain http to 127.0.0.0/8,
# [::1] or localhost is accepted (the simulator); the same through the config file; a
# user:password@ URL is refused without echoing the password; the [http] limits are bounded;
# TLS verification is never switched off in the source; docs/configuration.md is the table
# `opsdeck config --keys` prints.
. tests/lib/common.sh

check() { "$OD_BIN" config --check >"$T_TMP/out" 2>&1; echo $?; }

for var in HARVEST_BASE_URL HARVEST_ID_URL HUBSPOT_BASE_URL HUBSPOT_AUTH_URL HUBSPOT_REDIRECT_URI; do
    key=$(printf '%s' "$var" | tr 'A-Z' 'a-z' | sed 's/_/./')
    rc=$(env "OPSDECK_$var=http://api.harvestapp.com" sh -c "\"$OD_BIN\" config --check" >"$T_TMP/out" 2>&1; echo $?)
    t_eq "$key = http://api.harvestapp.com: config --check exits 2" 2 "$rc"
    grep -q "for $key .*use https://" "$T_TMP/out" && t_ok "... the message names $key and says https" ||
        t_fail "... the message names $key" "$(cat "$T_TMP/out")"
    rc=$(env "OPSDECK_$var=ftp://127.0.0.1/x" sh -c "\"$OD_BIN\" config --check" >/dev/null 2>&1; echo $?)
    t_eq "$key = ftp://127.0.0.1/x: refused (exit 2)" 2 "$rc"
done
for url in http://127.0.0.1:8089 http://127.0.0.1:8089/ "http://[::1]:8089" http://localhost:8089 https://api.harvestapp.com; do
    rc=$(OPSDECK_HARVEST_BASE_URL=$url "$OD_BIN" config --check >"$T_TMP/out" 2>&1; echo $?)
    t_eq "harvest.base_url = $url is accepted" 0 "$rc"
done
for url in http://10.0.0.5:8089 http://127.0.0.1.nip.io/ http://localhost.example.com/ file:///etc/passwd; do
    rc=$(OPSDECK_HARVEST_BASE_URL=$url "$OD_BIN" config --check >/dev/null 2>&1; echo $?)
    t_eq "harvest.base_url = $url is refused" 2 "$rc"
done

mkdir -p "$T_TMP/config/opsdeck"
printf '[harvest]\nbase_url = http://api.harvestapp.com\n' >"$T_TMP/cfg.ini"
rc=$("$OD_BIN" --config "$T_TMP/cfg.ini" config --check >"$T_TMP/out" 2>&1; echo $?)
t_eq "in the config file too: exit 2" 2 "$rc"
grep -q "cfg.ini:2: invalid value 'http://api.harvestapp.com' for harvest.base_url" "$T_TMP/out" &&
    t_ok "... naming file, line and key" || t_fail "... naming file, line and key" "$(cat "$T_TMP/out")"
printf '[hubspot]\nbase_url = https://me:hunter2@api.hubapi.com\n' >"$T_TMP/cfg2.ini"
rc=$("$OD_BIN" --config "$T_TMP/cfg2.ini" config --check >"$T_TMP/out" 2>&1; echo $?)
t_eq "user:password@ in a URL: exit 2" 2 "$rc"
grep -q hunter2 "$T_TMP/out" && t_fail "... the password is not echoed" "$(cat "$T_TMP/out")" || t_ok "... the password is not echoed"

rc=$(OPSDECK_HTTP_MAX_BODY_BYTES=1024 "$OD_BIN" config --check >/dev/null 2>&1; echo $?)
t_eq "http.max_body_bytes below 1 MiB is refused" 2 "$rc"
rc=$(OPSDECK_HTTP_MAX_BODY_BYTES=1073741824 "$OD_BIN" config --check >/dev/null 2>&1; echo $?)
t_eq "http.max_body_bytes above 256 MiB is refused" 2 "$rc"
rc=$(OPSDECK_HTTP_RETRY_AFTER_CAP_S=86400 "$OD_BIN" config --check >/dev/null 2>&1; echo $?)
t_eq "http.retry_after_cap_s above an hour is refused" 2 "$rc"
t_eq "defaults: 60 s cap, 8 MiB bodies, /healthz snapshot 15 s" "retry_after_cap_s = 60|max_body_bytes = 8388608|healthz_refresh_s = 15" \
    "$("$OD_BIN" config --show | grep -E '^(retry_after_cap_s|max_body_bytes|healthz_refresh_s) =' | paste -sd'|')"

# No code turns libcurl's certificate or host verification off.
t_eq "no CURLOPT_SSL_VERIFYPEER/VERIFYHOST/PROXY_SSL_VERIFY* or CURLOPT_CAINFO override in core/ or cmd/" "" \
    "$(grep -rnE 'SSL_VERIFY(PEER|HOST)|PROXY_SSL_VERIFY|CURLOPT_CAINFO|CURLOPT_CAPATH|SSL_OPTIONS' core cmd screens tui)"

sed -n '/^| section/,/^$/p' docs/configuration.md | sed '/^$/d' >"$T_TMP/doc.md"
"$OD_BIN" config --keys >"$T_TMP/keys.md"
t_check "docs/configuration.md lists exactly what \`opsdeck config --keys\` prints" diff "$T_TMP/keys.md" "$T_TMP/doc.md"
t_done
