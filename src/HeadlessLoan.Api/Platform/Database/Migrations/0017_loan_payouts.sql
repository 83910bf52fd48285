-- Disbursement (Features/Loans): each payout of a loan is a row, its number our idempotency key at the bank, so a
-- payout submitted again after a crash is paid once. Acceptance writes attempt 1 as `pending`; the payout worker
-- leases pending rows (lease_owner, lease_until), submits them and records the bank's answer; a `processing` payout
-- waits for the bank's callback and is queried when lease_until passes. A retry after a failure is a new attempt,
-- `awaiting_approval` until a second member of staff approves it (requested_by <> approved_by).

CREATE TABLE loan_payouts (
  payout_no        VARCHAR(40)   CHARACTER SET ascii NOT NULL PRIMARY KEY,
  loan_id          CHAR(36)      CHARACTER SET ascii NOT NULL,
  attempt          INT           NOT NULL,
  amount           BIGINT        NOT NULL,
  state            VARCHAR(20)   CHARACTER SET ascii NOT NULL,
  bank_reference   VARCHAR(64)   NULL,
  failure_code     VARCHAR(64)   NULL,
  failure_message  VARCHAR(200)  NULL,
  lease_owner      CHAR(36)      CHARACTER SET ascii NULL,
  lease_until      DATETIME(6)   NULL,
  requested_by     CHAR(36)      CHARACTER SET ascii NULL,
  approved_by      CHAR(36)      CHARACTER SET ascii NULL,
  created_at       DATETIME(6)   NOT NULL,
  submitted_at     DATETIME(6)   NULL,
  completed_at     DATETIME(6)   NULL,
  UNIQUE KEY ux_loan_payouts_attempt (loan_id, attempt),
  -- The worker's queue: pending payouts, and processing ones whose time to be queried has come.
  KEY ix_loan_payouts_state (state, lease_until),
  CONSTRAINT loan_payout_four_eyes CHECK (approved_by IS NULL OR requested_by IS NULL OR approved_by <> requested_by),
  CONSTRAINT fk_loan_payouts_loan FOREIGN KEY (loan_id) REFERENCES loans (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
