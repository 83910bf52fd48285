#!/usr/bin/env bash
# Close-of-business throughput: a generated book of N loans (default 1,000,000: 12-month schedules, 8.3 % overdue, some
# crossing a class boundary tonight) in the benchmark's own database, closed for one COB date by the service's own job
# (CobJob.CloseAllAsync as its restricted account: overdue, penalty, the day's interest accrual, classes, snapshots,
# ledger entries), against a baseline measured in the same run on the same rows: one set-based UPDATE that changes
# every loan row once. Prints loans/s, the COB's and the baseline's seconds, their ratio and the goals: COB <= 4 x the
# baseline and under 60 s. Every answer is checked (the run completed with N loans, N snapshots, the overdue loans,
# class moves, audit records and events, credit-line cuts, penalty and interest accrued (on the periods, in the
# accrual entries and lines, in the snapshots) the book must come to, computed apart from the close's code, and a clean
# ledger reconciliation, which takes minutes at 1,000,000 loans, so no command times out): any mismatch makes the run
# INVALID, and the script fails on that and on a missed goal. No test asserts these timings.
# MariaDB runs as scripts/lib/services.sh starts it (durable commits: innodb_flush_log_at_trx_commit=1) with a buffer
# pool of HL_BENCH_DB_BUFFER_POOL (default 12G: the book of 1,000,000 loans is about 9.4 GB, measured in memory, as a
# database server that closes every night holds its loans) and a redo log of HL_BENCH_DB_REDO_LOG (default 2G: with the
# server's 96M a night's writes wait on checkpoints, and a server sized for such a book is not run so); both the COB
# and the baseline start warm. HL_BENCH_PROFILE=1 turns performance_schema on and prints the close's statements by
# server time; HL_BENCH_COB_BATCH overrides CloseOfBusiness:BatchSize and HL_BENCH_COB_WORKERS CloseOfBusiness:Workers
# (the slices closed at once).
# The data is fresh each run, in .local/bench-cob (about 9 GB at 1,000,000 loans; the server's temporary files too),
# until the next. Generating 1,000,000 loans takes about 10 minutes on 2 cores.
# Usage: bench/cob.sh [loans]
# Port: HL_BENCH_DB_PORT (43326); it must be free.
set -euo pipefail
source "$(dirname "$0")/../scripts/lib/services.sh"
cd "$HL_ROOT"

LOANS="${1:-1000000}"
DB_PORT="${HL_BENCH_DB_PORT:-43326}"
hl_require_free_ports HL_BENCH_DB_PORT="$DB_PORT"
STATE="$HL_ROOT/.local/bench-cob"
rm -rf "$STATE/mariadb"
mkdir -p "$STATE"
trap 'hl_stop_started' EXIT

hl_install_packages
# Its own temporary directory: a cleanup of /tmp during the run must not take the server's temporary tables.
mkdir -p "$STATE/tmp"
server_options=(--innodb-buffer-pool-size="${HL_BENCH_DB_BUFFER_POOL:-12G}" --innodb-log-file-size="${HL_BENCH_DB_REDO_LOG:-2G}" --tmpdir="$STATE/tmp")
[ "${HL_BENCH_PROFILE:-0}" = 1 ] && server_options+=(--performance-schema=ON)
hl_start_mariadb "$STATE/mariadb" "$DB_PORT" "${server_options[@]}"
hl_mariadb_sql "$DB_PORT" "CREATE DATABASE headless_loan_bench CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
  CREATE USER 'hl_bench_app'@'127.0.0.1' IDENTIFIED BY 'bench-only-password'"

dotnet build bench/CobThroughput -c Release -nologo -v quiet
args=(--loans "$LOANS" --db-pid "$(cat "$STATE/mariadb/mariadb.pid")")
[ "${HL_BENCH_PROFILE:-0}" = 1 ] && args+=(--profile)
[ -n "${HL_BENCH_COB_BATCH:-}" ] && args+=(--batch-size "$HL_BENCH_COB_BATCH")
[ -n "${HL_BENCH_COB_WORKERS:-}" ] && args+=(--workers "$HL_BENCH_COB_WORKERS")
dotnet bench/CobThroughput/bin/Release/net10.0/CobThroughput.dll \
  --app "Server=127.0.0.1;Port=$DB_PORT;Database=headless_loan_bench;User ID=hl_bench_app;Password=bench-only-password;Default Command Timeout=0;" \
  --root "Server=127.0.0.1;Port=$DB_PORT;Database=headless_loan_bench;User ID=root;Password=;" \
  "${args[@]}"
