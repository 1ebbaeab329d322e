#!/usr/bin/env bash
# Short summary of a JFR recording of the broker (or of BareMintServer) under load:
#   1. CPU samples grouped by what the code is doing (ES256 signing, Nimbus JWT serialisation,
#      JSON, SQLite, SHA-256, Caffeine, logging, HTTP/Netty, ...), per thread group;
#   2. the JDK's own views: hot methods (and, on JDK 25+, hot methods by CPU time), where
#      threads contend for locks, what allocates most.
#
#   bench/jfr-summary.sh FILE.jfr [TOP]        TOP = rows per view (default 15)
#   env: JFR_BIN=path/to/jfr (default: the jfr next to `java` as ./stint picks it)
#
# Samples: jdk.CPUTimeSample when the recording has them (JDK 25+, Linux: a sample per 10 ms of
# a thread's CPU time, in Java or native code), else jdk.ExecutionSample (threads running Java
# code, every 10-20 ms). A sample counts for the first category in the list below that any frame
# of its stack belongs to (a SHA-256 inside ECDSA is signing, one under HashChain is hashing);
# when none does, for the innermost frame that is HTTP/Netty, Vert.x Web, broker or Vert.x code.
set -euo pipefail

FILE="${1:?usage: jfr-summary.sh FILE.jfr [TOP]}"
TOP="${2:-15}"
[[ -f "$FILE" ]] || { echo "jfr-summary: no such file: $FILE" >&2; exit 1; }

if [[ -z "${JFR_BIN:-}" ]]; then
  ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  eval "$(sed -n -e '/^java_version() {/,/^}/p' -e '/^pick_java() {/,/^}/p' "$ROOT/stint")"
  JFR_BIN="$(dirname "$(readlink -f "$(pick_java)")")/jfr"
fi
[[ -x "$JFR_BIN" ]] || { echo "jfr-summary: no jfr tool at $JFR_BIN" >&2; exit 1; }

EVENTS="$("$JFR_BIN" summary "$FILE")"
count_of() { awk -v e="$1" '$1 == e {print $2; exit}' <<< "$EVENTS"; }
CPU_SAMPLES="$(count_of jdk.CPUTimeSample)"; CPU_SAMPLES="${CPU_SAMPLES:-0}"
EXEC_SAMPLES="$(count_of jdk.ExecutionSample)"; EXEC_SAMPLES="${EXEC_SAMPLES:-0}"
if (( CPU_SAMPLES > 0 )); then SAMPLE=jdk.CPUTimeSample; else SAMPLE=jdk.ExecutionSample; fi

