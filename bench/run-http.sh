#!/usr/bin/env bash
# Stint HTTP mint benchmark, one command:
#   1. raw single-core ES256 signing rate (JMH SigningBenchmark.sign, 1 thread),
#   2. a real broker (./stint broker) on a free port with a fresh data dir; demo-agent registered
#      with a fresh key, an agent token, one dev task,
#   3. wrk -t2 -c32 -d20s --latency (after a 5 s uncounted warm-up): every request is
#      POST /v1/tasks/$TASK/token,
#   4. the numbers and their ratio to 2 x the raw single-core rate (the machine has 2 cores),
# all on the JDK the broker runs on (same selection as ./stint). Stops the broker and removes
# the temp dir at the end, also on failure or Ctrl-C.
#
#   bench/run-http.sh
#   env: WRK_THREADS=2 WRK_CONNECTIONS=32 WRK_DURATION=20 (seconds)
#        WRK_WARMUP=5 (seconds of uncounted load first, as JMH warms up; 0 = none)  KEEP_TMP=1 (keep logs)
#
# Exit status 1 when any response was not 2xx, a socket error happened or a step failed.
set -euo pipefail

BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$BENCH")"
JAR="$BENCH/target/stint-bench.jar"
WRK_THREADS="${WRK_THREADS:-2}"
WRK_CONNECTIONS="${WRK_CONNECTIONS:-32}"
WRK_DURATION="${WRK_DURATION:-20}"
WRK_WARMUP="${WRK_WARMUP:-5}"

say() { printf '[run-http] %s\n' "$*" >&2; }
die() { say "ERROR: $*"; exit 1; }

# --- JDK: the very functions ./stint uses (JAVA_HOME, else newest under /usr/lib/jvm, else java)
eval "$(sed -n -e '/^java_version() {/,/^}/p' -e '/^pick_java() {/,/^}/p' "$ROOT/stint")"
declare -F pick_java >/dev/null && declare -F java_version >/dev/null \
  || die "could not read pick_java/java_version from $ROOT/stint"
JAVA="$(pick_java)"
JAVA="$(readlink -f "$JAVA")"
JDK_HOME="$(dirname "$(dirname "$JAVA")")"
JDK_DESC="$("$JAVA" -version 2>&1 | awk 'NR==1')"

# --- tools
if ! command -v wrk >/dev/null 2>&1; then
  say "wrk is missing: installing it (apt-get install -y wrk)"
  SUDO=""; [[ $(id -u) -eq 0 ]] || SUDO="sudo"
  $SUDO apt-get install -y wrk >/dev/null 2>&1 \
    || { $SUDO apt-get update -qq >/dev/null && $SUDO apt-get install -y wrk >/dev/null; } \
    || die "cannot install wrk"
fi
command -v curl >/dev/null 2>&1 || die "curl is required"

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
BROKER_PID=""
SAMPLER_PID=""

