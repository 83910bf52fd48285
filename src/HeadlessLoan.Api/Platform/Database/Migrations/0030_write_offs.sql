-- Write-offs (Features/Collections, Features/Loans, docs/collections.md): a 损失 loan proposed for write-off by one
-- member of staff and approved by a second of a higher role. The loan keeps what was written off, per component, and
-- what has been recovered since: the ledger reconciliation proves both against the write-off expense and the
-- recovery income. pending_loan holds the loan while a proposal waits (one per loan).

ALTER TABLE loans
  ADD COLUMN written_off_on         DATE    NULL,
  ADD COLUMN principal_written_off  BIGINT  NOT NULL DEFAULT 0,
  ADD COLUMN interest_written_off   BIGINT  NOT NULL DEFAULT 0,
  ADD COLUMN penalty_written_off    BIGINT  NOT NULL DEFAULT 0,
  ADD COLUMN fee_written_off        BIGINT  NOT NULL DEFAULT 0,
  ADD COLUMN recovered              BIGINT  NOT NULL DEFAULT 0;

CREATE TABLE loan_write_offs (
  id                  CHAR(36)      CHARACTER SET ascii NOT NULL PRIMARY KEY,
  loan_id             CHAR(36)      CHARACTER SET ascii NOT NULL,
  work_order_id       CHAR(36)      CHARACTER SET ascii NULL,
  reason              VARCHAR(400)  NOT NULL,
  status              VARCHAR(20)   CHARACTER SET ascii NOT NULL,
  proposed_by         CHAR(36)      CHARACTER SET ascii NOT NULL,
  proposer_seniority  INT           NOT NULL,
  proposed_at         DATETIME(6)   NOT NULL,
  decided_by          CHAR(36)      CHARACTER SET ascii NULL,
  decided_at          DATETIME(6)   NULL,
  pending_loan        CHAR(36)      CHARACTER SET ascii NULL,
  UNIQUE KEY ux_loan_write_offs_pending (pending_loan),
  KEY ix_loan_write_offs_loan (loan_id, proposed_at),
  KEY ix_loan_write_offs_status (status, proposed_at, id),
  CONSTRAINT loan_write_off_status CHECK (status IN ('proposed', 'written_off', 'rejected', 'withdrawn'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
