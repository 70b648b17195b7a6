-- Claims a check-in slot for one job: the first job to claim it runs it; the same job claiming
-- again (a retry) still may; any other job may not. Also moves the check-in's last slot forward,
-- which is what the scheduler reads to tell a missed slot.
-- KEYS[1] the slot's claim, KEYS[2] the check-in's last slot
-- ARGV[1] job id, ARGV[2] slot ISO (ISO instants compare as strings), ARGV[3] TTL ms
-- Returns 1 claimed, 0 another job has it.
local owner = redis.call('GET', KEYS[1])
if owner and owner ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
local last = redis.call('GET', KEYS[2])
if (not last) or last < ARGV[2] then redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3]) end
return 1
