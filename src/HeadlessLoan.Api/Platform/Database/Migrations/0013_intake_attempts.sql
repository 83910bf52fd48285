-- The credit check counts its failed attempts per application: after Pipeline:MaxAttempts it parks the application
-- as intake_failed (staff retry it) instead of leasing it again for ever, querying the bureau each time. A failed
-- attempt releases the lease with a delay (lease_until in the future), so the next worker waits before trying again.
-- The last error is the fault's type name only: the details are in the log, never personal data in a column.

ALTER TABLE applications
  ADD COLUMN intake_attempts   INT NOT NULL DEFAULT 0,
  ADD COLUMN intake_last_error VARCHAR(100) CHARACTER SET ascii NULL;
