-- Moves an ISO instant forward: sets the key unless it already holds a later (or the same) one.
-- ISO instants in UTC compare as strings. KEYS[1] the key, ARGV[1] the instant. Returns 1 or 0.
local current = redis.call('GET', KEYS[1])
if (not current) or current < ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1])
  return 1
end
return 0
