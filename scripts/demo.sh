#!/usr/bin/env bash
# The demo: a fresh SQLite database with the bundled real NHS data, one account per role, and
# the web server on http://127.0.0.1:8000. Run through `make demo`, which installs first.
set -euo pipefail
cd "$(dirname "$0")/.."
export DJANGO_SETTINGS_MODULE=candour.web.config.settings.dev
BIN=.venv/bin
. scripts/pango.sh
ensure_pango  # WeasyPrint renders the board pack with Debian's Pango
mkdir -p var
"$BIN/python" manage.py migrate --no-input -v 0
"$BIN/candour" import all
"$BIN/candour" targets import
# No public board ledger exists: a SYNTHETIC one (labelled so wherever it is shown), then pools.
"$BIN/candour" leadership synthetic-ledger var/synthetic_board_ledger.csv
"$BIN/candour" import board_ledger var/synthetic_board_ledger.csv
"$BIN/candour" leadership demo-talent
# No public monthly deaths by diagnosis group: SYNTHETIC observed and expected deaths (SHMI layout,
# labelled synthetic wherever shown) for the acute trusts of R0B's region, to June 2025 like the
# bundled data, with excess deaths planted at R0B (pneumonia) and RTD (stroke).
"$BIN/candour" mortality synthetic var/synthetic_shmi_monthly.csv --region Y63 --last-month 2025-06 --plant R0B=Pneumonia RTD=Stroke
"$BIN/candour" import shmi_monthly var/synthetic_shmi_monthly.csv
# The data-request registry: the real national collections, then SYNTHETIC requests (labelled).
"$BIN/candour" requests load
"$BIN/candour" requests load --demo
"$BIN/candour" demo-users
# SYNTHETIC appraisals, 360s, fit-and-proper records and a new deal for the demo accounts.
"$BIN/candour" leadership demo-people
# The monitoring job (daily, and after each import): each signal becomes an alert owned at the trust.
"$BIN/candour" mortality run
# Every chart the pages link to, drawn once for this data (as the daily job does): no page waits.
"$BIN/candour" charts render --jobs 2
echo "Serving Candour on http://127.0.0.1:8000 (Ctrl+C to stop)"
exec "$BIN/python" manage.py runserver 127.0.0.1:8000 --noreload
