-- Admission against every limit and budget a request touches, all or nothing, on Redis's clock.
-- One "owner" per id (a key, team, user, deployment… and its budget share an id): KEYS per owner o (n): its hash
-- (rt/rl rpm bucket, tt/tl tpm bucket, '=' reserved nanos, x the expiry last set on it and its lease set), its lease set
-- (member → expiry ms: parallel slots and budget reservations; "lease=nanos" when it holds a reservation here), its spend.
-- ARGV: lease id, lease ttl ms, reserved tokens, reserved nanos, (settle's cost), n; per owner: rpm, tpm, parallel
-- (0 = none), max nanos, floor nanos (-1 = no budget).
-- Returns {0} admitted, else {kind, owner, retry ms, a, b}: kind 1 rpm, 2 tpm, 3 parallel, 4 budget (a spend, b reserved).
local t = redis.call('TIME')
local now = t[1] * 1000000 + t[2] -- microseconds
local nowms = math.floor(now / 1000)
local WINDOW = 60000000
local lease, ttl, tokens, nanos = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local n = tonumber(ARGV[6])
local SPEND_TTL = 604800000

-- A bucket is GCRA's "full again at" instant; a limit change rescales what is outstanding so the same tokens stay used (RateBucket.SetLimit).
local function tat(at, was, limit)
  at = tonumber(at) or 0
  was = tonumber(was) or limit
  if at > now and was ~= limit then at = now + math.floor((at - now) * was / limit) end
  return at
end

local plan = {}
for o = 0, n - 1 do
  local k, a = o * 3, 7 + o * 5
  local rpm, tpm, par, floor = tonumber(ARGV[a]), tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2]), tonumber(ARGV[a + 4])
  local v = redis.call('HMGET', KEYS[k + 1], 'rt', 'rl', 'tt', 'tl', '=', 'x')
  local p = {v = v, card = -1, reserved = tonumber(v[5]) or 0}
  if par > 0 or floor >= 0 then
    -- Leases whose replica stopped renewing them (it crashed) end at their expiry; so do the reservations they hold.
    local gone = redis.call('ZRANGEBYSCORE', KEYS[k + 2], '-inf', nowms)
    if #gone > 0 then
      local back = 0
      for _, id in ipairs(gone) do back = back + (tonumber(string.match(id, '=(%d+)$')) or 0) end
      redis.call('ZREMRANGEBYSCORE', KEYS[k + 2], '-inf', nowms)
      if back > 0 then p.reserved = redis.call('HINCRBY', KEYS[k + 1], '=', -back) end
    end
    if par > 0 then
      p.card = redis.call('ZCARD', KEYS[k + 2])
      if p.card >= par then return {3, o, 1000, par, 0} end
    end
  end
  if rpm > 0 then
    local next = math.max(tat(v[1], v[2], rpm), now) + math.ceil(WINDOW / rpm)
    if next - now > WINDOW then return {1, o, math.ceil((next - now - WINDOW) / 1000), rpm, 0} end
    p.rt = next
  end
  if tpm > 0 then
    local from = math.max(tat(v[3], v[4], tpm), now)
    -- LiteLLM's "used < limit": a reservation may pass the limit; the next waits until it refilled.
    if from - now >= WINDOW then return {2, o, math.ceil((from - now - WINDOW) / 1000) + 1, tpm, 0} end
    p.tt = from + math.ceil(tokens * WINDOW / tpm)
  end
  if floor >= 0 then
    -- The replica's own view is a floor: a restarted or flushed Redis re-learns spend from the database.
    local spend = tonumber(redis.call('GET', KEYS[k + 3])) or 0
    if floor > spend then
      spend = floor
      redis.call('SET', KEYS[k + 3], spend, 'PX', SPEND_TTL)
    end
    if p.reserved < 0 then p.reserved = 0 end
    if spend + p.reserved >= tonumber(ARGV[a + 3]) then return {4, o, 1000, spend, p.reserved} end
  end
  plan[o] = p
end

-- Admitted: one HSET a hash, one ZADD a lease set; their expiry is pushed (GT: never shortened) only when it would come too soon.
local held = lease .. '=' .. ARGV[4]
for o = 0, n - 1 do
  local k, a, p = o * 3, 7 + o * 5, plan[o]
  local h, z = KEYS[k + 1], KEYS[k + 2]
  local floor = tonumber(ARGV[a + 4])
  local uses = p.card >= 0 or floor >= 0
  local reserve = nanos > 0 and floor >= 0
  local fields, need = {}, 0
  if p.rt then
    fields[1] = 'rt'; fields[2] = p.rt; fields[3] = 'rl'; fields[4] = ARGV[a]
    need = p.rt
  end
  if p.tt then
    fields[#fields + 1] = 'tt'; fields[#fields + 1] = p.tt; fields[#fields + 1] = 'tl'; fields[#fields + 1] = ARGV[a + 1]
    if p.tt > need then need = p.tt end
  end
  need = math.ceil(need / 1000) + 1000
  if uses and nowms + ttl + 1000 > need then need = nowms + ttl + 1000 end
  if reserve then
    fields[#fields + 1] = '='; fields[#fields + 1] = p.reserved + nanos
  end
  local leased = reserve or p.card >= 0
  -- An empty lease set is gone (Redis drops it): the one this ZADD makes has no expiry yet.
  local fresh = p.card == 0 or (p.card < 0 and p.reserved == 0)
  if leased then redis.call('ZADD', z, nowms + ttl, reserve and held or lease) end
  local x = tonumber(p.v[6])
  if not x or x < need then
    local was = x
    x = need + 60000 + ttl -- under steady traffic pushed about once a minute, not once a request
    fields[#fields + 1] = 'x'; fields[#fields + 1] = x
    redis.call('HSET', h, unpack(fields))
    if was then redis.call('PEXPIREAT', h, x, 'GT') else redis.call('PEXPIREAT', h, x) end
    if uses then redis.call('PEXPIREAT', z, x) end
  else
    if #fields > 0 then redis.call('HSET', h, unpack(fields)) end
    if leased and fresh then redis.call('PEXPIREAT', z, x) end
  end
end
return {0}
