#!/usr/bin/env bash
# Audit-writing throughput: the same transactions with and without their audit record at 64 concurrent writers, on
# a MariaDB of its own, as the service's restricted account; prints both rates and their ratio (goal >= 0.7).
# Every transaction is counted by outcome; any that failed, or changed other than the one row it should, makes the
# run INVALID (non-zero exit), as does a trail whose records are not exactly one per audited commit.
# Usage: bench/audit.sh [writers] [seconds-per-phase] [rounds]
# Port: HL_BENCH_DB_PORT (43316); it must be free.
set -euo pipefail
source "$(dirname "$0")/../scripts/lib/services.sh"
cd "$HL_ROOT"

WRITERS="${1:-64}"; SECONDS_PER_PHASE="${2:-5}"; ROUNDS="${3:-3}"
DB_PORT="${HL_BENCH_DB_PORT:-43316}"
hl_require_free_ports HL_BENCH_DB_PORT="$DB_PORT"
STATE="$HL_ROOT/.local/bench-audit"
mkdir -p "$STATE"
trap 'hl_stop_started' EXIT

hl_install_packages
hl_start_mariadb "$STATE/mariadb" "$DB_PORT"
hl_mariadb_sql "$DB_PORT" "DROP DATABASE IF EXISTS headless_loan_bench; CREATE DATABASE headless_loan_bench CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
  DROP USER IF EXISTS 'hl_bench_app'@'127.0.0.1'; CREATE USER 'hl_bench_app'@'127.0.0.1' IDENTIFIED BY 'bench-only-password'"

dotnet build bench/AuditThroughput -c Release -nologo -v quiet
dotnet bench/AuditThroughput/bin/Release/net10.0/AuditThroughput.dll \
  --app "Server=127.0.0.1;Port=$DB_PORT;Database=headless_loan_bench;User ID=hl_bench_app;Password=bench-only-password;Maximum Pool Size=300;" \
  --migrations "Server=127.0.0.1;Port=$DB_PORT;Database=headless_loan_bench;User ID=root;Password=;" \
  --writers "$WRITERS" --seconds "$SECONDS_PER_PHASE" --rounds "$ROUNDS"
