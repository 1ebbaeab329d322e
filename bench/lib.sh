# Shared by run-http.sh and run-cluster.sh; sourced, not run. The sourcing script sets first:
#   LOG_TAG (prefix of its messages), BENCH, ROOT, JAR, WRK_THREADS, WRK_CONNECTIONS, WRK_DURATION,
#   WRK_WARMUP, JFR; later WORK (its temp dir) and a function stop_servers (cleanup calls it).
# shellcheck shell=bash

say() { printf '[%s] %s\n' "$LOG_TAG" "$*" >&2; }
die() { say "ERROR: $*"; exit 1; }

# check_wrk_knobs: the wrk knobs are whole numbers that make a load
check_wrk_knobs() {
  for knob in WRK_THREADS WRK_CONNECTIONS WRK_DURATION WRK_WARMUP; do
    [[ "${!knob}" =~ ^[0-9]+$ ]] || die "$knob must be a whole number, not '${!knob}'"
  done
  (( WRK_THREADS > 0 && WRK_CONNECTIONS >= WRK_THREADS && WRK_DURATION > 0 )) \
    || die "need WRK_THREADS > 0, WRK_CONNECTIONS >= WRK_THREADS, WRK_DURATION > 0"
}

# pick_jdk: JAVA, JDK_HOME, JDK_DESC, JDK_FEATURE, JCMD and STINT_FLAGS, with the very functions
# ./stint uses (JAVA_HOME, else newest under /usr/lib/jvm, else java)
pick_jdk() {
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
  JCMD="$JDK_HOME/bin/jcmd"
}

# need_tools: wrk (installed when missing) and curl
need_tools() {
  if ! command -v wrk >/dev/null 2>&1; then
    say "wrk is missing: installing it (apt-get install -y wrk)"
    SUDO=""; [[ $(id -u) -eq 0 ]] || SUDO="sudo"
    $SUDO apt-get install -y wrk >/dev/null 2>&1 \
      || { $SUDO apt-get update -qq >/dev/null && $SUDO apt-get install -y wrk >/dev/null; } \
      || die "cannot install wrk"
  fi
  command -v curl >/dev/null 2>&1 || die "curl is required"
}

# build_jar: the bench jar (and with it the broker jar) when missing or older than the sources
build_jar() {
  if [[ ! -f "$JAR" || -n "$(find "$ROOT/pom.xml" "$ROOT/token-model" "$ROOT/broker" "$ROOT/config" "$BENCH" -newer "$JAR" \
        \( -name '*.java' -o -name '*.xml' -o -name '*.sql' -o -name '*.yaml' \) -not -path '*/target/*' \
        -print -quit)" ]]; then
    say "building bench/target/stint-bench.jar ..."
    (cd "$ROOT" && ./mvnw -B -q -pl bench -am package -Dmaven.test.skip=true) >&2 \
      || die "build failed (see above; the broker may be mid-edit: retry in a minute)"
  fi
}

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
# kill_tree PID: the process and its descendants, by id (the mid-run sampler and its sleep/top)
kill_tree() {
  local child
  for child in $(ps -o pid= --ppid "$1" 2>/dev/null); do kill_tree "$child"; done
  kill "$1" 2>/dev/null || true
}
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  local pid
  # WRK_PID: the running wrk, or several (space-separated) when run-cluster.sh loads two nodes
  for pid in $WRK_PID; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  if [[ -n "$SAMPLER_PID" ]]; then kill_tree "$SAMPLER_PID"; wait "$SAMPLER_PID" 2>/dev/null || true; fi
  stop_servers
  if [[ "${KEEP_TMP:-0}" == 1 ]]; then say "kept $WORK"; else rm -rf "$WORK"; fi
  exit "$status"
}

