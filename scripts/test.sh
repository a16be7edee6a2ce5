#!/usr/bin/env bash
# The test command: lint, then the whole suite on SQLite (with the Spark tests) and, side by side
# with it, the tests that reach a database again on PostgreSQL (tests/conftest.py deselects the
# rest: they would give the same answer twice; it takes the slow pure tests marked second_pass
# instead, so the passes end together), then the browser tests on Debian's chromium.
# Run through `make test`, which installs the Python and npm dependencies first (PySpark
# included). Installs PostgreSQL, memcached, chromium, Java 17, Pango and poppler-utils from
# Debian when they are missing, and starts a PostgreSQL cluster and memcached on 127.0.0.1 when
# none is running.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
PG_URL="${CANDOUR_TEST_POSTGRES_URL:-postgres://candour:candour@127.0.0.1:5432/candour}"

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
apt_install() {
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}

# shellcheck source=scripts/pango.sh
. scripts/pango.sh

ensure_chromium() {
  [ -x /usr/bin/chromium ] || { echo "Installing Debian's chromium…"; apt_install chromium; }
}

ensure_pdf_tools() {
  # WeasyPrint (the board pack's PDF) needs Debian's Pango; the tests read PDFs back with poppler
  ensure_pango
  command -v pdftotext >/dev/null 2>&1 && command -v pdftoppm >/dev/null 2>&1 && return
  echo "Installing Debian's poppler-utils…"; apt_install poppler-utils
}

ensure_java() {
  # the Spark tests (tests/spark, marker "spark") start a local Spark session, which needs Java
  command -v java >/dev/null 2>&1 && return
  echo "Installing Debian's openjdk-17-jre-headless…"
  as_root mkdir -p /usr/share/man/man1  # slim images lack it, and the JRE's postinst needs it
  apt_install openjdk-17-jre-headless
}

ensure_postgres() {
  if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then return; fi
  if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
    echo "Installing Debian's postgresql…"; apt_install postgresql
  fi
  local version
  version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
  if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -q "^$version main$"; then
    as_root pg_createcluster "$version" main >/dev/null
  fi
  as_root pg_ctlcluster "$version" main start || true
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
  pg_isready -h 127.0.0.1 -p 5432
}

ensure_postgres_role() {
  as_root su postgres -c "psql -q -v ON_ERROR_STOP=1" <<'SQL'
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'candour') THEN
    CREATE ROLE candour LOGIN PASSWORD 'candour' CREATEDB;
  END IF;
END $$;
SQL
}

ensure_memcached() {
  # the shared, memory-only cache production uses for speak-up rate limits (one test needs it)
  if (exec 3<>/dev/tcp/127.0.0.1/11211) 2>/dev/null; then return; fi
  [ -x /usr/bin/memcached ] || { echo "Installing Debian's memcached…"; apt_install memcached; }
  if [ "$(id -u)" -eq 0 ]; then
    /usr/bin/memcached -d -u memcache -l 127.0.0.1 -p 11211 -m 64
  else
    /usr/bin/memcached -d -l 127.0.0.1 -p 11211 -m 64
  fi
  for _ in $(seq 1 20); do (exec 3<>/dev/tcp/127.0.0.1/11211) 2>/dev/null && return; sleep 0.5; done
  echo "memcached did not start on 127.0.0.1:11211" >&2; exit 1
}

ensure_chromium
ensure_pdf_tools
ensure_java
ensure_postgres
ensure_postgres_role
ensure_memcached
export CANDOUR_TEST_MEMCACHED="${CANDOUR_TEST_MEMCACHED:-127.0.0.1:11211}"

echo "== ruff"
"$BIN/ruff" check .
"$BIN/ruff" format --check .

# The two passes share nothing but memcached (each test its own key prefix), so they run side by
# side: the SQLite pass prints as it goes, the PostgreSQL pass's output follows when both are done.
PG_LOG="$(mktemp -t candour-postgresql-pass.XXXXXX)"
trap 'rm -f "$PG_LOG"' EXIT
echo "== tests on PostgreSQL: started, printed after the SQLite pass"
CANDOUR_DATABASE_URL="$PG_URL" "$BIN/pytest" -m "not browser and not spark" -p no:cacheprovider -q \
  >"$PG_LOG" 2>&1 &
PG_PID=$!

echo "== tests on SQLite (with coverage), and the Spark tests"
SQLITE_STATUS=0
CANDOUR_DATABASE_URL= CANDOUR_SECOND_PASS=postgresql "$BIN/pytest" -m "not browser" -p no:cacheprovider \
  --cov --cov-report=term:skip-covered --cov-report= || SQLITE_STATUS=$?

PG_STATUS=0
wait "$PG_PID" || PG_STATUS=$?
echo "== tests on PostgreSQL"
cat "$PG_LOG"
if [ "$SQLITE_STATUS" -ne 0 ] || [ "$PG_STATUS" -ne 0 ]; then
  echo "tests failed: SQLite pass exit $SQLITE_STATUS, PostgreSQL pass exit $PG_STATUS" >&2
  exit 1
fi

echo "== browser tests (Playwright on /usr/bin/chromium, axe-core)"
CANDOUR_DATABASE_URL= "$BIN/pytest" -m browser -p no:cacheprovider
