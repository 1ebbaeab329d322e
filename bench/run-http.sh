#!/usr/bin/env bash
# Stint HTTP mint benchmark, one command, one JDK (chosen as ./stint chooses it):
#   (a) raw single-core ES256 signing rate (JMH SigningBenchmark.sign, 1 thread),
#   (b) the ceiling: dev.stint.bench.BareMintServer, a bare Vert.x 5 server that signs one task
#       token per request and does nothing else (no auth, no store), one verticle per core,
#   (c) the real broker (./stint broker) on a fresh data dir; demo-agent registered with a fresh
#       key, an agent token, one dev task,
# (b) and (c) one after the other under identical load: a 5 s uncounted warm-up, then
# wrk -t2 -c32 -d20s --latency, every request POST /v1/tasks/$TASK/token with a bearer token.
# Prints req/s, p50, p99 of each and the ratios broker/bare. Stops both servers and removes the
# temp dir at the end, also on failure or Ctrl-C.
#
#   bench/run-http.sh
#   env: WRK_THREADS=2 WRK_CONNECTIONS=32 WRK_DURATION=20 (seconds)
#        WRK_WARMUP=5 (seconds of uncounted load first, as JMH warms up; 0 = none)
#        SKIP_BARE=1 (broker only)  SKIP_SIGN=1 (no JMH signing run)  KEEP_TMP=1 (keep logs)
#        JFR=1: record the broker with JFR (-XX:StartFlightRecording through STINT_JAVA_OPTS,
#               plus a recording of exactly the measured run) and print a profile summary
#        JFR_OUT=FILE: also copy the measured-run recording there
#
# Exit status 1 when any response was not 2xx, a socket error happened, the audit chain did not
# verify or a step failed.
set -euo pipefail

BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$BENCH")"
JAR="$BENCH/target/stint-bench.jar"
WRK_THREADS="${WRK_THREADS:-2}"
WRK_CONNECTIONS="${WRK_CONNECTIONS:-32}"
WRK_DURATION="${WRK_DURATION:-20}"
WRK_WARMUP="${WRK_WARMUP:-5}"
SKIP_BARE="${SKIP_BARE:-0}"
SKIP_SIGN="${SKIP_SIGN:-0}"
JFR="${JFR:-0}"
JFR_OUT="${JFR_OUT:-}"

say() { printf '[run-http] %s\n' "$*" >&2; }
die() { say "ERROR: $*"; exit 1; }

for knob in WRK_THREADS WRK_CONNECTIONS WRK_DURATION WRK_WARMUP; do
  [[ "${!knob}" =~ ^[0-9]+$ ]] || die "$knob must be a whole number, not '${!knob}'"
done
(( WRK_THREADS > 0 && WRK_CONNECTIONS >= WRK_THREADS && WRK_DURATION > 0 )) \
  || die "need WRK_THREADS > 0, WRK_CONNECTIONS >= WRK_THREADS, WRK_DURATION > 0"

# --- JDK: the very functions ./stint uses (JAVA_HOME, else newest under /usr/lib/jvm, else java)
eval "$(sed -n -e '/^java_version() {/,/^}/p' -e '/^pick_java() {/,/^}/p' "$ROOT/stint")"
declare -F pick_java >/dev/null && declare -F java_version >/dev/null \
  || die "could not read pick_java/java_version from $ROOT/stint"
JAVA="$(pick_java)"
JAVA="$(readlink -f "$JAVA")"
JDK_HOME="$(dirname "$(dirname "$JAVA")")"
JDK_DESC="$("$JAVA" -version 2>&1 | awk 'NR==1')"
JDK_FEATURE="$(java_version "$JAVA")"; JDK_FEATURE="${JDK_FEATURE%%.*}"; [[ "$JDK_FEATURE" =~ ^[0-9]+$ ]] || JDK_FEATURE=0
# The JVM flags ./stint starts the broker with (GC, native access): the bare server gets the same.
STINT_FLAGS="$(sed -n 's/^ *exec "\$JAVA" \(.*\) \${STINT_JAVA_OPTS:-} -jar .*/\1/p' "$ROOT/stint")"
[[ -n "$STINT_FLAGS" ]] || { STINT_FLAGS="-XX:+UseParallelGC"; say "WARNING: could not read the JVM flags of ./stint; bare server uses $STINT_FLAGS"; }

