#!/usr/bin/env bash
# A flood of made-up API keys against a legitimate channel's latency. A channel calls GET /v1/me with its real key,
# first alone (the baseline) and then while a flood of well-formed fake keys runs beside it: 3,000 requests at
# concurrency 100, every one with a new key, from one address and then from a new address each request. The
# service sits behind a trusted proxy (127.0.0.1) so the callers' forwarded addresses differ, as they do in
# production. Counts only expected answers: the channel's must all be 200, the flood's 401 or 429; any other answer
# (a 5xx above all) or socket error makes the run INVALID and the script fail. Goal: the channel's p99 under 1 s.
# Usage: bench/fake-keys.sh [flood-requests] [flood-connections]
# Ports: HL_BENCH_DB_PORT, HL_BENCH_REDIS_PORT, HL_BENCH_API_PORT (33306, 36379, 35080); they must be free.
set -euo pipefail
source "$(dirname "$0")/../scripts/lib/services.sh"
cd "$HL_ROOT"

FLOOD="${1:-3000}"
FLOOD_CONNECTIONS="${2:-100}"
DB_PORT="${HL_BENCH_DB_PORT:-33306}"; REDIS_PORT="${HL_BENCH_REDIS_PORT:-36379}"; API_PORT="${HL_BENCH_API_PORT:-35080}"
hl_require_free_ports HL_BENCH_DB_PORT="$DB_PORT" HL_BENCH_REDIS_PORT="$REDIS_PORT" HL_BENCH_API_PORT="$API_PORT"
STATE="$HL_ROOT/.local/bench-keys"
OUT="$HL_ROOT/bench/results/fake-keys"
mkdir -p "$OUT" "$STATE"
rm -f "$OUT"/*.txt
trap 'hl_stop_started' EXIT

hl_install_packages
command -v wrk >/dev/null || hl_apt_install wrk
hl_start_mariadb "$STATE/mariadb" "$DB_PORT"
hl_start_redis "$STATE/redis" "$REDIS_PORT"

dotnet build src/HeadlessLoan.Api -c Release -nologo -v quiet
ADMIN_PASSWORD="bench-only-admin-password"
ASPNETCORE_ENVIRONMENT=Production \
ConnectionStrings__Database="Server=127.0.0.1;Port=$DB_PORT;Database=headless_loan_keys;User ID=root;Password=;Maximum Pool Size=200;" \
ConnectionStrings__Redis="127.0.0.1:$REDIS_PORT" \
Database__CreateIfMissing=true \
Auth__SigningKey="bench-only-signing-key-0123456789-0123456789" \
Bootstrap__AdminUsername=admin Bootstrap__AdminPassword="$ADMIN_PASSWORD" \
PersonalData__CurrentKeyId=b1 PersonalData__Keys__b1="$(head -c 32 /dev/urandom | base64)" PersonalData__HashKey="$(head -c 32 /dev/urandom | base64)" \
WeChat__ApiBaseUrl=http://127.0.0.1:9 WeChat__AppId=wx_bench WeChat__AppSecret=bench \
Bureau__BaseUrl=http://127.0.0.1:9 Bureau__ApiKey=bench \
Network__TrustedProxies__0=127.0.0.1 \
Logging__LogLevel__Default=Warning \
  dotnet src/HeadlessLoan.Api/bin/Release/net10.0/HeadlessLoan.Api.dll --urls "http://127.0.0.1:$API_PORT" >"$STATE/api.log" 2>&1 &
HL_STARTED_PIDS+=("$!")
API="http://127.0.0.1:$API_PORT"
for _ in $(seq 1 120); do curl -fs "$API/health/ready" >/dev/null 2>&1 && break; sleep 0.5; done
curl -fs "$API/health/ready" >/dev/null || { cat "$STATE/api.log"; exit 1; }

# The channel and its key, made as an admin would.
token=$(curl -fs "$API/v1/auth/staff/token" -H 'Content-Type: application/json' \
  -d "{\"username\":\"admin\",\"password\":\"$ADMIN_PASSWORD\"}" | sed 's/.*"accessToken":"\([^"]*\)".*/\1/')
