#!/usr/bin/env bash
# Nightly backup of the Asiointi database (run by asiointi-backup.timer).
#
#   backup.sh [BACKUP_DIR]
#
# 1. `asiointi backup` writes a consistent copy to BACKUP_DIR/asiointi-<date>.db
#    (through the running server's admin socket, or from the file when the
#    server is stopped);
# 2. the copy is verified: `asiointi check` runs on a temporary data
#    directory that holds it as asiointi.db; a copy that fails is renamed
#    *.db.failed and the script exits non-zero;
# 3. backups (and failed copies) older than KEEP_DAYS days are deleted, only
#    after a good backup has been made.
#
# Run it as the user the server runs as (asiointi): the admin socket is 0600.
# Environment:
#   ASIOINTI_DATA  data directory of the server     (default /var/lib/asiointi)
#   ASIOINTI_BIN   the asiointi binary              (default: asiointi on PATH)
#   BACKUP_DIR     where backups go, unless given as the argument
#                                                   (default /var/backups/asiointi)
#   KEEP_DAYS      days to keep backups             (default 14)
# Copy the backups off this machine as well (rsync, restic, borg, ...).

set -euo pipefail

prog=${0##*/}
bin=${ASIOINTI_BIN:-asiointi}
data=${ASIOINTI_DATA:-/var/lib/asiointi}
dir=${1:-${BACKUP_DIR:-/var/backups/asiointi}}
keep=${KEEP_DAYS:-14}

log() { printf '%s: %s\n' "$prog" "$*"; }
die() { printf '%s: error: %s\n' "$prog" "$*" >&2; exit 1; }

# asiointi validates its whole configuration before any subcommand, and
# backup and check need only the data directory: run them with nothing else
# so that a serving setting (for example production mode) cannot stop them.
asiointi_in() {
	local d=$1
	shift
	env -i PATH="$PATH" ASIOINTI_DATA="$d" "$bin" "$@"
}

[[ $keep =~ ^[1-9][0-9]*$ ]] || die "KEEP_DAYS must be a whole number of days, 1 or more (got '$keep')"
command -v -- "$bin" >/dev/null || die "the asiointi binary '$bin' was not found; set ASIOINTI_BIN"
[[ -d $data ]] || die "data directory $data does not exist; set ASIOINTI_DATA"
[[ -f $data/asiointi.db ]] || die "no database in $data (expected $data/asiointi.db)"

umask 077
mkdir -p -- "$dir"

file=$dir/asiointi-$(date +%Y-%m-%d-%H%M%S).db
[[ ! -e $file ]] || die "$file already exists"
verify=
cleanup() {
	if [[ -n $verify ]]; then rm -rf -- "$verify"; fi
	rm -f -- "$file.tmp"
}
trap cleanup EXIT

log "backing up $data to $file"
asiointi_in "$data" backup "$file" || die "asiointi backup failed"
[[ -s $file ]] || die "backup $file is missing or empty"

# Verify the copy as a database of its own. A hard link in a temporary
# directory next to it costs no space; check opens it read-only.
verify=$(mktemp -d "$dir/.verify.XXXXXX")
ln -- "$file" "$verify/asiointi.db" 2>/dev/null || cp -- "$file" "$verify/asiointi.db"
if ! out=$(asiointi_in "$verify" check 2>&1); then
	head -n 20 <<<"$out" >&2
	mv -f -- "$file" "$file.failed"
	die "the backup did not pass asiointi check; kept for inspection as $file.failed"
fi
rm -rf -- "$verify"
verify=
size=$(wc -c <"$file")
log "verified $file ($size bytes)"

# Retention: only now that a good backup exists. -mmin counts whole minutes.
find "$dir" -maxdepth 1 -type f \
	\( -name 'asiointi-*.db' -o -name 'asiointi-*.db.failed' -o -name 'asiointi-*.db.tmp' \) \
	-mmin +$((keep * 24 * 60)) -print -delete |
	while IFS= read -r old; do log "deleted $old (older than $keep days)"; done
find "$dir" -maxdepth 1 -type d -name '.verify.*' -mmin +60 -exec rm -rf -- {} +

count=$(find "$dir" -maxdepth 1 -type f -name 'asiointi-*.db' | wc -l)
log "done; $count backup(s) in $dir"
