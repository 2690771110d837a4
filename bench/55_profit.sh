#!/bin/sh
# Profitability report from rollups vs raw rows at 10M entries (issue #6). --quick: 200k.
exec sh bench/profit_report.sh "$@"
