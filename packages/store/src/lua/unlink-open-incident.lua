-- Takes a closed incident out of the open index, only if it is still the pipeline's open one (a
-- newer incident may have opened since).
-- KEYS[1] the open-incidents hash, ARGV[1] pipeline id, ARGV[2] incident id. Returns 1 or 0.
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then return redis.call('HDEL', KEYS[1], ARGV[1]) end
return 0
