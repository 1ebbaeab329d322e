#!/usr/bin/env bash
# Stint database-credentials benchmark, one command, one run, one JDK (chosen as ./stint chooses
# it), one PostgreSQL (dev.stint.bench.BenchPostgres: PostgreSQL 14 unpacked into the temp dir,
# fsync and synchronous_commit on), one broker (./stint broker with a deployment file naming that
# PostgreSQL as the dev tier's postgres backend, the sample policy's orders-readonly role):
#   1. issuance latency over HTTP: N x POST /v1/tasks/{id}/database-credentials at concurrency 1
#      and 8 (each client its own tasks, 15 logins per task; opening tasks is not timed);
#   2. the raw baseline in the same run: the provider's statements (CREATE ROLE ... LOGIN INHERIT
#      VALID UNTIL, SCRAM verifier, GRANT USAGE ON SCHEMA public, GRANT SELECT ON ALL TABLES IN
#      SCHEMA public, COMMENT ON ROLE; one transaction) over JDBC as the admin user by 1 and 8
#      clients; p50/p99/mean/max of each and HTTP/raw ratios; the baseline's roles are dropped;
#   3. end -> gone: M tasks, each with one login and one open session as that login, ended one at
#      a time: ms from sending POST /v1/tasks/{id}/end to (a) its answer (lease "revoked") and
#      (b) no such role in pg_roles and no such backend in pg_stat_activity (polled as postgres);
#   and prints the issue's aims beside the figures (issuance p99 <= 15 ms and <= 2x raw; end ->
#   gone p99 <= 1 s). The client is dev.stint.bench.CredentialsProbe.
# Stops every process it started and removes the temp dir at the end, also on failure or Ctrl-C.
#
#   bench/run-credentials.sh
#   env: N=200 (issuances per run)  M=200 (ended tasks)  WARMUP=30 (uncounted issuances and raw
#        creations before the runs, 0 = none)  KEEP_TMP=1 (keep the logs)
#
# Exit status 1 when any answer was not what it should be (non-2xx, a lease not revoked by the
# end's answer, a login or session still there 10 s after the end), or a step failed. A missed aim
# is reported as MISSED, not as a failure.
set -euo pipefail

BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$BENCH")"
JAR="$BENCH/target/stint-bench.jar"
N="${N:-200}"
M="${M:-200}"
WARMUP="${WARMUP:-30}"
# lib.sh's knobs this script does not use (it runs no wrk)
WRK_THREADS=0 WRK_CONNECTIONS=0 WRK_DURATION=0 WRK_WARMUP=0 JFR=0

LOG_TAG=run-credentials
# shellcheck source=bench/lib.sh
. "$BENCH/lib.sh"
[[ "$N" =~ ^[0-9]+$ ]] && (( N >= 8 )) || die "N must be a whole number of at least 8, not '$N'"
[[ "$M" =~ ^[0-9]+$ ]] && (( M >= 1 )) || die "M must be a whole number above 0, not '$M'"
[[ "$WARMUP" =~ ^[0-9]+$ ]] || die "WARMUP must be a whole number, not '$WARMUP'"
command -v curl >/dev/null 2>&1 || die "curl is required"

pick_jdk
build_jar

WORK="$(mktemp -d "${TMPDIR:-/tmp}/stint-credentials.XXXXXX")"
[[ "$WORK" != *[[:space:]]* ]] || die "the temp dir must not contain spaces: $WORK"
BROKER_PID=""
PG_PID=""          # the BenchPostgres JVM
PG_POSTMASTER=""   # the PostgreSQL server it started (pg_ctl detaches it from the JVM)
PROBE_PID=""       # CredentialsProbe run

stop_servers() {
  if [[ -n "$PROBE_PID" ]]; then kill "$PROBE_PID" 2>/dev/null || true; wait "$PROBE_PID" 2>/dev/null || true; PROBE_PID=""; fi
  stop_server "the broker" "$BROKER_PID"; BROKER_PID=""
  stop_postgres
}
trap cleanup EXIT
trap 'exit 130' INT TERM

busy_before="$(cpu_busy_pct)"
say "JDK: $JAVA ($JDK_DESC)"

