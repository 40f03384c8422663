#!/usr/bin/env bash
# `make restore FROM=var/backups/<timestamp>`: restore a `make backup` folder into a fresh database
# and media directory. The target database is DATABASE_URL (else the project's own cluster); it is
# created when missing and must hold no tables of ours — restoring never overwrites live data.
# Media are unpacked into OPENCITY_MEDIA_ROOT (./media), which must be empty or absent.
set -euo pipefail
cd "$(dirname "$0")/.."
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

from="${1:-${FROM:-}}"
[[ -n "$from" && -f "$from/database.dump" ]] || die "usage: make restore FROM=var/backups/<timestamp> (a folder with database.dump)"
(cd "$from" && sha256sum --quiet --check SHA256SUMS) || die "the backup's checksums do not match: it is damaged"

url="${DATABASE_URL:-}"
if [[ -z "$url" ]]; then
  .venv/bin/python -m opencity.localdb start >/dev/null
  url=$(.venv/bin/python -m opencity.localdb url)
fi
pg_url="postgresql://${url#*://}"
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
media="${OPENCITY_MEDIA_ROOT:-$PWD/media}"

# Create the database through the server's maintenance database when it does not exist yet.
base="${pg_url%%\?*}"
query=""; [[ "$pg_url" == *\?* ]] && query="?${pg_url#*\?}"
dbname="${base##*/}"
maintenance="${base%/*}/postgres$query"
[[ "$dbname" =~ ^[A-Za-z0-9_]+$ ]] || die "unusual database name: $dbname"
if [[ "$("$bin/psql" -tAc "SELECT 1 FROM pg_database WHERE datname = '$dbname'" "$maintenance")" != "1" ]]; then
  "$bin/psql" -q -c "CREATE DATABASE \"$dbname\"" "$maintenance" || die "could not create database $dbname"
fi
tables=$("$bin/psql" -tAc "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'spatial_ref_sys'" "$pg_url")
[[ "$tables" == "0" ]] || die "database $dbname already has $tables tables: restore into a fresh database"
if [[ -d "$media" ]] && [[ -n "$(ls -A "$media")" ]]; then
  die "the media directory $media is not empty: restore into a fresh one (OPENCITY_MEDIA_ROOT)"
fi

# Everything but what belongs to the PostGIS extension (its comment, and spatial_ref_sys, which
# `CREATE EXTENSION postgis` fills): only its owner, a superuser, may write those, and the
# application's role restoring into a database prepared by `postgres` (docs/deploy.md) is not one.
toc=$(mktemp)
trap 'rm -f "$toc"' EXIT
"$bin/pg_restore" --list "$from/database.dump" | grep -v -e ' COMMENT - EXTENSION ' -e ' TABLE DATA public spatial_ref_sys ' > "$toc"
"$bin/pg_restore" --no-owner --exit-on-error --single-transaction --use-list="$toc" --dbname="$pg_url" \
  "$from/database.dump" || die "pg_restore failed"
if [[ -f "$from/media.tar" ]]; then
  mkdir -p "$media"
  tar -C "$media" -xf "$from/media.tar"
fi
echo "Restored $from into database $dbname and $media"
