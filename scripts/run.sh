#!/usr/bin/env bash
# Runs HeadlessLoan on this machine: MariaDB, Redis and the sandbox on loopback (installed and started when
# missing, data under .local/dev), migrations, then the API. Ctrl-C stops what this script started.
set -euo pipefail
source "$(dirname "$0")/lib/services.sh"
source "$(dirname "$0")/lib/api-environment.sh"
cd "$HL_ROOT"

DB_PORT="${HL_DB_PORT:-13306}"
REDIS_PORT="${HL_REDIS_PORT:-16379}"
SANDBOX_PORT="${HL_SANDBOX_PORT:-5081}"
API_PORT="${HL_API_PORT:-5080}"
STATE="$HL_ROOT/.local/dev"

trap 'hl_log "stopping"; hl_stop_started' EXIT
trap 'exit 130' INT TERM

hl_install_packages
hl_start_mariadb "$STATE/mariadb" "$DB_PORT"
hl_start_redis "$STATE/redis" "$REDIS_PORT"
# Two accounts, as in production: root runs the migrations, which grant the service's own account its privileges
# table by table (it may only add to and read the audit trail; docs/audit.md).
APP_PASSWORD="development-only-db-password"
hl_mariadb_sql "$DB_PORT" "CREATE DATABASE IF NOT EXISTS headless_loan CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
  CREATE USER IF NOT EXISTS 'headless_loan'@'127.0.0.1' IDENTIFIED BY '$APP_PASSWORD'"

hl_log "building"
dotnet build "$HL_ROOT/src/HeadlessLoan.Api" -c Release -v quiet -nologo
dotnet build "$HL_ROOT/src/HeadlessLoan.Sandbox" -c Release -v quiet -nologo

hl_log "starting the sandbox on 127.0.0.1:$SANDBOX_PORT"
dotnet "$HL_ROOT/src/HeadlessLoan.Sandbox/bin/Release/net10.0/HeadlessLoan.Sandbox.dll" --port "$SANDBOX_PORT" >"$STATE/sandbox.log" 2>&1 &
HL_STARTED_PIDS+=("$!")

cat <<MSG

  API          http://127.0.0.1:$API_PORT
  Swagger UI   http://127.0.0.1:$API_PORT/docs
  Contract     http://127.0.0.1:$API_PORT/openapi/v1.yaml
  Sandbox      http://127.0.0.1:$SANDBOX_PORT   (requests: /__admin/requests)
  First admin  admin / development-only-admin-password   (development only)

MSG

# Migrations are applied by the API at start-up (several instances coordinate through a lock). Its database, Redis
# and every sandbox URL (WeChat, WeChat Pay, the bureau) follow the ports above (scripts/lib/api-environment.sh).
mapfile -t API_ENVIRONMENT < <(hl_dev_api_environment "$DB_PORT" "$REDIS_PORT" "$SANDBOX_PORT" "$APP_PASSWORD" "$API_PORT")
env "${API_ENVIRONMENT[@]}" \
  dotnet "$HL_ROOT/src/HeadlessLoan.Api/bin/Release/net10.0/HeadlessLoan.Api.dll" --urls "http://127.0.0.1:$API_PORT" \
  --contentRoot "$HL_ROOT/src/HeadlessLoan.Api" &
API_PID=$!
HL_STARTED_PIDS+=("$API_PID")
wait "$API_PID"