stop_broker() {
  [[ -n "$BROKER_PID" ]] || return 0
  if kill -0 "$BROKER_PID" 2>/dev/null; then
    kill -TERM "$BROKER_PID" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$BROKER_PID" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$BROKER_PID" 2>/dev/null; then
      say "broker did not stop within 10 s of SIGTERM; killing it"
      kill -KILL "$BROKER_PID" 2>/dev/null || true
    fi
  fi
  wait "$BROKER_PID" 2>/dev/null || true
  BROKER_PID=""
}
cleanup() {
  local status=$?
  [[ -n "$SAMPLER_PID" ]] && kill "$SAMPLER_PID" 2>/dev/null || true
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

# --- (a) raw single-core ES256 signing rate -----------------------------------------------------
say "JDK: $JAVA ($JDK_DESC)"
say "(a) JMH SigningBenchmark.sign, 1 thread (~30 s) ..."
"$JAVA" -Djava.io.tmpdir="$WORK/jmh-tmp" -jar "$JAR" 'dev\.stint\.bench\.SigningBenchmark\.sign$' \
    -t 1 -f 1 -rf csv -rff "$WORK/sign.csv" > "$WORK/jmh-sign.log" 2>&1 \
  || { cat "$WORK/jmh-sign.log" >&2; die "JMH failed"; }
grep -E '^(# Warmup Iteration|Iteration)' "$WORK/jmh-sign.log" | sed 's/^/    /' >&2 || true
SIGN_RATE="$(awk -F, 'NR==2 {print $5}' "$WORK/sign.csv")"
SIGN_ERR="$(awk -F, 'NR==2 {print $6}' "$WORK/sign.csv")"
[[ -n "$SIGN_RATE" ]] || die "no JMH result in $WORK/sign.csv"

# --- (b) broker, agent, task ---------------------------------------------------------------------
PORT="$("$JAVA" -cp "$JAR" dev.stint.bench.HttpSetup free-port)"
BASE="http://127.0.0.1:$PORT"
say "(b) starting the broker on $BASE (data dir $WORK/data) ..."
JAVA_HOME="$JDK_HOME" "$ROOT/stint" broker --port "$PORT" --data-dir "$WORK/data" > "$WORK/broker.log" 2>&1 &
BROKER_PID=$!
for _ in $(seq 1 600); do
  kill -0 "$BROKER_PID" 2>/dev/null || { cat "$WORK/broker.log" >&2; BROKER_PID=""; die "the broker exited"; }
  if [[ -s "$WORK/data/admin.token" ]] && curl -sf -o /dev/null "$BASE/health"; then break; fi
  sleep 0.1
done
curl -sf -o /dev/null "$BASE/health" || { cat "$WORK/broker.log" >&2; die "the broker did not become healthy"; }
BROKER_JAVA="$(readlink -f "/proc/$BROKER_PID/exe")"
[[ "$BROKER_JAVA" == "$JAVA" ]] || say "WARNING: broker runs $BROKER_JAVA, JMH ran $JAVA"

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
export STINT_AGENT_TOKEN="$AGENT_TOKEN" STINT_TASK_ID="$TASK_ID"
if (( WRK_WARMUP > 0 )); then
  # JMH warms the signer up before it measures; give the broker's JIT the same chance.
  say "    warm-up: wrk -t$WRK_THREADS -c$WRK_CONNECTIONS -d${WRK_WARMUP}s (not counted) ..."
  wrk -t"$WRK_THREADS" -c"$WRK_CONNECTIONS" -d"${WRK_WARMUP}s" -s "$BENCH/mint.lua" "$BASE" > "$WORK/wrk-warmup.out" 2>&1 \
    || { cat "$WORK/wrk-warmup.out" >&2; die "wrk warm-up failed"; }
  say "    warm-up: $(grep '^Requests/sec' "$WORK/wrk-warmup.out" || true) $(grep -o 'non2xx=[0-9]*' "$WORK/wrk-warmup.out" || true)"
fi
read -r AUDIT_BEFORE _ < <(audit_records) || true
[[ -n "${AUDIT_BEFORE:-}" ]] || die "GET /v1/audit/verify failed before the load"

# --- (c) load ---------------------------------------------------------------------------------------
say "(c) wrk -t$WRK_THREADS -c$WRK_CONNECTIONS -d${WRK_DURATION}s --latency POST $BASE/v1/tasks/$TASK_ID/token ..."
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
HZ="$(getconf CLK_TCK)"
# whole-machine ticks: user+nice+system+steal (attributed to processes) and irq+softirq (mostly loopback)
proc_ticks() { awk '/^cpu /{print $2+$3+$4+$9; exit}' /proc/stat; }
irq_ticks() { awk '/^cpu /{print $7+$8; exit}' /proc/stat; }
# CPU time per broker thread (Java names): "cpu=...ms" of jcmd Thread.print
JCMD="$JDK_HOME/bin/jcmd"
thread_cpu() {
  [[ -x "$JCMD" ]] || return 0
  "$JCMD" "$BROKER_PID" Thread.print 2>/dev/null | sed -nE 's/^"([^"]*)".* cpu=([0-9.]+)ms.*/\2\t\1/p' || true
}
thread_cpu > "$WORK/threads0.tsv"
BROKER_TICKS_0="$(ticks "$BROKER_PID")"; PROC_TICKS_0="$(proc_ticks)"; IRQ_TICKS_0="$(irq_ticks)"
( sleep $(( WRK_DURATION / 2 )) || true
  top -b -n 2 -d 1 -w 200 | awk '/^top -/{n++} n==2' > "$WORK/top.txt" 2>/dev/null || true
) &
SAMPLER_PID=$!
TIMEFORMAT='%R %U %S'
{ time wrk -t"$WRK_THREADS" -c"$WRK_CONNECTIONS" -d"${WRK_DURATION}s" --latency -s "$BENCH/mint.lua" "$BASE" \
    > "$WORK/wrk.out" 2>&1 ; } 2> "$WORK/wrk.time" || { cat "$WORK/wrk.out" >&2; die "wrk failed"; }
BROKER_TICKS_1="$(ticks "$BROKER_PID")"; PROC_TICKS_1="$(proc_ticks)"; IRQ_TICKS_1="$(irq_ticks)"
thread_cpu > "$WORK/threads1.tsv"
wait "$SAMPLER_PID" 2>/dev/null || true
SAMPLER_PID=""
sleep 1   # let mints that were in flight when wrk stopped reach the audit log
read -r AUDIT_AFTER AUDIT_VALID < <(audit_records) || true
[[ -n "${AUDIT_AFTER:-}" ]] || die "GET /v1/audit/verify failed after the load"

# --- (d) report --------------------------------------------------------------------------------------
stop_broker

echo
echo "===== wrk output ====="
grep -v '^STINT ' "$WORK/wrk.out"
STINT_LINE="$(grep '^STINT ' "$WORK/wrk.out" || true)"
[[ -n "$STINT_LINE" ]] || die "wrk printed no STINT summary line"
field() { sed -n "s/.* $1=\([0-9.]*\).*/\1/p" <<< " ${STINT_LINE#STINT }"; }
REQUESTS="$(field requests)"; DURATION_US="$(field duration_us)"; NON2XX="$(field non2xx)"
SOCK_ERR="connect $(field connect), read $(field read), write $(field write), timeout $(field timeout)"
SOCK_TOTAL=$(( $(field connect) + $(field read) + $(field write) + $(field timeout) ))
P50_US="$(field p50_us)"; P90_US="$(field p90_us)"; P99_US="$(field p99_us)"; P999_US="$(field p999_us)"
MAX_US="$(field max_us)"
read -r WRK_REAL WRK_USER WRK_SYS < "$WORK/wrk.time"

echo
echo "===== CPU, sampled mid-run (top, 1 s interval) ====="
sed -n '1,3p' "$WORK/top.txt"
awk '/^ *PID/{p=1} p && n++ < 9' "$WORK/top.txt"
echo
echo "===== broker threads: CPU during the load, % of one core (jcmd Thread.print cpu= deltas) ====="
if [[ -s "$WORK/threads0.tsv" && -s "$WORK/threads1.tsv" ]]; then
  awk -F'\t' -v secs="$WRK_REAL" '
    function group(name) { if (name !~ /eventloop/) sub(/[0-9]+$/, "*", name); return name }
    NR == FNR { before[$2] = $1; next }
    $2 != "Attach Listener" { g = group($2); used[g] += $1 - before[$2]; count[g]++ }
    END { for (g in used) if (used[g] / 10 / secs >= 0.5)
            printf "%6.1f%%  %s%s\n", used[g] / 10 / secs, g, (count[g] > 1 ? " (" count[g] " threads)" : "") }
  ' "$WORK/threads0.tsv" "$WORK/threads1.tsv" | sort -rn
else
  echo "(jcmd not available)"
fi

echo
echo "===== broker log: WARN/ERROR lines ====="
BAD_LINES="$(grep -cE ' (WARN|ERROR) |Exception' "$WORK/broker.log" || true)"
if [[ "$BAD_LINES" -gt 0 ]]; then awk '/ (WARN|ERROR) |Exception/ && n++ < 20' "$WORK/broker.log"; else echo "(none)"; fi

awk -v sign="$SIGN_RATE" -v err="$SIGN_ERR" -v req="$REQUESTS" -v dur="$DURATION_US" \
    -v p50="$P50_US" -v p90="$P90_US" -v p99="$P99_US" -v p999="$P999_US" -v max="$MAX_US" \
    -v non2xx="$NON2XX" -v sock="$SOCK_ERR" -v jdk="$JDK_DESC" \
    -v t="$WRK_THREADS" -v c="$WRK_CONNECTIONS" -v d="$WRK_DURATION" \
    -v bt0="$BROKER_TICKS_0" -v bt1="$BROKER_TICKS_1" -v hz="$HZ" -v all0="$PROC_TICKS_0" -v all1="$PROC_TICKS_1" \
    -v irq0="$IRQ_TICKS_0" -v irq1="$IRQ_TICKS_1" \
    -v wreal="$WRK_REAL" -v wuser="$WRK_USER" -v wsys="$WRK_SYS" \
    -v a0="$AUDIT_BEFORE" -v a1="$AUDIT_AFTER" -v avalid="$AUDIT_VALID" \
    -v busy="$busy_before" -v ncpu="$(nproc)" 'BEGIN {
  rps = req / (dur / 1e6)
  wall = dur / 1e6
  printf "\n===== Stint HTTP mint benchmark =====\n"
  printf "JDK                                : %s (broker and JMH)\n", jdk
  printf "cores / CPU busy just before run   : %d / %d%%\n", ncpu, busy
  printf "raw ES256 sign/s (JMH, 1 core)     : %.0f  (+/- %.0f, 99.9%% CI)\n", sign, err
  printf "%-35s: %.0f  (%d requests)\n", sprintf("HTTP mint req/s (wrk -t%d -c%d %ds)", t, c, d), rps, req
  printf "p50 / p99 latency                  : %.2f ms / %.2f ms  (p90 %.2f, p99.9 %.2f, max %.2f ms)\n", \
      p50 / 1000, p99 / 1000, p90 / 1000, p999 / 1000, max / 1000
  printf "HTTP / (2 x raw single-core sign)  : %.3f\n", rps / (2 * sign)
  printf "HTTP / (1 x raw single-core sign)  : %.3f\n", rps / sign
  printf "non-2xx responses                  : %d%s\n", non2xx, non2xx == 0 ? "  (OK)" : "  (FAIL: must be 0)"
  printf "socket errors                      : %s\n", sock
  broker_pct = 100 * (bt1 - bt0) / hz / wreal
  wrk_pct = 100 * (wuser + wsys) / wreal
  others_pct = 100 * (all1 - all0) / hz / wreal - broker_pct - wrk_pct
  printf "%-35s: broker %.0f%%, wrk %.0f%%, irq/softirq %.0f%%, other processes %.0f%%\n", \
      sprintf("CPU during load (of %d%%)", ncpu * 100), broker_pct, wrk_pct, 100 * (irq1 - irq0) / hz / wreal, \
      (others_pct < 0 ? 0 : others_pct)
  printf "audit records added during load    : %d (wrk counted %d responses); hash chain valid: %s\n", \
      a1 - a0, req, avalid
}'
OTHERS_PCT="$(awk -v b0="$BROKER_TICKS_0" -v b1="$BROKER_TICKS_1" -v a0="$PROC_TICKS_0" -v a1="$PROC_TICKS_1" \
  -v hz="$HZ" -v r="$WRK_REAL" -v u="$WRK_USER" -v s="$WRK_SYS" 'BEGIN{printf "%.0f", 100*((a1-a0-b1+b0)/hz - u - s)/r}')"
if (( OTHERS_PCT > 10 )); then
  echo "NOTE: other processes used ${OTHERS_PCT}% CPU during the load: the broker and wrk did not have the cores to themselves."
fi
if (( busy_before > 10 )); then
  echo "NOTE: the CPUs were ${busy_before}% busy before the run: other processes share the cores; numbers are low."
fi

STATUS=0
[[ "$NON2XX" == 0 ]] || { echo "FAIL: $NON2XX non-2xx responses"; STATUS=1; }
[[ "$SOCK_TOTAL" == 0 ]] || { echo "FAIL: socket errors ($SOCK_ERR)"; STATUS=1; }
[[ "$AUDIT_VALID" == true ]] || { echo "FAIL: audit hash chain did not verify"; STATUS=1; }
exit "$STATUS"