channel=$(curl -fs "$API/v1/channels" -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
  -d "{\"name\":\"bench channel $(date +%s%N)\",\"rateLimitPerMinute\":100000}" | sed 's/.*"id":"\([^"]*\)".*/\1/')
key=$(curl -fs -X POST "$API/v1/channels/$channel/api-keys" -H "Authorization: Bearer $token" | sed 's/.*"key":"\([^"]*\)".*/\1/')
[ "$(curl -s -o /dev/null -w '%{http_code}' "$API/v1/me" -H "X-Api-Key: $key")" = 200 ] || { echo "the channel's key does not work" >&2; exit 1; }

legit() { wrk -t1 -c4 -d"$1" --latency -s bench/legit-key.lua "$API/v1/me" -- "$key"; }
p99_ms() { awk '$1=="99%" {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v*=1000}; print v}' "$1"; }
rps() { awk '/^Requests\/sec:/ {print $2}' "$1"; }
valid() { grep -q '^statuses: .*| VALID$' "$1"; }

echo "warming up"; legit 3s >"$OUT/warmup.txt"
legit 5s >"$OUT/baseline.txt"
for spread in one many; do
  # The channel and the flood run over the same window; the flood's threads stop once they have their share, and the
  # window is long enough for all of it (checked below: a flood that did not send everything is not a figure).
  legit 6s >"$OUT/legit-$spread.txt" &
  legit_pid=$!
  wrk -t2 -c"$FLOOD_CONNECTIONS" -d6s --latency -s bench/fake-keys.lua "$API/v1/me" -- "$FLOOD" 2 "$spread" >"$OUT/flood-$spread.txt"
  wait "$legit_pid"
done

invalid=0
for f in "$OUT"/*.txt; do
  echo "$(basename "$f" .txt): $(grep '^statuses: ' "$f" || echo 'no status count')"
  valid "$f" || invalid=$((invalid + 1))
done
grep -h "^statuses: " "$OUT"/flood-*.txt | grep -Eq ' 5[0-9][0-9]=' && echo "the flood caused 5xx answers" >&2

base=$(p99_ms "$OUT/baseline.txt")
printf '\n%-52s %10s %9s %14s\n' "" "req/s" "p99 ms" "p99 / baseline"
printf '%-52s %10.0f %9.2f %14s\n' "channel alone (baseline)" "$(rps "$OUT/baseline.txt")" "$base" 1.00
for spread in one many; do
  f="$OUT/legit-$spread.txt"
  if [ "$spread" = many ]; then label="channel during $FLOOD fake keys, a new address each"; else label="channel during $FLOOD fake keys from one address"; fi
  if valid "$f" && valid "$OUT/flood-$spread.txt"; then
    p=$(p99_ms "$f")
    printf '%-52s %10.0f %9.2f %14s\n' "$label" "$(rps "$f")" "$p" "$(awk -v a="$p" -v b="$base" 'BEGIN {printf "%.2f", a/b}')"
    awk -v p="$p" 'BEGIN {exit !(p >= 1000)}' && { echo "goal missed: p99 $p ms >= 1000 ms" >&2; invalid=$((invalid + 1)); }
  else
    printf '%-52s %10s %9s %14s\n' "$label" INVALID INVALID INVALID
  fi
  sent=$(awk '/requests in/ {print $1}' "$OUT/flood-$spread.txt")
  printf '  the flood: %s requests, %s\n' "$sent" "$(grep '^statuses: ' "$OUT/flood-$spread.txt" | cut -d'|' -f1)"
  [ "$sent" -ge "$FLOOD" ] || { echo "the flood sent only $sent of $FLOOD requests in its window" >&2; invalid=$((invalid + 1)); }
done
printf '\nGoal: the channel p99 < 1000 ms during the flood, no 5xx. Raw wrk output: bench/results/fake-keys/\n'
[ "$invalid" -eq 0 ] || { echo "INVALID: $invalid run(s) answered unexpectedly or missed the goal" >&2; exit 1; }