# CPU already in use by other processes, over one second: the numbers below assume idle cores.
cpu_busy_pct() {
  local a b
  a=($(head -1 /proc/stat)); sleep 1; b=($(head -1 /proc/stat))
  awk -v u="$(( b[1]+b[2]+b[3]+b[6]+b[7]+b[8] - a[1]-a[2]-a[3]-a[6]-a[7]-a[8] ))" \
      -v t="$(( b[1]+b[2]+b[3]+b[4]+b[5]+b[6]+b[7]+b[8] - a[1]-a[2]-a[3]-a[4]-a[5]-a[6]-a[7]-a[8] ))" \
      'BEGIN { printf "%.0f", (t > 0 ? 100 * u / t : 0) }'
}

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

# --- load, the same for every server ------------------------------------------------------------
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
  mark_cpu "$name" 0 "$pid"
  ( sleep $(( WRK_DURATION / 2 )) || true
    top -b -n 2 -d 1 -w 200 | awk '/^top -/{n++} n==2' > "$WORK/$name-top.txt" 2>/dev/null || true
  ) &
  SAMPLER_PID=$!
  local wall0 wall1
  wall0="$(date +%s%N)"; times > "$WORK/$name-times0.txt"
  run_wrk "$WORK/$name-wrk.out" -t"$WRK_THREADS" -c"$WRK_CONNECTIONS" -d"${WRK_DURATION}s" --latency -s "$BENCH/mint.lua" "$base" \
    || { cat "$WORK/$name-wrk.out" >&2; die "wrk against $name failed"; }
  times > "$WORK/$name-times1.txt"; wall1="$(date +%s%N)"
  mark_cpu "$name" 1 "$pid"
  if [[ "$name" == broker && "$JFR" == 1 ]]; then
    "$JCMD" "$pid" JFR.stop name=measured filename="$WORK/broker.jfr" > "$WORK/jfr-stop.out" 2>&1 \
      || { cat "$WORK/jfr-stop.out" >&2; die "jcmd JFR.stop failed"; }
  fi
  thread_cpu "$pid" > "$WORK/$name-threads1.tsv"
  wait "$SAMPLER_PID" 2>/dev/null || true
  SAMPLER_PID=""
  parse_wrk "$name" "$WORK/$name-wrk.out"
  wrk_cpu "$name" "$wall0" "$wall1"
  say_result "$name"
}

# mark_cpu NAME 0|1 PID...: CPU ticks of the servers (summed), of the whole machine and of irq at
# the start (0) or end (1) of a measured run; also extra_ticks (e.g. a database's) when the
# sourcing script defines that function.
mark_cpu() {
  local name="$1" i="$2" pid sum=0
  shift 2
  for pid in "$@"; do sum=$(( sum + $(ticks "$pid") )); done
  M[$name.t$i]="$sum"; M[$name.all$i]="$(proc_ticks)"; M[$name.irq$i]="$(irq_ticks)"
  if declare -F extra_ticks >/dev/null; then M[$name.x$i]="$(extra_ticks)"; fi
}

