-- One part of a quick-check round finished: counts it (once per part), and when every part has,
-- marks the round completed by moving the last-round instant forward.
-- KEYS[1] the round's hash {parts, done:<part>...}, KEYS[2] the last completed round (ISO)
-- ARGV[1] part id, ARGV[2] when (ISO), ARGV[3] TTL ms of the round's hash
-- Returns 1 when this part completed the round, else 0.
local parts = tonumber(redis.call('HGET', KEYS[1], 'parts') or '0')
redis.call('HSET', KEYS[1], 'done:' .. ARGV[1], '1')
redis.call('PEXPIRE', KEYS[1], ARGV[3])
local done = redis.call('HLEN', KEYS[1]) - 1
if parts > 0 and done >= parts then
  local last = redis.call('GET', KEYS[2])
  if (not last) or last < ARGV[2] then redis.call('SET', KEYS[2], ARGV[2]) end
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
