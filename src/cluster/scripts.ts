// Lua scripts run inside Redis: each is one round trip and atomic across every instance. Times come from
// Redis's own clock (TIME), so instances with skewed clocks still share one window.

const NOW = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/**
 * Admit one request of a key and reserve its worst case, or say which limit refuses it. The same rules as
 * KeyLimiter (src/modules/proxy/limits.ts), over every instance's requests.
 * KEYS: rpm zset, tpm zset, reservations hash, spent, instances zset, tpm sum.
 * ARGV: rpm, tpm, budget (-1: none), database spent, reservation name, worst tokens, worst cost,
 *       instance liveness ms, reservation ttl ms.
 * Returns {0, name} | {1, spent} budget spent | {2} budget reserved | {3, retry ms} tpm | {4} tpm reserved |
 *         {5, retry ms} rpm. Numbers that may be fractional travel as strings.
 */
export const ADMIT = `${NOW}
local W = 60000
local rpm, tpm, budget = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local spent = tonumber(redis.call('GET', KEYS[4]) or '-1')
if spent < tonumber(ARGV[4]) then
  spent = tonumber(ARGV[4])
  redis.call('SET', KEYS[4], ARGV[4])
end
redis.call('PEXPIRE', KEYS[4], 86400000)
-- What requests in flight hold back; reservations past their TTL or of instances gone silent are dropped.
local heldCost, heldTokens = 0, 0
local res = redis.call('HGETALL', KEYS[3])
local alive = {}
for i = 1, #res, 2 do
  local name, v = res[i], res[i + 1]
  local inst = string.match(name, '^(.*)|')
  local tok, cost, at = string.match(v, '^(%S+) (%S+) (%S+)$')
  local ok = alive[inst]
  if ok == nil then
    local beat = redis.call('ZSCORE', KEYS[5], inst)
    ok = (beat and now - tonumber(beat) <= tonumber(ARGV[8])) or false
    alive[inst] = ok
  end
  if (not ok) or now - tonumber(at) > tonumber(ARGV[9]) then
    redis.call('HDEL', KEYS[3], name)
  else
    heldCost = heldCost + tonumber(cost)
    heldTokens = heldTokens + tonumber(tok)
  end
end
if budget >= 0 then
  if spent >= budget then return {1, tostring(spent)} end
  if spent + heldCost >= budget then return {2} end
end
if tpm >= 0 then
  -- The window's sum is kept beside it; entries that aged out are taken off it here.
  local sum = tonumber(redis.call('GET', KEYS[6]) or '0')
  local old = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now - W)
  if #old > 0 then
    for _, m in ipairs(old) do sum = sum - tonumber(string.match(m, '^(%d+)|')) end
    if sum < 0 then sum = 0 end
    redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - W)
    redis.call('SET', KEYS[6], sum, 'PX', W + 1000)
  end
  if sum >= tpm then
    -- The window frees up once enough of its oldest tokens have aged out (walked in batches).
    local from = 0
    while true do
      local batch = redis.call('ZRANGE', KEYS[2], from, from + 99, 'WITHSCORES')
      if #batch == 0 then return {3, W} end
      for j = 1, #batch, 2 do
        local n = tonumber(string.match(batch[j], '^(%d+)|'))
        if sum - n < tpm or (#batch < 200 and j == #batch - 1) then return {3, tonumber(batch[j + 1]) + W - now} end
        sum = sum - n
      end
      from = from + 100
    end
  end
  if sum + heldTokens >= tpm then return {4} end
end
if rpm >= 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - W)
  local n = redis.call('ZCARD', KEYS[1])
  if n >= rpm then
    local e = redis.call('ZRANGE', KEYS[1], n - rpm, n - rpm, 'WITHSCORES')
    return {5, tonumber(e[2]) + W - now}
  end
  redis.call('ZADD', KEYS[1], now, ARGV[5])
  redis.call('PEXPIRE', KEYS[1], W + 1000)
end
redis.call('HSET', KEYS[3], ARGV[5], ARGV[6] .. ' ' .. ARGV[7] .. ' ' .. now)
redis.call('PEXPIRE', KEYS[3], ARGV[9])
return {0, ARGV[5]}`;

