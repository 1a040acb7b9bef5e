#!/usr/bin/env bash
# record-fixtures.sh - record wire fixtures from REAL Linux-HA Heartbeat 3.0.6.
#
# Runs two real Heartbeat nodes (Debian package `heartbeat`) in network namespaces of its own,
# drives them through scenarios (start-up, standby/takeover, failover, retransmission, graceful
# shutdown), captures every message they exchange and writes test/fixtures/heartbeat/:
#   <run>/<NNNN>-<scenario>-<type>[-<detail>].bin   exact UDP payload of one datagram
#   <run>/<NNNN>-<scenario>-<type>[-<detail>].txt   exact >>>...<<< bytes of one serial message
#   manifest.json                                    per file: run, scenario, transport, encoding,
#                                                    auth method + key index + secret, t, src, ...
# The keys are test keys and are printed on purpose so that tests can verify signatures.
#
# Usage (root; packages heartbeat cluster-glue resource-agents tcpdump socat nftables iproute2):
#   scripts/record-fixtures.sh                 # all runs
#   scripts/record-fixtures.sh sha1-bcast ...  # selected runs (see ALL_RUNS below); each run only
#                                              # replaces its own directory and manifest entries,
#                                              # the other runs' files are left as they are
#   KEEP=1 scripts/record-fixtures.sh ...      # keep the lab directory (logs, pcaps) afterwards
#
# Isolation: namespaces hbtsrec<pid>{sw,n1,n2}, addresses 198.18.48.0/24 only, IPv6 off. Each node
# runs `heartbeat -f` in its own mount+UTS namespace (unshare) with per-node directories bind-mounted
# over /etc/ha.d, /var/lib/heartbeat and /run, hostname node1/node2. Only processes started here are
# signalled (by pid, or every pid inside our own namespaces); everything is deleted on exit.
#
# SAFETY: real Heartbeat's ResourceManager kills every heartbeat on the host and reboots it when a
# resource script fails on stop. The only resource script configured here is hbtsrsc (written
# below), which records its state in a file under the node's private /run and always exits 0.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${OUT:-$ROOT/test/fixtures/heartbeat}
HB=/usr/libexec/heartbeat/heartbeat
NET=198.18.48
P=hbtsrec$$
SW=${P}sw
LAB=$(mktemp -d /tmp/hbtsrec.XXXXXX)
KA=${KA:-500ms}     # keepalive
DEAD=${DEAD:-3}     # deadtime (s)
WARN=${WARN:-1}     # warntime (s)
INITDEAD=${INITDEAD:-6}

ALL_RUNS="sha1-bcast md5-ucast crc-bcast crc-netstring sha1-legacy sha1-serial md5-serial crc-serial"
RUNS=${*:-$ALL_RUNS}

