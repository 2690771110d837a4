# testlib.sh — helpers for the simulator's shell tests (tests/integration/sim_*.sh).
# Source after tests/lib/common.sh and sim_start. Tokens go to curl through header files, never
# through argv.
SIM_UA="opsdeck-tests (dev@example.com)"

sim_headers() {
    printf 'Authorization: Bearer %s\nHarvest-Account-Id: %s\nUser-Agent: %s\n' \
        "${OPSDECK_SIM_HARVEST_TOKEN:-sim-harvest-token}" "${OPSDECK_HARVEST_ACCOUNT_ID:-1000001}" \
        "$SIM_UA" >"$T_TMP/h.harvest"
    printf 'Authorization: Bearer %s\n' "${OPSDECK_SIM_HUBSPOT_TOKEN:-sim-hubspot-token}" \
        >"$T_TMP/h.hubspot"
}

# hv PATH [curl args]: Harvest GET with the right headers; body on stdout.
hv() { p=$1; shift; curl -sS -H @"$T_TMP/h.harvest" "$@" "$SIM_URL$p"; }
# hv_url URL: same for an absolute URL (links.next).
hv_url() { curl -sS -H @"$T_TMP/h.harvest" "$1"; }
# hs PATH [curl args]: HubSpot GET with the private-app token.
hs() { p=$1; shift; curl -sS -H @"$T_TMP/h.hubspot" "$@" "$SIM_URL$p"; }
# hs_post PATH JSON [curl args]
hs_post() { p=$1; b=$2; shift 2; curl -sS -H @"$T_TMP/h.hubspot" -H 'Content-Type: application/json' -d "$b" "$@" "$SIM_URL$p"; }
# status CURL_ARGS...: HTTP status only.
status() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
# admin PATH [JSON]: /__sim endpoints (POST when JSON is given).
admin() {
    if [ $# -gt 1 ]; then curl -sS -H 'Content-Type: application/json' -d "$2" "$SIM_URL/__sim/$1"
    else curl -sS "$SIM_URL/__sim/$1"; fi
}
# jqe DESC FILTER JSON: ok when FILTER yields true for JSON.
jqe() {
    if printf '%s' "$3" | jq -e "$2" >/dev/null 2>&1; then t_ok "$1"
    else t_fail "$1" "jq $2 on: $(printf '%s' "$3" | head -c 600)"; fi
}
