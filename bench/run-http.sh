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

# Shared with run-cluster.sh: say/die, the JDK, wrk, the build, stopping servers, load().
LOG_TAG=run-http
# shellcheck source=bench/lib.sh
. "$BENCH/lib.sh"
check_wrk_knobs

pick_jdk
need_tools
JFR_BIN="$JDK_HOME/bin/jfr"
if [[ "$JFR" == 1 ]]; then
  [[ -x "$JCMD" && -x "$JFR_BIN" ]] || die "JFR=1 needs jcmd and jfr of $JDK_HOME (a JDK, not a JRE)"
fi

build_jar

WORK="$(mktemp -d "${TMPDIR:-/tmp}/stint-bench.XXXXXX")"
mkdir -p "$WORK/jmh-tmp"
[[ "$JFR" != 1 || "$WORK" != *" "* ]] || die "JFR=1 needs a temp dir without spaces (STINT_JAVA_OPTS is split on spaces)"
BARE_PID=""
BROKER_PID=""

stop_bare() { stop_server "the bare server" "$BARE_PID"; BARE_PID=""; }
stop_broker() { stop_server "the broker" "$BROKER_PID"; BROKER_PID=""; }
stop_servers() { stop_bare; stop_broker; }
trap cleanup EXIT
trap 'exit 130' INT TERM

busy_before="$(cpu_busy_pct)"

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

setup_agent "$BASE" "$WORK/data/admin.token"
say "    demo-agent registered, task $TASK_ID open, one check mint returned 200"

# Audit records before the measured run (after the warm-up): load() calls this in between.
AUDIT_BEFORE=""
before_broker() {
  read -r AUDIT_BEFORE _ < <(audit_records "$BASE" "$WORK/data/admin.token") || true
  [[ -n "${AUDIT_BEFORE:-}" ]] || die "GET /v1/audit/verify failed before the load"
}
STINT_AGENT_TOKEN="$AGENT_TOKEN" STINT_TASK_ID="$TASK_ID" load broker "$BROKER_PID" "$BASE"
sleep 1   # let mints that were in flight when wrk stopped reach the audit log
read -r AUDIT_AFTER AUDIT_VALID < <(audit_records "$BASE" "$WORK/data/admin.token") || true
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
log_warnings "${NAMES[@]}"
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
  others_note "$name"
  jit_note "$name"
  check_errors "$name"
done
busy_note
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