log() { printf '%s [record] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }
[ "$(id -u)" = 0 ] || die "must run as root (network namespaces)"
for c in "$HB" cl_status tcpdump socat nft nsenter unshare ip node; do
  command -v "$c" >/dev/null || die "missing $c"
done
HBVER=$(dpkg-query -W -f '${Package} ${Version}' heartbeat 2>/dev/null || echo "heartbeat (unknown version)")

nsn() { echo "${P}n$1"; }
nodedir() { echo "$LAB/run-$RUN/node$1"; }
mark() { echo "$(date +%s.%N) $1" >> "$LAB/run-$RUN/phases"; log "phase: $1"; }

# ---- namespaces -------------------------------------------------------------------------------

netns_up() {
  ip netns add "$SW"
  ip netns exec "$SW" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  ip -n "$SW" link add br0 type bridge
  ip -n "$SW" link set lo up
  ip -n "$SW" link set br0 up
  ip -n "$SW" addr add "$NET.254/24" brd + dev br0
  local i N
  for i in 1 2; do
    N=$(nsn "$i")
    ip netns add "$N"
    ip netns exec "$N" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
    ip -n "$SW" link add "p$i" type veth peer name eth0 netns "$N"
    ip -n "$SW" link set "p$i" master br0 up
    ip -n "$N" link set lo up
    # `brd +` matters: the bcast medium sends to the interface's broadcast address
    ip -n "$N" addr add "$NET.$i/24" brd + dev eth0
    ip -n "$N" link set eth0 up
  done
}

kill_ns_pids() { # every process in one of OUR namespaces was started by this script
  local p
  for p in $(ip netns pids "$1" 2>/dev/null); do kill -KILL "$p" 2>/dev/null || true; done
}

netns_down() {
  local N
  for N in "$(nsn 1)" "$(nsn 2)" "$SW"; do kill_ns_pids "$N"; done
  sleep 0.5
  for N in "$(nsn 1)" "$(nsn 2)" "$SW"; do ip netns del "$N" 2>/dev/null || true; done
}

SOCAT_PID=
TCPDUMP_PID=
cleanup() {
  local rc=$?
  [ -n "$TCPDUMP_PID" ] && kill -INT "$TCPDUMP_PID" 2>/dev/null || true
  [ -n "$SOCAT_PID" ] && kill "$SOCAT_PID" 2>/dev/null || true
  netns_down
  if [ "${KEEP:-}" = 1 ] || [ $rc != 0 ]; then log "lab directory kept: $LAB"; else rm -rf "$LAB"; fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- per-node configuration -------------------------------------------------------------------

# write_config <i> <auth line> <media lines> <auto_failback> [extra ha.cf lines]
write_config() {
  local i=$1 authline=$2 media=$3 afb=$4 extra=${5:-} D
  D=$(nodedir "$i")
  mkdir -p "$D"
  cp -a /etc/ha.d "$D/ha.d"
  cat > "$D/ha.d/ha.cf" <<EOF
# ha.cf of node$i, written by scripts/record-fixtures.sh (run $RUN)
logfile /run/hbts-ha-log
debugfile /run/hbts-ha-debug
use_logd no
keepalive $KA
warntime $WARN
deadtime $DEAD
initdead $INITDEAD
udpport 694
$media
auto_failback $afb
node node1
node node2
$extra
EOF
  printf 'auth %s\n%s\n' "${authline%% *}" "$authline" > "$D/ha.d/authkeys"
  chmod 600 "$D/ha.d/authkeys"
  printf 'node1 hbtsrsc::g1\nnode2 hbtsrsc::g2\n' > "$D/ha.d/haresources"
  # the only resource script: state file in the node's private /run, ALWAYS exits 0 (see SAFETY)
  cat > "$D/ha.d/resource.d/hbtsrsc" <<'EOF'
#!/bin/sh
# hbtsrsc NAME {start|stop|status} - fixture-recording dummy resource; never fails.
f=/run/hbtsrsc-$1
case "$2" in
  start) : > "$f" ;;
  stop) rm -f "$f" ;;
  status) if [ -e "$f" ]; then echo "running"; else echo "stopped"; fi ;;
esac
exit 0
EOF
  chmod 755 "$D/ha.d/resource.d/hbtsrsc"
  mkdir -p "$D/varlib" "$D/run"
  cp -a /var/lib/heartbeat/. "$D/varlib/"
  mkdir -p "$D/run/heartbeat/ccm" "$D/run/heartbeat/crm" "$D/run/resource-agents" "$D/run/crm" "$D/run/lock"
  chown hacluster:haclient "$D/run/heartbeat" "$D/run/heartbeat/ccm" "$D/run/heartbeat/crm" "$D/run/crm"
  chmod 0750 "$D/run/heartbeat"
}

# ---- node control -----------------------------------------------------------------------------

