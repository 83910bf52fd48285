#!/usr/bin/env bash
# WeChat Pay payment notifications against the real service (BenchHost: the API with a bare one-INSERT endpoint):
# N loans with one open order each are seeded, then every order's notification — sealed with the APIv3 key, signed
# as WeChat Pay signs, half under the platform certificate and half under the public key, a share sent twice — is
# posted at C at once; then as many posts to the bare INSERT endpoint of the same process. Prints throughput and p99
# of both and their ratio (goal >= 0.4), then proves applied-once from the books: every order paid once, one
# repayment entry each, the ledger's reconciliation holding. Any answer but 204, or books that do not add up, make
# the run INVALID and the script fail.
# Usage: bench/notifications.sh [loans, 10000] [concurrency, 64] [duplicate share, 0.2]
# Ports: HL_BENCH_DB_PORT, HL_BENCH_REDIS_PORT, HL_BENCH_API_PORT (33336, 36409, 35110); they must be free.
set -euo pipefail
source "$(dirname "$0")/../scripts/lib/services.sh"
cd "$HL_ROOT"

LOANS="${1:-10000}"
CONCURRENCY="${2:-64}"
DUPLICATES="${3:-0.2}"
DB_PORT="${HL_BENCH_DB_PORT:-33336}"; REDIS_PORT="${HL_BENCH_REDIS_PORT:-36409}"; API_PORT="${HL_BENCH_API_PORT:-35110}"
hl_require_free_ports HL_BENCH_DB_PORT="$DB_PORT" HL_BENCH_REDIS_PORT="$REDIS_PORT" HL_BENCH_API_PORT="$API_PORT"
STATE="$HL_ROOT/.local/bench-notifications"
mkdir -p "$STATE"
trap 'hl_stop_started' EXIT

hl_install_packages
hl_start_mariadb "$STATE/mariadb" "$DB_PORT"
hl_start_redis "$STATE/redis" "$REDIS_PORT"
hl_mariadb_sql "$DB_PORT" "DROP DATABASE IF EXISTS headless_loan_bench; CREATE DATABASE headless_loan_bench CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
redis-cli -h 127.0.0.1 -p "$REDIS_PORT" flushall >/dev/null

dotnet build bench/BenchHost -c Release -nologo -v quiet
dotnet build bench/NotificationBurst -c Release -nologo -v quiet

# A merchant of this run's own: the published test-only merchant key and APIv3 key are refused outside Development.
# WeChat Pay's keys are the sandbox's test-only ones (their private halves sign the notifications).
KEYS="$HL_ROOT/src/HeadlessLoan.Sandbox/wechatpay-test-keys"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$STATE/merchant-key.pem" 2>/dev/null
APIV3_KEY="$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
DB="Server=127.0.0.1;Port=$DB_PORT;Database=headless_loan_bench;User ID=root;Password=;Maximum Pool Size=300;"
ADMIN_PASSWORD="bench-only-admin-password"

# The content root is the build output: from the repository root the configuration's file watcher would follow every
# write below it, the benchmark's own MariaDB data files included.
ASPNETCORE_ENVIRONMENT=Production \
ConnectionStrings__Database="$DB" \
ConnectionStrings__Redis="127.0.0.1:$REDIS_PORT" \
Auth__SigningKey="bench-only-signing-key-0123456789-0123456789" \
Bootstrap__AdminUsername=admin Bootstrap__AdminPassword="$ADMIN_PASSWORD" \
PersonalData__CurrentKeyId=b1 PersonalData__Keys__b1="$(head -c 32 /dev/urandom | base64)" PersonalData__HashKey="$(head -c 32 /dev/urandom | base64)" \
WeChat__ApiBaseUrl=http://127.0.0.1:9 WeChat__AppId=wx_bench WeChat__AppSecret=bench \
Bureau__BaseUrl=http://127.0.0.1:9 Bureau__ApiKey=bench \
WeChatPay__BaseUrl=http://127.0.0.1:9 WeChatPay__MchId=1900000109 WeChatPay__AppId=wx_bench \
WeChatPay__MerchantSerialNo=BENCH0000000000000000000000000000000001 WeChatPay__MerchantPrivateKey="$STATE/merchant-key.pem" \
WeChatPay__ApiV3Key="$APIV3_KEY" WeChatPay__NotifyUrl=https://127.0.0.1:9/v1/webhooks/wechatpay \
WeChatPay__PlatformCertificates__5A1D2C3B4E5F60718293A4B5C6D7E8F901A2B3C4="$KEYS/platform-certificate.TEST-ONLY.pem" \
WeChatPay__PublicKeyId=PUB_KEY_ID_0119000001092026010100000001 WeChatPay__PublicKey="$KEYS/wechatpay-public-key.TEST-ONLY.pem" \
Repayments__ReconcilerEnabled=false Loans__PayoutsEnabled=false Pipeline__Enabled=false \
RateLimits__StaffLoginPerIpPerMinute=1000000 \
Logging__LogLevel__Default=Warning \
  dotnet bench/BenchHost/bin/Release/net10.0/BenchHost.dll --urls "http://127.0.0.1:$API_PORT" \
    --contentRoot "$HL_ROOT/bench/BenchHost/bin/Release/net10.0" >"$STATE/api.log" 2>&1 &
API_PID=$!
HL_STARTED_PIDS+=("$API_PID")
for _ in $(seq 1 120); do curl -fs "http://127.0.0.1:$API_PORT/health/ready" >/dev/null 2>&1 && break; sleep 0.5; done
curl -fs "http://127.0.0.1:$API_PORT/health/ready" >/dev/null || { tail -30 "$STATE/api.log"; exit 1; }

# The load generator shares the two cores with what it measures: its socket completions run inline, which spares it a
# thread-pool hop per response (fine for a client that only awaits).
DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 dotnet bench/NotificationBurst/bin/Release/net10.0/NotificationBurst.dll \
  --api "http://127.0.0.1:$API_PORT" --database "$DB" --loans "$LOANS" --concurrency "$CONCURRENCY" --duplicates "$DUPLICATES" \
  --admin-password "$ADMIN_PASSWORD" --apiv3-key "$APIV3_KEY" --keys "$KEYS"
