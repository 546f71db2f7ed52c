#!/usr/bin/env bash
# What sharing limits through Redis costs, and what three replicas give: each run is
# deploy/local-cluster.sh (real PostgreSQL, redis-server, native replicas, nginx on loopback) with a
# zero-latency mock model and a virtual key carrying rpm/tpm/parallel limits and a budget, driven by wrk.
#   local   1 replica, no Redis (per-replica limits)  — wrk straight at the replica, 1 and 32 connections
#   redis   1 replica, Redis on loopback              — the same; Redis commands counted (INFO commandstats)
#   lb1     1 replica behind nginx, Redis             — 32 and 64 connections
#   lb3     3 replicas behind nginx, Redis            — 32 and 64 connections
# Writes load/replicas.md (a Markdown table) and prints it. Bounded: DURATION per measurement (default 5s).
#   EDGEGW_BINARY=/tmp/pub/edgegw DURATION=5s load/replicas.sh
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-5s}
PORT=${PORT:-19200}

# Inside a cluster (local-cluster.sh runs this script again with --inside NAME): measure and append rows to $RESULTS.
if [ "${1:-}" = --inside ]; then
  name=$2
  master=$LITELLM_MASTER_KEY
  read -r -a replicas <<<"$EDGEGW_REPLICA_URLS"
  key=$(curl -sf "${replicas[0]}/key/generate" -H "Authorization: Bearer $master" -H 'Content-Type: application/json' \
    -d '{"rpm_limit":100000000,"tpm_limit":2000000000,"max_parallel_requests":100000,"max_budget":1000000,"key_alias":"load"}' \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')
  for url in "${replicas[@]}"; do # served everywhere (PostgreSQL NOTIFY) before the clock starts
    for _ in $(seq 100); do curl -sf -o /dev/null "$url/v1/models" -H "Authorization: Bearer $key" && break; sleep 0.05; done
  done
  body='{"model":"mock","max_tokens":16,"messages":[{"role":"user","content":"Say hello in one short sentence."}]}'
  # Data commands only: the client's own heartbeats and our INFO are not per-request work.
  redis_calls() {
    [ -n "${REDIS_PORT:-}" ] || { echo "-"; return; }
    REDISCLI_AUTH=$REDIS_PASSWORD redis-cli -p "$REDIS_PORT" INFO commandstats | tr -d '\r' \
      | awk -F'[:=,]' '/^cmdstat_/ { c = substr($1, 9); if (c !~ /^(info|ping|echo|client|config|cluster|subscribe|hello|auth|select|command|script)/) printf "%s=%s ", c, $3 }'
  }
  per_request() { # before after requests → scripts (EVALSHA/EVAL/FCALL) per request; commandstats also counts the commands scripts run, so only these are round trips
    python3 - "$1" "$2" "$3" <<'PY'
import sys
def parse(s): return {k: int(v) for k, v in (p.split("=") for p in s.split() if "=" in p)}
b, a, n = parse(sys.argv[1]), parse(sys.argv[2]), int(sys.argv[3])
d = {k: a[k] - b.get(k, 0) for k in a}
print(f"{(d.get('evalsha', 0) + d.get('eval', 0) + d.get('fcall', 0)) / n:.2f}" if n else "0")
PY
  }
  # Every command the gateway itself sends for N sequential requests, from MONITOR (which tags commands run inside a script "lua").
  monitor_sample() {
    local n=200 mon=$CLUSTER_DIR/monitor.txt mpid
    REDISCLI_AUTH=$REDIS_PASSWORD redis-cli -p "$REDIS_PORT" monitor > "$mon" & mpid=$!
    sleep 0.5
    for _ in $(seq $n); do curl -sf -o /dev/null "${replicas[0]}/v1/chat/completions" -H "Authorization: Bearer $key" -H 'Content-Type: application/json' -d "$body"; done
    sleep 0.5 # settlement is sent after the answer, without waiting
    kill "$mpid"; wait "$mpid" 2>/dev/null || true
    python3 load/redis_monitor.py "$mon" $n
  }
  # CPU seconds so far: every replica's utime+stime, and Redis's own (INFO cpu).
  replicas_cpu() { local t=0 p; for p in $EDGEGW_REPLICA_PIDS; do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done; python3 -c "print($t / $(getconf CLK_TCK))"; }
  redis_cpu() {
    [ -n "${REDIS_PORT:-}" ] || { echo 0; return; }
    REDISCLI_AUTH=$REDIS_PASSWORD redis-cli -p "$REDIS_PORT" INFO cpu | tr -d '\r' | awk -F: '/^used_cpu_(sys|user):/ { t += $2 } END { print t }'
  }
  run() { # conns url
    local threads=$(( $1 > 1 ? 2 : 1 )) before after out n gw0 rd0 cpu
    before=$(redis_calls); gw0=$(replicas_cpu); rd0=$(redis_cpu)
    out=$(LOAD_BODY="$body" LOAD_KEY="$key" wrk -t$threads -c"$1" -d "$DURATION" --timeout 5s -s load/post.lua "$2/v1/chat/completions" | grep '^RESULT')
    after=$(redis_calls)
    n=$(sed -E 's/.* requests=([0-9]+).*/\1/' <<<"$out")
    cpu=$(python3 -c "print(f' gw_cpu_us={($(replicas_cpu) - $gw0) * 1e6 / $n:.0f} redis_cpu_us={($(redis_cpu) - $rd0) * 1e6 / $n:.0f}')")
    out+=$cpu
    calls="—"; [ "$before" = "-" ] || calls=$(per_request "$before" "$after" "$n")
    echo "$name c=$1: $out scripts_per_request=$calls" >&2
    [[ $out == *" errors=0 "* ]] || grep -hv 'status=200' "$CLUSTER_DIR"/replica-*.log | grep -m3 'status=' >&2 || true
    echo "$name|$1|$out|$calls" >> "$RESULTS"
  }
  case $name in
    local) run 1 "${replicas[0]}"; run 32 "${replicas[0]}" ;;
    redis) run 1 "${replicas[0]}"; run 32 "${replicas[0]}"; monitor_sample >> "$RESULTS.monitor" ;;
    lb1|lb3) run 32 "$EDGEGW_URL"; run 64 "$EDGEGW_URL" ;;
  esac
  exit 0
