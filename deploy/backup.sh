#!/bin/sh
# A deployment's backup: the database (pg_dump, custom format: in
# compose, from the PostgreSQL image, so of the server's own major) and the
# photos (MEDIA_DIR), into BACKUP_DIR, every day at BACKUP_AT (UTC); the
# last BACKUP_KEEP_DAYS days are kept. `once` backs up now and exits (what
# the systemd timer runs). The connection comes from libpq's PG*
# variables. Restoring: see docs/operations.md, Backups.
set -eu
keep=${BACKUP_KEEP_DAYS:-14}
at=${BACKUP_AT:-03:00}
out=${BACKUP_DIR:-/backups}
media=${MEDIA_DIR:-/media}

backup_once() {
  stamp=$(date -u +%Y-%m-%dT%H%M%SZ)
  # Written under a temporary name: a file named .dump is always whole.
  pg_dump --format=custom --no-owner --file "$out/cortege-$stamp.dump.part"
  mv "$out/cortege-$stamp.dump.part" "$out/cortege-$stamp.dump"
  tar -C "$media" -czf "$out/media-$stamp.tar.gz.part" .
  mv "$out/media-$stamp.tar.gz.part" "$out/media-$stamp.tar.gz"
  find "$out" -maxdepth 1 \( -name 'cortege-*.dump' -o -name 'media-*.tar.gz' \) -mtime +"$keep" -delete
  echo "backup $stamp written"
}

if [ "${1:-}" = once ]; then
  backup_once
  exit
fi
while :; do
  now=$(date -u +%s)
  next=$(date -u -d "$at" +%s)
  [ "$next" -gt "$now" ] || next=$((next + 86400))
  sleep $((next - now))
  backup_once || echo "backup failed: see the lines above" >&2
done
