"""Every command a gateway sent to Redis for N requests, from a `redis-cli monitor` capture (which tags the
commands a script runs "lua"): prints `MONITOR sent=<per request> inside=<per request> detail=<name per request, ...>`,
naming EVALSHA calls by the embedded script (src/EdgeGw/Shared/Scripts/*.lua) whose SHA1 they carry, and FCALL
calls by the script their function was loaded from (edgegw_<SHA1>).
  python3 load/redis_monitor.py monitor.txt N"""
import collections, hashlib, pathlib, re, sys

path, n = sys.argv[1], int(sys.argv[2])
scripts = {hashlib.sha1(p.read_bytes()).hexdigest(): p.stem
           for p in (pathlib.Path(__file__).parent.parent / "src/EdgeGw/Shared/Scripts").glob("*.lua")}
# Connection upkeep (heartbeats, handshakes, our own MONITOR), not per-request work.
upkeep = {"ping", "echo", "info", "client", "config", "cluster", "monitor", "subscribe", "auth", "hello", "select", "script"}
sent, inside = collections.Counter(), 0
for line in open(path, errors="replace"):
    m = re.match(r'^[0-9.]+ \[\d+ ([^\]]+)\] "([^"]+)"(?: "([^"]*)")?', line)
    if not m:
        continue
    source, cmd, arg = m.group(1), m.group(2).lower(), (m.group(3) or "")
    if source == "lua":
        inside += 1
        continue
    if cmd in upkeep:
        continue
    name = scripts.get(arg, arg[:8]) if cmd in ("evalsha", "eval") else scripts.get(arg[7:], arg) if cmd == "fcall" else ""
    sent[f"{cmd} {name}".strip()] += 1
total = sum(sent.values())
parts = ", ".join(f"{k} {v / n:.2f}" for k, v in sent.most_common())
print(f"MONITOR sent={total / n:.2f} inside={inside / n:.1f} detail={parts}")
