#!/usr/bin/env python3
"""Writes the nginx configs for the load runs: a fixed-answer upstream and a plain proxy_pass baseline."""
import json
import sys

out_dir, upstream_port, proxy_port = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])

openai = json.dumps({
    "id": "chatcmpl-load", "object": "chat.completion", "created": 1, "model": "gpt-4o-mini",
    "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hello! How can I help you today?", "refusal": None},
                 "logprobs": None, "finish_reason": "stop"}],
    "usage": {"prompt_tokens": 12, "completion_tokens": 9, "total_tokens": 21}}, separators=(",", ":"))
anthropic = json.dumps({
    "id": "msg_load", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5",
    "content": [{"type": "text", "text": "Hello! How can I help you today?"}],
    "stop_reason": "end_turn", "stop_sequence": None, "usage": {"input_tokens": 12, "output_tokens": 9}}, separators=(",", ":"))
chunk = lambda delta, finish: "data: " + json.dumps({
    "id": "chatcmpl-load", "object": "chat.completion.chunk", "created": 1, "model": "gpt-4o-mini",
    "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}]}, separators=(",", ":")) + "\n\n"
events = [chunk({"role": "assistant", "content": ""}, None)]
events += [chunk({"content": f" tok{i}"}, None) for i in range(62)]
events += [chunk({}, "stop")]
events.append("data: " + json.dumps({"id": "chatcmpl-load", "object": "chat.completion.chunk", "created": 1, "model": "gpt-4o-mini",
                                     "choices": [], "usage": {"prompt_tokens": 12, "completion_tokens": 62, "total_tokens": 74}},
                                    separators=(",", ":")) + "\n\ndata: [DONE]\n\n")
stream = "".join(events)

import os
# Fixed answers as files: nginx serves them to POST through the 405 → 200 trick below (its static
# handler refuses POST otherwise), and a file has no length limit, unlike a `return` string.
for path, body in (("openai/v1/chat/completions", openai), ("anthropic/v1/messages", anthropic), ("stream/v1/chat/completions", stream)):
    os.makedirs(os.path.dirname(f"{out_dir}/www/{path}"), exist_ok=True)
    with open(f"{out_dir}/www/{path}", "w") as f:
        f.write(body)

common = f"""
worker_processes 1;
pid {out_dir}/nginx-%s.pid;
error_log {out_dir}/nginx-%s-error.log warn;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  keepalive_requests 1000000;
  keepalive_timeout 120s;
  client_body_temp_path {out_dir}/body-%s;
  proxy_temp_path {out_dir}/proxy-%s;
  %s
}}
"""
upstream = f"""
  server {{
    listen 127.0.0.1:{upstream_port};
    root {out_dir}/www;
    error_page 405 =200 $uri;
    location /openai/ {{ default_type application/json; }}
    location /anthropic/ {{ default_type application/json; }}
    location /stream/ {{ default_type text/event-stream; }}
  }}"""
proxy = f"""
  upstream fixed {{ server 127.0.0.1:{upstream_port}; keepalive 256; }}
  server {{
    listen 127.0.0.1:{proxy_port};
    location / {{
      proxy_pass http://fixed;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
    }}
  }}"""
for name, body in (("upstream", upstream), ("proxy", proxy)):
    with open(f"{out_dir}/nginx-{name}.conf", "w") as f:
        f.write(common % (name, name, name, name, body))
