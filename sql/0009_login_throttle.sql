-- 0009: login throttling that holds under parallel logins. One row per account (kind 'email',
-- subject = lower(email), known or not) and per source (kind 'source', the SSH client address).
-- A login reserves a slot in both rows BEFORE it runs Argon2id (core/security/auth.c), in one
-- transaction that holds the rows' locks, so at most auth.max_failures verifications per
-- account (4 x for a source) can be under way or have failed within one window, however many
-- processes try at once. A success gives its slot back and touches nothing else; a failure
-- keeps it and, when the failures reach the limit, locks the row until locked_until. A new
-- window starts at the first attempt after the window (or the lock) has passed; window_no
-- tells a late settlement from an old window to keep its hands off the new one.
-- login_attempts stays as the history of attempts; users.failed_logins/locked_until are
-- replaced by this table (a lock in force is carried over).
CREATE TABLE login_throttle (
    kind          text NOT NULL CHECK (kind IN ('email', 'source')),
    subject       text NOT NULL,
    window_no     integer NOT NULL DEFAULT 1,
    window_start  timestamptz NOT NULL DEFAULT now(),
    reserved      integer NOT NULL DEFAULT 0,   -- verifications under way + failed (+ abandoned)
    failed        integer NOT NULL DEFAULT 0,   -- verifications that failed
    locked_until  timestamptz,
    PRIMARY KEY (kind, subject)
);

INSERT INTO login_throttle (kind, subject, reserved, failed, locked_until)
SELECT 'email', lower(email), 0, 0, locked_until FROM users WHERE locked_until > now()
ON CONFLICT DO NOTHING;

ALTER TABLE users DROP COLUMN failed_logins, DROP COLUMN locked_until;