/**
 * Settle a reservation: release it, count the request's real tokens in the minute's window and its cost.
 * KEYS: tpm zset, reservations hash, spent, tpm sum. ARGV: reservation name, tokens, cost.
 */
export const SETTLE = `${NOW}
redis.call('HDEL', KEYS[2], ARGV[1])
if tonumber(ARGV[2]) > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - 60000)
  redis.call('ZADD', KEYS[1], now, ARGV[2] .. '|' .. ARGV[1])
  redis.call('PEXPIRE', KEYS[1], 61000)
  redis.call('INCRBY', KEYS[4], ARGV[2])
  redis.call('PEXPIRE', KEYS[4], 61000)
end
if tonumber(ARGV[3]) > 0 then
  redis.call('INCRBYFLOAT', KEYS[3], ARGV[3])
  redis.call('PEXPIRE', KEYS[3], 86400000)
end
return 1`;

/**
 * Merge one instance's change into a link's shared health, store it, and publish the merged state.
 * KEYS: links hash, the link's trial key. ARGV: link id, kind, a, b, ends trial (1/0), instance, channel.
 * State fields: c cooldown until, rs rate-limit streak, b breaker, o open until, t trips, v version.
 */
export const LINK_CHANGE = `local raw = redis.call('HGET', KEYS[1], ARGV[1])
local s = raw and cjson.decode(raw) or {c = 0, rs = 0, b = 'closed', o = 0, t = 0, v = 0}
local kind = ARGV[2]
local free = false
if kind == 'cooldown' then
  local u = tonumber(ARGV[3])
  if u > s.c then s.c = u end
  s.rs = tonumber(ARGV[4])
  free = ARGV[5] == '1'
elseif kind == 'trip' then
  local o, t = tonumber(ARGV[3]), tonumber(ARGV[4])
  if s.b == 'closed' or t > s.t or (t == s.t and o > s.o) then
    s.b = 'open'
    s.o = o
    s.t = t
  end
  redis.call('DEL', KEYS[2])
  free = true
elseif kind == 'success' then
  s.b = 'closed'
  s.o = 0
  s.t = 0
  s.rs = 0
  redis.call('DEL', KEYS[2])
  free = true
else
  free = true
end
if free and kind ~= 'trip' and kind ~= 'success' and redis.call('GET', KEYS[2]) == ARGV[6] then
  redis.call('DEL', KEYS[2])
end
s.v = s.v + 1
local enc = cjson.encode(s)
redis.call('HSET', KEYS[1], ARGV[1], enc)
redis.call('PUBLISH', ARGV[7], '{"t":"link","id":' .. ARGV[1] .. ',"free":' .. tostring(free) .. ',"s":' .. enc .. '}')
return enc`;

/** Record a heartbeat. KEYS: instances zset, info hash. ARGV: instance, info JSON. */
export const HEARTBEAT = `${NOW}
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
return now`;

/**
 * The instances whose last heartbeat is within ARGV[1] ms; the others are forgotten.
 * KEYS: instances zset, info hash. Returns {id, seen ms, info JSON, …}.
 */
export const INSTANCES = `${NOW}
local gone = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. (now - tonumber(ARGV[1])))
for _, id in ipairs(gone) do redis.call('HDEL', KEYS[2], id) end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. (now - tonumber(ARGV[1])))
local live = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
local out = {}
for i = 1, #live, 2 do
  out[#out + 1] = live[i]
  out[#out + 1] = live[i + 1]
  out[#out + 1] = redis.call('HGET', KEYS[2], live[i]) or '{}'
end
return out`;