start_node() {
  local i=$1 D
  D=$(nodedir "$i")
  rm -f "$D/run/heartbeat.pid"
  ip netns exec "$(nsn "$i")" unshare --mount --uts --propagation private -- /bin/sh -c '
    set -e
    hostname "node$1"
    mount --bind "$2/ha.d" /etc/ha.d
    mount --bind "$2/varlib" /var/lib/heartbeat
    mount --bind "$2/run" /run
    exec "$3" -f' wrap "$i" "$D" "$HB" >>"$D/stdout" 2>&1 &
  disown $! # killed later by pid (crash) or via its pid file; no job-control noise
  local _
  for _ in $(seq 1 40); do [ -s "$D/run/heartbeat.pid" ] && break; sleep 0.25; done
  [ -s "$D/run/heartbeat.pid" ] || { tail -20 "$D/stdout" "$D/run/hbts-ha-log" >&2 || true; die "node$i did not start"; }
  log "node$i started (pid $(tr -d ' \n' < "$D/run/heartbeat.pid"))"
}

mcp_pid() { tr -d ' \n' < "$(nodedir "$1")/run/heartbeat.pid"; }

in_node() { # in_node <i> CMD... : run CMD inside node i's net+mount+uts namespaces
  local i=$1; shift
  nsenter -t "$(mcp_pid "$i")" -n -m -u -- "$@"
}

stop_node() {
  local i=$1 pid _
  pid=$(mcp_pid "$i")
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 120); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  kill -0 "$pid" 2>/dev/null && die "node$i still running 30 s after SIGTERM"
  log "node$i stopped gracefully"
}

crash_node() {
  kill_ns_pids "$(nsn "$1")"
  # a crash + reboot loses the node's volatile state: the dummy resources and the pid file
  rm -f "$(nodedir "$1")"/run/hbtsrsc-* "$(nodedir "$1")/run/heartbeat.pid"
  log "node$1 killed (SIGKILL)"
}

rsc() { in_node "$1" timeout 3 cl_status rscstatus 2>/dev/null || echo "?"; }

# wait_rsc <timeout s> <node1 rscstatus> <node2 rscstatus|-> : both stable with these holdings
wait_rsc() {
  local t=$1 want1=$2 want2=$3 a b _
  for _ in $(seq 1 $((t * 4))); do
    a=$(rsc 1)
    b=-; [ "$want2" = - ] || b=$(rsc 2)
    if [ "$a" = "$want1" ] && [ "$b" = "$want2" ]; then log "rscstatus node1=$a node2=$b"; return 0; fi
    sleep 0.25
  done
  die "timeout waiting for rscstatus node1=$want1 node2=$want2 (have $a / $b)"
}

loss() { # loss <i> <percent|off> : drop incoming heartbeat datagrams at random in node i
  local N; N=$(nsn "$1")
  if [ "$2" = off ]; then ip netns exec "$N" nft delete table inet hbtsloss 2>/dev/null || true; return; fi
  ip netns exec "$N" nft add table inet hbtsloss
  ip netns exec "$N" nft add chain inet hbtsloss input '{ type filter hook input priority 0; }'
  ip netns exec "$N" nft add rule inet hbtsloss input udp dport 694 ip saddr "$NET.0/24" numgen random mod 100 '<' "$2" drop
}

# ---- scenarios --------------------------------------------------------------------------------

sc_startup() {
  mark startup
  start_node 1; start_node 2
  wait_rsc 40 local local
  sleep 1
}

sc_standby() {
  mark standby
  in_node 1 /usr/share/heartbeat/hb_standby all >/dev/null 2>&1
  wait_rsc 20 none all
  sleep 1
  mark takeover
  # node2's rc.d/hb_takeover runs hb_standby all
  in_node 1 /usr/share/heartbeat/hb_takeover all >/dev/null 2>&1
  wait_rsc 20 all none
  sleep 1
  mark failback
  in_node 1 /usr/share/heartbeat/hb_standby foreign >/dev/null 2>&1
  wait_rsc 20 local local
  sleep 3 # let the last ask_resources done / resource reports settle before the next scenario
}

