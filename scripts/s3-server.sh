#!/usr/bin/env bash
# scripts/s3-server.sh — a real S3-compatible server (Ceph radosgw) on 127.0.0.1 for tests.
#
# Single-node Ceph: 1 mon + 1 memstore OSD (all data in RAM, no disks) + radosgw (beast),
# no mgr, cephx disabled (S3 requests are still SigV4-authenticated by rgw).
#
# Usage:
#   bash scripts/s3-server.sh start
#       apt-installs ceph-mon ceph-osd radosgw ceph-common curl if missing (apt-get update
#       only then), starts the daemons, creates the S3 user (uid logqs-test) and what STS
#       needs (see ensure_user), and prints `s3 up on http://127.0.0.1:PORT` as its last line.
#       Idempotent: if rgw already answers on the port it says so and exits 0.
#       Exits non-zero with the tail of the logs if rgw is not up within LOGQS_S3_TIMEOUT s.
#   bash scripts/s3-server.sh stop
#       Kills the daemons recorded in the pid files under the data dir (TERM, then KILL)
#       and removes the data dir.
#   bash scripts/s3-server.sh status
#       Exit 0 if rgw answers on the port.
#
# Environment:
#   LOGQS_S3_PORT        rgw port (default 7480)
#   LOGQS_S3_MON_PORT    ceph-mon port (default 6789)
#   LOGQS_S3_DIR         data/log/pid dir (default /tmp/logqs-rgw; removed by stop)
#   LOGQS_S3_ACCESS_KEY  default TESTACCESSKEY
#   LOGQS_S3_SECRET_KEY  default TESTSECRETKEY123
#   LOGQS_S3_TIMEOUT     seconds to wait for the whole start (default 90)
#   LOGQS_S3_ROLE        role created for STS AssumeRole (default logqs; empty: none)
#
# Clients: endpoint http://127.0.0.1:PORT, region us-east-1, forcePathStyle: true.
set -euo pipefail

PORT="${LOGQS_S3_PORT:-7480}"
MON_PORT="${LOGQS_S3_MON_PORT:-6789}"
D="${LOGQS_S3_DIR:-/tmp/logqs-rgw}"
AK="${LOGQS_S3_ACCESS_KEY:-TESTACCESSKEY}"
SK="${LOGQS_S3_SECRET_KEY:-TESTSECRETKEY123}"
TIMEOUT="${LOGQS_S3_TIMEOUT:-90}"
S3_UID="logqs-test"
ROLE="${LOGQS_S3_ROLE-logqs}"
URL="http://127.0.0.1:$PORT"
# Ceph's memstore keeps objects in the OSD's heap; this is only the capacity it reports. At 2 GiB the
# transfer tests and the 1 GiB benchmark filled it, and a full OSD blocks every request, deletes too.
MEMSTORE_BYTES=$((12 * 1024 * 1024 * 1024))
PACKAGES=(ceph-mon ceph-osd radosgw ceph-common curl)

log() { echo "[s3-server.sh] $*" >&2; }

