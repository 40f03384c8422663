#!/usr/bin/env bash
# `make run-prod`: the production configuration on 127.0.0.1, as a city runs it (deploy/ has the
# systemd units that do the same): gunicorn (deploy/gunicorn.conf.py) with WhiteNoise serving the
# hashed and compressed static files, OPENCITY_TASK_WORKERS `db_worker` processes, the SLA sweep
# loop, the media pruning every hour and the area alerts' daily digest. The database is the project's own cluster unless
# DATABASE_URL is set. The secret key is a demo value printed below: never use it on a server.
set -euo pipefail
cd "$(dirname "$0")/.."

HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8000}"
TASK_WORKERS="${OPENCITY_TASK_WORKERS:-2}"
PRUNE_EVERY="${OPENCITY_PRUNE_SECONDS:-3600}"
DIGEST_EVERY="${OPENCITY_DIGEST_SECONDS:-86400}"

bash scripts/bootstrap.sh runtime
py=.venv/bin/python

if [[ -z "${DATABASE_URL:-}" ]]; then
  $py -m opencity.localdb start
  DATABASE_URL=$($py -m opencity.localdb url)
fi
# Demo values, clearly not secrets: a real server reads these from /etc/opencity/opencity.env.
export DATABASE_URL
export DJANGO_SETTINGS_MODULE=opencity.settings.production
export DJANGO_SECRET_KEY="${DJANGO_SECRET_KEY:-run-prod-demo-key-NOT-A-SECRET-do-not-use-on-a-server}"
export DJANGO_ALLOWED_HOSTS="${DJANGO_ALLOWED_HOSTS:-127.0.0.1,localhost}"
# Plain HTTP on loopback: cookies may not demand HTTPS here (behind nginx with TLS they do).
export DJANGO_SECURE_COOKIES="${DJANGO_SECURE_COOKIES:-0}"
# Plain HTTP on loopback: no redirect to HTTPS (behind nginx with TLS it is on).
export DJANGO_SECURE_SSL_REDIRECT="${DJANGO_SECURE_SSL_REDIRECT:-0}"
# Production settings refuse a console mail backend and a loopback address in links: e-mails go to
# files under var/mail here, and links name a public address the way a server's would.
export OPENCITY_SITE_URL="${OPENCITY_SITE_URL:-https://opencity.example}"
export OPENCITY_EMAIL_BACKEND="${OPENCITY_EMAIL_BACKEND:-django.core.mail.backends.filebased.EmailBackend}"
export OPENCITY_EMAIL_FILE_PATH="${OPENCITY_EMAIL_FILE_PATH:-$PWD/var/mail}"
export OPENCITY_BIND="$HOST:$PORT"
export OPENCITY_STATIC_ROOT="${OPENCITY_STATIC_ROOT:-$PWD/staticfiles}"

$py manage.py migrate --no-input
$py manage.py createcachetable
$py manage.py collectstatic --no-input -v 0
# The demo loader refuses production settings (it creates accounts with a known password): it runs
# with the local settings against the same database.
DJANGO_SETTINGS_MODULE=opencity.settings.local $py manage.py opencity_load_demo

mkdir -p var/log
pids=()
prune_loop=""
cleanup() {
  # The prune loop's `sleep` first: it ignores Ctrl-C (a background job of a script does) and would
  # otherwise outlive the script by up to an hour.
  [[ -n "$prune_loop" ]] && pkill -TERM -P "$prune_loop" 2>/dev/null || true
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

for i in $(seq 1 "$TASK_WORKERS"); do
  $py manage.py db_worker --no-reload --worker-id "run-prod-$i-$$" >> "var/log/worker-$i.log" 2>&1 &
  pids+=($!)
done
$py manage.py opencity_sla_sweep --loop >> var/log/sweep.log 2>&1 &
pids+=($!)
# The prune "timer" (deploy/systemd/opencity-prune.timer on a server).
( while sleep "$PRUNE_EVERY"; do $py manage.py opencity_prune_media; done ) >> var/log/prune.log 2>&1 &
prune_loop=$!
pids+=($!)
# The digest "timer" (deploy/systemd/opencity-digest.timer, 07:00 Kyiv time on a server): hands the
# daily area-alert digests to the workers, which send them (to var/mail here).
( while sleep "$DIGEST_EVERY"; do $py manage.py opencity_alert_digest --enqueue; done ) >> var/log/digest.log 2>&1 &
pids+=($!)

cat <<TXT

  Open City (production settings) on http://$HOST:$PORT/   health: /healthz  readiness: /readyz
  gunicorn: ${OPENCITY_WEB_WORKERS:-2} processes x ${OPENCITY_WEB_THREADS:-4} threads (deploy/gunicorn.conf.py)
  task workers: $TASK_WORKERS (var/log/worker-N.log), SLA sweep loop (var/log/sweep.log),
  media pruning every $PRUNE_EVERY s (var/log/prune.log), alert digests every $DIGEST_EVERY s
  (var/log/digest.log; or now: manage.py opencity_alert_digest); request log: JSON lines below.
  Environment (demo values, NOT secrets):
    DJANGO_SETTINGS_MODULE=$DJANGO_SETTINGS_MODULE
    DJANGO_SECRET_KEY=$DJANGO_SECRET_KEY
    DATABASE_URL=$DATABASE_URL
    DJANGO_ALLOWED_HOSTS=$DJANGO_ALLOWED_HOSTS  DJANGO_SECURE_COOKIES=$DJANGO_SECURE_COOKIES
  Demo password: ${OPENCITY_DEMO_PASSWORD:-opencity-demo}. Stop with Ctrl-C ('make stop' stops the database).

TXT
.venv/bin/gunicorn -c deploy/gunicorn.conf.py opencity.wsgi &
pids+=($!)
wait "${pids[-1]}"
