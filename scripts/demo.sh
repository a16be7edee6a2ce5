#!/usr/bin/env bash
# The demo: a fresh SQLite database with the bundled real NHS data, one account per role, and
# the web server on http://127.0.0.1:8000. Run through `make demo`, which installs first.
set -euo pipefail
cd "$(dirname "$0")/.."
export DJANGO_SETTINGS_MODULE=candour.web.config.settings.dev
BIN=.venv/bin
mkdir -p var
"$BIN/python" manage.py migrate --no-input -v 0
"$BIN/candour" import all
"$BIN/candour" targets import
# No public board ledger exists: a SYNTHETIC one (labelled so wherever it is shown), then pools.
"$BIN/candour" leadership synthetic-ledger var/synthetic_board_ledger.csv
"$BIN/candour" import board_ledger var/synthetic_board_ledger.csv
"$BIN/candour" leadership demo-talent
# The data-request registry: the real national collections, then SYNTHETIC requests (labelled).
"$BIN/candour" requests load
"$BIN/candour" requests load --demo
"$BIN/candour" demo-users
echo "Serving Candour on http://127.0.0.1:8000 (Ctrl+C to stop)"
exec "$BIN/python" manage.py runserver 127.0.0.1:8000 --noreload
