#!/usr/bin/env bash
# docker-compose.yaml's topology on loopback with real processes, no Docker: a throwaway PostgreSQL
# cluster and redis-server in a temporary folder, three native EdgeGw replicas sharing DATABASE_URL and
# REDIS_HOST/PORT/PASSWORD with deploy/config.yaml, and nginx (deploy/nginx.conf, the replicas' ports
# swapped in) balancing them on one port.
#   deploy/local-cluster.sh                    # prints the URL, runs until Ctrl-C, then removes everything
#   deploy/local-cluster.sh CMD ARGS...        # runs CMD against the cluster, then removes everything (exit = CMD's)
# Environment: EDGEGW_BINARY (else publishes to out/publish), PORT (nginx, default 4000; replicas PORT+1…,
# PostgreSQL PORT+10, Redis PORT+11), REPLICAS (default 3), REDIS=0 (no Redis: per-replica limits),
# CONFIG (default deploy/config.yaml), LITELLM_MASTER_KEY (default sk-local-cluster), KEEP=1 (keep the folder and logs).
# CMD sees EDGEGW_URL (nginx), EDGEGW_REPLICA_URLS (space-separated), EDGEGW_REPLICA_PIDS, REDIS_HOST/PORT/PASSWORD,
# DATABASE_URL and CLUSTER_DIR (logs: replica-N.log, redis.log, pg/log).
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-4000}
REPLICAS=${REPLICAS:-3}
REDIS=${REDIS:-1}
CONFIG=$(readlink -f "${CONFIG:-deploy/config.yaml}")
export LITELLM_MASTER_KEY=${LITELLM_MASTER_KEY:-sk-local-cluster}
PGPORT=$((PORT + 10)) REDISPORT=$((PORT + 11))

need() { command -v "$1" >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq "$2" >/dev/null; }; }
need nginx nginx-light
[ "$REDIS" = 0 ] || need redis-server redis-server
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -n "$pgbin" ] || { apt-get update -qq && apt-get install -y -qq postgresql >/dev/null; pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1); }

BIN=${EDGEGW_BINARY:-}
if [ -z "$BIN" ]; then
  dotnet publish src/EdgeGw -c Release -o out/publish >/dev/null
  BIN=out/publish/edgegw
fi
BIN=$(readlink -f "$BIN")

