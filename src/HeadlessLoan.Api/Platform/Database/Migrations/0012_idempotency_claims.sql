-- Idempotency keys guarded by the database, not by Redis alone. While Redis does not answer, a request claims its key
-- by the key's row: completed = 0, claim_token the request's own, expires_at the claim's end (extended while it runs).
-- Every request's answer carries its token, and an answer never replaces a live answer or another request's live
-- claim: that write sets completed to 2, which the constraint refuses, so of two duplicates that ran side by side
-- (Redis lost its claims, or instances with and without Redis) only one can commit its change with its answer.
ALTER TABLE idempotency_requests
  ADD COLUMN claim_token CHAR(32) CHARACTER SET ascii NULL AFTER request_hash,
  ADD CONSTRAINT idempotency_one_answer CHECK (completed IN (0, 1));