# --- tools
if ! command -v wrk >/dev/null 2>&1; then
  say "wrk is missing: installing it (apt-get install -y wrk)"
  SUDO=""; [[ $(id -u) -eq 0 ]] || SUDO="sudo"
  $SUDO apt-get install -y wrk >/dev/null 2>&1 \
    || { $SUDO apt-get update -qq >/dev/null && $SUDO apt-get install -y wrk >/dev/null; } \
    || die "cannot install wrk"
fi
command -v curl >/dev/null 2>&1 || die "curl is required"
JCMD="$JDK_HOME/bin/jcmd"
JFR_BIN="$JDK_HOME/bin/jfr"
if [[ "$JFR" == 1 ]]; then
  [[ -x "$JCMD" && -x "$JFR_BIN" ]] || die "JFR=1 needs jcmd and jfr of $JDK_HOME (a JDK, not a JRE)"
fi

# --- build the bench jar (and with it the broker jar) when missing or older than the sources
if [[ ! -f "$JAR" || -n "$(find "$ROOT/pom.xml" "$ROOT/token-model" "$ROOT/broker" "$ROOT/config" "$BENCH" -newer "$JAR" \
      \( -name '*.java' -o -name '*.xml' -o -name '*.sql' -o -name '*.yaml' \) -not -path '*/target/*' \
      -print -quit)" ]]; then
  say "building bench/target/stint-bench.jar ..."
  (cd "$ROOT" && ./mvnw -B -q -pl bench -am package -Dmaven.test.skip=true) >&2 \
    || die "build failed (see above; the broker may be mid-edit: retry in a minute)"
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/stint-bench.XXXXXX")"
mkdir -p "$WORK/jmh-tmp"
[[ "$JFR" != 1 || "$WORK" != *" "* ]] || die "JFR=1 needs a temp dir without spaces (STINT_JAVA_OPTS is split on spaces)"
BARE_PID=""
BROKER_PID=""
SAMPLER_PID=""
WRK_PID=""
JFR_EVENT_OPTS=""

# stop_server NAME PID: SIGTERM, then SIGKILL after 10 s; only the process this script started.
stop_server() {
  local name="$1" pid="$2"
  [[ -n "$pid" ]] || return 0
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then
      say "$name did not stop within 10 s of SIGTERM; killing it"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  wait "$pid" 2>/dev/null || true
}
stop_bare() { stop_server "the bare server" "$BARE_PID"; BARE_PID=""; }
stop_broker() { stop_server "the broker" "$BROKER_PID"; BROKER_PID=""; }
# kill_tree PID: the process and its descendants, by id (the mid-run sampler and its sleep/top)
kill_tree() {
  local child
  for child in $(ps -o pid= --ppid "$1" 2>/dev/null); do kill_tree "$child"; done
  kill "$1" 2>/dev/null || true
}
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if [[ -n "$WRK_PID" ]]; then kill "$WRK_PID" 2>/dev/null || true; wait "$WRK_PID" 2>/dev/null || true; fi
  if [[ -n "$SAMPLER_PID" ]]; then kill_tree "$SAMPLER_PID"; wait "$SAMPLER_PID" 2>/dev/null || true; fi
  stop_bare
  stop_broker
  if [[ "${KEEP_TMP:-0}" == 1 ]]; then say "kept $WORK"; else rm -rf "$WORK"; fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# CPU already in use by other processes, over one second: the numbers below assume idle cores.
