-- Stores one check result atomically: the latest result (unless a newer one is already there),
-- a history point, the history trim, and the per-job marker that makes a retried job store
-- nothing twice. A crash can never leave the marker without the result.
--
-- KEYS[1] latest hash, KEYS[2] the pipeline's history, KEYS[3] the job's marker
-- ARGV[1] pipeline id, ARGV[2] result JSON, ARGV[3] checkedAt ms, ARGV[4] status,
-- ARGV[5] history entry JSON, ARGV[6] checkedAt ISO, ARGV[7] trim before ms, ARGV[8] marker TTL s
-- Returns {1 stored | 0 already stored, outcome JSON {previousStatus, since}}
local marker = redis.call('GET', KEYS[3])
if marker then return {0, marker} end
local previous = redis.call('HGET', KEYS[1], ARGV[1])
local previousStatus = ''
local since = ARGV[6]
local newer = false
if previous then
  local decoded = cjson.decode(previous)
  previousStatus = decoded.status
  if decoded.status == ARGV[4] and decoded.since then since = decoded.since end
  local previousMs = tonumber(decoded.checkedAtMs or 0)
  if previousMs > tonumber(ARGV[3]) then newer = true end
end
local stored = '{"since":"' .. since .. '","checkedAtMs":' .. ARGV[3] .. ',' .. string.sub(ARGV[2], 2)
-- An older result arriving late goes to history only, and must not look like a change.
if not newer then redis.call('HSET', KEYS[1], ARGV[1], stored) else previousStatus = ARGV[4] end
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[5])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. ARGV[7])
local outcome = cjson.encode({previousStatus = previousStatus, since = since})
redis.call('SET', KEYS[3], outcome, 'EX', ARGV[8])
return {1, outcome}
