-- The double-entry ledger (docs/ledger.md). Every money movement is one journal entry of balanced lines, written in
-- the transaction of the loan change it records. Entries and lines are append-only for the service's account (the
-- table comment: the migration runner grants it SELECT and INSERT only); a mistake is undone by a reversal entry.
-- The entry's id is the poster's: the same posting is never written twice, and content_hash tells a retry (same
-- content) from a conflicting posting under the same id (refused).

CREATE TABLE journal_entries (
  id            CHAR(36)     CHARACTER SET ascii NOT NULL PRIMARY KEY,
  kind          VARCHAR(24)  CHARACTER SET ascii NOT NULL,
  loan_id       CHAR(36)     CHARACTER SET ascii NULL,
  value_date    DATE         NOT NULL,
  total         BIGINT       NOT NULL,
  content_hash  BINARY(32)   NOT NULL,
  reverses      CHAR(36)     CHARACTER SET ascii NULL,
  created_at    DATETIME(6)  NOT NULL,
  CONSTRAINT journal_entry_total_positive CHECK (total > 0),
  -- A loan's entries in order (its transactions page, the reconciliation per loan).
  KEY ix_journal_entries_loan (loan_id, created_at, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='append-only';

CREATE TABLE journal_lines (
  entry_id  CHAR(36)     CHARACTER SET ascii NOT NULL,
  line_no   SMALLINT     NOT NULL,
  account   VARCHAR(32)  CHARACTER SET ascii NOT NULL,
  loan_id   CHAR(36)     CHARACTER SET ascii NULL,
  debit     BIGINT       NOT NULL DEFAULT 0,
  credit    BIGINT       NOT NULL DEFAULT 0,
  PRIMARY KEY (entry_id, line_no),
  -- Exactly one side of a line holds a positive amount.
  CONSTRAINT journal_line_one_side CHECK ((debit > 0 AND credit = 0) OR (credit > 0 AND debit = 0)),
  KEY ix_journal_lines_loan_account (loan_id, account)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='append-only';

-- Each loan's balance per account, in the account's own sense (what is owed on a receivable), updated with every
-- entry in its transaction: reading a loan never replays its history. The reconciliation proves it equals the lines.
CREATE TABLE loan_balances (
  loan_id  CHAR(36)     CHARACTER SET ascii NOT NULL,
  account  VARCHAR(32)  CHARACTER SET ascii NOT NULL,
  balance  BIGINT       NOT NULL,
  PRIMARY KEY (loan_id, account)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
