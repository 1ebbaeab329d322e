#!/usr/bin/env bash
# Stint token-exchange benchmark, one command, one run, one JDK (chosen as ./stint chooses it), one
# broker (./stint broker on a fresh data dir, with a deployment file that lets it reach a loopback
# OIDC issuer over http and a policy whose federation rule maps that issuer's tokens for one
# repository's main branch to agent ci-bench): agent tokens per second at POST /oauth2/token by
#   (a) RFC 8693 token exchange: a GitHub-shaped CI token (RS256, RSA-2048, its own jti) as
#       subject_token, no client authentication; issuer: dev.stint.bench.LoopbackOidcIssuer,
#       in the client's JVM, serving its discovery document and keys;
#   (b) client_credentials with private_key_jwt: an ES256 (P-256) assertion of agent cc-bench,
#       its own jti;
# by CONCURRENCY clients (java.net.http, HTTP/1.1, one request in flight each), the same way for
# both: every body signed before its phase (the client's signing is not timed), WARMUP uncounted
# requests of each grant (in chunks of 1000, alternating), then N of each in ROUNDS rounds, the
# order alternating per round. Prints req/s, p50/p99 of each, exchange/client_credentials ratios,
# the broker's CPU per request (its process's user + system time over the phase), and the
# cost of one RS256 and one ES256 signature check on this JDK (the exchange pays RSA, the login
# ECDSA: that difference is part of what is measured); then checks the audit chain
# (GET /v1/audit/verify). The client is dev.stint.bench.ExchangeProbe.
# Stops every process it started and removes the temp dir at the end, also on failure or Ctrl-C.
#
#   bench/run-exchange.sh
#   env: N=3000 (measured requests of each grant)  CONCURRENCY=32  WARMUP=4000 (uncounted requests
#        of each grant first, 0 = none)  ROUNDS=3  KEEP_TMP=1 (keep the logs)
#
# Exit status 1 when any answer was not 200 (or a 200 without an access_token), the audit chain did
# not verify, or a step failed.
set -euo pipefail

BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$BENCH")"
JAR="$BENCH/target/stint-bench.jar"
N="${N:-3000}"
CONCURRENCY="${CONCURRENCY:-32}"
WARMUP="${WARMUP:-4000}"
ROUNDS="${ROUNDS:-3}"
# lib.sh's knobs this script does not use (it runs no wrk)
WRK_THREADS=0 WRK_CONNECTIONS=0 WRK_DURATION=0 WRK_WARMUP=0 JFR=0

LOG_TAG=run-exchange
# shellcheck source=bench/lib.sh
. "$BENCH/lib.sh"
for knob in N CONCURRENCY WARMUP ROUNDS; do
  [[ "${!knob}" =~ ^[0-9]+$ ]] || die "$knob must be a whole number, not '${!knob}'"
done
(( CONCURRENCY >= 1 && ROUNDS >= 1 )) || die "CONCURRENCY and ROUNDS must be at least 1"
(( N >= ROUNDS * CONCURRENCY )) || die "N must be at least ROUNDS x CONCURRENCY ($(( ROUNDS * CONCURRENCY )))"
command -v curl >/dev/null 2>&1 || die "curl is required"

pick_jdk
build_jar

WORK="$(mktemp -d "${TMPDIR:-/tmp}/stint-exchange.XXXXXX")"
BROKER_PID=""
PROBE_PID=""       # ExchangeProbe run (it also serves the OIDC issuer)

stop_servers() {
  if [[ -n "$PROBE_PID" ]]; then kill "$PROBE_PID" 2>/dev/null || true; wait "$PROBE_PID" 2>/dev/null || true; PROBE_PID=""; fi
  stop_server "the broker" "$BROKER_PID"; BROKER_PID=""
}
trap cleanup EXIT
trap 'exit 130' INT TERM

busy_before="$(cpu_busy_pct)"
say "JDK: $JAVA ($JDK_DESC)"

mapfile -t PORTS < <("$JAVA" -cp "$JAR" dev.stint.bench.HttpSetup free-port 2)
(( ${#PORTS[@]} == 2 )) || die "could not pick free ports"
PORT="${PORTS[0]}"; ISSUER_PORT="${PORTS[1]}"
BASE="http://127.0.0.1:$PORT"
# The issuer string must be the tokens' iss exactly, in both files.
ISSUER="http://127.0.0.1:$ISSUER_PORT"
AUDIENCE="$BASE"

cat > "$WORK/deploy.yaml" <<EOF
federation:
  allow_http_issuers: ["$ISSUER"]
EOF
cat > "$WORK/policy.yaml" <<EOF
tiers:
  dev: { max_ttl: 8h, default_ttl: 1h }
grants:
  cc-bench: { dev: ["db:orders:read"] }
  ci-bench: { dev: ["db:orders:read"] }
federation:
  - issuer: $ISSUER
    audience: $AUDIENCE
    agent: ci-bench
    claims: { repository_id: "892734", ref: refs/heads/main }
EOF

# --- the broker ------------------------------------------------------------------------------------
say "starting the broker on $BASE (embedded store in $WORK/data; CI issuer $ISSUER allowed over http) ..."
JAVA_HOME="$JDK_HOME" "$ROOT/stint" broker --config "$WORK/deploy.yaml" --policy "$WORK/policy.yaml" \
    --port "$PORT" --data-dir "$WORK/data" > "$WORK/broker.log" 2>&1 &
BROKER_PID=$!
wait_healthy "the broker" "$BROKER_PID" "$BASE" "$WORK/broker.log" "$WORK/data/admin.token"
BROKER_JAVA="$(readlink -f "/proc/$BROKER_PID/exe")"
[[ "$BROKER_JAVA" == "$JAVA" ]] || say "WARNING: broker runs $BROKER_JAVA, the probe runs $JAVA"

# --- the measurements -------------------------------------------------------------------------------
say "ExchangeProbe: N=$N CONCURRENCY=$CONCURRENCY WARMUP=$WARMUP ROUNDS=$ROUNDS ..."
PROBE_RC=0
"$JAVA" -cp "$JAR" dev.stint.bench.ExchangeProbe run "$BASE" "$WORK/data/admin.token" "$ISSUER" "$AUDIENCE" \
    "$N" "$CONCURRENCY" "$WARMUP" "$ROUNDS" "$BROKER_PID" "$HZ" > "$WORK/probe.out" &
PROBE_PID=$!
wait "$PROBE_PID" || PROBE_RC=$?
PROBE_PID=""
grep -q '^exchange / client_credentials:' "$WORK/probe.out" || { cat "$WORK/probe.out"; die "ExchangeProbe failed (exit $PROBE_RC)"; }

# --- report -------------------------------------------------------------------------------------
echo
echo "===== server logs: WARN/ERROR lines ====="
BAD_LINES=0
log_warnings broker
(( BAD_LINES > 0 )) || echo "(none)"

echo
echo "===== Stint token-exchange benchmark ====="
echo "JDK                      : $JDK_DESC (broker started by ./stint: ${STINT_FLAGS//$'\n'/ or }; the client the same JDK)"
echo "broker                   : one, embedded store; federation rule: $ISSUER, repository_id 892734, refs/heads/main -> ci-bench"
echo "cores / CPU busy before  : $(nproc) / ${busy_before}% (client, issuer and broker share them)"
cat "$WORK/probe.out"
busy_note
(( PROBE_RC == 0 )) || say "ExchangeProbe reported failures (exit $PROBE_RC)"
exit "$PROBE_RC"
