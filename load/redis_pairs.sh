# Sourced by load/run.sh with REDIS=1, after its runs: the governed gateway (its store, limits in Redis) against a
# local-only twin (the same config without Redis, on SQLite) at 1 connection, ROUNDS alternating pairs with the
# Redis round trip measured before each, then what the gateway sends to Redis per request (MONITOR).
# Sets redis_summary (printed in the results) and pair_added, pair_rtt (judged by targets.sh).
main_pid=$gw_pid
write_config "$work/config-local.yaml"
start_gw $TWIN config-local.yaml twin.db -u DATABASE_URL -u REDIS_HOST -u REDIS_URL
twin_pid=$gw_pid gw_pid=$main_pid
twin_key=$(new_key $TWIN load)

# redis-benchmark's PING at 1 connection: the C client's round trip on loopback, p50 in µs.
rtt_us() { redis-benchmark -p $REDISPORT -n 20000 -c 1 -t ping --csv | awk -F'"' '/PING_MBULK/ { printf "%.0f\n", $10 * 1000 }'; }
scripts_run() { redis-cli -p $REDISPORT INFO commandstats | tr -d '\r' | awk -F'[:=,]' '/^cmdstat_(eval(sha)?|fcall):/ { s += $3 } END { print s + 0 }'; }
one() { # port key pid → wrk's RESULT at 1 connection, plus that process's CPU per request
  local cpu0 out
  cpu0=$(cpu_of "$3")
  out=$(LOAD_BODY="$BODY_OPENAI" LOAD_KEY="$2" wrk -t1 -c1 -d "$DURATION" --timeout 5s -s load/post.lua "http://127.0.0.1:$1/v1/chat/completions" | grep '^RESULT')
  echo "$out cpu_us=$(python3 -c "print(f'{($(cpu_of "$3") - $cpu0) * 1e6 / $(getconf CLK_TCK) / $(field "$out" requests):.0f}')")"
}
declare -a rtts local_runs shared_runs
scripts_per=()
for _ in $(seq "$ROUNDS"); do
  rtts+=("$(rtt_us)")
  local_runs+=("$(one $TWIN "$twin_key" "$twin_pid")")
  s0=$(scripts_run)
  out=$(one $GW "$KEY" "$gw_pid")
  shared_runs+=("$out")
  scripts_per+=("$(python3 -c "print(f'{($(scripts_run) - $s0) / $(field "$out" requests):.2f}')")")
done
kill "$twin_pid"
med() { python3 -c "import statistics, sys; print(f'{statistics.median(float(x) for x in sys.argv[1:]):.0f}')" "$@"; }
column() { local f=$1 r; shift; for r in "$@"; do field "$r" "$f"; done; }
for f in p50 p99 cpu_us; do
  declare "local_$f=$(med $(column $f "${local_runs[@]}"))" "shared_$f=$(med $(column $f "${shared_runs[@]}"))"
done
pair_rtt=$(med "${rtts[@]}")
pair_added=$(( shared_p50 - local_p50 ))

# Every command sent to Redis for a second of sequential requests: the load key, then a key in a team with its own budget.
monitor() { # key label
  local mon=$work/monitor.txt mpid out
  redis-cli -p $REDISPORT monitor > "$mon" & mpid=$!
  sleep 0.3
  out=$(LOAD_BODY="$BODY_OPENAI" LOAD_KEY="$1" wrk -t1 -c1 -d 1s -s load/post.lua "http://127.0.0.1:$GW/v1/chat/completions" | grep '^RESULT')
  sleep 0.3 # settlement is sent after the answer, without waiting
  kill "$mpid"; wait "$mpid" 2>/dev/null || true
  m=$(python3 load/redis_monitor.py "$mon" "$(field "$out" requests)")
  echo "$2 $(sed -E 's/.* sent=([0-9.]+).*/\1/' <<<"$m") ($(sed -E 's/.* detail=(.*)/\1/' <<<"$m"); Redis ran $(sed -E 's/.* inside=([0-9.]+).*/\1/' <<<"$m") commands inside them)"
}
team=$(curl -sf "http://127.0.0.1:$GW/team/new" -H "Authorization: Bearer $MASTER" -H 'Content-Type: application/json' \
  -d '{"team_alias":"load-team","max_budget":1000000}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["team_id"])')
team_key=$(new_key $GW load-team ",\"team_id\":\"$team\"")
sent_key=$(monitor "$KEY" "the load key:")
sent_team=$(monitor "$team_key" "a key in a team with a budget:")

redis_summary="Limits in Redis ($limits), ${ROUNDS} alternating pairs at 1 connection, ${DURATION} each, the same governed key and route:
local-only twin (SQLite, no Redis) p50 $(column p50 "${local_runs[@]}" | paste -sd/) µs, p99 $(column p99 "${local_runs[@]}" | paste -sd/) µs, gateway CPU $(column cpu_us "${local_runs[@]}" | paste -sd/) µs a request;
store $([ "$PG" = 1 ] && echo PostgreSQL || echo SQLite) + Redis p50 $(column p50 "${shared_runs[@]}" | paste -sd/) µs, p99 $(column p99 "${shared_runs[@]}" | paste -sd/) µs, gateway CPU $(column cpu_us "${shared_runs[@]}" | paste -sd/) µs a request.
Medians: p50 ${local_p50} → ${shared_p50} µs (+${pair_added} µs), p99 ${local_p99} → ${shared_p99} µs, CPU ${local_cpu_us} → ${shared_cpu_us} µs a request. Redis round trip (redis-benchmark PING, 1 connection, p50): $(IFS=/; echo "${rtts[*]}") µs.
Scripts run per request (INFO commandstats, EVALSHA + EVAL + FCALL): $(IFS=/; echo "${scripts_per[*]}"). Sent to Redis per request (MONITOR, 1 s at 1 connection): ${sent_key}; ${sent_team}."
