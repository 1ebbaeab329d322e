#!/usr/bin/env bash
# Held approval waits beside the mint path, one command: does an agent fleet waiting for people
# (GET /v1/tasks/{id}?wait=30 held open) cost the broker's hot path anything?
#   (a) the broker, idle but for the load: wrk mints task tokens (as run-http.sh does);
#   (b) the same broker, the same load, while HOLD requests (default 900, under the broker's cap
#       of 1,000) wait on a task pending approval, each asking again as soon as it is answered;
#   (c) the load alone again, so that a broker still warming up in (a) does not flatter (b):
#       (b) is compared with the mean of (a) and (c).
# The policy is the bench's own (a dev task of db:orders:delete waits for one approver), so the
# run does not depend on the sample policy's freezes or the day it runs. Prints req/s, p50, p99 of
# both, the ratio held/idle, the broker's CPU and resident memory in each, and how the held
# requests fared (answers, non-200s: the wait ends every 30 s, so each answers about once a run).
#
#   bench/run-waits.sh
#   env: WRK_THREADS=2 WRK_CONNECTIONS=32 WRK_DURATION=20 WRK_WARMUP=10 HOLD=900 KEEP_TMP=1
#
# Exit status 1 when a mint was not 2xx, a socket error happened, a held request was answered
# other than 200, or a step failed.
set -euo pipefail

BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$BENCH")"
JAR="$BENCH/target/stint-bench.jar"
WRK_THREADS="${WRK_THREADS:-2}"
WRK_CONNECTIONS="${WRK_CONNECTIONS:-32}"
WRK_DURATION="${WRK_DURATION:-20}"
WRK_WARMUP="${WRK_WARMUP:-10}"
HOLD="${HOLD:-900}"
JFR=0

LOG_TAG=run-waits
# shellcheck source=bench/lib.sh
. "$BENCH/lib.sh"
check_wrk_knobs
[[ "$HOLD" =~ ^[0-9]+$ ]] && (( HOLD > 0 && HOLD <= 1000 )) || die "HOLD must be 1-1000 (the broker holds at most 1,000)"
command -v python3 >/dev/null 2>&1 || die "python3 is required (it holds the waiting requests)"

pick_jdk
need_tools
build_jar

WORK="$(mktemp -d "${TMPDIR:-/tmp}/stint-bench.XXXXXX")"
BROKER_PID=""
HOLDER_PID=""
stop_holder() {
  if [[ -n "$HOLDER_PID" ]]; then kill -TERM "$HOLDER_PID" 2>/dev/null || true; wait "$HOLDER_PID" 2>/dev/null || true; fi
  HOLDER_PID=""
}
stop_servers() { stop_holder; stop_server "the broker" "$BROKER_PID"; BROKER_PID=""; }
trap cleanup EXIT
trap 'exit 130' INT TERM

cat > "$WORK/policy.yaml" <<'EOF'
tiers:
  dev: { max_ttl: 8h, default_ttl: 1h }
destructive_actions: [delete]
grants:
  demo-agent:
    dev: ["db:orders:read", "db:orders:delete"]
approvals:
  dev: { destructive: 1 }
approval_window: 1d
EOF

busy_before="$(cpu_busy_pct)"
PORT="$("$JAVA" -cp "$JAR" dev.stint.bench.HttpSetup free-port)"
BASE="http://127.0.0.1:$PORT"
say "JDK: $JAVA ($JDK_DESC)"
say "starting the broker on $BASE with the bench's policy ..."
JAVA_HOME="$JDK_HOME" "$ROOT/stint" broker --port "$PORT" --data-dir "$WORK/data" --policy "$WORK/policy.yaml" \
  > "$WORK/broker.log" 2>&1 &
BROKER_PID=$!
wait_healthy "the broker" "$BROKER_PID" "$BASE" "$WORK/broker.log" "$WORK/data/admin.token"
setup_agent "$BASE" "$WORK/data/admin.token"
PENDING="$(curl -sf -X POST "$BASE/v1/tasks" -H "Authorization: Bearer $AGENT_TOKEN" -H 'Content-Type: application/json' \
  -d '{"tier":"dev","purpose":"bench: waits for people","scopes":["db:orders:delete"],"ttl_seconds":28800}' \
  | python3 -c 'import json,sys; t=json.load(sys.stdin); assert t["status"]=="pending_approval", t; print(t["task_id"])')" \
  || die "could not open a task pending approval"
say "    demo-agent registered; mint task $TASK_ID active, task $PENDING pending approval"

rss_kb() { awk '/^VmRSS:/{print $2}' "/proc/$BROKER_PID/status"; }

# (a) idle
STINT_AGENT_TOKEN="$AGENT_TOKEN" STINT_TASK_ID="$TASK_ID" load idle "$BROKER_PID" "$BASE"
M[idle.rss]="$(rss_kb)"

# (b) while HOLD requests wait
cat > "$WORK/hold.py" <<'EOF'
# Holds N keep-alive connections, each asking GET /v1/tasks/ID?wait=30 again as soon as it is
# answered, until SIGTERM; then prints "HELD answers=A non200=B errors=C".
import asyncio, os, signal, sys
host, port, task, token, n = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5])
stats = {"answers": 0, "non200": 0, "errors": 0}
request = (f"GET /v1/tasks/{task}?wait=30 HTTP/1.1\r\nHost: {host}:{port}\r\n"
           f"Authorization: Bearer {token}\r\n\r\n").encode()
