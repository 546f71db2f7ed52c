#!/usr/bin/env bash
# Where the 1-connection tail comes from: percentiles (p50 … p99.9, µs) of the same governed gateway on paths
# that add one piece of work at a time — liveliness (Kestrel alone), a keyed GET, the built-in mock model (key,
# limits, spend row, request log, metrics; no upstream), the model behind the fixed-answer nginx — beside the
# upstream called directly and through nginx's proxy_pass. Then the gateway's own overhead histogram
# (edgegw_gateway_overhead_seconds, measured inside the handler) for the mock requests, and, with
# WRITER=idle, the same mock run again with the spend and log writers' threads at SCHED_IDLE (`chrt`):
# requests queued on a core behind a writer show up here. Loopback only, bounded in time.
#   EDGEGW_BINARY=out/publish/edgegw load/tail.sh
#   ROUNDS=3 DURATION=4s WRITER=idle EDGEGW_BINARY=… load/tail.sh
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-4s}
ROUNDS=${ROUNDS:-2}
UP=19420 PROXY=19421 GW=19422
MASTER=sk-load-master
source load/binary.sh
source load/fixed_upstream.sh
nginx -c "$work/nginx-proxy.conf" -p "$work" -g "daemon off;" & pids+=($!)

cat > "$work/config.yaml" <<YAML
model_list:
  - model_name: gpt
    litellm_params: { model: openai/gpt-4o-mini, api_base: "http://127.0.0.1:$UP/openai/v1", api_key: sk-upstream }
  - model_name: mock
    litellm_params: { model: mock/mock-gpt, mock_response: "Hello there, this is a short answer." }
general_settings:
  master_key: $MASTER
YAML
source load/governed_gateway.sh

cat > "$work/pct.lua" <<'LUA'
local body = os.getenv("LOAD_BODY")
if body and body ~= "" then
  wrk.method = "POST"
  wrk.body = body
  wrk.headers["Content-Type"] = "application/json"
end
local key = os.getenv("LOAD_KEY")
if key and key ~= "" then wrk.headers["Authorization"] = "Bearer " .. key end
done = function(summary, latency, requests)
  local s = ""
  for _, p in ipairs({50, 90, 95, 97, 98, 99, 99.9}) do s = s .. string.format(" p%s=%d", p, latency:percentile(p)) end
  io.write(s .. string.format(" requests=%d errors=%d\n", summary.requests,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout))
end
LUA
ask() { # label url [body] [key]
  printf '%-28s%s\n' "$1" "$(LOAD_BODY="${3:-}" LOAD_KEY="${4:-}" wrk -t1 -c1 -d "$DURATION" -s "$work/pct.lua" "$2" | tail -1)"
}
chat() { echo "{\"model\":\"$1\",\"messages\":[{\"role\":\"user\",\"content\":\"Say hello in one short sentence.\"}]}"; }
writers=$(for t in /proc/$gw_pid/task/*; do grep -qE '^(\.NET Long Runni|edgegw log writ)' "$t/comm" && basename "$t"; done; true)
overhead() { curl -sf "http://127.0.0.1:$GW/metrics" -H "Authorization: Bearer $MASTER" | awk -F'le="' '/^edgegw_gateway_overhead_seconds_bucket/ && /model_group="mock"/ {split($2, a, "\""); split($2, c, "} "); print a[1], c[2]}'; }

ask warm-up "http://127.0.0.1:$GW/v1/chat/completions" "$(chat gpt)" "$KEY" >/dev/null
ask warm-up "http://127.0.0.1:$GW/v1/chat/completions" "$(chat mock)" "$KEY" >/dev/null
for r in $(seq "$ROUNDS"); do
  echo "round $r (1 connection, $DURATION each, µs)"
  ask "  upstream direct" "http://127.0.0.1:$UP/openai/v1/chat/completions" "$(chat gpt)"
  ask "  nginx proxy_pass" "http://127.0.0.1:$PROXY/openai/v1/chat/completions" "$(chat gpt)"
  ask "  gateway liveliness (GET)" "http://127.0.0.1:$GW/health/liveliness"
  ask "  gateway /v1/models (key)" "http://127.0.0.1:$GW/v1/models" "" "$KEY"
  ask "  gateway mock model" "http://127.0.0.1:$GW/v1/chat/completions" "$(chat mock)" "$KEY"
  ask "  gateway to nginx upstream" "http://127.0.0.1:$GW/v1/chat/completions" "$(chat gpt)" "$KEY"
  if [ "${WRITER:-}" = idle ]; then
    for t in $writers; do chrt --idle -p 0 "$t"; done
    ask "  mock, writers SCHED_IDLE" "http://127.0.0.1:$GW/v1/chat/completions" "$(chat mock)" "$KEY"
    for t in $writers; do chrt --other -p 0 "$t"; done
  fi
done
echo "Gateway overhead inside the handler (total minus the provider call), all mock requests above: share at or under each bound"
overhead | python3 -c '
import sys
rows = [l.split() for l in sys.stdin if l.strip()]
total = float(rows[-1][1])
print("  " + "  ".join(f"≤{float(le) * 1e6:g} µs {float(n) / total:.2%}" for le, n in rows if le != "+Inf" and float(le) <= 0.0025))'