cpu_busy_pct() {
  local a b
  a=($(head -1 /proc/stat)); sleep 1; b=($(head -1 /proc/stat))
  awk -v u="$(( b[1]+b[2]+b[3]+b[6]+b[7]+b[8] - a[1]-a[2]-a[3]-a[6]-a[7]-a[8] ))" \
      -v t="$(( b[1]+b[2]+b[3]+b[4]+b[5]+b[6]+b[7]+b[8] - a[1]-a[2]-a[3]-a[4]-a[5]-a[6]-a[7]-a[8] ))" \
      'BEGIN { printf "%.0f", (t > 0 ? 100 * u / t : 0) }'
}
busy_before="$(cpu_busy_pct)"

# wait_healthy NAME PID BASE LOG [FILE]: until GET BASE/health answers (and FILE exists, if given)
wait_healthy() {
  local name="$1" pid="$2" base="$3" log="$4" file="${5:-}"
  for _ in $(seq 1 600); do
    kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; die "$name exited"; }
    if [[ -z "$file" || -s "$file" ]] && curl -sf -o /dev/null "$base/health"; then return 0; fi
    sleep 0.1
  done
  cat "$log" >&2; die "$name did not become healthy within 60 s"
}

# --- load, the same for both servers ---------------------------------------------------------------
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
HZ="$(getconf CLK_TCK)"
# whole-machine ticks: user+nice+system+steal (attributed to processes) and irq+softirq (mostly loopback)
proc_ticks() { awk '/^cpu /{print $2+$3+$4+$9; exit}' /proc/stat; }
irq_ticks() { awk '/^cpu /{print $7+$8; exit}' /proc/stat; }
# CPU time per thread (Java names): "cpu=...ms" of jcmd Thread.print
thread_cpu() {
  [[ -x "$JCMD" ]] || return 0
  "$JCMD" "$1" Thread.print 2>/dev/null | sed -nE 's/^"([^"]*)".* cpu=([0-9.]+)ms.*/\2\t\1/p' || true
}
declare -A M   # M[name.key]: measurements of each server

# run_wrk OUT ARGS...: wrk in the background, waited for with `wait`, so that Ctrl-C or TERM run
# the trap at once (wrk itself catches SIGINT and exits 0, which a foreground wait would take as
# "the child handled it" and carry on).
run_wrk() {
  local out="$1" rc=0
  shift
  wrk "$@" > "$out" 2>&1 &
  WRK_PID=$!
  wait "$WRK_PID" || rc=$?
  WRK_PID=""
  return "$rc"
}
# cpu_of FILE: CPU seconds (user + sys) of the shell's finished children in the output of the
# builtin `times` (call `times > FILE` in this shell itself, not in a $(...) subshell)
cpu_of() {
  awk 'NR == 2 { n = 0; for (i = 1; i <= 2; i++) { split($i, p, "m"); sub(/s$/, "", p[2]); n += p[1] * 60 + p[2] }; printf "%.3f", n }' "$1"
}

