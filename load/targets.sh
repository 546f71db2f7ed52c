# Sourced by load/run.sh after its runs: issue 23's targets, each judged PASS/FAIL on this run's figures
# (the YARP comparisons only mean something within one run on one box). Needs run.sh's val, field and results.
verdict() { python3 -c "import sys; print('PASS' if ($1) else 'FAIL')"; }
target() { echo "| $1 | $2 | $(verdict "$3") |"; } # label, measured, Python condition
added() { printf '%+d' $(( $(val "$1/1" "$2") - $(val "direct/1" "$2") )); } # scenario, p50|p99 → signed µs over direct at 1 connection
ratio() { python3 -c "print(f'{$(val "$1/32" rps)/$(val nginx/32 rps):.2f}')"; }

gw_p50=$(added gateway-openai p50); yarp_p50=$(added yarp p50); gw_p99=$(added gateway-openai p99)
gw_ratio=$(ratio gateway-openai); yarp_ratio=$(ratio yarp); tr_ratio=$(ratio gateway-anthropic)
errors=0
for s in "${!R[@]}"; do [[ $s == gateway* ]] && errors=$(( errors + $(val "$s" errors) )); done
cpu=$(val gateway-openai/32 cpu_us); alloc=$(val gateway-openai/32 alloc_b)
ttft=$(printf '%+d' $(( $(field "$ttft_gw" ttft_p50_us) - $(field "$ttft_direct" ttft_p50_us) )))
hold_rss=$(field "$hold_gw" peak_rss_mb); hold_errors=$(field "$hold_gw" errors)

echo "Issue 23's targets (governed pass-through unless named; added = over the upstream called directly, 1 connection):"
echo
echo "| target | measured | |"
echo "| --- | --- | --- |"
target "added p50 ≤ 50 µs" "$gw_p50 µs (nginx $(added nginx p50) µs)" "$gw_p50 <= 50"
target "added p50 below YARP's (same run)" "$gw_p50 vs $yarp_p50 µs" "$gw_p50 < $yarp_p50"
target "added p99 ≤ 200 µs" "$gw_p99 µs (nginx $(added nginx p99) µs)" "$gw_p99 <= 200"
target "32 connections ≥ 0.8× nginx, pass-through" "${gw_ratio}×" "$gw_ratio >= 0.8"
target "32 connections above YARP, pass-through" "${gw_ratio}× vs ${yarp_ratio}× nginx" "$gw_ratio > $yarp_ratio"
target "32 connections ≥ 0.7× nginx, OpenAI → Anthropic" "${tr_ratio}×" "$tr_ratio >= 0.7"
target "0 errors (every gateway scenario above)" "$errors" "$errors == 0"
target "gateway CPU ≤ 40 µs per request (32 connections)" "$cpu µs (YARP $(val yarp/32 cpu_us), nginx $(val nginx/32 cpu_us) µs)" "$cpu <= 40"
target "allocated ≤ 2 KB per request, whole process (32 connections)" "$alloc B (YARP $(val yarp/32 alloc_b) B)" "$alloc <= 2048"
target "TTFT added ≤ 300 µs (p50, 64-event stream)" "$ttft µs" "$ttft <= 300"
target "idle RSS ≤ 30 MB" "$((rss_idle / 1024)) MB (YARP $((yarp_rss_idle / 1024)) MB)" "$rss_idle <= 30 * 1024"
target "≤ 150 MB with 1,000 streams open, none failed" "$hold_rss MB, $hold_errors errors" "$hold_rss <= 150 and $hold_errors == 0"
target "start to first answer ≤ 100 ms (empty database)" "$startup_ms_empty ms" "$startup_ms_empty <= 100"
if [ "$REDIS" = 1 ] && [ "$PG" = 1 ]; then
  target "PostgreSQL + Redis: p50 within one Redis round trip of local-only (1 connection, medians of $ROUNDS pairs)" "+$pair_added µs vs a $pair_rtt µs round trip" "$pair_added <= $pair_rtt"
fi
echo
if [ "$REDIS" = 1 ] && [ "$PG" = 0 ]; then
  echo "Not judged here: PostgreSQL + Redis within one Redis round trip of local-only (this run has Redis but SQLite; FULL=1 runs both). Redis alone added +$pair_added µs p50 against a $pair_rtt µs round trip."
elif [ "$REDIS" = 0 ]; then
  echo "Not judged here: p50 with PostgreSQL as the store and Redis for limits within one Redis round trip of the local-only figure (FULL=1 load/run.sh judges it)."
fi
