#!/usr/bin/env bash
# Restore the Asiointi database from a backup (deploy/backup.sh or
# `asiointi backup FILE`). Run as root on a systemd host:
#
#   restore.sh /var/backups/asiointi/asiointi-2026-01-31-023000.db
#
# 1. copy the backup into the data directory and verify it with
#    `asiointi check` (before anything is stopped: a bad backup changes
#    nothing);
# 2. stop the service;
# 3. move the current asiointi.db aside as asiointi.db.before-restore-<date>
#    (kept: delete it yourself once you are satisfied);
# 4. put the backup in place as asiointi.db, owned by the service user;
# 5. start the service and wait until it answers on its admin socket.
# If a step after 2 fails, the previous database is put back and the service
# started again. Exits non-zero on any failure.
#
# Environment:
#   ASIOINTI_DATA     data directory                 (default /var/lib/asiointi)
#   ASIOINTI_BIN      the asiointi binary            (default: asiointi on PATH)
#   ASIOINTI_SERVICE  systemd unit                   (default asiointi.service);
#                     "none" to skip systemctl: then stop the server yourself
#                     first (this script refuses while admin.sock exists) and
#                     start it afterwards
#   ASIOINTI_USER     owner of the restored file when run as root: a name
#                     or a numeric uid            (default asiointi)
#
# For the container image: stop the container, then run this with
# ASIOINTI_SERVICE=none ASIOINTI_USER=65532 ASIOINTI_DATA=<the volume's
# directory on the host>, and start the container again.

set -euo pipefail

prog=${0##*/}
bin=${ASIOINTI_BIN:-asiointi}
data=${ASIOINTI_DATA:-/var/lib/asiointi}
service=${ASIOINTI_SERVICE:-asiointi.service}

log() { printf '%s: %s\n' "$prog" "$*"; }
# shellcheck disable=SC2317 # used by finish, the EXIT trap
warn() { printf '%s: warning: %s\n' "$prog" "$*" >&2; }
die() { printf '%s: error: %s\n' "$prog" "$*" >&2; exit 1; }

# See backup.sh: check needs only the data directory.
asiointi_in() {
	local d=$1
	shift
	env -i PATH="$PATH" ASIOINTI_DATA="$d" "$bin" "$@"
}

[[ $# -eq 1 ]] || die "usage: $prog BACKUP_FILE"
backup=$1
[[ -f $backup && -s $backup ]] || die "$backup is not a non-empty file"
command -v -- "$bin" >/dev/null || die "the asiointi binary '$bin' was not found; set ASIOINTI_BIN"
[[ -d $data ]] || die "data directory $data does not exist; set ASIOINTI_DATA"

if [[ $service != none ]]; then
	[[ $EUID -eq 0 ]] || die "run as root (systemctl, file ownership), or set ASIOINTI_SERVICE=none"
	command -v systemctl >/dev/null || die "systemctl not found; set ASIOINTI_SERVICE=none and stop the server yourself"
elif [[ -e $data/admin.sock ]]; then
	die "$data/admin.sock exists: stop the server first (after a crash, remove the stale socket)"
fi
owner=()
if [[ $EUID -eq 0 ]]; then
	user=${ASIOINTI_USER:-asiointi}
	if [[ $user =~ ^[0-9]+$ ]]; then
		owner=(-o "$user" -g "$user") # a numeric uid, e.g. 65532 for the container image
	else
		group=$(id -gn -- "$user" 2>/dev/null) || die "user $user does not exist; set ASIOINTI_USER"
		owner=(-o "$user" -g "$group")
	fi
fi

umask 077
stamp=$(date +%Y-%m-%d-%H%M%S)
db=$data/asiointi.db
staged=$data/asiointi.db.restoring
aside=$data/asiointi.db.before-restore-$stamp
verify=
stopped=0 # the service has been stopped by us
moved=0   # the previous database is at $aside
placed=0  # the backup is at $db

# shellcheck disable=SC2317 # called by the EXIT trap
finish() {
	local rc=$?
	if [[ -n $verify ]]; then rm -rf -- "$verify"; fi
	rm -f -- "$staged"
	if [[ $rc -eq 0 ]]; then return; fi
	if [[ $stopped -eq 1 ]]; then
		warn "restore failed; putting the previous database back"
		if [[ $service != none ]]; then systemctl stop -- "$service" || true; fi
		if [[ $placed -eq 1 ]]; then
			mv -f -- "$db" "$data/asiointi.db.failed-restore-$stamp" &&
				warn "the restored copy is kept as $data/asiointi.db.failed-restore-$stamp"
		fi
		if [[ $moved -eq 1 ]]; then
			if mv -- "$aside" "$db"; then
				warn "previous database is back in $db"
			else
				warn "could not move $aside back to $db: do it by hand"
			fi
		fi
		if [[ $service != none ]]; then
			systemctl start -- "$service" || warn "could not start $service again"
		fi
	fi
	printf '%s: error: restore failed (exit %d)\n' "$prog" "$rc" >&2
}
trap finish EXIT

# 1. Stage the copy next to the database (same file system, so that putting
# it in place is a rename) and verify exactly that copy.
log "verifying $backup"
install -m 0600 "${owner[@]}" -- "$backup" "$staged"
sync -- "$staged"
verify=$(mktemp -d "$data/.restore-verify.XXXXXX")
ln -- "$staged" "$verify/asiointi.db"
if ! out=$(asiointi_in "$verify" check 2>&1); then
	head -n 20 <<<"$out" >&2
	die "$backup does not pass asiointi check; nothing was changed"
fi
rm -rf -- "$verify"
verify=

# 2. Stop.
if [[ $service != none ]]; then
	log "stopping $service"
	stopped=1
	systemctl stop -- "$service"
	rm -f -- "$data/admin.sock" # stale if the server had to be killed
else
	stopped=1
fi

# 3. Move the current database aside.
if [[ -e $db ]]; then
	mv -- "$db" "$aside"
	moved=1
	log "previous database moved to $aside"
else
	log "there was no database in $data"
fi

# 4. Put the backup in place and check it there (the server is stopped, so
# check opens the file itself).
mv -- "$staged" "$db"
placed=1
sync -- "$data"
if ! out=$(asiointi_in "$data" check 2>&1); then
	head -n 20 <<<"$out" >&2
	die "the restored database does not pass asiointi check"
fi

# 5. Start, and wait until the server answers on its admin socket.
if [[ $service == none ]]; then
	log "restored $backup into $db; start the server now"
	if [[ $moved -eq 1 ]]; then log "the previous database stays in $aside until you delete it"; fi
	stopped=0
	exit 0
fi
log "starting $service"
systemctl start -- "$service"
for _ in $(seq 1 30); do
	if [[ -S $data/admin.sock ]] && asiointi_in "$data" check >/dev/null 2>&1; then
		systemctl is-active --quiet -- "$service" || break
		stopped=0
		log "restored $backup; $service is running"
		if [[ $moved -eq 1 ]]; then log "the previous database stays in $aside until you delete it"; fi
		exit 0
	fi
	systemctl is-active --quiet -- "$service" || break
	sleep 1
done
systemctl status --no-pager -- "$service" >&2 || true
die "$service did not come up with the restored database"
