-- Admission against every limit and budget a request touches, all or nothing, on Redis's clock.
-- KEYS: per limit i (n): rpm hash, tpm hash, parallel zset; then per budget j (m): spend, reservation hash, reservation zset.
-- ARGV: lease id, lease ttl ms, reserved tokens, reserved nanos, n, m; per limit: rpm, tpm, parallel (0 = none); per budget: max nanos, floor nanos.
-- Returns {0} admitted, else {kind, index, retry ms, a, b}: kind 1 rpm, 2 tpm, 3 parallel, 4 budget (a spend, b reserved).
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2]) -- microseconds
local nowms = math.floor(now / 1000)
local WINDOW = 60000000
local lease, ttl, tokens, nanos = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local n, m = tonumber(ARGV[5]), tonumber(ARGV[6])
local SPEND_TTL = 604800000

-- A bucket is GCRA's "full again at" instant; a limit change rescales what is outstanding so the same tokens stay used (RateBucket.SetLimit).
local function tat(key, limit)
  local v = redis.call('HMGET', key, 't', 'l')
  local at = tonumber(v[1]) or 0
  local was = tonumber(v[2]) or limit
  if at > now and was ~= limit then at = now + math.floor((at - now) * was / limit) end
  return at
end
local function cost(amount, limit) return math.ceil(amount * WINDOW / limit) end
local function store(key, at, limit)
  redis.call('HSET', key, 't', at, 'l', limit)
  redis.call('PEXPIRE', key, math.max(math.ceil((at - now) / 1000), 0) + 1000)
end
-- Reservations whose replica never settled them (it crashed) end at their expiry.
local function expire(hash, zset)
  local gone = redis.call('ZRANGEBYSCORE', zset, '-inf', nowms)
  for _, id in ipairs(gone) do
    local amount = tonumber(redis.call('HGET', hash, id))
    if amount then
      redis.call('HINCRBY', hash, '=', -amount)
      redis.call('HDEL', hash, id)
    end
  end
  if #gone > 0 then redis.call('ZREMRANGEBYSCORE', zset, '-inf', nowms) end
end

local rpmAt, tpmAt = {}, {}
for i = 0, n - 1 do
  local a = 7 + i * 3
  local rpm, tpm, par = tonumber(ARGV[a]), tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2])
  local k = i * 3
  if par > 0 then
    redis.call('ZREMRANGEBYSCORE', KEYS[k + 3], '-inf', nowms)
    if redis.call('ZCARD', KEYS[k + 3]) >= par then return {3, i, 1000, par, 0} end
  end
  if rpm > 0 then
    local next = math.max(tat(KEYS[k + 1], rpm), now) + cost(1, rpm)
    if next - now > WINDOW then return {1, i, math.ceil((next - now - WINDOW) / 1000), rpm, 0} end
    rpmAt[i] = next
  end
  if tpm > 0 then
    local from = math.max(tat(KEYS[k + 2], tpm), now)
    -- LiteLLM's "used < limit": a reservation may pass the limit; the next waits until it refilled.
    if from - now >= WINDOW then return {2, i, math.ceil((from - now - WINDOW) / 1000) + 1, tpm, 0} end
    tpmAt[i] = from + cost(tokens, tpm)
  end
end

local b0, a0 = n * 3, 7 + n * 3
for j = 0, m - 1 do
  local spendKey, hash, zset = KEYS[b0 + j * 3 + 1], KEYS[b0 + j * 3 + 2], KEYS[b0 + j * 3 + 3]
  local max, floor = tonumber(ARGV[a0 + j * 2]), tonumber(ARGV[a0 + j * 2 + 1])
  expire(hash, zset)
  -- The replica's own view is a floor: a restarted or flushed Redis re-learns spend from the database.
  local spend = tonumber(redis.call('GET', spendKey)) or 0
  if floor > spend then
    spend = floor
    redis.call('SET', spendKey, spend, 'PX', SPEND_TTL)
  end
  local reserved = tonumber(redis.call('HGET', hash, '=')) or 0
  if spend + reserved >= max then return {4, j, 1000, spend, reserved} end
end

for i = 0, n - 1 do
  local a, k = 7 + i * 3, i * 3
  if rpmAt[i] then store(KEYS[k + 1], rpmAt[i], tonumber(ARGV[a])) end
  if tpmAt[i] then store(KEYS[k + 2], tpmAt[i], tonumber(ARGV[a + 1])) end
  if tonumber(ARGV[a + 2]) > 0 then
    redis.call('ZADD', KEYS[k + 3], nowms + ttl, lease)
    redis.call('PEXPIRE', KEYS[k + 3], ttl + 1000)
  end
end
if nanos > 0 then
  for j = 0, m - 1 do
    local hash, zset = KEYS[b0 + j * 3 + 2], KEYS[b0 + j * 3 + 3]
    redis.call('HSET', hash, lease, nanos)
    redis.call('HINCRBY', hash, '=', nanos)
    redis.call('ZADD', zset, nowms + ttl, lease)
    redis.call('PEXPIRE', hash, ttl + 1000)
    redis.call('PEXPIRE', zset, ttl + 1000)
  end
end
return {0}
