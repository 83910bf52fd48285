#!/usr/bin/env bash
# Reading a long-lived loan: p99 of GET /v1/loans/{id}/schedule (360 periods) and of the first page of
# GET /v1/loans/{id}/transactions (of 1,000 entries) against a single-row read of the same loan by its id behind the
# same token and per-caller limit (BenchHost's /bench/loans/{id}/row), measured in the same run with wrk, printed as
# ratios. The loan is seeded as the read tests seed it (tests/HeadlessLoan.Api.Tests/Loans/LongLoan.cs: 360 periods,
# 333 repaid, 1,000 journal entries), and read as its borrower. Starts its own MariaDB, Redis and BenchHost (Release)
# on loopback and stops them afterwards. Every answer is counted by status (bench/statuses.lua): a run that saw any
# answer other than 200 or a socket error is INVALID and fails the script, as does a ratio above 3 (the goal: p99 of
# each loan read <= 3 × the single-row read's).
# Latency, not throughput, is the figure: with few connections (default 4, on two cores) p99 is what one request
# takes plus a little queueing; with many, p99 is mostly the queue (connections ÷ throughput) — pass a second
# argument to see that.
# Usage: bench/loan-read.sh [seconds-per-run] [connections]
# Ports: HL_BENCH_DB_PORT, HL_BENCH_REDIS_PORT, HL_BENCH_API_PORT (33326, 36399, 35100); they must be free.
set -euo pipefail
source "$(dirname "$0")/../scripts/lib/services.sh"
cd "$HL_ROOT"

DURATION="${1:-10}"
CONNECTIONS="${2:-4}"
DB_PORT="${HL_BENCH_DB_PORT:-33326}"; REDIS_PORT="${HL_BENCH_REDIS_PORT:-36399}"; API_PORT="${HL_BENCH_API_PORT:-35100}"
hl_require_free_ports HL_BENCH_DB_PORT="$DB_PORT" HL_BENCH_REDIS_PORT="$REDIS_PORT" HL_BENCH_API_PORT="$API_PORT"
STATE="$HL_ROOT/.local/bench-loan-read"
OUT="$HL_ROOT/bench/results/loan-read"
mkdir -p "$OUT" "$STATE"
rm -f "$OUT"/*.txt # only this run's answers are judged
trap 'hl_stop_started' EXIT

hl_install_packages
command -v wrk >/dev/null || hl_apt_install wrk
hl_start_mariadb "$STATE/mariadb" "$DB_PORT"
hl_start_redis "$STATE/redis" "$REDIS_PORT"
hl_mariadb_sql "$DB_PORT" "DROP DATABASE IF EXISTS headless_loan_bench; CREATE DATABASE headless_loan_bench CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
redis-cli -h 127.0.0.1 -p "$REDIS_PORT" flushall >/dev/null

dotnet build bench/BenchHost -c Release -nologo -v quiet
ADMIN_PASSWORD="bench-only-admin-password"
# One borrower sends every request: its per-minute limit stays in the measured path (for the baseline too) but is
# set out of reach; were it reached, the 429s would make the run INVALID, not a figure. The content root is the build
# output (see bench/intake.sh).
ASPNETCORE_ENVIRONMENT=Production \
ConnectionStrings__Database="Server=127.0.0.1;Port=$DB_PORT;Database=headless_loan_bench;User ID=root;Password=;Maximum Pool Size=200;" \
ConnectionStrings__Redis="127.0.0.1:$REDIS_PORT" \
Auth__SigningKey="bench-only-signing-key-0123456789-0123456789" \
Bootstrap__AdminUsername=admin Bootstrap__AdminPassword="$ADMIN_PASSWORD" \
PersonalData__CurrentKeyId=b1 PersonalData__Keys__b1="$(head -c 32 /dev/urandom | base64)" PersonalData__HashKey="$(head -c 32 /dev/urandom | base64)" \
WeChat__ApiBaseUrl=http://127.0.0.1:9 WeChat__AppId=wx_bench WeChat__AppSecret=bench \
Bureau__BaseUrl=http://127.0.0.1:9 Bureau__ApiKey=bench \
RateLimits__BorrowerPerMinute=2000000000 RateLimits__StaffLoginPerIpPerMinute=1000 \
Pipeline__Enabled=false Approvals__WorkersEnabled=false \
Logging__LogLevel__Default=Warning \
  dotnet bench/BenchHost/bin/Release/net10.0/BenchHost.dll --urls "http://127.0.0.1:$API_PORT" \
    --contentRoot "$HL_ROOT/bench/BenchHost/bin/Release/net10.0" >"$STATE/api.log" 2>&1 &
API_PID=$!
HL_STARTED_PIDS+=("$API_PID")
API="http://127.0.0.1:$API_PORT"
for _ in $(seq 1 120); do curl -fs "$API/health/ready" >/dev/null 2>&1 && break; sleep 0.5; done
curl -fs "$API/health/ready" >/dev/null || { tail -30 "$STATE/api.log"; exit 1; }

# A product made as an admin would; the loan on it, written straight into the tables, and its borrower's token.
post() { # url, curl args... — prints the answer; stops the script with it unless it is a 2xx
  local url="$1" code; shift
  code=$(curl -s -o "$STATE/answer.json" -w '%{http_code}' -X POST "$url" "$@")
  [[ "$code" == 2?? ]] || { echo "POST $url answered $code: $(head -c 1000 "$STATE/answer.json")" >&2; tail -20 "$STATE/api.log" >&2; exit 1; }
  cat "$STATE/answer.json"
}
admin=$(post "$API/v1/auth/staff/token" -H 'Content-Type: application/json' \
  -d "{\"username\":\"admin\",\"password\":\"$ADMIN_PASSWORD\"}" | sed 's/.*"accessToken":"\([^"]*\)".*/\1/')
