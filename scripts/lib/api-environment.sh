# shellcheck shell=bash
# The API's settings for scripts/run.sh, made from its ports: one NAME=VALUE a line, for `env`. Every setting that
# points at the sandbox is made here from the sandbox's port, so moving the sandbox moves all of them (and the ones that
# point back at the API, the WeChat Pay and bank notify URLs, from the API's port);
# tests/HeadlessLoan.Api.Tests/Scripts/RunScriptTests.cs checks that no sandbox address of the development settings
# is left behind. Sourced, not executed.

hl_dev_api_environment() { # db-port redis-port sandbox-port app-password api-port
  local db="$1" redis="$2" sandbox="$3" password="$4" api="$5"
  printf '%s\n' \
    "ASPNETCORE_ENVIRONMENT=Development" \
    "ConnectionStrings__Database=Server=127.0.0.1;Port=$db;Database=headless_loan;User ID=headless_loan;Password=$password;" \
    "ConnectionStrings__Migrations=Server=127.0.0.1;Port=$db;Database=headless_loan;User ID=root;Password=;" \
    "Database__ApplicationHost=127.0.0.1" \
    "ConnectionStrings__Redis=127.0.0.1:$redis" \
    "WeChat__ApiBaseUrl=http://127.0.0.1:$sandbox" \
    "Bureau__BaseUrl=http://127.0.0.1:$sandbox" \
    "WeChatPay__BaseUrl=http://127.0.0.1:$sandbox" \
    "WeChatPay__NotifyUrl=http://127.0.0.1:$api/v1/webhooks/wechatpay" \
    "Bank__BaseUrl=http://127.0.0.1:$sandbox" \
    "Aliyun__SmsBaseUrl=http://127.0.0.1:$sandbox/aliyun/dysms/" \
    "Aliyun__VoiceBaseUrl=http://127.0.0.1:$sandbox/aliyun/dyvms/" \
    "Bank__NotifyUrl=http://127.0.0.1:$api/v1/webhooks/bank"
}