# parse_wrk NAME FILE: M[NAME.requests, duration_us, non2xx, socket errors, percentiles] from the
# STINT line bench/mint.lua prints
parse_wrk() {
  local name="$1" out="$2" line key
  line="$(grep '^STINT ' "$out" || true)"
  [[ -n "$line" ]] || { cat "$out" >&2; die "wrk printed no STINT summary line for $name"; }
  for key in requests duration_us non2xx connect read write timeout p50_us p90_us p99_us p999_us max_us; do
    M[$name.$key]="$(sed -n "s/.* $key=\([0-9.]*\).*/\1/p" <<< " ${line#STINT }")"
  done
  M[$name.sock]=$(( M[$name.connect] + M[$name.read] + M[$name.write] + M[$name.timeout] ))
}

# wrk_cpu NAME WALL0_NS WALL1_NS: wall time of the wrk run, and its CPU (with the mid-run top's few
# ms) as wrk's user + sys, from $WORK/NAME-times0.txt and -times1.txt
wrk_cpu() {
  local name="$1" wall0="$2" wall1="$3"
  M[$name.wreal]="$(awk -v a="$wall0" -v b="$wall1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')"
  M[$name.wuser]="$(awk -v a="$(cpu_of "$WORK/$name-times0.txt")" -v b="$(cpu_of "$WORK/$name-times1.txt")" 'BEGIN { printf "%.3f", b - a }')"
  M[$name.wsys]=0
}

say_result() {
  local name="$1"
  say "    $name: $(awk -v r="${M[$name.requests]}" -v d="${M[$name.duration_us]}" 'BEGIN{printf "%.0f", r / (d / 1e6)}') req/s," \
      "p50 $(awk -v v="${M[$name.p50_us]}" 'BEGIN{printf "%.2f", v / 1000}') ms, p99 $(awk -v v="${M[$name.p99_us]}" 'BEGIN{printf "%.2f", v / 1000}') ms," \
      "non-2xx ${M[$name.non2xx]}, socket errors ${M[$name.sock]}"
}

# --- the report's notes and checks ----------------------------------------------------------------
# jit_note NAME: a NOTE when the JIT compiler threads of NAME's server used more than 10% of a
# core during its measured run (from $WORK/NAME-threads0.tsv and -threads1.tsv)
jit_note() {
  local jit
  jit="$(awk -F'\t' -v secs="${M[$1.wreal]}" 'NR == FNR { before[$2] = $1; next }
    $2 ~ /^C[12] CompilerThread/ { used += $1 - before[$2] } END { printf "%.0f", used / 10 / secs }' \
    "$WORK/$1-threads0.tsv" "$WORK/$1-threads1.tsv" 2>/dev/null || echo 0)"
  if (( ${jit:-0} > 10 )); then
    echo "NOTE: the JIT compilers of $1 still used ${jit}% of a core during the measured run: not yet warm after a ${WRK_WARMUP} s warm-up; try a longer WRK_WARMUP."
  fi
}
# others_note NAME: a NOTE when processes other than the server(s), wrk (and extra_ticks's) used
# more than 10% CPU during NAME's measured run
others_note() {
  local name="$1" others
  others="$(awk -v t0="${M[$name.t0]}" -v t1="${M[$name.t1]}" -v a0="${M[$name.all0]}" -v a1="${M[$name.all1]}" \
    -v x0="${M[$name.x0]:-0}" -v x1="${M[$name.x1]:-0}" \
    -v hz="$HZ" -v r="${M[$name.wreal]}" -v u="${M[$name.wuser]}" -v s="${M[$name.wsys]}" 'BEGIN{printf "%.0f", 100*((a1-a0-t1+t0-x1+x0)/hz - u - s)/r}')"
  if (( others > 10 )); then
    echo "NOTE: other processes used ${others}% CPU while $name was loaded: it did not have the cores to itself; the ratios are skewed."
  fi
}
# check_errors NAME: FAIL lines (and STATUS=1) for non-2xx responses or socket errors
check_errors() {
  local name="$1"
  [[ "${M[$name.non2xx]}" == 0 ]] || { echo "FAIL: $name: ${M[$name.non2xx]} non-2xx responses"; STATUS=1; }
  [[ "${M[$name.sock]}" == 0 ]] || { echo "FAIL: $name: socket errors (connect ${M[$name.connect]}, read ${M[$name.read]}, write ${M[$name.write]}, timeout ${M[$name.timeout]})"; STATUS=1; }
}
busy_note() {
  if (( busy_before > 10 )); then
    echo "NOTE: the CPUs were ${busy_before}% busy before the run: other processes share the cores; numbers are low."
  fi
}
# log_warnings NAME...: the first 20 WARN/ERROR/Exception lines of each $WORK/NAME.log; adds their
# number to BAD_LINES
log_warnings() {
  local name n
  for name in "$@"; do
    [[ -f "$WORK/$name.log" ]] || continue
    n="$(grep -cE ' (WARN|ERROR) |Exception' "$WORK/$name.log" || true)"
    if [[ "$n" -gt 0 ]]; then echo "$name:"; awk '/ (WARN|ERROR) |Exception/ && n++ < 20' "$WORK/$name.log"; fi
    BAD_LINES=$(( BAD_LINES + n ))
  done
}

# setup_agent BASE ADMIN_TOKEN_FILE [AGENT_ID [ISSUER]]: registers the agent (default demo-agent),
# logs it in, opens a dev task and mints once (dev.stint.bench.HttpSetup setup); sets AGENT_TOKEN
# and TASK_ID
setup_agent() {
  AGENT_TOKEN=""; TASK_ID=""
  while IFS='=' read -r key value; do
    case "$key" in AGENT_TOKEN) AGENT_TOKEN="$value" ;; TASK_ID) TASK_ID="$value" ;; esac
  done < <("$JAVA" -cp "$JAR" dev.stint.bench.HttpSetup setup "$@")
  [[ -n "$AGENT_TOKEN" && -n "$TASK_ID" ]] || die "setup did not print AGENT_TOKEN and TASK_ID"
}

