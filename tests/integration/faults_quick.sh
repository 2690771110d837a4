#!/bin/sh
# faults_quick — the short fault suite inside `make test` (issue #8; the full one is
# `make faults`, tests/faults/run.sh): small worlds, three cases from tests/faults/lib.sh:
#   1. kill -9 of `opsdeck sync --wait` mid-page, then a worker rescues the job and resumes it
#      from its checkpoint: totals equal /__sim/truth, no duplicate rows;
#   2. a 5xx burst, then steady 5xx + truncated + malformed bodies + a 429 storm during
#      `sync all --wait`: it completes and the numbers equal the truth;
#   3. entries deleted upstream after a full sync, then a reconcile job: soft-deleted and
#      left out of the totals.
# Each ends with the database equal to /__sim/truth per client over the raw rows and through
# `opsdeck report profitability --by client --format json`, and no crash / sanitizer report.
# Timings are never asserted.
. tests/lib/common.sh
F_SCALE=${F_SCALE:-1200} F_PER_PAGE=${F_PER_PAGE:-50} F_STORM=${F_STORM:-8}
. tests/faults/lib.sh

fcase_kill9 sync
fcase_weather
fcase_deleted_upstream
t_done