# load NAME PID BASE: warm-up, then the measured wrk run; outputs in $WORK/NAME-*. Runs the
# function before_NAME, if there is one, between the two. Needs STINT_AGENT_TOKEN and STINT_TASK_ID in the environment (bench/mint.lua sends them).
load() {
  local name="$1" pid="$2" base="$3"
  if (( WRK_WARMUP > 0 )); then
    # JMH warms the signer up before it measures; give the server's JIT the same chance.
    say "    warm-up: wrk -t$WRK_THREADS -c$WRK_CONNECTIONS -d${WRK_WARMUP}s (not counted) ..."
    run_wrk "$WORK/$name-warmup.out" -t"$WRK_THREADS" -c"$WRK_CONNECTIONS" -d"${WRK_WARMUP}s" -s "$BENCH/mint.lua" "$base" \
      || { cat "$WORK/$name-warmup.out" >&2; die "wrk warm-up against $name failed"; }
    say "    warm-up: $(grep '^Requests/sec' "$WORK/$name-warmup.out" || true) $(grep -o 'non2xx=[0-9]*' "$WORK/$name-warmup.out" || true)"
  fi
  if declare -F "before_$name" >/dev/null; then "before_$name"; fi
  M[$name.busy]="$(cpu_busy_pct)"
  say "    wrk -t$WRK_THREADS -c$WRK_CONNECTIONS -d${WRK_DURATION}s --latency POST $base/v1/tasks/$STINT_TASK_ID/token ..."
  thread_cpu "$pid" > "$WORK/$name-threads0.tsv"
  if [[ "$name" == broker && "$JFR" == 1 ]]; then
    # A recording of exactly the measured run (JFR.start rotates to a new chunk), beside the
    # whole-life one that -XX:StartFlightRecording started.
    "$JCMD" "$pid" JFR.start name=measured settings=profile $JFR_EVENT_OPTS > "$WORK/jfr-start.out" 2>&1 \
      || { cat "$WORK/jfr-start.out" >&2; die "jcmd JFR.start failed"; }
  fi
  M[$name.t0]="$(ticks "$pid")"; M[$name.all0]="$(proc_ticks)"; M[$name.irq0]="$(irq_ticks)"
  ( sleep $(( WRK_DURATION / 2 )) || true
    top -b -n 2 -d 1 -w 200 | awk '/^top -/{n++} n==2' > "$WORK/$name-top.txt" 2>/dev/null || true
  ) &
  SAMPLER_PID=$!
  local wall0 wall1
  wall0="$(date +%s%N)"; times > "$WORK/$name-times0.txt"
  run_wrk "$WORK/$name-wrk.out" -t"$WRK_THREADS" -c"$WRK_CONNECTIONS" -d"${WRK_DURATION}s" --latency -s "$BENCH/mint.lua" "$base" \
    || { cat "$WORK/$name-wrk.out" >&2; die "wrk against $name failed"; }
  times > "$WORK/$name-times1.txt"; wall1="$(date +%s%N)"
  M[$name.t1]="$(ticks "$pid")"; M[$name.all1]="$(proc_ticks)"; M[$name.irq1]="$(irq_ticks)"
  if [[ "$name" == broker && "$JFR" == 1 ]]; then
    "$JCMD" "$pid" JFR.stop name=measured filename="$WORK/broker.jfr" > "$WORK/jfr-stop.out" 2>&1 \
      || { cat "$WORK/jfr-stop.out" >&2; die "jcmd JFR.stop failed"; }
  fi
  thread_cpu "$pid" > "$WORK/$name-threads1.tsv"
  wait "$SAMPLER_PID" 2>/dev/null || true
  SAMPLER_PID=""
  local line
  line="$(grep '^STINT ' "$WORK/$name-wrk.out" || true)"
  [[ -n "$line" ]] || { cat "$WORK/$name-wrk.out" >&2; die "wrk printed no STINT summary line for $name"; }
  local key
  for key in requests duration_us non2xx connect read write timeout p50_us p90_us p99_us p999_us max_us; do
    M[$name.$key]="$(sed -n "s/.* $key=\([0-9.]*\).*/\1/p" <<< " ${line#STINT }")"
  done
  # wall time of the wrk run, and its CPU (with the mid-run top's few ms) as wrk's user + sys
  M[$name.wreal]="$(awk -v a="$wall0" -v b="$wall1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')"
  M[$name.wuser]="$(awk -v a="$(cpu_of "$WORK/$name-times0.txt")" -v b="$(cpu_of "$WORK/$name-times1.txt")" 'BEGIN { printf "%.3f", b - a }')"
  M[$name.wsys]=0
  M[$name.sock]=$(( M[$name.connect] + M[$name.read] + M[$name.write] + M[$name.timeout] ))
  say "    $name: $(awk -v r="${M[$name.requests]}" -v d="${M[$name.duration_us]}" 'BEGIN{printf "%.0f", r / (d / 1e6)}') req/s," \
      "p50 $(awk -v v="${M[$name.p50_us]}" 'BEGIN{printf "%.2f", v / 1000}') ms, p99 $(awk -v v="${M[$name.p99_us]}" 'BEGIN{printf "%.2f", v / 1000}') ms," \
      "non-2xx ${M[$name.non2xx]}, socket errors ${M[$name.sock]}"
}

# --- (a) raw single-core ES256 signing rate -----------------------------------------------------
say "JDK: $JAVA ($JDK_DESC)"
SIGN_RATE=""; SIGN_ERR=""
if [[ "$SKIP_SIGN" != 1 ]]; then
  say "(a) JMH SigningBenchmark.sign, 1 thread (~30 s) ..."
  "$JAVA" -Djava.io.tmpdir="$WORK/jmh-tmp" -jar "$JAR" 'dev\.stint\.bench\.SigningBenchmark\.sign$' \
      -t 1 -f 1 -rf csv -rff "$WORK/sign.csv" > "$WORK/jmh-sign.log" 2>&1 \
    || { cat "$WORK/jmh-sign.log" >&2; die "JMH failed"; }
  grep -E '^(# Warmup Iteration|Iteration)' "$WORK/jmh-sign.log" | sed 's/^/    /' >&2 || true
  SIGN_RATE="$(awk -F, 'NR==2 {print $5}' "$WORK/sign.csv")"
  SIGN_ERR="$(awk -F, 'NR==2 {print $6}' "$WORK/sign.csv")"
  [[ -n "$SIGN_RATE" ]] || die "no JMH result in $WORK/sign.csv"
else
  say "(a) skipped (SKIP_SIGN=1)"
fi

# --- (b) the ceiling: bare Vert.x + Nimbus server -------------------------------------------------
if [[ "$SKIP_BARE" != 1 ]]; then
  BARE_PORT="$("$JAVA" -cp "$JAR" dev.stint.bench.HttpSetup free-port)"
  BARE_BASE="http://127.0.0.1:$BARE_PORT"
  say "(b) starting the bare mint server on $BARE_BASE ($STINT_FLAGS, as ./stint) ..."
  # shellcheck disable=SC2086  # the flags are words
  "$JAVA" $STINT_FLAGS -cp "$JAR" dev.stint.bench.BareMintServer --port "$BARE_PORT" > "$WORK/bare.log" 2>&1 &
  BARE_PID=$!
  wait_healthy "the bare server" "$BARE_PID" "$BARE_BASE" "$WORK/bare.log"
  say "    $(grep -m1 '^BARE_MINT_LISTENING' "$WORK/bare.log" || echo 'listening')"
  # The same request as for the broker: a bearer token and a task id of the very same shape
  # (the bare server reads neither, but wrk sends the same bytes).
  STINT_AGENT_TOKEN="stint_at_$(head -c 32 /dev/urandom | base64 -w0 | tr '+/' '-_' | tr -d '=')" \
  STINT_TASK_ID="tsk_$(od -An -tx1 -N12 /dev/urandom | tr -d ' \n')" \
    load bare "$BARE_PID" "$BARE_BASE"
  stop_bare
else
  say "(b) skipped (SKIP_BARE=1)"
fi

# --- (c) broker, agent, task ---------------------------------------------------------------------
if [[ "$JFR" == 1 ]]; then
  # JDK 25+ on Linux: also sample by CPU time (JEP 509), which sees native code such as SQLite.
  (( JDK_FEATURE >= 25 )) && JFR_EVENT_OPTS="jdk.CPUTimeSample#enabled=true"
  export STINT_JAVA_OPTS="${STINT_JAVA_OPTS:+$STINT_JAVA_OPTS }-XX:StartFlightRecording=name=stint,settings=profile${JFR_EVENT_OPTS:+,$JFR_EVENT_OPTS},dumponexit=true,filename=$WORK/broker-whole.jfr"
  say "    JFR: STINT_JAVA_OPTS=$STINT_JAVA_OPTS"
fi
PORT="$("$JAVA" -cp "$JAR" dev.stint.bench.HttpSetup free-port)"
BASE="http://127.0.0.1:$PORT"
say "(c) starting the broker on $BASE (data dir $WORK/data) ..."
JAVA_HOME="$JDK_HOME" "$ROOT/stint" broker --port "$PORT" --data-dir "$WORK/data" > "$WORK/broker.log" 2>&1 &
BROKER_PID=$!
wait_healthy "the broker" "$BROKER_PID" "$BASE" "$WORK/broker.log" "$WORK/data/admin.token"
BROKER_JAVA="$(readlink -f "/proc/$BROKER_PID/exe")"
[[ "$BROKER_JAVA" == "$JAVA" ]] || say "WARNING: broker runs $BROKER_JAVA, the bare server and JMH ran $JAVA"

AGENT_TOKEN=""; TASK_ID=""
while IFS='=' read -r key value; do
  case "$key" in AGENT_TOKEN) AGENT_TOKEN="$value" ;; TASK_ID) TASK_ID="$value" ;; esac