sc_failover() {
  mark failover
  crash_node 1
  wait_file 20 "$(nodedir 2)/run/hbtsrsc-g1"
  sleep 1.5
  log "node2 took over g1 (rscstatus $(rsc 2))"
  mark rejoin
  start_node 1
  wait_rsc 40 local local
  sleep 1
}

wait_file() { # wait_file <timeout s> <file>
  local _
  for _ in $(seq 1 $(($1 * 4))); do [ -e "$2" ] && return 0; sleep 0.25; done
  die "timeout waiting for $2"
}

sc_startup_legacy() { # auto_failback legacy: rscstatus is not tracked, watch the resource files
  mark startup
  start_node 1; start_node 2
  wait_file 40 "$(nodedir 1)/run/hbtsrsc-g1"
  wait_file 40 "$(nodedir 2)/run/hbtsrsc-g2"
  sleep 2
}

sc_failover_legacy() { # auto_failback legacy: rscstatus is not tracked, watch the resource files
  mark failover
  crash_node 1
  wait_file 20 "$(nodedir 2)/run/hbtsrsc-g1"
  sleep 1
  mark rejoin
  start_node 1
  wait_file 30 "$(nodedir 1)/run/hbtsrsc-g1"
  sleep 2
}

sc_rexmit() {
  mark rexmit
  loss 1 15; loss 2 15
  sleep "${REXMIT_SECONDS:-12}"
  loss 1 off; loss 2 off
  sleep 2
  local n
  n=$(grep -c 'lost packet' "$(nodedir 1)/run/hbts-ha-log" "$(nodedir 2)/run/hbts-ha-log" | awk -F: '{s+=$2} END {print s}')
  log "gaps logged during loss: $n"
}

sc_shutdown() {
  mark shutdown
  stop_node 2
  sleep 1
  stop_node 1
}

# ---- runs -------------------------------------------------------------------------------------

capture_start() {
  ip netns exec "$SW" tcpdump -i br0 -U -s 0 -w "$LAB/run-$RUN/capture.pcap" 'udp port 694' >"$LAB/run-$RUN/tcpdump.log" 2>&1 &
  TCPDUMP_PID=$!
  sleep 1
}

capture_stop() {
  sleep 1
  kill -INT "$TCPDUMP_PID" 2>/dev/null || true
  wait "$TCPDUMP_PID" 2>/dev/null || true
  TCPDUMP_PID=
}

extract() { # extract <medium> <method> <secret|-> <description> <capture args...>
  local medium=$1 method=$2 secret=$3 desc=$4; shift 4
  local sargs=()
  [ "$secret" = - ] || sargs=(--secret "$secret")
  node "$ROOT/scripts/fixtures-extract.mjs" --run "$RUN" --out "$OUT" --phases "$LAB/run-$RUN/phases" \
    --method "$method" --key-index 1 "${sargs[@]}" --medium "$medium" --description "$desc" \
    --hb-version "$HBVER" --config-dir "$(nodedir 1)/ha.d" --config-dir "$(nodedir 2)/ha.d" "$@"
}

udp_run() { # udp_run <method> <secret|-> <media> <auto_failback> <node2 extra> <description> <scenarios...>
  local method=$1 secret=$2 media=$3 afb=$4 extra2=$5 desc=$6; shift 6
  local authline="1 $method"
  [ "$secret" = - ] || authline="1 $method $secret"
  mkdir -p "$LAB/run-$RUN"
  : > "$LAB/run-$RUN/phases"
  netns_up
  write_config 1 "$authline" "$media" "$afb"
  write_config 2 "$authline" "$media" "$afb" "$extra2"
  capture_start
  local s
  for s in "$@"; do "sc_$s"; done
  capture_stop
  netns_down
  extract "${media%% *}" "$method" "$secret" "$desc" --pcap "$LAB/run-$RUN/capture.pcap"
}

