# shellcheck shell=bash
# Shared by run.sh and test.sh: install MariaDB and Redis from Debian packages (and s3rver from npm) when
# missing, and run them as plain processes on loopback with their data under .local/. Sourced, not executed.

HL_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HL_STARTED_PIDS=()

hl_log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

hl_as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

HL_APT_UPDATED=""
hl_apt_install() { # packages...
  if [ -z "$HL_APT_UPDATED" ]; then
    hl_as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    HL_APT_UPDATED=1
  fi
  # The packages try to start system services; that may be refused here and does not matter.
  hl_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null || true
}

# MariaDB 10.11 and Redis 7 come from Debian; install them only when a binary is missing.
hl_install_packages() {
  local missing=()
  command -v mariadbd >/dev/null 2>&1 || command -v mysqld >/dev/null 2>&1 || missing+=(mariadb-server)
  command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
  if [ "${#missing[@]}" -gt 0 ]; then
    hl_log "installing ${missing[*]} (Debian packages)"
    hl_apt_install "${missing[@]}"
    command -v mariadbd >/dev/null 2>&1 || command -v mysqld >/dev/null 2>&1 || { echo "MariaDB could not be installed" >&2; return 1; }
    command -v redis-server >/dev/null 2>&1 || { echo "Redis could not be installed" >&2; return 1; }
  fi
}

# Polls a readiness command (tries × pause); when it never succeeds, shows the end of the server's log.
hl_wait_ready() { # name log tries pause command...
  local name="$1" log="$2" tries="$3" pause="$4" _
  shift 4
  for _ in $(seq 1 "$tries"); do
    "$@" && return 0
    sleep "$pause"
  done
  echo "$name did not become ready; see $log" >&2
  tail -20 "$log" >&2
  return 1
}

hl_mariadb_ping() { # port
  mariadb-admin --protocol=tcp -h 127.0.0.1 -P "$1" -u root ping >/dev/null 2>&1
}

# Starts MariaDB on 127.0.0.1:$2 with data in $1 unless one already answers there; further arguments are mariadbd
# options that override the defaults below (a benchmark's buffer pool).
hl_start_mariadb() { # dir port [mariadbd-option...]
  local dir="$1" port="$2"
  shift 2
  if hl_mariadb_ping "$port"; then hl_log "MariaDB already running on 127.0.0.1:$port"; return 0; fi
  mkdir -p "$dir" && dir="$(cd "$dir" && pwd)"
  if [ ! -d "$dir/data/mysql" ]; then
    hl_log "initialising MariaDB data in $dir/data"
    mariadb-install-db --user="$(id -un)" --datadir="$dir/data" --auth-root-authentication-method=normal \
      --skip-test-db >"$dir/install.log" 2>&1 || { cat "$dir/install.log" >&2; rm -rf "$dir/data"; return 1; }
  fi
  hl_log "starting MariaDB on 127.0.0.1:$port"
  mariadbd --no-defaults --user="$(id -un)" --datadir="$dir/data" --socket="$dir/mariadb.sock" --port="$port" \
    --bind-address=127.0.0.1 --skip-log-bin --pid-file="$dir/mariadb.pid" \
    --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci \
    --innodb-buffer-pool-size=256M --innodb-flush-log-at-trx-commit=1 --max-connections=500 "$@" \
    >"$dir/mariadb.log" 2>&1 &
  HL_STARTED_PIDS+=("$!")
  hl_wait_ready MariaDB "$dir/mariadb.log" 120 0.5 hl_mariadb_ping "$port"
}

# Starts Redis on 127.0.0.1:$2 unless one already answers there.
hl_start_redis() { # dir port
  local dir="$1" port="$2"
  if redis-cli -h 127.0.0.1 -p "$port" ping >/dev/null 2>&1; then hl_log "Redis already running on 127.0.0.1:$port"; return 0; fi
  mkdir -p "$dir" && dir="$(cd "$dir" && pwd)"
  hl_log "starting Redis on 127.0.0.1:$port"
  redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$dir" \
    --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log"
  for _ in $(seq 1 40); do
    if redis-cli -h 127.0.0.1 -p "$port" ping >/dev/null 2>&1; then
      HL_STARTED_PIDS+=("$(cat "$dir/redis.pid")")
      return 0
    fi
    sleep 0.25
  done
  echo "Redis did not become ready; see $dir/redis.log" >&2
  return 1
}

# s3rver, an S3-compatible server on Node, stands in for Minio in tests (no Minio binary comes from a package
# registry). Node comes from Debian when missing; s3rver from npm into .local/tools.
HL_S3RVER_VERSION="3.7.1"
HL_S3RVER="$HL_ROOT/.local/tools/node_modules/s3rver/bin/s3rver.js"
hl_install_s3rver() {
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    hl_log "installing nodejs and npm (Debian packages) for s3rver"
    hl_apt_install nodejs npm
    command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || { echo "Node.js could not be installed" >&2; return 1; }
  fi
  local installed
  installed="$(node -p "require('$HL_ROOT/.local/tools/node_modules/s3rver/package.json').version" 2>/dev/null || true)"
  if [ "$installed" != "$HL_S3RVER_VERSION" ]; then
    hl_log "installing s3rver@$HL_S3RVER_VERSION (npm) into .local/tools"
    npm install --prefix "$HL_ROOT/.local/tools" --no-audit --no-fund --loglevel=error "s3rver@$HL_S3RVER_VERSION" >/dev/null \
      || { echo "s3rver could not be installed" >&2; return 1; }
  fi
}

hl_s3_ping() { # port
  curl -s -o /dev/null "http://127.0.0.1:$1/"
}

# Starts s3rver on 127.0.0.1:$2 with fresh data in $1 unless a server already answers there. Its default
# credentials are S3RVER / S3RVER.
hl_start_s3rver() { # dir port
  local dir="$1" port="$2"
  if hl_s3_ping "$port"; then hl_log "S3 server already running on 127.0.0.1:$port"; return 0; fi
  rm -rf "$dir/data" && mkdir -p "$dir/data" && dir="$(cd "$dir" && pwd)"
  hl_log "starting s3rver on 127.0.0.1:$port"
  node "$HL_S3RVER" --directory "$dir/data" --address 127.0.0.1 --port "$port" --silent >"$dir/s3rver.log" 2>&1 &
  HL_STARTED_PIDS+=("$!")
  hl_wait_ready s3rver "$dir/s3rver.log" 40 0.25 hl_s3_ping "$port"
}

# A benchmark measures servers of its own: one that already listens on its port (another checkout's tests or
# benchmark) would be measured, and written to, instead. Stops the script with the variable that moves the port.
hl_require_free_ports() { # variable=port...
  local pair
  for pair in "$@"; do
    if (exec 3<>"/dev/tcp/127.0.0.1/${pair#*=}") 2>/dev/null; then
      echo "port ${pair#*=} on 127.0.0.1 is already in use; choose another with ${pair%%=*}=<port>" >&2
      return 1
    fi
  done
}

# Stops only the processes this script started, by pid, the last started first, each gone before the next is asked:
# the API finishes its shutdown while MariaDB and Redis still answer.
hl_stop_started() {
  local i pid
  for ((i = ${#HL_STARTED_PIDS[@]} - 1; i >= 0; i--)); do
    pid="${HL_STARTED_PIDS[$i]}"
    kill "$pid" 2>/dev/null || continue
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  done
  HL_STARTED_PIDS=()
}

hl_mariadb_sql() { # port sql
  mariadb --protocol=tcp -h 127.0.0.1 -P "$1" -u root -e "$2"
}
