-- Stores one heartbeat ping and claims the pipeline's next check, in one step.
-- KEYS[1] the pipeline's ping list, KEYS[2] the day's run counts, KEYS[3] the check claim,
-- KEYS[4] when its last check started.
-- ARGV[1] the ping (JSON), ARGV[2] pings kept, ARGV[3] what it counts ('' | 'run' | 'failure'),
-- ARGV[4] the pipeline id, ARGV[5] seconds the counts are kept, ARGV[6] 1 when it claims a check,
-- ARGV[7] the claim's value, ARGV[8] the claim's TTL in ms.
-- Returns {1 when a check must be queued else 0, when the last check started or false}.
redis.call('LPUSH', KEYS[1], ARGV[1])
redis.call('LTRIM', KEYS[1], 0, tonumber(ARGV[2]) - 1)
if ARGV[3] ~= '' then
  redis.call('HINCRBY', KEYS[2], ARGV[4] .. '|runs', 1)
  if ARGV[3] == 'failure' then redis.call('HINCRBY', KEYS[2], ARGV[4] .. '|failures', 1) end
  redis.call('EXPIRE', KEYS[2], ARGV[5])
end
if ARGV[6] ~= '1' then return {0, false} end
local claimed = redis.call('SET', KEYS[3], ARGV[7], 'PX', ARGV[8], 'NX')
return {claimed and 1 or 0, redis.call('GET', KEYS[4])}