done < <("$JAVA" -cp "$JAR" dev.stint.bench.HttpSetup setup "$BASE" "$WORK/data/admin.token")
[[ -n "$AGENT_TOKEN" && -n "$TASK_ID" ]] || die "setup did not print AGENT_TOKEN and TASK_ID"
say "    demo-agent registered, task $TASK_ID open, one check mint returned 200"

audit_records() {
  "$JAVA" -cp "$JAR" dev.stint.bench.HttpSetup audit "$BASE" "$WORK/data/admin.token" \
    | awk -F= '$1=="AUDIT_RECORDS"{r=$2} $1=="AUDIT_VALID"{v=$2} END{print r, v}'
}
# Audit records before the measured run (after the warm-up): load() calls this in between.
AUDIT_BEFORE=""
before_broker() {
  read -r AUDIT_BEFORE _ < <(audit_records) || true
  [[ -n "${AUDIT_BEFORE:-}" ]] || die "GET /v1/audit/verify failed before the load"
}
STINT_AGENT_TOKEN="$AGENT_TOKEN" STINT_TASK_ID="$TASK_ID" load broker "$BROKER_PID" "$BASE"
sleep 1   # let mints that were in flight when wrk stopped reach the audit log
read -r AUDIT_AFTER AUDIT_VALID < <(audit_records) || true
[[ -n "${AUDIT_AFTER:-}" ]] || die "GET /v1/audit/verify failed after the load"

