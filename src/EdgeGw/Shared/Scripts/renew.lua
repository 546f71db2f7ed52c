-- Extends the leases a live replica still holds (admit.lua's parallel slots and budget reservations), so only a
-- replica that stopped renewing (crashed) loses them, one lease TTL later.
-- KEYS: pairs (lease set, its owner's hash: admit.lua's). ARGV: ttl ms, one lease set member per pair.
-- Returns how many leases were still there.
local t = redis.call('TIME')
local nowms = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[1])
local function extend(key)
  if redis.call('PTTL', key) < ttl + 1000 then redis.call('PEXPIRE', key, ttl + 1000) end
end
local renewed = 0
for i = 1, #ARGV - 1 do
  local zset, other, lease = KEYS[i * 2 - 1], KEYS[i * 2], ARGV[i + 1]
  -- Present means nobody has counted it free yet; a lease settled (or expired) meanwhile is not brought back.
  if redis.call('ZSCORE', zset, lease) then
    redis.call('ZADD', zset, 'XX', nowms + ttl, lease)
    extend(zset)
    if other ~= zset then extend(other) end
    renewed = renewed + 1
  end
end
return renewed
