-- Settles one admission (admit.lua) when its answer ends, or gives everything back for a retry.
-- KEYS: as admit.lua. ARGV: lease id, refund (1: a retried attempt, its request is given back too), token delta
-- (actual - reserved), cost nanos, n, m; per limit: rpm, tpm, parallel (0 = none); per budget: max nanos (unused), floor nanos
-- (this replica's spend, the cost included): admit.lua's layout, so one argument array serves both.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local WINDOW = 60000000
local lease, refund, delta, cost = ARGV[1], ARGV[2] == '1', tonumber(ARGV[3]), tonumber(ARGV[4])
local n, m = tonumber(ARGV[5]), tonumber(ARGV[6])
local SPEND_TTL = 604800000

local function move(key, amount, limit)
  if amount == 0 or limit <= 0 then return end
  local v = redis.call('HMGET', key, 't', 'l')
  local at = tonumber(v[1]) or 0
  local was = tonumber(v[2]) or limit
  if at > now and was ~= limit then at = now + math.floor((at - now) * was / limit) end
  local c = math.ceil(math.abs(amount) * WINDOW / limit)
  if amount > 0 then at = math.max(at, now) + c else at = math.max(at - c, now) end
  redis.call('HSET', key, 't', at, 'l', limit)
  redis.call('PEXPIRE', key, math.max(math.ceil((at - now) / 1000), 0) + 1000)
end

for i = 0, n - 1 do
  local a, k = 7 + i * 3, i * 3
  if refund then move(KEYS[k + 1], -1, tonumber(ARGV[a])) end
  move(KEYS[k + 2], delta, tonumber(ARGV[a + 1]))
  if tonumber(ARGV[a + 2]) > 0 then redis.call('ZREM', KEYS[k + 3], lease) end
end

local b0, a0 = n * 3, 7 + n * 3
for j = 0, m - 1 do
  local spendKey, hash, zset = KEYS[b0 + j * 3 + 1], KEYS[b0 + j * 3 + 2], KEYS[b0 + j * 3 + 3]
  local amount = tonumber(redis.call('HGET', hash, lease))
  if amount then
    redis.call('HINCRBY', hash, '=', -amount)
    redis.call('HDEL', hash, lease)
    redis.call('ZREM', zset, lease)
  end
  if cost > 0 then
    -- Added before the reservation goes (same script): spend + reserved never dips below the truth.
    local spend = math.max((tonumber(redis.call('GET', spendKey)) or 0) + cost, tonumber(ARGV[a0 + j * 2 + 1]))
    redis.call('SET', spendKey, spend, 'PX', SPEND_TTL)
  end
end
return 0
