#!/usr/bin/env bash
# A/B of builds and runtime knobs on loopback, bounded in time: one gateway per variant (governed as in
# load/run.sh: virtual key with rpm/tpm and a budget, spend log, request log, metrics), all against the
# same fixed-answer nginx upstream, run one after another within each round so the shared box's noise
# falls on every variant alike. Prints one line per variant and round, then each figure's range.
#   VARIANTS="base=/tmp/a/edgegw size=/tmp/b/edgegw" load/knobs.sh
#   VARIANTS="base=/tmp/a/edgegw quiet=/tmp/a/edgegw@LITELLM_LOG=WARNING,DOTNET_GCgen0size=0x4000000" load/knobs.sh
#   VARIANTS="base=/tmp/a/edgegw nospend=/tmp/a/edgegw@general.disable_spend_logs=True" load/knobs.sh
#   VARIANTS="local=/tmp/a/edgegw redis=/tmp/a/edgegw@router.redis_host=127.0.0.1,router.redis_port=6379" load/knobs.sh
#   DURATION=3s ROUNDS=4 CONNS="1 32" load/knobs.sh
#   TTFT=1 VARIANTS=… load/knobs.sh     # also time to first byte of a 64-event stream (EdgeGw.Load ttft, 2,000 at 1 connection)
# name=binary[@VAR=value,...]: the environment (general_settings for general.KEY=value, router_settings for router.KEY=value)
# after @ is the variant's only difference. load/stores.sh runs it on the four stores (embedded, Redis, PostgreSQL, both).
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-3s}
ROUNDS=${ROUNDS:-3}
read -r -a CONNS <<<"${CONNS:-1 32}"
UP=19120 PROXY=19121 FIRST_PORT=19122
MASTER=sk-load-master
read -r -a SPECS <<<"${VARIANTS:?VARIANTS=\"name=binary[@VAR=value,...] ...\"}"

source load/fixed_upstream.sh