work=$(mktemp -d /tmp/edgegw-cluster-XXXXXX)
chmod 755 "$work"
pids=()
pg_stop=()
cleanup() {
  trap - EXIT INT TERM
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do # bounded: SIGTERM drains within the replicas' shutdown timeout, then SIGKILL
    for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$p" 2>/dev/null || true
  done
  [ ${#pg_stop[@]} = 0 ] || "${pg_stop[@]}" >/dev/null 2>&1 || true
  if [ "${KEEP:-0}" = 1 ]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Waits up to $1 seconds for the command after it to succeed; fails naming $2's log otherwise.
wait_for() {
  local seconds=$1 log=$2; shift 2
  for _ in $(seq $((seconds * 10))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "local-cluster: '$*' did not succeed within ${seconds}s; log $log:" >&2; tail -20 "$log" >&2 || true
  exit 1
}

# PostgreSQL as load/run.sh starts it: Debian's newest server; it refuses root, so it runs as user postgres.
as=()
mkdir -p "$work/pg"
if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$work/pg"; as=(setpriv --reuid=postgres --regid=postgres --clear-groups --); fi
"${as[@]}" "$pgbin/initdb" -D "$work/pg/data" -U postgres --auth=trust -E UTF8 --no-locale >/dev/null
"${as[@]}" "$pgbin/pg_ctl" -D "$work/pg/data" -l "$work/pg/log" -w -t 30 -o "-p $PGPORT -k $work/pg -c listen_addresses=127.0.0.1" start >/dev/null
pg_stop=("${as[@]}" "$pgbin/pg_ctl" -D "$work/pg/data" -m fast -w -t 10 stop)
"$pgbin/psql" -h 127.0.0.1 -p $PGPORT -U postgres -qAt -c 'CREATE DATABASE litellm'
export DATABASE_URL=postgresql://postgres@127.0.0.1:$PGPORT/litellm

if [ "$REDIS" != 0 ]; then
  export REDIS_HOST=127.0.0.1 REDIS_PORT=$REDISPORT REDIS_PASSWORD=${REDIS_PASSWORD:-local-cluster-redis}
  redis-server --port $REDISPORT --bind 127.0.0.1 --save "" --appendonly no --dir "$work" --daemonize no \
    --requirepass "$REDIS_PASSWORD" > "$work/redis.log" 2>&1 & pids+=($!)
  wait_for 10 "$work/redis.log" env REDISCLI_AUTH="$REDIS_PASSWORD" redis-cli -p $REDISPORT ping
else
  # deploy/config.yaml names Redis through the environment: without it, router_settings.redis_* must go.
  sed -E '/^\s*redis_(host|port|password):/d' "$CONFIG" > "$work/config-no-redis.yaml"
  CONFIG=$work/config-no-redis.yaml
fi

# The replicas start together on the empty database, as compose starts them (table creation takes an advisory lock).
urls=() replica_pids=()
for i in $(seq "$REPLICAS"); do
  port=$((PORT + i))
  cp "$CONFIG" "$work/config-$i.yaml"
  (cd "$work" && exec "$BIN" --config "config-$i.yaml" --host 127.0.0.1 --port $port >> "replica-$i.log" 2>&1) & pids+=($!)
  replica_pids+=($!)
  urls+=("http://127.0.0.1:$port")
done
for i in $(seq "$REPLICAS"); do
  wait_for 60 "$work/replica-$i.log" "$BIN" healthcheck /health/liveliness --port $((PORT + i))
done

servers=""
for i in $(seq "$REPLICAS"); do servers+="    server 127.0.0.1:$((PORT + i)) max_fails=3 fail_timeout=10s;\n"; done
mkdir -p "$work/nginx-temp"
# deploy/nginx.conf with the loopback ports, a pid file and temp paths in the folder.
awk -v servers="$servers" -v port="$PORT" -v work="$work" '
  /server edgegw-[0-9]+:4000/ { if (!done) { printf "%s", servers; done = 1 } next }
  /listen 4000;/ { sub(/4000/, "127.0.0.1:" port) }
  /^http \{/ { print; print "  client_body_temp_path " work "/nginx-temp/body;"; print "  proxy_temp_path " work "/nginx-temp/proxy;"; next }
  { print }' deploy/nginx.conf > "$work/nginx.conf"
nginx -t -q -c "$work/nginx.conf" -p "$work" -g "pid $work/nginx.pid;" 2> "$work/nginx.log" || { cat "$work/nginx.log" >&2; exit 1; }
nginx -c "$work/nginx.conf" -p "$work" -g "daemon off; pid $work/nginx.pid;" >> "$work/nginx.log" 2>&1 & pids+=($!)
wait_for 10 "$work/nginx.log" "$BIN" healthcheck "http://127.0.0.1:$PORT/health/liveliness"

export EDGEGW_URL=http://127.0.0.1:$PORT EDGEGW_REPLICA_URLS="${urls[*]}" EDGEGW_REPLICA_PIDS="${replica_pids[*]}" CLUSTER_DIR=$work
redis_line="Redis 127.0.0.1:$REDISPORT"; [ "$REDIS" != 0 ] || redis_line="no Redis (per-replica limits)"
echo "EdgeGw: $EDGEGW_URL (nginx) → $REPLICAS replicas ${urls[*]}; PostgreSQL $DATABASE_URL; $redis_line; logs in $work" >&2

if [ $# -gt 0 ]; then
  set +e
  "$@"
  rc=$?
  exit $rc
fi
echo "Try: curl $EDGEGW_URL/v1/chat/completions -H 'Authorization: Bearer $LITELLM_MASTER_KEY' -H 'Content-Type: application/json' -d '{\"model\":\"mock-gpt\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}'" >&2
echo "Ctrl-C stops everything." >&2
while :; do sleep 1; done
