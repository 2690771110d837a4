-- 0016_ratelimit_window: the shared client limiter keeps the provider's own window (issue #15).
-- Harvest allows 100 requests in ANY 15 s: a first burst of 100 is fine, the 101st must wait
-- until the 1st is 15 s old. A GCRA with a small burst paced the rest and could not use that
-- (500 requests took 88 s instead of the 60 s the rule allows). Now each bucket keeps the send
-- times of the requests still inside its window:
--   sent  ascending times of the requests of the last period (at most limit_n); a request's
--         time is moved to when its response came back, so a request that reached the
--         provider late still counts from a time no earlier than its arrival
--   tat   keeps one meaning only: no request before this time (a 429's Retry-After)
ALTER TABLE rate_limits ADD COLUMN sent timestamptz[] NOT NULL DEFAULT '{}';
COMMENT ON COLUMN rate_limits.tat IS 'no request before this time (held after a 429)';
