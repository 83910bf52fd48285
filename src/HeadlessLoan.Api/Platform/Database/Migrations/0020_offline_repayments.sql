-- Offline repayments (Features/Repayments): money a borrower paid by bank transfer or at the counter, recorded by one
-- member of staff and applied to the loan only when a second approves it (requested_by <> approved_by, checked here
-- too). The row's id is the payment's reference in the ledger, so an approval repeated applies once.

CREATE TABLE offline_repayments (
  id            CHAR(36)      CHARACTER SET ascii NOT NULL PRIMARY KEY,
  loan_id       CHAR(36)      CHARACTER SET ascii NOT NULL,
  amount        BIGINT        NOT NULL,
  received_on   DATE          NOT NULL,
  reference     VARCHAR(64)   NOT NULL,
  note          VARCHAR(200)  NULL,
  status        VARCHAR(20)   CHARACTER SET ascii NOT NULL,
  requested_by  CHAR(36)      CHARACTER SET ascii NOT NULL,
  decided_by    CHAR(36)      CHARACTER SET ascii NULL,
  created_at    DATETIME(6)   NOT NULL,
  decided_at    DATETIME(6)   NULL,
  -- One record per transfer: the same bank reference twice is the same money.
  UNIQUE KEY ux_offline_repayments_reference (loan_id, reference),
  KEY ix_offline_repayments_loan (loan_id, created_at),
  CONSTRAINT offline_repayment_amount CHECK (amount > 0),
  CONSTRAINT offline_repayment_four_eyes CHECK (decided_by IS NULL OR status = 'rejected' OR decided_by <> requested_by),
  CONSTRAINT fk_offline_repayments_loan FOREIGN KEY (loan_id) REFERENCES loans (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
