# Sourced by the load scripts after fixed_upstream.sh, with $BIN, $GW, $MASTER set and $work/config.yaml written:
# starts the gateway on it (database in the run folder), waits until it answers, and mints the governed load key
# (rpm/tpm limits and a budget, far above what a run uses). Sets gw_pid and KEY.
(cd "$work" && exec "$BIN" --config config.yaml --host 127.0.0.1 --port "$GW" --db gw.db >> gw.log 2>&1) & pids+=($!)
for _ in $(seq 2000); do curl -sf -o /dev/null "http://127.0.0.1:$GW/health/liveliness" && break; sleep 0.005; done
curl -sf -o /dev/null "http://127.0.0.1:$GW/health/liveliness" || { echo "the gateway did not answer (see $work/gw.log)" >&2; exit 1; }
gw_pid=$(pgrep -f "$BIN --config config.yaml --host 127.0.0.1 --port $GW")
KEY=$(curl -sf "http://127.0.0.1:$GW/key/generate" -H "Authorization: Bearer $MASTER" -H 'Content-Type: application/json' \
  -d '{"rpm_limit":100000000,"tpm_limit":2000000000,"max_budget":1000000,"key_alias":"load"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')