fi

command -v wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
BIN=${EDGEGW_BINARY:-}
if [ -z "$BIN" ]; then
  dotnet publish src/EdgeGw -c Release -o out/publish >/dev/null
  BIN=out/publish/edgegw
fi
export EDGEGW_BINARY=$(readlink -f "$BIN")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export RESULTS=$work/results
: > "$RESULTS"
# deploy/config.yaml's shape with one zero-latency mock model (so the numbers are the gateway's, not a provider's), spend rows off.
cat > "$work/config.yaml" <<'YAML'
model_list:
  - model_name: mock
    litellm_params: { model: mock/mock, mock_response: "Hello! How can I help you today?", input_cost_per_token: 0.000001, output_cost_per_token: 0.000002 }
general_settings:
  master_key: os.environ/LITELLM_MASTER_KEY
  database_url: os.environ/DATABASE_URL
  disable_spend_logs: true   # spend counters still go to PostgreSQL; its row writer (~10-20k rows/s) would cap the local-only runs
router_settings:
  redis_host: os.environ/REDIS_HOST
  redis_port: os.environ/REDIS_PORT
  redis_password: os.environ/REDIS_PASSWORD
YAML
export CONFIG=$work/config.yaml PORT
for scenario in "local 1 0" "redis 1 1" "lb1 1 1" "lb3 3 1"; do
  read -r name replicas redis <<<"$scenario"
  REPLICAS=$replicas REDIS=$redis deploy/local-cluster.sh "$PWD/load/replicas.sh" --inside "$name"
done

field() { sed -E "s/.* $2=([0-9.]+).*/\1/" <<<"$1"; }
declare -A R C
while IFS='|' read -r name conns out calls; do R[$name/$conns]=$out; C[$name/$conns]=$calls; done < "$RESULTS"
row() { # label key baseline-key
  local out=${R[$2]} base=${R[${3:-$2}]}
  local added="—"
  [ -z "${3:-}" ] || added="$(( $(field "$out" p50) - $(field "$base" p50) )) / $(( $(field "$out" p99) - $(field "$base" p99) ))"
  echo "| $1 | ${2#*/} | $(field "$out" rps) | $(field "$out" p50) | $(field "$out" p99) | $added | $(field "$out" gw_cpu_us) | $(field "$out" redis_cpu_us) | ${C[$2]} | $(field "$out" errors) |"
}
{
  echo "Replica run $(date -u +%Y-%m-%d), ${DURATION} per measurement, wrk closed loop on loopback, $(nproc) cores shared by wrk, nginx, Redis, PostgreSQL and the replicas. Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
  echo
  echo "| scenario | conns | RPS | p50 µs | p99 µs | added p50 / p99 µs vs local-only | replicas' CPU µs / request | Redis CPU µs / request | Redis scripts (EVALSHA + FCALL) / request | errors |"
  echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
  row "1 replica, local limits (no Redis)" local/1
  row "1 replica, limits in Redis" redis/1 local/1
  row "1 replica, local limits (no Redis)" local/32
  row "1 replica, limits in Redis" redis/32 local/32
  row "nginx → 1 replica, Redis" lb1/32
  row "nginx → 3 replicas, Redis" lb3/32
  row "nginx → 1 replica, Redis" lb1/64
  row "nginx → 3 replicas, Redis" lb3/64
  echo
  m=$(cat "$RESULTS.monitor")
  echo "Sent to Redis per request (MONITOR, 200 sequential requests on one replica): $(sed -E 's/.* sent=([0-9.]+).*/\1/' <<<"$m") commands — $(sed -E 's/.* detail=(.*)/\1/' <<<"$m"); inside those scripts Redis ran $(sed -E 's/.* inside=([0-9.]+).*/\1/' <<<"$m") commands a request."
  echo "Three replicas ÷ one behind nginx: $(python3 -c "print(f'{$(field "${R[lb3/32]}" rps)/$(field "${R[lb1/32]}" rps):.2f}')") at 32 connections, $(python3 -c "print(f'{$(field "${R[lb3/64]}" rps)/$(field "${R[lb1/64]}" rps):.2f}')") at 64."
} | tee load/replicas.md