async def one(ready):
    try:
        reader, writer = await asyncio.open_connection(host, port)
    except OSError:
        stats["errors"] += 1; ready.release(); return
    first = True
    while True:
        writer.write(request); await writer.drain()
        if first:
            ready.release(); first = False
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, ConnectionError):
            stats["errors"] += 1; return
        lines = head.decode().split("\r\n")
        status = int(lines[0].split()[1])
        length = next(int(l.split(":")[1]) for l in lines if l.lower().startswith("content-length:"))
        await reader.readexactly(length)
        stats["answers"] += 1
        if status != 200:
            stats["non200"] += 1
async def main():
    ready = asyncio.Semaphore(0)
    tasks = [asyncio.create_task(one(ready)) for _ in range(n)]
    for _ in range(n):
        await ready.acquire()
    print("HELD_READY", flush=True)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await stop.wait()
    print(f"HELD answers={stats['answers']} non200={stats['non200']} errors={stats['errors']}", flush=True)
    os._exit(0)
asyncio.run(main())
EOF
say "holding $HOLD requests GET /v1/tasks/$PENDING?wait=30 ..."
python3 "$WORK/hold.py" 127.0.0.1 "$PORT" "$PENDING" "$AGENT_TOKEN" "$HOLD" > "$WORK/hold.out" 2>&1 &
HOLDER_PID=$!
for _ in $(seq 1 300); do grep -q HELD_READY "$WORK/hold.out" && break; kill -0 "$HOLDER_PID" 2>/dev/null || break; sleep 0.1; done
grep -q HELD_READY "$WORK/hold.out" || { cat "$WORK/hold.out" >&2; die "the holder did not get its requests out"; }
sleep 1
M[held.rss_before]="$(rss_kb)"
STINT_AGENT_TOKEN="$AGENT_TOKEN" STINT_TASK_ID="$TASK_ID" load held "$BROKER_PID" "$BASE"
M[held.rss]="$(rss_kb)"
HELD_STILL="$(curl -s "$BASE/v1/tasks/$PENDING" -H "Authorization: Bearer $AGENT_TOKEN" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])')"
stop_holder
HELD_LINE="$(grep '^HELD ' "$WORK/hold.out" || echo 'HELD answers=? non200=? errors=?')"

# (c) idle again
STINT_AGENT_TOKEN="$AGENT_TOKEN" STINT_TASK_ID="$TASK_ID" load again "$BROKER_PID" "$BASE"
M[again.rss]="$(rss_kb)"

STATUS=0
check_errors idle
check_errors held
check_errors again
[[ "$HELD_LINE" == *"non200=0 errors=0"* ]] || { echo "FAIL: held requests: $HELD_LINE"; STATUS=1; }

row() {
  local name="$1"
  awk -v name="$name" -v req="${M[$name.requests]}" -v dur="${M[$name.duration_us]}" \
      -v p50="${M[$name.p50_us]}" -v p99="${M[$name.p99_us]}" -v t0="${M[$name.t0]}" -v t1="${M[$name.t1]}" \
      -v hz="$HZ" -v wreal="${M[$name.wreal]}" -v rss="${M[$name.rss]}" 'BEGIN {
    printf "%-6s %8.0f %7.2f %7.2f   %4.0f%%   %6.0f MiB\n", name, req / (dur / 1e6), p50 / 1000, p99 / 1000,
      100 * (t1 - t0) / hz / wreal, rss / 1024 }'
}
echo
echo "===== Stint: held approval waits beside the mint path ====="
echo "JDK                 : $JDK_DESC"
echo "cores / busy before : $(nproc) / ${busy_before}%"
echo "load                : ${WRK_WARMUP} s warm-up, then wrk -t$WRK_THREADS -c$WRK_CONNECTIONS -d${WRK_DURATION}s, POST /v1/tasks/{id}/token"
echo "held                : $HOLD x GET /v1/tasks/{pending}?wait=30 during (b); $HELD_LINE; task still $HELD_STILL"
echo
printf '%-6s %8s %7s %7s   %5s   %10s\n' "run" "req/s" "p50 ms" "p99 ms" "broker CPU" "RSS after"
row idle
row held
row again
awk -v a="${M[idle.requests]}" -v ad="${M[idle.duration_us]}" -v b="${M[held.requests]}" -v bd="${M[held.duration_us]}" \
    -v c="${M[again.requests]}" -v cd="${M[again.duration_us]}" \
    -v ap="${M[idle.p99_us]}" -v bp="${M[held.p99_us]}" -v cp="${M[again.p99_us]}" \
    -v r0="${M[held.rss_before]}" -v r1="${M[idle.rss]}" 'BEGIN {
  printf "\nratio held/idle     : req/s %.2f, p99 %.2f (idle = the mean of idle and again)\n",
    (b / bd) / ((a / ad + c / cd) / 2), bp / ((ap + cp) / 2)
  printf "memory for the holds: %+.0f MiB resident once they were all held (before the second load)\n", (r0 - r1) / 1024 }'
busy_note
others_note idle
others_note held
others_note again
exit "$STATUS"