# audit_records BASE ADMIN_TOKEN_FILE: prints "RECORDS VALID" from GET /v1/audit/verify
audit_records() {
  "$JAVA" -cp "$JAR" dev.stint.bench.HttpSetup audit "$1" "$2" \
    | awk -F= '$1=="AUDIT_RECORDS"{r=$2} $1=="AUDIT_VALID"{v=$2} END{print r, v}'
}

# stop_postgres: the BenchPostgres JVM ($PG_PID), and the server it started ($PG_POSTMASTER) should
# the JVM have died without stopping it; only a server of this run's data directory ($WORK/pg/data).
stop_postgres() {
  stop_server "PostgreSQL (BenchPostgres)" "$PG_PID"; PG_PID=""
  # BenchPostgres stops the server when it gets SIGTERM; should it have been killed, stop the
  # server it started here (its process id came from its own postmaster.pid)
  if [[ -n "$PG_POSTMASTER" ]] && kill -0 "$PG_POSTMASTER" 2>/dev/null \
      && [[ "$(tr '\0' ' ' < "/proc/$PG_POSTMASTER/cmdline" 2>/dev/null)" == *"$WORK/pg/data"* ]]; then
    say "PostgreSQL is still running: stopping it (pid $PG_POSTMASTER)"
    kill -INT "$PG_POSTMASTER" 2>/dev/null || true   # SIGINT: PostgreSQL's fast shutdown
    for _ in $(seq 1 100); do kill -0 "$PG_POSTMASTER" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$PG_POSTMASTER" 2>/dev/null; then kill -KILL "$PG_POSTMASTER" 2>/dev/null || true; fi
  fi
  PG_POSTMASTER=""
}

# start_postgres DATABASE [BenchPostgres options...]: a BenchPostgres server on $PG_PORT with its data
# in $WORK/pg; sets PG_PID, PG_READY, PG_POSTMASTER, and pg_sql STATEMENT... runs SQL in DATABASE.
start_postgres() {
  PG_DATABASE="$1"; shift
  say "starting PostgreSQL (BenchPostgres) on 127.0.0.1:$PG_PORT (data $WORK/pg/data) ..."
  mkdir -p "$WORK/pg"
  "$JAVA" -cp "$JAR" dev.stint.bench.BenchPostgres server --port "$PG_PORT" --data-dir "$WORK/pg/data" \
      --work-dir "$WORK/pg/bin" "$@" > "$WORK/postgres.log" 2>&1 &
  PG_PID=$!
  PG_READY=""
  for _ in $(seq 1 1200); do
    PG_READY="$(grep -m1 '^READY ' "$WORK/postgres.log" || true)"
    [[ -z "$PG_READY" ]] || break
    kill -0 "$PG_PID" 2>/dev/null || { cat "$WORK/postgres.log" >&2; die "BenchPostgres exited"; }
    sleep 0.1
  done
  [[ -n "$PG_READY" ]] || { cat "$WORK/postgres.log" >&2; die "PostgreSQL did not start within 120 s"; }
  PG_POSTMASTER="$(sed -n 's/.* pid=\([0-9]*\).*/\1/p' <<< "$PG_READY")"
  say "    $PG_READY"
}
pg_sql() { "$JAVA" -cp "$JAR" dev.stint.bench.BenchPostgres sql "$PG_PORT" "$PG_DATABASE" "$@"; }
