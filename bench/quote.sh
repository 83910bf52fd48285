#!/usr/bin/env bash
# Throughput and p99 of POST /v1/schedules/quote (360 periods) against GET /health/live of the same process,
# measured in the same run with wrk, printed as ratios. Starts its own MariaDB, Redis and API (Release) on
# loopback and stops them afterwards. Usage: bench/quote.sh [seconds-per-run] [connections]
set -euo pipefail
source "$(dirname "$0")/../scripts/lib/services.sh"
cd "$HL_ROOT"

DURATION="${1:-10}"
CONNECTIONS="${2:-64}"
DB_PORT=33306; REDIS_PORT=36379; API_PORT=35080
STATE="$HL_ROOT/.local/bench"
OUT="$HL_ROOT/bench/results"
mkdir -p "$OUT" "$STATE"
trap 'hl_stop_started' EXIT

hl_install_packages
command -v wrk >/dev/null || hl_apt_install wrk
hl_start_mariadb "$STATE/mariadb" "$DB_PORT"
hl_start_redis "$STATE/redis" "$REDIS_PORT"

dotnet build src/HeadlessLoan.Api -c Release -nologo -v quiet
ASPNETCORE_ENVIRONMENT=Production \
ConnectionStrings__Database="Server=127.0.0.1;Port=$DB_PORT;Database=headless_loan_bench;User ID=root;Password=;Maximum Pool Size=200;" \
ConnectionStrings__Redis="127.0.0.1:$REDIS_PORT" \
Database__CreateIfMissing=true \
Auth__SigningKey="bench-only-signing-key-0123456789-0123456789" \
RateLimits__QuotePerIpPerMinute=1000000 \
Logging__LogLevel__Default=Warning \
  dotnet src/HeadlessLoan.Api/bin/Release/net10.0/HeadlessLoan.Api.dll --urls "http://127.0.0.1:$API_PORT" >"$STATE/api.log" 2>&1 &
API_PID=$!
HL_STARTED_PIDS+=("$API_PID")
for _ in $(seq 1 120); do curl -fs "http://127.0.0.1:$API_PORT/health/ready" >/dev/null 2>&1 && break; sleep 0.5; done
curl -fs "http://127.0.0.1:$API_PORT/health/ready" >/dev/null || { cat "$STATE/api.log"; exit 1; }

# Sanity: the quote really returns 360 periods before it is timed.
periods=$(curl -fs -H 'Content-Type: application/json' -d "$(sed -n "s/^wrk.body = '\(.*\)'$/\1/p" bench/quote.lua)" \
  "http://127.0.0.1:$API_PORT/v1/schedules/quote" | grep -o '"period":' | wc -l)
[ "$periods" -eq 360 ] || { echo "expected 360 periods, got $periods" >&2; exit 1; }

run() { # name, wrk args...
  local name="$1"; shift
  wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency "$@" >"$OUT/$name.txt"
}
rps() { awk '/^Requests\/sec:/ {print $2}' "$OUT/$1.txt"; }
p99_ms() { awk '$1=="99%" {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v*=1000}; print v}' "$OUT/$1.txt"; }
errors() { awk '/Non-2xx|Socket errors/ {print}' "$OUT/$1.txt"; }

echo "warming up"; wrk -t2 -c"$CONNECTIONS" -d3s "http://127.0.0.1:$API_PORT/health/live" >/dev/null
wrk -t2 -c"$CONNECTIONS" -d3s -s bench/quote.lua "http://127.0.0.1:$API_PORT/v1/schedules/quote" >/dev/null

# Baseline and subject alternate so drift on a shared machine hits both alike.
run baseline-1 "http://127.0.0.1:$API_PORT/health/live"
run quote-1 -s bench/quote.lua "http://127.0.0.1:$API_PORT/v1/schedules/quote"
#run distinct-1 -s bench/quote-distinct.lua "http://127.0.0.1:$API_PORT/v1/schedules/quote"
#run baseline-2 "http://127.0.0.1:$API_PORT/health/live"
#run quote-2 -s bench/quote.lua "http://127.0.0.1:$API_PORT/v1/schedules/quote"
#run distinct-2 -s bench/quote-distinct.lua "http://127.0.0.1:$API_PORT/v1/schedules/quote"

rss_kb=$(awk '/VmHWM/ {print $2}' "/proc/$API_PID/status")
base_rps=$(echo "$(rps baseline-1) $(rps baseline-2)" | awk '{print ($1+$2)/2}')
quote_rps=$(echo "$(rps quote-1) $(rps quote-2)" | awk '{print ($1+$2)/2}')
base_p99=$(echo "$(p99_ms baseline-1) $(p99_ms baseline-2)" | awk '{print ($1+$2)/2}')
quote_p99=$(echo "$(p99_ms quote-1) $(p99_ms quote-2)" | awk '{print ($1+$2)/2}')
distinct_rps=$(echo "$(rps distinct-1) $(rps distinct-2)" | awk '{print ($1+$2)/2}')
distinct_p99=$(echo "$(p99_ms distinct-1) $(p99_ms distinct-2)" | awk '{print ($1+$2)/2}')
for f in baseline-1 quote-1 distinct-1 baseline-2 quote-2 distinct-2; do e=$(errors "$f"); [ -z "$e" ] || echo "$f: $e"; done

printf '\n%-34s %12s %12s\n' "" "req/s" "p99 ms"
printf '%-34s %12.0f %12.2f\n' "GET /health/live (baseline)" "$base_rps" "$base_p99"
printf '%-34s %12.0f %12.2f\n' "POST quote, same terms (360)" "$quote_rps" "$quote_p99"
printf '%-34s %12.0f %12.2f\n' "POST quote, distinct terms (360)" "$distinct_rps" "$distinct_p99"
ratio=$(awk -v q="$quote_rps" -v b="$base_rps" 'BEGIN {printf "%.2f", q/b}')
printf '\nthroughput ratio quote/baseline, same terms:     %s (goal >= 0.50)\n' "$ratio"
printf 'throughput ratio quote/baseline, distinct terms: %s\n' "$(awk -v q="$distinct_rps" -v b="$base_rps" 'BEGIN {printf "%.2f", q/b}')"
printf 'p99 ratio baseline/quote, same terms:           %s\n' "$(awk -v q="$quote_p99" -v b="$base_p99" 'BEGIN {printf "%.2f", b/q}')"
printf 'API peak RSS: %d MiB\n' "$((rss_kb / 1024))"
awk -v r="$ratio" 'BEGIN {exit !(r >= 0.5)}' && echo "goal met" || echo "goal NOT met"