dump_logs() {
  local f
  for f in "$D"/log/*.log; do
    [ -f "$f" ] || continue
    echo "----- tail -n 40 $f -----" >&2
    tail -n 40 "$f" >&2 || true
  done
}

# On a failed start the daemons are killed but the data dir (logs) is kept; the next
# start or stop removes it.
STARTING=0
die() {
  log "error: $*"
  dump_logs
  if [ "$STARTING" = 1 ]; then kill_daemons; log "killed the daemons; logs kept in $D/log"; fi
  exit 1
}

# rgw answers an anonymous GET / with an (empty) ListAllMyBucketsResult.
rgw_answers() {
  curl -s --max-time 3 "$URL/" 2>/dev/null | grep -q "ListAllMyBucketsResult"
}

port_in_use() {
  curl -s -o /dev/null --max-time 3 "$URL/" 2>/dev/null
}

# Signed (SigV4) request with the test credentials: 200 only if the user exists and the key works.
# (curl 7.88 does not add x-amz-content-sha256 itself; rgw answers AccessDenied without it.)
creds_work() {
  [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 \
        -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" --aws-sigv4 "aws:amz:us-east-1:s3" --user "$AK:$SK" "$URL/" 2>/dev/null)" = "200" ]
}

# Kill the daemons named in $D/run/*.pid (only if the pid still is a ceph daemon).
kill_daemons() {
  local pf pid pids=()
  for pf in "$D"/run/*.pid; do
    [ -f "$pf" ] || continue
    pid="$(cat "$pf" 2>/dev/null || true)"
    [[ "$pid" =~ ^[0-9]+$ ]] || continue
    if [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' < "/proc/$pid/cmdline" | grep -qE '(ceph-mon|ceph-osd|radosgw)'; then
      kill -TERM "$pid" 2>/dev/null && pids+=("$pid")
    fi
  done
  [ ${#pids[@]} -eq 0 ] && return 0
  local i
  for i in $(seq 1 50); do
    local alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ $alive -eq 0 ] && return 0
    sleep 0.2
  done
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  sleep 0.5
}

cmd_stop() {
  if [ -d "$D" ]; then
    kill_daemons
    rm -rf "$D"
    log "stopped; removed $D"
  else
    log "nothing to stop ($D does not exist)"
  fi
}

write_conf() {
  local fsid="$1"
  cat > "$D/ceph.conf" <<CONF
[global]
fsid = $fsid
mon host = v1:127.0.0.1:$MON_PORT
mon initial members = a
auth cluster required = none
auth service required = none
auth client required = none
public addr = 127.0.0.1
ms bind ipv4 = true
ms bind ipv6 = false
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
mon max pg per osd = 1000
mon allow pool size one = true
mon allow pool delete = true
mon warn on pool no redundancy = false
# The mon shuts itself down when its data disk has < 5% free; /tmp may well be that full.
mon data avail crit = 1
mon data avail warn = 2
# Each osdmap change (osd create, every rgw pool create) otherwise waits ~1 s for paxos.
paxos propose interval = 0.1
osd crush chooseleaf type = 0
# The script puts the OSD into the crush map itself. Left on, these make the OSD send mon
# commands during init, which sometimes go out with a zero fsid ("wrong fsid") and the
# OSD exits.
osd crush update on start = false
osd class update on start = false
osd objectstore = memstore
memstore device bytes = $MEMSTORE_BYTES
run dir = $D/run
log file = $D/log/\$name.log
admin socket = $D/run/\$name.asok
pid file = $D/run/\$name.pid
mon data = $D/mon/\$name
osd data = $D/osd/\$name
keyring = $D/keyring
[client.rgw]
rgw frontends = beast endpoint=127.0.0.1:$PORT
rgw data = $D/rgw
rgw thread pool size = 64
rgw dns name = localhost
rgw sts key = logqsstskey12345
rgw s3 auth use sts = true
# AWS's shortest session is 900 s; the tests ask for a few seconds to see credentials expire.
rgw sts min session duration = 1
# Deleted objects' data is freed by rgw's garbage collector, 2 hours later by default: in a memory store
# that is memory the next tests and benchmarks need now.
rgw gc obj min wait = 5
rgw gc processor period = 30
rgw gc processor max time = 30
CONF
}

# wait_for DESCRIPTION COMMAND... — polls COMMAND every 0.5 s until the start deadline.
DEADLINE=0
wait_for() {
  local what="$1"; shift
  while :; do
    "$@" >/dev/null 2>&1 && return 0
    [ "$SECONDS" -ge "$DEADLINE" ] && die "timed out (${TIMEOUT}s) waiting for $what"
    sleep 0.5
  done
}

# retry COMMAND... — up to 5 tries, stdout passed through, stderr to setup.log.
# (COMMAND may be a function; binaries are given a `timeout` by the callers.)
# Needed because with cephx off, a Ceph client (ceph CLI, radosgw-admin, the OSD itself)
# sometimes sends its first mon command before it has the monmap, i.e. with a zero fsid,
# and the mon refuses it: "Error EPERM: problem getting command descriptions from mon" /
# "wrong fsid". A retry always goes through.
retry() {
  local i
  for i in 1 2 3 4 5; do
    "$@" 2>>"$D/log/setup.log" && return 0
    echo "[s3-server.sh] retry $i failed: $*" >>"$D/log/setup.log"
    sleep 1
  done
  return 1
}

ceph_cli() { retry timeout 30 ceph -c "$D/ceph.conf" --connect-timeout 10 "$@"; }

# Signed IAM call (form-encoded POST to /) with the test credentials; rgw wants the real
# payload hash for IAM/STS bodies.
iam_call() {
  local body="$1" hash
  hash="$(printf %s "$body" | sha256sum | cut -d' ' -f1)"
  curl -sS --fail-with-body --max-time 10 -X POST \
    -H "x-amz-content-sha256: $hash" -H "Content-Type: application/x-www-form-urlencoded" \
    --aws-sigv4 "aws:amz:us-east-1:iam" --user "$AK:$SK" --data-binary "$body" "$URL/"
}

urlencode() { local LC_ALL=C s="$1" out="" c i; for ((i = 0; i < ${#s}; i++)); do c="${s:i:1}"
  case "$c" in [a-zA-Z0-9.~_-]) out+="$c" ;; *) out+="$(printf '%%%02X' "'$c")" ;; esac; done; printf %s "$out"; }

# The S3 user, plus what STS needs:
#  - caps roles=* and user-policy=* (IAM role / user-policy APIs work for this user);
#  - a user policy allowing sts:GetSessionToken (rgw refuses it without one);
#  - role $ROLE (arn:aws:iam:::role/$ROLE) that the user may AssumeRole, with s3:* on
#    everything; a session Policy passed to AssumeRole narrows it down.
ensure_user() {
  local C=(-c "$D/ceph.conf")
  if ! radosgw-admin "${C[@]}" user info --uid "$S3_UID" >/dev/null 2>&1; then
    retry timeout 30 radosgw-admin "${C[@]}" user create --uid "$S3_UID" --display-name "LogQS test user" \
      --access-key "$AK" --secret-key "$SK" >/dev/null || die "radosgw-admin user create failed"
  fi
  retry timeout 30 radosgw-admin "${C[@]}" caps add --uid "$S3_UID" --caps "roles=*;user-policy=*" >/dev/null \
    || die "radosgw-admin caps add failed"
  local pol='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sts:GetSessionToken"],"Resource":"*","Condition":{"BoolIfExists":{"sts:authentication":"false"}}}]}'
  retry iam_call "Action=PutUserPolicy&Version=2010-05-08&UserName=$S3_UID&PolicyName=logqs-sts&PolicyDocument=$(urlencode "$pol")" >/dev/null \
    || die "IAM PutUserPolicy (sts:GetSessionToken) failed"
  if [ -n "$ROLE" ]; then
    local trust='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam:::user/'"$S3_UID"'"]},"Action":["sts:AssumeRole"]}]}'
    local perms='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:*"],"Resource":["arn:aws:s3:::*"]}]}'
    if ! radosgw-admin "${C[@]}" role get --role-name "$ROLE" >/dev/null 2>&1; then
      retry timeout 30 radosgw-admin "${C[@]}" role create --role-name "$ROLE" --assume-role-policy-doc "$trust" >/dev/null \
        || die "radosgw-admin role create failed"
    fi
    retry timeout 30 radosgw-admin "${C[@]}" role-policy put --role-name "$ROLE" --policy-name logqs-s3 --policy-doc "$perms" >/dev/null \
      || die "radosgw-admin role-policy put failed"
  fi
}

# A server started before these options were in ceph.conf gets them at runtime (no restart needed).
ensure_runtime_settings() {
  local asok="$D/run/client.rgw.asok" kv
  [ -S "$asok" ] || return 0
  for kv in "rgw_sts_min_session_duration 1" "rgw_gc_obj_min_wait 5" "rgw_gc_processor_period 30"; do
    # shellcheck disable=SC2086
    timeout 10 ceph --admin-daemon "$asok" config set $kv >/dev/null 2>&1 || log "warning: could not set $kv through $asok"
  done
}

pid_alive() { local p; p="$(cat "$1" 2>/dev/null)" && [ -n "$p" ] && kill -0 "$p" 2>/dev/null; }

cmd_start() {
  local t0=$SECONDS
  if rgw_answers; then
    log "rgw already answering on $URL"
    if [ -f "$D/ceph.conf" ] && ! creds_work; then ensure_user; fi
    ensure_runtime_settings
    echo "s3 up on $URL"
    return 0
  fi
  if port_in_use; then
    log "error: something that is not rgw answers on $URL"; exit 1
  fi

  bash "$(dirname "${BASH_SOURCE[0]}")/apt-install.sh" "${PACKAGES[@]}"
  local t1=$SECONDS
  DEADLINE=$((SECONDS + TIMEOUT))

  # Leftovers of an earlier (crashed or half-started) run.
  if [ -d "$D" ]; then log "cleaning stale $D"; kill_daemons; rm -rf "$D"; fi
  STARTING=1
  mkdir -p "$D"/{mon/mon.a,osd,rgw,run,log}

  local fsid C L="$D/log/setup.log"
  fsid="$(cat /proc/sys/kernel/random/uuid)"
  write_conf "$fsid"
  C=(-c "$D/ceph.conf")

  # --- mon
  ceph-authtool --create-keyring "$D/keyring" --gen-key -n mon. --cap mon 'allow *' >>"$L" 2>&1
  ceph-authtool "$D/keyring" --gen-key -n client.admin \
    --cap mon 'allow *' --cap osd 'allow *' --cap mgr 'allow *' >>"$L" 2>&1
  # --addv with an explicit v1 address: plain --add makes any port other than 6789 a v2 address.
  monmaptool --create --fsid "$fsid" --addv a "[v1:127.0.0.1:$MON_PORT]" "$D/monmap" >>"$L" 2>&1
  ceph-mon "${C[@]}" --mkfs -i a --monmap "$D/monmap" --keyring "$D/keyring" >>"$L" 2>&1 \
    || die "ceph-mon --mkfs failed"
  ceph-mon "${C[@]}" -i a >>"$L" 2>&1 9>&- || die "ceph-mon failed to start"
  wait_for "ceph-mon" timeout 10 ceph "${C[@]}" --connect-timeout 5 mon stat
  log "+$((SECONDS - t1))s ceph-mon up"

  # --- osd (memstore). `osd create UUID` is idempotent, so it is safe to retry.
  local osd_uuid osd try
  osd_uuid="$(cat /proc/sys/kernel/random/uuid)"
  osd="$(ceph_cli osd create "$osd_uuid")" || die "ceph osd create failed"
  [[ "$osd" =~ ^[0-9]+$ ]] || die "ceph osd create printed '$osd'"
  mkdir -p "$D/osd/osd.$osd"
  ceph-osd "${C[@]}" -i "$osd" --mkfs --osd-uuid "$osd_uuid" >>"$L" 2>&1 || die "ceph-osd --mkfs failed"
  # Without this the PGs map to no OSD and rgw hangs forever creating its pools.
  ceph_cli osd crush add "osd.$osd" 1.0 host=localhost root=default >>"$L" || die "ceph osd crush add failed"
  for try in 1 2 3; do
    ceph-osd "${C[@]}" -i "$osd" >>"$L" 2>&1 9>&- && break
    [ "$try" = 3 ] && die "ceph-osd failed to start"
    log "ceph-osd failed to start, retrying"; sleep 1
  done
  osd_up() { timeout 10 ceph -c "$D/ceph.conf" --connect-timeout 5 osd stat -f json | grep -q '"num_up_osds":1'; }
  wait_for "ceph-osd" osd_up
  log "+$((SECONDS - t1))s ceph-osd up"

  # --- radosgw (creates its pools on first start; ~1-2 s). Restarted if it dies or hangs.
  local rgw_pid="$D/run/client.rgw.pid" rgw_until
  for try in 1 2 3; do
    radosgw "${C[@]}" -n client.rgw >>"$L" 2>&1 9>&- || die "radosgw failed to start"
    rgw_until=$((SECONDS + 30))
    while [ "$SECONDS" -lt "$rgw_until" ] && [ "$SECONDS" -lt "$DEADLINE" ] && ! rgw_answers && pid_alive "$rgw_pid"; do
      sleep 0.5
    done
    rgw_answers && break
    [ "$try" = 3 ] || [ "$SECONDS" -ge "$DEADLINE" ] && die "radosgw did not come up on $URL"
    log "radosgw not answering, restarting it"
    pid_alive "$rgw_pid" && kill -KILL "$(cat "$rgw_pid")" 2>/dev/null; sleep 1
  done
  log "+$((SECONDS - t1))s radosgw answering"

  ensure_user
  wait_for "S3 credentials to work" creds_work

  log "apt $((t1 - t0))s, daemons $((SECONDS - t1))s; logs in $D/log"
  echo "s3 up on $URL"
}

cmd_status() {
  if rgw_answers; then echo "s3 up on $URL"; else echo "s3 not answering on $URL"; exit 1; fi
}

# Serialise start/stop (the lock lives next to, not inside, the data dir that stop removes;
# the daemons are started with fd 9 closed so they do not inherit the lock).
exec 9>"${D%/}.lock"
flock -w 180 9 || { log "error: could not lock ${D%/}.lock"; exit 1; }

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  *) echo "usage: bash $0 start|stop|status" >&2; exit 2 ;;
esac
