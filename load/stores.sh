#!/usr/bin/env bash
# The stores' cost, same run: one binary as four governed gateways — embedded (SQLite, limits in the process), limits in
# Redis, PostgreSQL as the store, and both — through load/knobs.sh (same upstream, alternating order), against a
# throwaway PostgreSQL cluster and redis-server on loopback. Then the Redis round trip (PING) and the time Redis spends
# inside the scripts a request runs. Issue 23's "PostgreSQL + Redis within one Redis round trip" is judged by FULL=1
# load/run.sh; this splits that gap between the two services.
#   EDGEGW_BINARY=/tmp/pub/edgegw load/stores.sh
#   DURATION=4s ROUNDS=3 CONNS="1 32" load/stores.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PGPORT=19133 REDISPORT=19134
export ROUNDS=${ROUNDS:-2} DURATION=${DURATION:-4s} CONNS=${CONNS:-1}
command -v redis-server >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq redis-server >/dev/null; }
source load/binary.sh

dir=$(mktemp -d)
chmod a+rx "$dir" # the cluster runs as user postgres
redis_pid=""
pg_stop=()
finish() { [ -z "$redis_pid" ] || kill "$redis_pid" 2>/dev/null || true; [ ${#pg_stop[@]} = 0 ] || "${pg_stop[@]}" >/dev/null 2>&1 || true; rm -rf "$dir"; }
trap finish EXIT

source load/pg_cluster.sh
pg_cluster "$dir" $PGPORT
psql -c 'CREATE DATABASE pg' -c 'CREATE DATABASE pgredis'
redis-server --port $REDISPORT --bind 127.0.0.1 --save "" --appendonly no --dir "$dir" --daemonize no > "$dir/redis.log" 2>&1 &
redis_pid=$!
until redis-cli -p $REDISPORT ping >/dev/null 2>&1; do sleep 0.01; done

url=postgresql://postgres@127.0.0.1:$PGPORT
redis=router.redis_host=127.0.0.1,router.redis_port=$REDISPORT
VARIANTS="embedded=$BIN redis=$BIN@$redis pg=$BIN@DATABASE_URL=$url/pg pgredis=$BIN@DATABASE_URL=$url/pgredis,$redis" \
  EDGEGW_BINARY=$BIN load/knobs.sh

echo
echo "Redis round trip (redis-benchmark PING, 1 connection): p50 $(redis-benchmark -p $REDISPORT -n 20000 -c 1 -t ping --csv | awk -F'"' '/PING_MBULK/ { printf "%.0f\n", $10 * 1000 }') µs"
echo "Inside Redis, per call (INFO commandstats; admission is EVALSHA, settlement FCALL on Redis 7+):"
redis-cli -p $REDISPORT INFO commandstats | tr -d '\r' | awk -F'[:=,]' '/^cmdstat_(evalsha|eval|fcall):/ { printf "  %s: %s calls, %s µs each\n", substr($1, 9), $3, $7 }'
