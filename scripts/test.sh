#!/usr/bin/env bash
# Runs every test project against real MariaDB, Redis and an S3-compatible server (s3rver) started here
# (installed when missing, data under .local/test), then prints the totals as "N passed, N failed".
set -uo pipefail
source "$(dirname "$0")/lib/services.sh"
cd "$HL_ROOT"

DB_PORT="${HL_TEST_DB_PORT:-23306}"
REDIS_PORT="${HL_TEST_REDIS_PORT:-26379}"
S3_PORT="${HL_TEST_S3_PORT:-29000}"
STATE="$HL_ROOT/.local/test"
RESULTS="$STATE/results"

trap 'hl_stop_started' EXIT

hl_install_packages || exit 1
hl_install_s3rver || exit 1

# No Docker engine runs here, but the compose file users run must at least be valid.
if ! command -v docker-compose >/dev/null 2>&1; then
  hl_log "installing docker-compose (Debian package) to validate docker-compose.yml"
  hl_apt_install docker-compose
  command -v docker-compose >/dev/null 2>&1 || { echo "docker-compose could not be installed" >&2; exit 1; }
fi
hl_log "validating docker-compose.yml"
docker-compose -f docker-compose.yml config -q || { echo "docker-compose.yml is invalid" >&2; exit 1; }
hl_start_mariadb "$STATE/mariadb" "$DB_PORT" || exit 1
hl_start_redis "$STATE/redis" "$REDIS_PORT" || exit 1
hl_start_s3rver "$STATE/s3rver" "$S3_PORT" || exit 1

export HL_TEST_DATABASE="Server=127.0.0.1;Port=$DB_PORT;User ID=root;Password=;"
export HL_TEST_REDIS="127.0.0.1:$REDIS_PORT"
export HL_TEST_S3="http://127.0.0.1:$S3_PORT"

rm -rf "$RESULTS"
hl_log "restoring tools and building"
dotnet tool restore >/dev/null || exit 1
dotnet build HeadlessLoan.sln -c Release -nologo -v quiet || exit 1

hl_log "running tests"
dotnet test HeadlessLoan.sln -c Release --no-build --logger "trx" --logger "console;verbosity=minimal" \
  --results-directory "$RESULTS" "$@"
status=$?

# Totals from the test results themselves (one .trx per test project).
passed=0; failed=0
for trx in "$RESULTS"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*' "$trx" | head -1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
done
if [ "$passed" -eq 0 ] && [ "$status" -eq 0 ]; then status=1; echo "no test ran" >&2; fi
echo "$passed passed, $failed failed"
exit "$status"
