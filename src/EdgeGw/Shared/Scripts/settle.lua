-- Settles one admission (admit.lua) when its answer ends, or gives everything back for a retry; also returns a
-- credit (grant.lua) once its requests have ended.
-- KEYS: as admit.lua. ARGV: lease id, requests given back (1: a retried attempt; a credit's unused ones), token delta
-- (actual - reserved), reserved nanos, cost nanos, n; per owner: rpm, tpm, parallel (0 = none), max nanos (unused),
-- floor nanos (this replica's spend, the cost included; -1 = no budget): admit.lua's layout, so one argument array serves both.
local now
local WINDOW = 60000000
local lease, refund, delta, nanos, cost = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local n = tonumber(ARGV[6])
local SPEND_TTL = 604800000
local held = lease .. '=' .. ARGV[4]

-- GCRA's "full again at" moved by amount (negative: given back), rescaled first if the limit changed since.
local function move(at, was, amount, limit)
  at = tonumber(at) or 0
  was = tonumber(was) or limit
  if at > now and was ~= limit then at = now + math.floor((at - now) * was / limit) end
  local c = math.ceil(math.abs(amount) * WINDOW / limit)
  if amount > 0 then return math.max(at, now) + c end
  return math.max(at - c, now)
end

for o = 0, n - 1 do
  local k, a = o * 3, 7 + o * 5
  local h = KEYS[k + 1]
  local rpm, tpm, par, floor = tonumber(ARGV[a]), tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2]), tonumber(ARGV[a + 4])
  local reserve = nanos > 0 and floor >= 0
  -- Still there means nobody counted it free yet (an expired lease's reservation was given back by admit.lua's sweep).
  local freed = (reserve or par > 0) and redis.call('ZREM', KEYS[k + 2], reserve and held or lease) == 1 and reserve
  local moveR, moveT = refund > 0 and rpm > 0, delta ~= 0 and tpm > 0
  if moveR or moveT then
    if not now then
      local t = redis.call('TIME')
      now = t[1] * 1000000 + t[2]
    end
    local v = redis.call('HMGET', h, 'rt', 'rl', 'tt', 'tl', '=', 'x')
    local fields, need = {}, 0
    if moveR then
      local at = move(v[1], v[2], -refund, rpm)
      fields[1] = 'rt'; fields[2] = at; fields[3] = 'rl'; fields[4] = ARGV[a]
      need = at
    end
    if moveT then
      local at = move(v[3], v[4], delta, tpm)
      fields[#fields + 1] = 'tt'; fields[#fields + 1] = at; fields[#fields + 1] = 'tl'; fields[#fields + 1] = ARGV[a + 1]
      if at > need then need = at end
    end
    if freed then
      fields[#fields + 1] = '='; fields[#fields + 1] = math.max((tonumber(v[5]) or 0) - nanos, 0)
    end
    need = math.ceil(need / 1000) + 1000
    local x = tonumber(v[6])
    if not x or x < need then
      local was = x
      x = need + 60000
      fields[#fields + 1] = 'x'; fields[#fields + 1] = x
      redis.call('HSET', h, unpack(fields))
      if was then redis.call('PEXPIREAT', h, x, 'GT') else redis.call('PEXPIREAT', h, x) end
    else
      redis.call('HSET', h, unpack(fields))
    end
  elseif freed then
    redis.call('HINCRBY', h, '=', -nanos)
  end
  if cost > 0 and floor >= 0 then
    -- Added before the reservation goes (same script): spend + reserved never dips below the truth.
    local spend = math.max((tonumber(redis.call('GET', KEYS[k + 3])) or 0) + cost, floor)
    redis.call('SET', KEYS[k + 3], spend, 'PX', SPEND_TTL)
  end
end
return 0