post "$API/v1/products" -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' -d '{
  "name": "Bench long loans", "repaymentMethods": ["equal_installment"], "annualRateMin": 0.04, "annualRateMax": 0.1,
  "amountMin": 100000, "amountMax": 5000000, "termMinMonths": 3, "termMaxMonths": 36, "penaltyDailyRate": 0.0003,
  "ageMin": 18, "ageMax": 65, "autoApprovalLimit": 100000}' >/dev/null
seeded=$(post "$API/bench/long-loan")
LOAN=$(sed 's/.*"loanId":"\([^"]*\)".*/\1/' <<<"$seeded")
TOKEN=$(sed 's/.*"accessToken":"\([^"]*\)".*/\1/' <<<"$seeded")
AUTH=(-H "Authorization: Bearer $TOKEN")

BASE="$API/bench/loans/$LOAN/row"
SCHEDULE="$API/v1/loans/$LOAN/schedule"
TRANSACTIONS="$API/v1/loans/$LOAN/transactions"
# Sanity, before anything is timed: every read answers 200 with what the loan holds, and the books prove.
for url in "$BASE" "$SCHEDULE" "$TRANSACTIONS" "$API/v1/loans/$LOAN"; do
  code=$(curl -s -o "$STATE/answer.json" -w '%{http_code}' "${AUTH[@]}" "$url")
  [ "$code" = 200 ] || { echo "$url answered $code: $(head -c 500 "$STATE/answer.json")" >&2; exit 1; }
done
periods=$(curl -fs "${AUTH[@]}" "$SCHEDULE" | grep -o '"period":' | wc -l)
[ "$periods" -eq 360 ] || { echo "expected 360 periods, got $periods" >&2; exit 1; }
entries=$(curl -fs "${AUTH[@]}" "$TRANSACTIONS" | grep -o '"businessDate":' | wc -l)
[ "$entries" -eq 20 ] || { echo "expected a first page of 20 entries, got $entries" >&2; exit 1; }
curl -fs "$API/v1/ledger/reconciliation" -H "Authorization: Bearer $admin" | grep -q '"ok":true' \
  || { echo "the seeded ledger does not reconcile" >&2; exit 1; }