# --- (d) report --------------------------------------------------------------------------------------
stop_broker   # (with JFR=1 this also writes broker-whole.jfr)

NAMES=()
[[ "$SKIP_BARE" != 1 ]] && NAMES+=(bare)
NAMES+=(broker)

for name in "${NAMES[@]}"; do
  echo
  echo "===== wrk output: $name ====="
  grep -v '^STINT ' "$WORK/$name-wrk.out"
done

for name in "${NAMES[@]}"; do
  echo
  echo "===== CPU, sampled mid-run while loading $name (top, 1 s interval) ====="
  sed -n '1,3p' "$WORK/$name-top.txt"
  awk '/^ *PID/{p=1} p && n++ < 9' "$WORK/$name-top.txt"
  echo
  echo "===== $name threads: CPU during the load, % of one core (jcmd Thread.print cpu= deltas) ====="
  if [[ -s "$WORK/$name-threads0.tsv" && -s "$WORK/$name-threads1.tsv" ]]; then
    awk -F'\t' -v secs="${M[$name.wreal]}" '
      function group(name) { if (name !~ /eventloop/) sub(/[0-9]+$/, "*", name); return name }
      NR == FNR { before[$2] = $1; next }
      $2 != "Attach Listener" { g = group($2); used[g] += $1 - before[$2]; count[g]++ }
      END { for (g in used) if (used[g] / 10 / secs >= 0.5)
              printf "%6.1f%%  %s%s\n", used[g] / 10 / secs, g, (count[g] > 1 ? " (" count[g] " threads)" : "") }
    ' "$WORK/$name-threads0.tsv" "$WORK/$name-threads1.tsv" | sort -rn
  else
    echo "(jcmd not available)"
  fi
done

