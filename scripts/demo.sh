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
"$BIN/candour" demo-users
echo "Serving Candour on http://127.0.0.1:8000 (Ctrl+C to stop)"
exec "$BIN/python" manage.py runserver 127.0.0.1:8000 --noreload
