#!/usr/bin/env bash
# A burst of applications through the whole intake path (WeChat login, create, three documents with OCR,
# consent, submit) at N concurrent clients against the real API, sandbox and MariaDB, then submit → decision
# latency and a check that every application exists once and was decided once; then submit throughput
# against a bare INSERT endpoint of the same process, as a ratio.
# Every answer is counted by status against the one each step expects (and every document must be accepted): any
# other answer makes the phase INVALID, printed so, and the script fails.
# Usage: bench/intake.sh [applications] [concurrency] [phases, default "a b"]
# Ports: HL_BENCH_DB_PORT, HL_BENCH_REDIS_PORT, HL_BENCH_API_PORT, HL_BENCH_SANDBOX_PORT (33316, 36389, 35090,
# 35091); they must be free.
set -euo pipefail
source "$(dirname "$0")/../scripts/lib/services.sh"
cd "$HL_ROOT"

COUNT="${1:-2000}"
CONCURRENCY="${2:-64}"
PHASES="${3:-a b}"
DB_PORT="${HL_BENCH_DB_PORT:-33316}"; REDIS_PORT="${HL_BENCH_REDIS_PORT:-36389}"
API_PORT="${HL_BENCH_API_PORT:-35090}"; SANDBOX_PORT="${HL_BENCH_SANDBOX_PORT:-35091}"
hl_require_free_ports HL_BENCH_DB_PORT="$DB_PORT" HL_BENCH_REDIS_PORT="$REDIS_PORT" HL_BENCH_API_PORT="$API_PORT" \
  HL_BENCH_SANDBOX_PORT="$SANDBOX_PORT"
STATE="$HL_ROOT/.local/bench-intake"
mkdir -p "$STATE"
trap 'hl_stop_started' EXIT

hl_install_packages
hl_start_mariadb "$STATE/mariadb" "$DB_PORT"
hl_start_redis "$STATE/redis" "$REDIS_PORT"
hl_mariadb_sql "$DB_PORT" "DROP DATABASE IF EXISTS headless_loan_bench; CREATE DATABASE headless_loan_bench CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
redis-cli -h 127.0.0.1 -p "$REDIS_PORT" flushall >/dev/null

dotnet build bench/BenchHost -c Release -nologo -v quiet
dotnet build src/HeadlessLoan.Sandbox -c Release -nologo -v quiet
dotnet build bench/IntakeBurst -c Release -nologo -v quiet

dotnet src/HeadlessLoan.Sandbox/bin/Release/net10.0/HeadlessLoan.Sandbox.dll --port "$SANDBOX_PORT" >"$STATE/sandbox.log" 2>&1 &
HL_STARTED_PIDS+=("$!")

DB="Server=127.0.0.1;Port=$DB_PORT;Database=headless_loan_bench;User ID=root;Password=;Maximum Pool Size=300;"
ADMIN_PASSWORD="bench-only-admin-password"
PD_KEY="$(head -c 32 /dev/urandom | base64)"; PD_HASH="$(head -c 32 /dev/urandom | base64)"

# The content root is the build output: from the repository root the configuration's file watcher would follow every
# write below it, the benchmark's own MariaDB data files included.
start_api() { # pipeline-enabled
  ASPNETCORE_ENVIRONMENT=Production \
  ConnectionStrings__Database="$DB" \
  ConnectionStrings__Redis="127.0.0.1:$REDIS_PORT" \
  Auth__SigningKey="bench-only-signing-key-0123456789-0123456789" \
  Bootstrap__AdminUsername=admin Bootstrap__AdminPassword="$ADMIN_PASSWORD" \
  PersonalData__CurrentKeyId=b1 PersonalData__Keys__b1="$PD_KEY" PersonalData__HashKey="$PD_HASH" \
  WeChat__ApiBaseUrl="http://127.0.0.1:$SANDBOX_PORT" WeChat__AppId=wx_bench WeChat__AppSecret=bench \
  Bureau__BaseUrl="http://127.0.0.1:$SANDBOX_PORT" Bureau__ApiKey=bench \
  Blobs__Root="$STATE/blobs" \
  RateLimits__StaffLoginPerIpPerMinute=1000000 RateLimits__WeChatLoginPerIpPerMinute=1000000 RateLimits__QuotePerIpPerMinute=1000000 RateLimits__BorrowerPerMinute=1000000 \
  Decisions__MaxApplicationsPerIdentity=1000000 \
  Pipeline__Enabled="$1" \
  Logging__LogLevel__Default=Warning \
    dotnet bench/BenchHost/bin/Release/net10.0/BenchHost.dll --urls "http://127.0.0.1:$API_PORT" \
      --contentRoot "$HL_ROOT/bench/BenchHost/bin/Release/net10.0" >>"$STATE/api.log" 2>&1 &
  API_PID=$!
  HL_STARTED_PIDS+=("$API_PID")
  for _ in $(seq 1 120); do curl -fs "http://127.0.0.1:$API_PORT/health/ready" >/dev/null 2>&1 && return 0; sleep 0.5; done
  tail -30 "$STATE/api.log"; return 1
}

# The load generator shares the two cores with what it measures: its socket completions run inline, which spares it a
# thread-pool hop per response (fine for a client that only awaits; not something the service itself should do).
harness() { # phase
  DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 dotnet bench/IntakeBurst/bin/Release/net10.0/IntakeBurst.dll \
    --api "http://127.0.0.1:$API_PORT" --database "$DB" --samples src/HeadlessLoan.Sandbox/samples \
    --count "$COUNT" --concurrency "$CONCURRENCY" --api-pid "$API_PID" --db-pid "$(cat "$STATE/mariadb/mariadb.pid")" --redis-pid "$(cat "$STATE/redis/redis.pid")" --admin-password "$ADMIN_PASSWORD" --phase "$1"
}

# The sandbox has a handful of sample identities, so every application carries the same ID number: the
# repeated-identity rule is lifted for this run (Decisions__MaxApplicationsPerIdentity) and bureau reports
# are reused, as they would be for one real borrower.
if [[ " $PHASES " == *" a "* ]]; then
  start_api true
  harness a
  kill "$API_PID"; wait "$API_PID" 2>/dev/null || true
fi

# (b) with the decision worker off, so submits and bare INSERTs do not share the CPU with it.
if [[ " $PHASES " == *" b "* ]]; then
  start_api false
  harness b
fi