echo "loan $LOAN: 360 periods, 1,000 journal entries; schedule $(curl -fs "${AUTH[@]}" "$SCHEDULE" | wc -c) bytes, first transactions page $(curl -fs "${AUTH[@]}" "$TRANSACTIONS" | wc -c) bytes, single row $(curl -fs "${AUTH[@]}" "$BASE" | wc -c) bytes"

run() { # name, url
  wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s bench/statuses.lua "${AUTH[@]}" "$2" >"$OUT/$1.txt"
}
rps() { awk '/^Requests\/sec:/ {print $2}' "$OUT/$1.txt"; }
pct_ms() { # percentile, name
  awk -v p="$1%" '$1==p {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v*=1000}; print v}' "$OUT/$2.txt"
}
p50_ms() { pct_ms 50 "$1"; }
p99_ms() { pct_ms 99 "$1"; }
mean() { awk '{s=0; for (i=1;i<=NF;i++) s+=$i; print s/NF}'; }
valid() { grep -q '^statuses: .*| VALID$' "$OUT/$1.txt"; }

echo "warming up"
for url in "$BASE" "$SCHEDULE" "$TRANSACTIONS"; do
  wrk -t2 -c"$CONNECTIONS" -d3s -s bench/statuses.lua "${AUTH[@]}" "$url" >"$OUT/warmup-$(basename "$url").txt"
done

# Baseline and subjects alternate, twice, so drift on a shared machine hits all alike.
for round in 1 2; do
  run "baseline-$round" "$BASE"
  run "schedule-$round" "$SCHEDULE"
  run "transactions-$round" "$TRANSACTIONS"
done

echo
invalid=0
for f in "$OUT"/*.txt; do
  name="$(basename "$f" .txt)"
  echo "$name: $(grep '^statuses: ' "$f" || echo 'no status count (statuses.lua did not report)')"
  valid "$name" || invalid=$((invalid + 1))
done

both_valid() { valid "$1-1" && valid "$1-2"; }
figure() { echo "$($1 "$2-1") $($1 "$2-2")" | mean; }
over=0
if both_valid baseline; then base_p99=$(figure p99_ms baseline); base_p50=$(figure p50_ms baseline); else base_p99=""; fi
printf '\n%-44s %10s %9s %9s %14s %14s\n' "" "req/s" "p50 ms" "p99 ms" "p50 / baseline" "p99 / baseline"
for sc in baseline schedule transactions; do
  case "$sc" in
    baseline) label="GET single loan row (baseline)";; schedule) label="GET schedule (360 periods)";;
    transactions) label="GET transactions, first page (of 1,000)";; esac
  if [ -n "$base_p99" ] && both_valid "$sc"; then
    r=$(figure rps "$sc"); p=$(figure p99_ms "$sc"); m=$(figure p50_ms "$sc")
    ratio=$(awk -v a="$p" -v b="$base_p99" 'BEGIN {printf "%.2f", a/b}')
    printf '%-44s %10.0f %9.2f %9.2f %14s %14s\n' "$label" "$r" "$m" "$p" "$(awk -v a="$m" -v b="$base_p50" 'BEGIN {printf "%.2f", a/b}')" "$ratio"
    awk -v x="$ratio" 'BEGIN {exit !(x > 3)}' && over=$((over + 1))
  else
    printf '%-44s %10s %9s %9s %14s %14s\n' "$label" INVALID INVALID INVALID INVALID INVALID
  fi
done
rss_kb=$(awk '/VmHWM/ {print $2}' "/proc/$API_PID/status")
printf '\nGoal: p99 of each loan read <= 3 x the single-row read, at %d connections (p50 shown for the cost without the tail).\n' "$CONNECTIONS"
printf 'Load average at the end: %s. API peak RSS: %d MiB. Raw wrk output: bench/results/loan-read/\n' "$(cut -d' ' -f1-3 /proc/loadavg)" "$((rss_kb / 1024))"
if [ "$invalid" -gt 0 ]; then
  echo "INVALID: $invalid run(s) answered something other than 200 or had socket errors (see the statuses above)" >&2
  exit 1
fi
if [ "$over" -gt 0 ]; then
  echo "FAILED: $over loan read(s) above 3 x the single-row read's p99" >&2
  exit 1
fi