echo
echo "===== server logs: WARN/ERROR lines ====="
BAD_LINES=0
for name in "${NAMES[@]}"; do
  n="$(grep -cE ' (WARN|ERROR) |Exception' "$WORK/$name.log" || true)"
  if [[ "$n" -gt 0 ]]; then echo "$name:"; awk '/ (WARN|ERROR) |Exception/ && n++ < 20' "$WORK/$name.log"; fi
  BAD_LINES=$(( BAD_LINES + n ))
done
(( BAD_LINES > 0 )) || echo "(none)"

# One line per server: req/s p50 p90 p99 p99.9 max (ms), non-2xx, socket errors, CPU of server/wrk/others
summary_row() {
  local name="$1"
  awk -v name="$name" -v req="${M[$name.requests]}" -v dur="${M[$name.duration_us]}" \
      -v p50="${M[$name.p50_us]}" -v p90="${M[$name.p90_us]}" -v p99="${M[$name.p99_us]}" -v p999="${M[$name.p999_us]}" \
      -v max="${M[$name.max_us]}" -v non2xx="${M[$name.non2xx]}" -v sock="${M[$name.sock]}" \
      -v t0="${M[$name.t0]}" -v t1="${M[$name.t1]}" -v all0="${M[$name.all0]}" -v all1="${M[$name.all1]}" \
      -v irq0="${M[$name.irq0]}" -v irq1="${M[$name.irq1]}" -v hz="$HZ" \
      -v wreal="${M[$name.wreal]}" -v wuser="${M[$name.wuser]}" -v wsys="${M[$name.wsys]}" -v busy="${M[$name.busy]}" 'BEGIN {
    server = 100 * (t1 - t0) / hz / wreal; wrk = 100 * (wuser + wsys) / wreal
    others = 100 * (all1 - all0) / hz / wreal - server - wrk; if (others < 0) others = 0
    printf "%-8s %8.0f %7.2f %7.2f %7.2f %7.2f %7.2f %7d %6d   %3.0f%% %3.0f%% %3.0f%% %3.0f%%  %3d%%\n", name, req / (dur / 1e6),
      p50 / 1000, p90 / 1000, p99 / 1000, p999 / 1000, max / 1000, non2xx, sock,
      server, wrk, 100 * (irq1 - irq0) / hz / wreal, others, busy
  }'
}
rps() { awk -v r="${M[$1.requests]}" -v d="${M[$1.duration_us]}" 'BEGIN { printf "%.1f", r / (d / 1e6) }'; }

echo
echo "===== Stint HTTP mint benchmark ====="
echo "JDK                      : $JDK_DESC (bare server, broker and JMH; JVM flags $STINT_FLAGS)"
echo "cores / CPU busy before  : $(nproc) / ${busy_before}%"
echo "load (each server)       : ${WRK_WARMUP} s warm-up, then wrk -t$WRK_THREADS -c$WRK_CONNECTIONS -d${WRK_DURATION}s --latency, POST /v1/tasks/{id}/token"
if [[ -n "$SIGN_RATE" ]]; then
  printf 'raw ES256 sign/s         : %.0f  (+/- %.0f, 99.9%% CI; JMH SigningBenchmark.sign, 1 thread)\n' "$SIGN_RATE" "$SIGN_ERR"
fi
[[ "$JFR" == 1 ]] && echo "NOTE: JFR=1: the broker ran with JFR (settings=profile): its numbers include the recording's overhead."
echo
printf '%-8s %8s %7s %7s %7s %7s %7s %7s %6s   %-24s %s\n' "server" "req/s" "p50 ms" "p90 ms" "p99 ms" "p99.9" "max ms" \
  "non-2xx" "sockerr" "CPU: srv wrk irq others" "busy before"
for name in "${NAMES[@]}"; do summary_row "$name"; done
echo
if [[ "$SKIP_BARE" != 1 ]]; then
  awk -v br="$(rps broker)" -v bb="$(rps bare)" -v p99r="${M[broker.p99_us]}" -v p99b="${M[bare.p99_us]}" \
      -v p50r="${M[broker.p50_us]}" -v p50b="${M[bare.p50_us]}" 'BEGIN {
    printf "broker / bare, req/s     : %.3f\n", br / bb
    printf "broker / bare, p99       : %.2fx  (p50 %.2fx)\n", p99r / p99b, p50r / p50b
  }'
