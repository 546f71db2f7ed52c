-- Grants a replica a credit on one owner's shared limits: k requests, k × ARGV[3] tokens and k × ARGV[4] nano-USD,
-- taken now as k admissions would take them (admit.lua), so the replica admits up to that much without a round trip and
-- returns what it did not use with settle.lua (requests given back, tokens used - granted, the cost spent).
-- k is at most ARGV[12] and 1/ARGV[14] of what each limit has left, so a credit is small next to the free room other
-- replicas compete for; below ARGV[13] nothing is granted (near a limit every request is admitted here one by one).
-- KEYS, ARGV[1..11]: admit.lua's for one owner (ARGV[1] the credit's lease id, ARGV[6] = 1). A parallel limit is never
-- granted (a slot is held, not spent). Returns {k}; {0}: no credit.
local t = redis.call('TIME')
local now = t[1] * 1000000 + t[2] -- microseconds
local nowms = math.floor(now / 1000)
local WINDOW = 60000000
local SPEND_TTL = 604800000
local lease, ttl, unitT, unitN = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local rpm, tpm, par, max, floor = tonumber(ARGV[7]), tonumber(ARGV[8]), tonumber(ARGV[9]), tonumber(ARGV[10]), tonumber(ARGV[11])
local want, least, share = tonumber(ARGV[12]), tonumber(ARGV[13]), tonumber(ARGV[14])
if par > 0 then return {0} end
local h, z = KEYS[1], KEYS[2]

-- As admit.lua: a limit change rescales what is outstanding.
local function tat(at, was, limit)
  at = tonumber(at) or 0
  was = tonumber(was) or limit
  if at > now and was ~= limit then at = now + math.floor((at - now) * was / limit) end
  return at
end

local v = redis.call('HMGET', h, 'rt', 'rl', 'tt', 'tl', '=', 'x')
local k = want
local rAt, step, tAt
if rpm > 0 then
  rAt = math.max(tat(v[1], v[2], rpm), now)
  step = math.ceil(WINDOW / rpm)
  k = math.min(k, math.floor(math.floor((WINDOW - (rAt - now)) / step) / share))
end
if tpm > 0 then
  tAt = math.max(tat(v[3], v[4], tpm), now)
  local free = math.floor((WINDOW - (tAt - now)) * tpm / WINDOW)
  if free <= 0 then return {0} end
  if unitT > 0 then k = math.min(k, math.floor(free / share / unitT)) end
end
local reserved = tonumber(v[5]) or 0
if floor >= 0 then
  -- admit.lua's sweep: reservations of replicas that stopped renewing them come back first.
  local gone = redis.call('ZRANGEBYSCORE', z, '-inf', nowms)
  if #gone > 0 then
    local back = 0
    for _, id in ipairs(gone) do back = back + (tonumber(string.match(id, '=(%d+)$')) or 0) end
    redis.call('ZREMRANGEBYSCORE', z, '-inf', nowms)
    if back > 0 then reserved = redis.call('HINCRBY', h, '=', -back) end
  end
  if reserved < 0 then reserved = 0 end
  local spend = tonumber(redis.call('GET', KEYS[3])) or 0
  if floor > spend then
    spend = floor
    redis.call('SET', KEYS[3], spend, 'PX', SPEND_TTL)
  end
  local free = max - spend - reserved
  if free <= 0 then return {0} end
  if unitN > 0 then k = math.min(k, math.floor(free / share / unitN)) end
end
if k < least then return {0} end

local fields, need = {}, 0
if rpm > 0 then
  local at = rAt + k * step
  fields[1] = 'rt'; fields[2] = at; fields[3] = 'rl'; fields[4] = ARGV[7]
  need = at
end
if tpm > 0 then
  local at = tAt + math.ceil(k * unitT * WINDOW / tpm)
  fields[#fields + 1] = 'tt'; fields[#fields + 1] = at; fields[#fields + 1] = 'tl'; fields[#fields + 1] = ARGV[8]
  if at > need then need = at end
end
need = math.ceil(need / 1000) + 1000
local nanos = k * unitN
local leased = floor >= 0 and nanos > 0
if leased then
  fields[#fields + 1] = '='; fields[#fields + 1] = reserved + nanos
  redis.call('ZADD', z, nowms + ttl, lease .. '=' .. nanos)
  if nowms + ttl + 1000 > need then need = nowms + ttl + 1000 end
end
if #fields == 0 then return {k} end
local x = tonumber(v[6])
if not x or x < need then
  local was = x
  x = need + 60000 + ttl
  fields[#fields + 1] = 'x'; fields[#fields + 1] = x
  redis.call('HSET', h, unpack(fields))
  if was then redis.call('PEXPIREAT', h, x, 'GT') else redis.call('PEXPIREAT', h, x) end
  if leased then redis.call('PEXPIREAT', z, x) end
else
  redis.call('HSET', h, unpack(fields))
  -- x is already far enough out; the lease set's expiry is always its hash's (never shortened by this).
  if leased then redis.call('PEXPIREAT', z, x) end
end
return {k}