echo "recording : $FILE"
sed -n -e 's/^ *Start: /start     : /p' -e 's/^ *Duration: /duration  : /p' <<< "$EVENTS"
echo "samples   : $CPU_SAMPLES jdk.CPUTimeSample, $EXEC_SAMPLES jdk.ExecutionSample (grouping below uses $SAMPLE)"
echo
echo "--- CPU samples by what the code does (% of all samples; columns: thread groups) ---"
"$JFR_BIN" print --events "$SAMPLE" --stack-depth 96 "$FILE" | awk '
  BEGIN {
    # Whole-stack categories, first match wins.
    n = 0
    cat[++n] = "ES256 signing (Nimbus ECDSASigner, SunEC/BC)";      pat[n] = "^(com\\.nimbusds\\.jose\\.crypto\\.|sun\\.security\\.ec\\.|sun\\.security\\.util\\.math\\.|java\\.security\\.Signature|org\\.bouncycastle\\.)"
    cat[++n] = "exceptions (construct, fill stack)";                pat[n] = "^java\\.lang\\.Throwable\\.(<init>|fillInStackTrace)"
    cat[++n] = "JFR itself";                                        pat[n] = "^jdk\\.jfr\\."
    cat[++n] = "JWT claims -> JSON -> base64url (Nimbus)";          pat[n] = "^com\\.nimbusds\\."
    cat[++n] = "SHA-256 (audit hash chain, bearer token hash)";     pat[n] = "^(dev\\.stint\\.broker\\.audit\\.HashChain\\.hash|dev\\.stint\\.broker\\.agents\\.OpaqueTokens\\.hash|java\\.security\\.MessageDigest)"
    cat[++n] = "SecureRandom (jti, ids)";                           pat[n] = "^(java\\.security\\.SecureRandom|sun\\.security\\.provider\\.(NativePRNG|DRBG|HashDrbg|SecureRandom))"
    cat[++n] = "SQLite (JDBC, native step/commit/fsync)";           pat[n] = "^org\\.sqlite\\."
    cat[++n] = "HikariCP (read pool)";                              pat[n] = "^com\\.zaxxer\\.hikari\\."
    cat[++n] = "Caffeine caches";                                   pat[n] = "^com\\.github\\.benmanes\\.caffeine\\."
    cat[++n] = "logging";                                           pat[n] = "^(ch\\.qos\\.logback\\.|org\\.slf4j\\.|io\\.vertx\\.core\\.internal\\.logging\\.|io\\.vertx\\.core\\.impl\\.logging\\.)"
    cat[++n] = "policy (decide, next freeze, cron)";                pat[n] = "^(dev\\.stint\\.broker\\.policy\\.|com\\.cronutils\\.)"
    cat[++n] = "JSON (Jackson: bodies, responses)";                 pat[n] = "^(com\\.fasterxml\\.jackson\\.|io\\.vertx\\.core\\.json\\.)"
    cat[++n] = "task claims, scopes, ids (token-model)";            pat[n] = "^dev\\.stint\\.token\\."
    cat[++n] = "time, Instant/Date formatting";                     pat[n] = "^(java\\.time\\.|java\\.util\\.Date)"
    specific = n
    # Innermost-frame categories, for stacks none of the above claims.
    cat[++n] = "store writer/reader (SqlStoreTx, GroupCommitWriter)"; pat[n] = "^dev\\.stint\\.broker\\.store\\."
    cat[++n] = "Vert.x Web (Router, BodyHandler, RoutingContext)";  pat[n] = "^io\\.vertx\\.ext\\.web\\."
    cat[++n] = "HTTP codec + Netty I/O (parse, encode, read/write)"; pat[n] = "^(io\\.netty\\.|io\\.vertx\\.core\\.http\\.|io\\.vertx\\.core\\.net\\.|sun\\.nio\\.ch\\.)"
    cat[++n] = "broker code (routes, services, auth)";              pat[n] = "^dev\\.stint\\."
    cat[++n] = "Vert.x core (futures, contexts, executeBlocking)";  pat[n] = "^io\\.vertx\\."
    cat[++n] = "JDK concurrency (queues, locks, park)";             pat[n] = "^java\\.util\\.concurrent\\."
    ncat = n
    cat[ncat + 1] = "other"
    grp[1] = "event loops"; grp[2] = "store writer"; grp[3] = "workers"; grp[4] = "other threads"
  }
  /^jdk\.(CPUTimeSample|ExecutionSample) \{/ { inev = 1; nf = 0; thread = ""; next }
  inev && /(sampledThread|eventThread) = "/ { thread = $0; sub(/^[^"]*"/, "", thread); sub(/".*$/, "", thread); next }
  inev && /^    [^ ]/ { f = $0; sub(/^ +/, "", f); frames[++nf] = f; next }
  inev && /^}/ {
    inev = 0
    if (nf == 0) next
    g = thread ~ /eventloop/ ? 1 : thread ~ /store-writer/ ? 2 : thread ~ /worker/ ? 3 : 4
    c = ncat + 1
    for (k = 1; k <= specific && c > ncat; k++)
      for (i = 1; i <= nf; i++) if (frames[i] ~ pat[k]) { c = k; break }
    for (i = 1; i <= nf && c > ncat; i++)
      for (k = specific + 1; k <= ncat; k++) if (frames[i] ~ pat[k]) { c = k; break }
    hits[c, g]++; hits[c, 0]++; tot[g]++; total++
    next
  }
  END {
    if (total == 0) { print "1000\t(no samples)"; exit }
    printf "1000\t%-55s %7s %7s %8s %7s %7s\n", "category", "all", "evloop", "writer", "worker", "other"
    printf "999\t%-55s %7d %7d %8d %7d %7d  (samples)\n", "total", total, tot[1], tot[2], tot[3], tot[4]
    for (c = 1; c <= ncat + 1; c++) {
      if (hits[c, 0] == 0) continue
      line = sprintf("%-55s %6.1f%%", cat[c], 100 * hits[c, 0] / total)
      for (g = 1; g <= 4; g++) line = line sprintf(" %6.1f%%", 100 * hits[c, g] / total)
      printf "%.4f\t%s\n", 100 * hits[c, 0] / total, line
    }
  }' | sort -t$'\t' -k1,1 -gr | cut -f2-

echo
echo "--- innermost Stint frame of each sample: where in Stint's own code the CPU goes (top $TOP) ---"
"$JFR_BIN" print --events "$SAMPLE" --stack-depth 96 "$FILE" | awk -v top="$TOP" '
  /^jdk\.(CPUTimeSample|ExecutionSample) \{/ { inev = 1; found = ""; next }
  inev && /^    [^ ]/ && found == "" {
    f = $0; sub(/^ +/, "", f)
    if (f ~ /^dev\.stint\./) { sub(/ line:.*/, "", f); found = f }
    next
  }
  inev && /^}/ { inev = 0; total++; if (found == "") found = "(no Stint frame: Netty/Vert.x/JDK only)"; n[found]++; next }
  END { for (m in n) printf "%6.1f%%  %s\n", 100 * n[m] / total, m }' | sort -rn | head -n "$TOP"

view() {
  local title="$1" name="$2"
  echo
  echo "--- $title (jfr view $name) ---"
  "$JFR_BIN" view --width 150 --truncate beginning "$name" "$FILE" 2>/dev/null \
    | awk -v top="$TOP" 'NF == 0 && !body { next } /^-----/ { body = 1; rows = 0; print; next } body && rows++ >= top { next } { print }' \
    || echo "(view not available in this JDK)"
}
if "$JFR_BIN" help view >/dev/null 2>&1; then
  (( CPU_SAMPLES > 0 )) && view "hot methods by CPU time, Java and native" cpu-time-hot-methods
  view "hot methods (top frame of jdk.ExecutionSample)" hot-methods
  view "lock contention by site" contention-by-site
  view "allocation by site" allocation-by-site
else
  echo
  echo "--- top frames of jdk.ExecutionSample (this JDK has no 'jfr view') ---"
  "$JFR_BIN" print --events jdk.ExecutionSample --stack-depth 1 "$FILE" \
    | awk '/stackTrace = \[/{getline; sub(/^ +/, ""); sub(/ line:.*/, ""); n[$0]++; t++}
           END {for (m in n) printf "%6.1f%%  %s\n", 100 * n[m] / t, m}' | sort -rn | head -n "$TOP"
fi
