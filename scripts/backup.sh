#!/usr/bin/env bash
# `make backup`: a consistent dump of the database (pg_dump, custom format: one snapshot, restorable
# table by table) and the media files, into var/backups/<UTC timestamp>/ (or OPENCITY_BACKUP_DIR).
# The database is DATABASE_URL, else the project's own cluster; media are OPENCITY_MEDIA_ROOT (./media).
# With media in an S3 bucket the files are not copied: the script prints the sync to run instead.
# `make restore FROM=<that folder>` restores it (scripts/restore.sh).
set -euo pipefail
# A backup holds reporters' names, e-mail addresses and photos: readable by its owner only.
umask 077
cd "$(dirname "$0")/.."
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

url="${DATABASE_URL:-}"
if [[ -z "$url" ]]; then
  url=$(.venv/bin/python -m opencity.localdb url)
fi
# libpq reads postgresql:// URIs (the percent-encoded socket directory included); Django's is postgis://.
pg_url="postgresql://${url#*://}"
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
media="${OPENCITY_MEDIA_ROOT:-$PWD/media}"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
target="${OPENCITY_BACKUP_DIR:-var/backups}/$stamp"
mkdir -p "$target"

"$bin/pg_dump" --format=custom --compress=6 --no-owner --file="$target/database.dump" "$pg_url" \
  || die "pg_dump failed"
if [[ -n "${OPENCITY_S3_BUCKET:-}" ]]; then
  echo "Media are in the bucket $OPENCITY_S3_BUCKET: copy them with your S3 tool, e.g." > "$target/MEDIA-IN-S3.txt"
  echo "  aws s3 sync s3://$OPENCITY_S3_BUCKET/uploads/ <backup bucket>/$stamp/uploads/ ${OPENCITY_S3_ENDPOINT_URL:+--endpoint-url $OPENCITY_S3_ENDPOINT_URL}" >> "$target/MEDIA-IN-S3.txt"
  echo "(or keep versioning on the bucket: object names are never reused)." >> "$target/MEDIA-IN-S3.txt"
  cat "$target/MEDIA-IN-S3.txt"
elif [[ -d "$media" ]]; then
  # After the dump: a file uploaded meanwhile is extra (pruned later), none the dump names is missing
  # unless it was deleted in these seconds.
  tar -C "$media" -cf "$target/media.tar" .
else
  tar -cf "$target/media.tar" --files-from /dev/null
fi
(cd "$target" && sha256sum -- * > SHA256SUMS)
echo "Backup written to $target"
du -sh "$target"/* | sed 's/^/  /'