declare -A PORT PID KEY
names=()
port=$FIRST_PORT
for spec in "${SPECS[@]}"; do
  name=${spec%%=*} rest=${spec#*=}
  bin=$(readlink -f "${rest%%@*}") envs=""
  [[ $rest == *@* ]] && envs=${rest#*@}
  # general.KEY=VALUE and router.KEY=VALUE items go into the variant's general_settings/router_settings, not its environment.
  general="" router=""
  for item in ${envs//,/ }; do
    if [[ $item == general.* ]]; then general+="  ${item#general.}"$'\n'; fi
    if [[ $item == router.* ]]; then router+="  ${item#router.}"$'\n'; fi
  done
  envs=$(tr ',' '\n' <<<"$envs" | grep -v '^general\.\|^router\.' | paste -sd, - || true)
  names+=("$name"); PORT[$name]=$port
  dir="$work/gw-$name"; mkdir -p "$dir"
  cat > "$dir/config.yaml" <<YAML
model_list:
  - model_name: gpt
    litellm_params: { model: openai/gpt-4o-mini, api_base: "http://127.0.0.1:$UP/openai/v1", api_key: sk-upstream }
  - model_name: gpt-stream
    litellm_params: { model: openai/gpt-4o-mini, api_base: "http://127.0.0.1:$UP/stream/v1", api_key: sk-upstream }
general_settings:
  master_key: $MASTER
${general//=/: }
${router:+router_settings:
${router//=/: }}
YAML
  (cd "$dir" && exec env ${envs//,/ } "$bin" --config config.yaml --host 127.0.0.1 --port "$port" --db gw.db >> gw.log 2>&1) & pids+=($!)
  PID[$name]=$!
  port=$((port + 1))
done
for name in "${names[@]}"; do
  for _ in $(seq 400); do curl -sf -o /dev/null "http://127.0.0.1:${PORT[$name]}/health/liveliness" && break; sleep 0.05; done
done
sleep 2 # idle figures after the start-up work (UI asset build, its GC) has settled
for name in "${names[@]}"; do
  pid=${PID[$name]}
  anon=$(awk '/^RssAnon/ {print $2}' /proc/$pid/status) file=$(awk '/^RssFile/ {print $2}' /proc/$pid/status)
  echo "idle $name: rss_kb=$(awk '/^VmRSS/ {print $2}' /proc/$pid/status) anon_kb=$anon file_kb=$file threads=$(ls /proc/$pid/task | wc -l)"
  KEY[$name]=$(curl -sf "http://127.0.0.1:${PORT[$name]}/key/generate" -H "Authorization: Bearer $MASTER" -H 'Content-Type: application/json' \
    -d '{"rpm_limit":100000000,"tpm_limit":2000000000,"max_budget":1000000,"key_alias":"load"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')
done

BODY='{"model":"gpt","messages":[{"role":"user","content":"Say hello in one short sentence."}]}'
cpu_of() { awk '{print $14 + $15}' "/proc/$1/stat"; }
alloc_of() { curl -sf "http://127.0.0.1:${PORT[$1]}/metrics" -H "Authorization: Bearer $MASTER" | awk '$1 == "edgegw_gc_allocated_bytes_total" {print $2}'; }
# Warm-up: first connections, first spend batches, page faults of paths not yet touched.
for name in "${names[@]}"; do
  LOAD_BODY="$BODY" LOAD_KEY="${KEY[$name]}" wrk -t2 -c32 -d1s -s load/post.lua "http://127.0.0.1:${PORT[$name]}/v1/chat/completions" >/dev/null
done
results="$work/results"
[ "${TTFT:-0}" != 1 ] || dotnet build load/EdgeGw.Load -c Release -o "$work/load" >/dev/null
for round in $(seq "$ROUNDS"); do
  for c in "${CONNS[@]}"; do
    # Each round starts with another variant so none always runs right after the same neighbour.
    order=("${names[@]:$(( (round - 1) % ${#names[@]} ))}" "${names[@]:0:$(( (round - 1) % ${#names[@]} ))}")
    for name in "${order[@]}"; do
      cpu0=$(cpu_of "${PID[$name]}"); alloc0=$(alloc_of "$name")
      out=$(LOAD_BODY="$BODY" LOAD_KEY="${KEY[$name]}" wrk -t$(( c > 1 ? 2 : 1 )) -c"$c" -d "$DURATION" --timeout 5s -s load/post.lua \
        "http://127.0.0.1:${PORT[$name]}/v1/chat/completions" | grep '^RESULT')
      read -r rps p50 p99 p999 errors requests < <(sed -E 's/.*rps=([0-9.]+) p50=([0-9]+) p99=([0-9]+) p999=([0-9]+) errors=([0-9]+) requests=([0-9]+).*/\1 \2 \3 \4 \5 \6/' <<<"$out")
      cpu=$(python3 -c "print(f'{($(cpu_of "${PID[$name]}")-$cpu0)*1e6/$(getconf CLK_TCK)/$requests:.1f}')")
      alloc=$(python3 -c "print(f'{($(alloc_of "$name")-$alloc0)/$requests:.0f}')")
      echo "round $round c=$c $name: rps=$rps p50=$p50 p99=$p99 p999=$p999 cpu_us=$cpu alloc_b=$alloc errors=$errors"
      echo "$name $c $rps $p50 $p99 $p999 $cpu $alloc $errors" >> "$results"
    done
  done
  if [ "${TTFT:-0}" = 1 ]; then
    for name in "${order[@]}"; do
      echo "round $round ttft $name: $("$work/load/EdgeGw.Load" ttft --url "http://127.0.0.1:${PORT[$name]}/v1/chat/completions" --key "${KEY[$name]}" \
        --body '{"model":"gpt-stream","stream":true,"messages":[{"role":"user","content":"hi"}]}' --requests 2000 --concurrency 1 | grep '^RESULT')"
    done
  fi
done
echo
echo "ranges over $ROUNDS rounds of $DURATION (load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)):"
python3 - "$results" "${names[@]}" <<'PY'
import sys
rows = [l.split() for l in open(sys.argv[1])]
for name in sys.argv[2:]:
    for c in sorted({r[1] for r in rows}, key=int):
        mine = [r for r in rows if r[0] == name and r[1] == c]
        def rng(i, fmt="{:.0f}"):
            v = sorted(float(r[i]) for r in mine)
            return fmt.format(v[0]) + "–" + fmt.format(v[-1]) + " (median " + fmt.format(v[len(v) // 2]) + ")"
        print(f"{name} c={c}: rps {rng(2)}  p50 {rng(3)}  p99 {rng(4)}  cpu/req {rng(6, '{:.1f}')}  B/req {rng(7)}  errors {sum(int(r[8]) for r in mine)}")
PY
for name in "${names[@]}"; do
  echo "after load $name: rss_kb=$(awk '/^VmRSS/ {print $2}' /proc/${PID[$name]}/status) hwm_kb=$(awk '/^VmHWM/ {print $2}' /proc/${PID[$name]}/status)"
done
