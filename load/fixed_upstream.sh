# Sourced by the load scripts after UP and PROXY are set: a run folder ($work, removed on exit with every
# process in $pids) and the fixed-answer nginx upstream on 127.0.0.1:$UP (load/gen_upstream.py's answers).
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

python3 load/gen_upstream.py "$work" "$UP" "$PROXY"
chmod -R a+rX "$work" # nginx workers run unprivileged and must read the fixed answers
mkdir -p "$work/body-upstream" "$work/proxy-upstream"
nginx -c "$work/nginx-upstream.conf" -p "$work" -g "daemon off;" & pids+=($!)