serial_run() { # serial_run <method> <secret|-> : real heartbeat on a socat pty pair; the byte stream is logged by socat -x
  local method=$1 secret=$2
  local authline="1 $method"
  [ "$secret" = - ] || authline="1 $method $secret"
  mkdir -p "$LAB/run-$RUN/serial"
  : > "$LAB/run-$RUN/phases"
  netns_up
  TZ=UTC socat -d -d -v -x "pty,raw,echo=0,link=$LAB/run-$RUN/serial/tty1" "pty,raw,echo=0,link=$LAB/run-$RUN/serial/tty2" \
    2>"$LAB/run-$RUN/serial/socat.log" &
  SOCAT_PID=$!
  local _
  for _ in $(seq 1 20); do [ -e "$LAB/run-$RUN/serial/tty2" ] && break; sleep 0.25; done
  write_config 1 "$authline" "baud 19200
serial $(readlink -f "$LAB/run-$RUN/serial/tty1")" on
  write_config 2 "$authline" "baud 19200
serial $(readlink -f "$LAB/run-$RUN/serial/tty2")" on
  sc_startup; sc_standby; sc_failover; sc_shutdown
  sleep 1
  kill "$SOCAT_PID" 2>/dev/null || true
  wait "$SOCAT_PID" 2>/dev/null || true
  SOCAT_PID=
  netns_down
  extract serial "$method" "$secret" "serial link over a socat pty pair (classic >>> format), $method, auto_failback on" \
    --socat-log "$LAB/run-$RUN/serial/socat.log"
}

mkdir -p "$OUT"
for RUN in $RUNS; do
  log "=== run $RUN ==="
  case $RUN in
    sha1-bcast)
      udp_run sha1 heartbeat-ts-sha1-secret "bcast eth0" on "" \
        "bcast, sha1, auto_failback on: start-up, hb_standby/hb_takeover, crash failover + rejoin, 15% loss, graceful shutdown" \
        startup standby failover rexmit shutdown ;;
    md5-ucast)
      udp_run md5 heartbeat-ts-md5-secret "ucast eth0 $NET.1
ucast eth0 $NET.2" on "" \
        "ucast, md5, auto_failback on: start-up, hb_standby/hb_takeover, crash failover + rejoin, 15% loss, graceful shutdown" \
        startup standby failover rexmit shutdown ;;
    crc-bcast)
      udp_run crc - "bcast eth0" on "" \
        "bcast, crc, auto_failback on: start-up, hb_standby/hb_takeover, crash failover + rejoin, 15% loss, graceful shutdown" \
        startup standby failover rexmit shutdown ;;
    crc-netstring)
      # no failover here: a msgfmt-netstring node that takes over after a crash stays in
      # rscstatus "transition" (its mach_down completion message never shows up) - a quirk of 3.0.6
      udp_run crc - "bcast eth0" on "msgfmt netstring" \
        "bcast, crc, auto_failback on, node2 has msgfmt netstring (no inner auth field): start-up, hb_standby/hb_takeover, 15% loss, graceful shutdown" \
        startup standby rexmit shutdown ;;
    sha1-legacy)
      udp_run sha1 heartbeat-ts-sha1-secret "bcast eth0" legacy "" \
        "bcast, sha1, auto_failback legacy: start-up, crash failover + rejoin (ip-request), graceful shutdown" \
        startup_legacy failover_legacy shutdown ;;
    sha1-serial) serial_run sha1 heartbeat-ts-serial-secret ;;
    md5-serial) serial_run md5 heartbeat-ts-md5-serial-secret ;;
    crc-serial) serial_run crc - ;;
    *) die "unknown run $RUN (runs: $ALL_RUNS)" ;;
  esac
done
log "fixtures in $OUT: $(find "$OUT" -type f | wc -l) files, $(du -sk "$OUT" | cut -f1) KiB"
