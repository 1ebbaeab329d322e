#!/usr/bin/env bash
# Start-up of the stint command line, the way CI pays it: wall time of `./stint exec -- true`
# (launcher, JVM start on the JDK ./stint picks, private_key_jwt login, task open, task token,
# token file, the child, task end: every broker round trip) against a broker this script starts,
# beside `java -version` of the same JDK measured in the same run, interleaved, so that the ratio
# means something on a busy machine too. Reports median and p90 of each and the ratio of medians,
# and the aim (exec median <= 1.5 s).
#   bench/run-cli.sh
#   env: N=20 (measured runs of each)  WARMUP=3 (uncounted exec runs first; the first one makes the
#        class-data sharing archive)  JAVA_HOME (the JDK to run stint and java -version on)
#        KEEP_TMP=1 (keep the logs)
# Exit status 1 when a run of stint exec did not exit 0 or a step failed. A missed aim is reported
# as MISSED, not as a failure. Stops the broker it started and removes its temp dir, also on Ctrl-C.
set -euo pipefail

BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$BENCH")"
CLI_JAR="$ROOT/cli/target/stint-cli.jar"
N="${N:-20}"
WARMUP="${WARMUP:-3}"
AIM_MS=1500
# lib.sh's knobs this script does not use (it runs no wrk)
JAR="" WRK_THREADS=0 WRK_CONNECTIONS=0 WRK_DURATION=0 WRK_WARMUP=0 JFR=0

LOG_TAG=run-cli
# shellcheck source=bench/lib.sh
. "$BENCH/lib.sh"
[[ "$N" =~ ^[0-9]+$ ]] && (( N >= 3 )) || die "N must be a whole number of at least 3, not '$N'"
[[ "$WARMUP" =~ ^[0-9]+$ ]] || die "WARMUP must be a whole number, not '$WARMUP'"
command -v curl >/dev/null 2>&1 || die "curl is required"

pick_jdk
WORK="$(mktemp -d "${TMPDIR:-/tmp}/stint-cli-bench.XXXXXX")"
BROKER_PID=""
stop_servers() { stop_server "the broker" "$BROKER_PID"; BROKER_PID=""; }
trap cleanup EXIT
trap 'exit 130' INT TERM

busy_before="$(cpu_busy_pct)"
say "JDK: $JAVA ($JDK_DESC)"

# The command line, built now if missing or stale (./stint does the same on its first call).
JAVA_HOME="$JDK_HOME" "$ROOT/stint" --help > /dev/null || die "./stint --help failed"
[[ -f "$CLI_JAR" ]] || die "no $CLI_JAR after the build"

free_port() {
  local port
  for _ in $(seq 1 50); do
    port=$(( 20000 + RANDOM % 30000 ))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return; fi
  done
  die "no free port found"
}
PORT="$(free_port)"
BASE="http://127.0.0.1:$PORT"

say "starting the broker on $BASE (embedded store in $WORK/data) ..."
JAVA_HOME="$JDK_HOME" "$ROOT/stint" broker --port "$PORT" --data-dir "$WORK/data" > "$WORK/broker.log" 2>&1 &
BROKER_PID=$!
wait_healthy "the broker" "$BROKER_PID" "$BASE" "$WORK/broker.log" "$WORK/data/admin.token"

# The agent: a key made with the SDK, the public half registered as demo-agent (dev: db:*:read).
cat > "$WORK/KeyGen.java" <<'JAVA'
public class KeyGen {
    public static void main(String[] args) throws Exception {
        com.nimbusds.jose.jwk.ECKey key = dev.stint.sdk.AgentKeys.generate();
        dev.stint.sdk.AgentKeys.writePrivate(key, java.nio.file.Path.of(args[0]));
        System.out.println(dev.stint.sdk.AgentKeys.publicJwkSetJson(key).replace("\n", ""));
    }
}
JAVA
"$JAVA" -cp "$CLI_JAR" "$WORK/KeyGen.java" "$WORK/agent.jwk" > "$WORK/jwks.json" || die "key generation failed"
status="$(curl -s -o "$WORK/register.out" -w '%{http_code}' "$BASE/v1/agents" \
  -H "Authorization: Bearer $(cat "$WORK/data/admin.token")" -H 'Content-Type: application/json' \
  -d "{\"agent_id\":\"demo-agent\",\"owner\":\"bench@example.com\",\"purpose\":\"cli start-up\",\"tiers\":[\"dev\"],\"jwks\":$(cat "$WORK/jwks.json")}")"
[[ "$status" == 201 ]] || { cat "$WORK/register.out" >&2; die "agent registration answered $status"; }

export STINT_BROKER="$BASE" STINT_KEY_FILE="$WORK/agent.jwk" STINT_AGENT=demo-agent
STATUS=0
now_ns() { date +%s%N; }
# exec_once: one `./stint exec -- true`; prints its wall time in ms
exec_once() {
  local t0 t1 rc=0
  t0="$(now_ns)"
  JAVA_HOME="$JDK_HOME" "$ROOT/stint" exec --tier dev --scope db:orders:read -- true \
    > "$WORK/exec.out" 2> "$WORK/exec.err" || rc=$?
  t1="$(now_ns)"
  if (( rc != 0 )); then
    echo "FAIL: stint exec exited $rc: $(tail -1 "$WORK/exec.err")" >&2; STATUS=1
  fi
  echo $(( (t1 - t0) / 1000000 ))
}
java_once() {
  local t0 t1
  t0="$(now_ns)"; "$JAVA" -version > /dev/null 2>&1; t1="$(now_ns)"
  echo $(( (t1 - t0) / 1000000 ))
}

say "warm-up: $WARMUP x stint exec (not counted; the first makes the class-data sharing archive) ..."
for _ in $(seq 1 "$WARMUP"); do exec_once > /dev/null; done
say "measuring: $N x (stint exec -- true, java -version), interleaved ..."
: > "$WORK/exec.ms"; : > "$WORK/java.ms"
for _ in $(seq 1 "$N"); do
  exec_once >> "$WORK/exec.ms"
  java_once >> "$WORK/java.ms"
done

# pct FILE P: the P-th percentile (nearest rank) of the numbers in FILE
pct() { sort -n "$1" | awk -v p="$2" '{ v[NR] = $1 } END { i = int((p / 100) * NR + 0.999999); if (i < 1) i = 1; print v[i] }'; }
EXEC_P50="$(pct "$WORK/exec.ms" 50)"; EXEC_P90="$(pct "$WORK/exec.ms" 90)"
JAVA_P50="$(pct "$WORK/java.ms" 50)"; JAVA_P90="$(pct "$WORK/java.ms" 90)"
RATIO="$(awk -v a="$EXEC_P50" -v b="$JAVA_P50" 'BEGIN { printf "%.1f", (b > 0 ? a / b : 0) }')"

echo
echo "===== stint exec -- true: start-up, $N runs each ($JDK_DESC) ====="
printf '%-34s %8s %8s\n' "" "p50 ms" "p90 ms"
printf '%-34s %8s %8s\n' "./stint exec ... -- true" "$EXEC_P50" "$EXEC_P90"
printf '%-34s %8s %8s\n' "java -version (same JDK)" "$JAVA_P50" "$JAVA_P90"
echo "ratio of medians: stint exec = ${RATIO}x java -version"
if (( EXEC_P50 <= AIM_MS )); then
  echo "aim: exec median <= ${AIM_MS} ms: MET"
else
  echo "aim: exec median <= ${AIM_MS} ms: MISSED"
fi
busy_note
exit "$STATUS"