mapfile -t PORTS < <("$JAVA" -cp "$JAR" dev.stint.bench.HttpSetup free-port 2)
(( ${#PORTS[@]} == 2 )) || die "could not pick free ports"
PG_PORT="${PORTS[0]}"; PORT="${PORTS[1]}"
BASE="http://127.0.0.1:$PORT"

# --- PostgreSQL: database orders, a table, the admin user -------------------------------------
start_postgres orders --database orders

# initdb trusts every local login. Passwords are checked here as in a real deployment: the
# superuser postgres (the benchmark's own observer) stays trusted on loopback, every other user
# (stint_admin, the task logins) must log in with SCRAM-SHA-256.
HBA="$WORK/pg/data/pg_hba.conf"
[[ -f "$HBA" ]] || die "no $HBA"
{ printf '%s\n' "host all postgres 127.0.0.1/32 trust" "host all postgres ::1/128 trust" \
      "host all all 127.0.0.1/32 scram-sha-256" "host all all ::1/128 scram-sha-256"
  cat "$HBA"; } > "$HBA.new"
mv "$HBA.new" "$HBA"
pg_sql "SELECT pg_reload_conf()" > "$WORK/sql-reload.out" || { cat "$WORK/sql-reload.out" >&2; die "pg_reload_conf failed"; }

"$JAVA" -cp "$JAR" dev.stint.bench.CredentialsProbe prepare "$PG_PORT" orders "$WORK/admin.pass" > "$WORK/prepare.out" \
  || { cat "$WORK/prepare.out" >&2; die "preparing the database failed"; }
say "    $(cat "$WORK/prepare.out"); stint_admin logs in with SCRAM-SHA-256"

cat > "$WORK/deploy.yaml" <<EOF
backends:
  postgres:
    orders-dev:
      tier: dev
      host: 127.0.0.1
      port: $PG_PORT
      database: orders
      admin_user: stint_admin
      admin_password_file: admin.pass     # relative to this file
EOF

# --- the broker ------------------------------------------------------------------------------------
say "starting the broker on $BASE (embedded store in $WORK/data, backend orders-dev) ..."
JAVA_HOME="$JDK_HOME" "$ROOT/stint" broker --config "$WORK/deploy.yaml" --port "$PORT" --data-dir "$WORK/data" \
    > "$WORK/broker.log" 2>&1 &
BROKER_PID=$!
wait_healthy "the broker" "$BROKER_PID" "$BASE" "$WORK/broker.log" "$WORK/data/admin.token"

# --- the measurements -------------------------------------------------------------------------------
say "CredentialsProbe: N=$N M=$M WARMUP=$WARMUP ..."
PROBE_RC=0
"$JAVA" -cp "$JAR" dev.stint.bench.CredentialsProbe run "$BASE" "$WORK/data/admin.token" "$PG_PORT" orders \
    "$WORK/admin.pass" "$N" "$M" "$WARMUP" > "$WORK/probe.out" &
PROBE_PID=$!
wait "$PROBE_PID" || PROBE_RC=$?
PROBE_PID=""
grep -q '^the issue.s aims:' "$WORK/probe.out" || { cat "$WORK/probe.out"; die "CredentialsProbe failed (exit $PROBE_RC)"; }

# --- report -------------------------------------------------------------------------------------
echo
echo "===== server logs: WARN/ERROR lines ====="
BAD_LINES=0
log_warnings broker
n="$(grep -cE '(ERROR|FATAL|PANIC): ' "$WORK/postgres.log" || true)"
if [[ "$n" -gt 0 ]]; then echo "postgres ($n lines):"; grep -E '(ERROR|FATAL|PANIC): ' "$WORK/postgres.log" | head -20; fi
(( BAD_LINES + n > 0 )) || echo "(none)"

echo
echo "===== Stint database-credentials benchmark ====="
echo "JDK                      : $JDK_DESC (broker started by ./stint: ${STINT_FLAGS//$'\n'/ or })"
echo "PostgreSQL               : ${PG_READY#READY } (BenchPostgres, localhost, SCRAM logins)"
echo "broker                   : one, embedded store; backend orders-dev (its pool: at most 4 admin connections)"
echo "cores / CPU busy before  : $(nproc) / ${busy_before}%"
cat "$WORK/probe.out"
busy_note
(( PROBE_RC == 0 )) || say "CredentialsProbe reported failures (exit $PROBE_RC)"
exit "$PROBE_RC"
