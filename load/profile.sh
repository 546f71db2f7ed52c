#!/usr/bin/env bash
# Where the gateway's CPU goes under load: `perf record` on the native binary while wrk drives governed
# pass-through requests (virtual key with rpm/tpm + budget, spend log, request log) at 32 connections
# against the fixed-answer nginx upstream; prints CPU shares by layer (kernel, Kestrel, upstream client,
# EdgeGw, GC, runtime…). Loopback only, bounded in time. Symbols need a binary published with
#   dotnet publish src/EdgeGw -c Release -p:StripSymbols=false -o /tmp/pub-sym
#   EDGEGW_BINARY=/tmp/pub-sym/edgegw load/profile.sh          # 10 s
#   DURATION=20s CONNS=1 EDGEGW_BINARY=… load/profile.sh        # one connection instead
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10s}
CONNS=${CONNS:-32}
UP=19200 PROXY=19201 GW=19202
MASTER=sk-load-master

command -v perf >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq linux-perf >/dev/null; }
command -v wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
source load/binary.sh

source load/fixed_upstream.sh

cat > "$work/config.yaml" <<YAML
model_list:
  - model_name: gpt
    litellm_params: { model: openai/gpt-4o-mini, api_base: "http://127.0.0.1:$UP/openai/v1", api_key: sk-upstream }
general_settings:
  master_key: $MASTER
YAML
source load/governed_gateway.sh
BODY='{"model":"gpt","messages":[{"role":"user","content":"Say hello in one short sentence."}]}'
url="http://127.0.0.1:$GW/v1/chat/completions"
threads=$(( CONNS > 1 ? 2 : 1 ))

LOAD_BODY="$BODY" LOAD_KEY="$KEY" wrk -t$threads -c$CONNS -d 2s -s load/post.lua "$url" >/dev/null # warm the pools
perf record -q -F 2999 -g -p "$gw_pid" -o "$work/perf.data" -- sleep "${DURATION%s}" 2>/dev/null & perf_pid=$!
LOAD_BODY="$BODY" LOAD_KEY="$KEY" wrk -t$threads -c$CONNS -d "$DURATION" -s load/post.lua "$url" | grep '^RESULT'
wait $perf_pid
[ -z "${PERF_OUT:-}" ] || cp "$work/perf.data" "$PERF_OUT" # keep it for `perf report -i`

# Self time by symbol, folded into layers by the AOT symbol's namespace prefix.
perf report -i "$work/perf.data" --no-children --sort dso,sym --stdio -q 2>/dev/null | python3 -c '
import re, sys
layers = [
  ("kernel (loopback TCP, epoll, scheduling, futex)", lambda d, s: d.startswith("[kernel") or d == "[unknown]" and s.startswith("0x")),
  ("Kestrel (HTTP/1.1 server, its pipes)", lambda d, s: "AspNetCore_Server" in s or "AspNetCore_Http" in s or "AspNetCore_Hosting" in s),
  ("HttpClient / SocketsHttpHandler", lambda d, s: "System_Net_Http" in s),
  ("EdgeGw upstream client (Upstream/Http1)", lambda d, s: "EdgeGw_Upstream_Http1" in s),
  ("EdgeGw spend writer + SQLite", lambda d, s: "sqlite" in s.lower() or "EdgeGw_Storage" in s or "EdgeGw_Spend_SpendWriter" in s),
  ("EdgeGw (keys, limits, routing, accounting, metrics, log)", lambda d, s: "EdgeGw_" in s),
  ("sockets, pipes, thread pool, async machinery", lambda d, s: re.search(r"System_Net_Sockets|System_IO_Pipelines|Threading|AsyncTaskMethodBuilder|AsyncValueTask|ValueTask|Task", s) is not None),
  ("GC and allocation", lambda d, s: re.search(r"WKS::|gc_heap|GCHeap|RhpNew|RhpGcAlloc|Alloc", s) is not None),
  ("libc", lambda d, s: "libc" in d),
  ("BCL leaves called from every layer (JSON reader, hashing, formatting, casts, vdso)", lambda d, s: True),
]
tot = {}
for line in sys.stdin:
  m = re.match(r"\s*([\d.]+)%\s+(\S+)\s+\[[.k]\]\s+(.*)", line)
  if not m: continue
  pct, dso, sym = float(m.group(1)), m.group(2), m.group(3).strip()
  for name, test in layers:
    if test(dso, sym):
      tot[name] = tot.get(name, 0) + pct; break
print("| layer | share of gateway CPU |")
print("| --- | --- |")
for name, _ in layers:
  if tot.get(name, 0) >= 0.05: print(f"| {name} | {tot[name]:.1f}% |")
'