fi
if [[ -n "$SIGN_RATE" ]]; then
  for name in "${NAMES[@]}"; do
    awk -v name="$name" -v r="$(rps "$name")" -v s="$SIGN_RATE" \
      'BEGIN { printf "%-6s / (2 x raw sign)   : %.3f   (2 = cores: 1.0 = both cores did nothing but sign)\n", name, r / (2 * s) }'
  done
fi
echo "audit records, broker    : $(( AUDIT_AFTER - AUDIT_BEFORE )) added during the load (wrk counted ${M[broker.requests]} responses; at most $WRK_CONNECTIONS more may have been in flight); hash chain valid: $AUDIT_VALID"

STATUS=0
for name in "${NAMES[@]}"; do
  others="$(awk -v t0="${M[$name.t0]}" -v t1="${M[$name.t1]}" -v a0="${M[$name.all0]}" -v a1="${M[$name.all1]}" \
    -v hz="$HZ" -v r="${M[$name.wreal]}" -v u="${M[$name.wuser]}" -v s="${M[$name.wsys]}" 'BEGIN{printf "%.0f", 100*((a1-a0-t1+t0)/hz - u - s)/r}')"
  if (( others > 10 )); then
    echo "NOTE: other processes used ${others}% CPU while $name was loaded: it did not have the cores to itself; the ratios are skewed."
  fi
  jit="$(awk -F'\t' -v secs="${M[$name.wreal]}" 'NR == FNR { before[$2] = $1; next }
    $2 ~ /^C[12] CompilerThread/ { used += $1 - before[$2] } END { printf "%.0f", used / 10 / secs }' \
    "$WORK/$name-threads0.tsv" "$WORK/$name-threads1.tsv" 2>/dev/null || echo 0)"
  if (( ${jit:-0} > 10 )); then
    echo "NOTE: the JIT compilers of $name still used ${jit}% of a core during the measured run: not yet warm after a ${WRK_WARMUP} s warm-up; try a longer WRK_WARMUP."
  fi
  [[ "${M[$name.non2xx]}" == 0 ]] || { echo "FAIL: $name: ${M[$name.non2xx]} non-2xx responses"; STATUS=1; }
  [[ "${M[$name.sock]}" == 0 ]] || { echo "FAIL: $name: socket errors (connect ${M[$name.connect]}, read ${M[$name.read]}, write ${M[$name.write]}, timeout ${M[$name.timeout]})"; STATUS=1; }
done
if (( busy_before > 10 )); then
  echo "NOTE: the CPUs were ${busy_before}% busy before the run: other processes share the cores; numbers are low."
fi
[[ "$AUDIT_VALID" == true ]] || { echo "FAIL: audit hash chain did not verify"; STATUS=1; }

if [[ "$JFR" == 1 ]]; then
  echo
  echo "===== JFR profile of the broker during the measured run ====="
  JFR_BIN="$JFR_BIN" "$BENCH/jfr-summary.sh" "$WORK/broker.jfr" 15 || echo "(jfr-summary failed)"
  echo
  if [[ -n "$JFR_OUT" ]]; then cp "$WORK/broker.jfr" "$JFR_OUT" && echo "JFR: measured run copied to $JFR_OUT"; fi
  if [[ "${KEEP_TMP:-0}" == 1 ]]; then
    echo "JFR: measured run: $WORK/broker.jfr; whole broker life (setup, warm-up, load): $WORK/broker-whole.jfr"
  else
    echo "JFR: $WORK/broker.jfr is removed with the temp dir at exit: set KEEP_TMP=1 (or JFR_OUT=FILE) to keep it"
  fi
  echo "     (more: $JFR_BIN view hot-methods|cpu-time-hot-methods|allocation-by-site FILE; $BENCH/jfr-summary.sh FILE)"
fi
exit "$STATUS"
