#!/usr/bin/env bash
# The callbacks' cost on the hot path, on loopback, bounded in time: three gateways from one binary
# (callbacks off; a generic_api webhook; otel traces over OTLP/HTTP), both sinks an nginx answering 200,
# the same fixed-answer upstream as load/run.sh. Modes alternate for ROUNDS rounds so the shared
# machine's noise falls on all three alike; ratios are to "off" in the same run. Writes load/callbacks-results.md.
#   EDGEGW_BINARY=out/publish/edgegw load/callbacks.sh
#   DURATION=10s ROUNDS=3 load/callbacks.sh
#   MODES="otel off generic_api" load/callbacks.sh   # another order, to rule out position effects
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-5s}
ROUNDS=${ROUNDS:-2}
UP=19110 PROXY=19111 SINK=19115
MASTER=sk-load-master
declare -A PORT=([off]=19112 [generic_api]=19113 [otel]=19114)
read -r -a MODES <<<"${MODES:-off generic_api otel}" # the order each round runs them in; "off" must be one

source load/binary.sh

source load/fixed_upstream.sh
mkdir -p "$work/body-sink" "$work/proxy-sink"
cat > "$work/nginx-sink.conf" <<NGINX
worker_processes 1;
pid $work/nginx-sink.pid;
error_log $work/nginx-sink-error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/body-sink;
  proxy_temp_path $work/proxy-sink;
  client_max_body_size 64m;
  server { listen 127.0.0.1:$SINK; location / { return 200 "{}"; } }
}
NGINX
nginx -c "$work/nginx-sink.conf" -p "$work" -g "daemon off;" & pids+=($!)

declare -A GW_PID
for mode in "${MODES[@]}"; do
  dir="$work/gw-$mode"; mkdir -p "$dir"
  case $mode in
    generic_api) extra=$'litellm_settings:\n  callbacks: ["hook"]\ncallback_settings:\n  hook: { callback_type: generic_api, endpoint: "http://127.0.0.1:'$SINK$'/logs" }' ;;
    otel) extra=$'litellm_settings:\n  callbacks: ["otel"]' ;;
    *) extra="" ;;
  esac
  cat > "$dir/config.yaml" <<YAML
model_list:
  - model_name: gpt
    litellm_params: { model: openai/gpt-4o-mini, api_base: "http://127.0.0.1:$UP/openai/v1", api_key: sk-upstream }
general_settings:
  master_key: $MASTER
$extra
YAML
  (cd "$dir" && OTEL_EXPORTER=otlp_http OTEL_ENDPOINT="http://127.0.0.1:$SINK" exec "$BIN" --config config.yaml --host 127.0.0.1 --port "${PORT[$mode]}" --db gw.db >> gw.log 2>&1) & pids+=($!)
  GW_PID[$mode]=$!
done
for mode in "${MODES[@]}"; do
  for _ in $(seq 400); do curl -sf -o /dev/null "http://127.0.0.1:${PORT[$mode]}/health/liveliness" && break; sleep 0.05; done
done

BODY='{"model":"gpt","messages":[{"role":"user","content":"Say hello in one short sentence."}]}'
gw_cpu() { awk '{print $14 + $15}' "/proc/${GW_PID[$1]}/stat"; }
metric() { curl -sf "http://127.0.0.1:${PORT[$1]}/metrics" -H "Authorization: Bearer $MASTER" | awk -v m="$2" '$1 == m {print $2}'; }
declare -A RPS P50 P99 CPU ALLOC N
for mode in "${MODES[@]}"; do for c in 1 32; do RPS[$mode/$c]=0; P50[$mode/$c]=0; P99[$mode/$c]=0; CPU[$mode/$c]=0; ALLOC[$mode/$c]=0; N[$mode/$c]=0; done; done
for round in $(seq "$ROUNDS"); do
  for c in 1 32; do
    for mode in "${MODES[@]}"; do
      cpu0=$(gw_cpu "$mode"); alloc0=$(metric "$mode" edgegw_gc_allocated_bytes_total)
      out=$(LOAD_BODY="$BODY" LOAD_KEY="$MASTER" wrk -t$(( c > 1 ? 2 : 1 )) -c$c -d "$DURATION" --timeout 5s -s load/post.lua "http://127.0.0.1:${PORT[$mode]}/v1/chat/completions" | grep '^RESULT')
      read -r rps p50 p99 errors requests < <(sed -E 's/.*rps=([0-9.]+) p50=([0-9]+) p99=([0-9]+) p999=[0-9]+ errors=([0-9]+) requests=([0-9]+).*/\1 \2 \3 \4 \5/' <<<"$out")
      cpu=$(python3 -c "print(($(gw_cpu "$mode")-$cpu0)*1e6/$(getconf CLK_TCK)/$requests)")
      alloc=$(python3 -c "print(($(metric "$mode" edgegw_gc_allocated_bytes_total)-$alloc0)/$requests)")
      echo "round $round $mode c=$c: rps=$rps p50=$p50 p99=$p99 cpu_us=${cpu%.*} alloc_b=${alloc%.*} errors=$errors"
      k=$mode/$c
      RPS[$k]=$(python3 -c "print(${RPS[$k]}+$rps)"); P50[$k]=$(( ${P50[$k]} + p50 )); P99[$k]=$(( ${P99[$k]} + p99 ))
      CPU[$k]=$(python3 -c "print(${CPU[$k]}+$cpu)"); ALLOC[$k]=$(python3 -c "print(${ALLOC[$k]}+$alloc)"); N[$k]=$(( ${N[$k]} + 1 ))
    done
  done
done
sleep 6 # one flush interval: the webhook's last batch goes out before its counters are read
hook_dropped=$(metric generic_api 'edgegw_callback_dropped_total{callback="hook"}')

{
  echo "Callbacks on the hot path, $(date -u +%Y-%m-%d): wrk closed loop on loopback, ${DURATION} per scenario, ${ROUNDS} alternating rounds (means), $(nproc) cores shared by wrk, nginx and three gateways. Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
  echo
  echo "| callbacks | conns | RPS | p50 µs | p99 µs | gateway CPU µs/req | allocated B/req | RPS ÷ off | CPU ÷ off |"
  echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
  for c in 1 32; do
    for mode in "${MODES[@]}"; do
      k=$mode/$c
      python3 - "$mode" "$c" "${RPS[$k]}" "${P50[$k]}" "${P99[$k]}" "${CPU[$k]}" "${ALLOC[$k]}" "${N[$k]}" "${RPS[off/$c]}" "${CPU[off/$c]}" <<'PY'
import sys
mode, c, rps, p50, p99, cpu, alloc, n, rps0, cpu0 = sys.argv[1:]
n = int(n)
print(f"| {mode} | {c} | {float(rps)/n:.0f} | {int(p50)//n} | {int(p99)//n} | {float(cpu)/n:.1f} | {float(alloc)/n:.0f} | {float(rps)/float(rps0):.2f} | {float(cpu)/float(cpu0):.2f} |")
PY
    done
  done
  echo
  echo "Command: \`MODES=\"${MODES[*]}\" DURATION=$DURATION ROUNDS=$ROUNDS load/callbacks.sh\`. The webhook dropped ${hook_dropped%.*} events."
} | tee load/callbacks-results.md
