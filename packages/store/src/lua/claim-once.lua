-- Claims a thing for an owner: true when it was free or is already this owner's.
-- KEYS[1] the claim, ARGV[1] owner, ARGV[2] TTL ms. Returns 1 ours, 0 someone else's.
local owner = redis.call('GET', KEYS[1])
if owner and owner ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
