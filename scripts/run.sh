#!/usr/bin/env bash
# `make run`: set up what is missing, start the database (unless DATABASE_URL is set), migrate,
# load the Drohobych demo once, start the background worker, and serve on HOST:PORT.
set -euo pipefail
cd "$(dirname "$0")/.."

HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8000}"
export DJANGO_SETTINGS_MODULE="${DJANGO_SETTINGS_MODULE:-opencity.settings.local}"

bash scripts/bootstrap.sh runtime
py=.venv/bin/python

if [[ -z "${DATABASE_URL:-}" ]]; then
  $py -m opencity.localdb start
fi
$py manage.py migrate --no-input
$py manage.py createcachetable
$py manage.py opencity_load_demo

pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT INT TERM

# Background work (notifications, media processing, the SLA sweep) runs in Django's database
# task worker; the sweep re-enqueues itself (see issues/tasks.py).
mkdir -p var/log
$py manage.py db_worker > var/log/worker.log 2>&1 &
pids+=($!)
$py manage.py opencity_sla_sweep --loop > var/log/sweep.log 2>&1 &
pids+=($!)

case "${OPENCITY_REQUIRE_2FA:-0}" in
  1|true|yes|on) two_factor="on: administrators and dispatchers enrol an authenticator app at their first sign-in" ;;
  *) two_factor="off for this local demo (OPENCITY_REQUIRE_2FA=0; on in production settings)" ;;
esac

cat <<TXT

  Open City is running: http://$HOST:$PORT/
  Admin:                 http://$HOST:$PORT/admin/
  Worker log:            var/log/worker.log  (notifications print here: e-mail goes to the console)
  SLA sweep:             every ${OPENCITY_SLA_SWEEP_SECONDS:-300} s, log in var/log/sweep.log
  Demo password:         ${OPENCITY_DEMO_PASSWORD:-opencity-demo}  (accounts listed above)
  Two-factor sign-in:    $two_factor
  Stop with Ctrl-C; the database keeps running until 'make stop'.

TXT
$py manage.py runserver "$HOST:$PORT"
