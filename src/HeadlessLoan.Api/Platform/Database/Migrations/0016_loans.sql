-- Loans (Features/Loans): made when a borrower accepts the offer of an approved application, one per application.
-- A loan keeps the terms it was accepted on (product version, rate, fee, all-in rate, the ceiling it was held to
-- and the LPR behind it) and its schedule period by period, with what is paid of each component, so reading a loan
-- never replays its journal. seq numbers loans in acceptance order for the contract number.

CREATE TABLE loans (
  id                  CHAR(36)      CHARACTER SET ascii NOT NULL PRIMARY KEY,
  seq                 BIGINT        NOT NULL AUTO_INCREMENT,
  contract_no         VARCHAR(24)   CHARACTER SET ascii NULL,
  application_id      CHAR(36)      CHARACTER SET ascii NOT NULL,
  borrower_id         CHAR(36)      CHARACTER SET ascii NULL,
  channel_id          CHAR(36)      CHARACTER SET ascii NULL,
  product_id          CHAR(36)      CHARACTER SET ascii NOT NULL,
  product_version     INT           NOT NULL,
  principal           BIGINT        NOT NULL,
  term_months         INT           NOT NULL,
  method              VARCHAR(20)   CHARACTER SET ascii NOT NULL,
  annual_rate         DECIMAL(9,6)  NOT NULL,
  monthly_fee_rate    DECIMAL(9,6)  NOT NULL,
  penalty_daily_rate  DECIMAL(9,6)  NOT NULL,
  apr                 DECIMAL(9,6)  NOT NULL,
  ceiling             DECIMAL(9,6)  NOT NULL,
  one_year_lpr        DECIMAL(9,6)  NOT NULL,
  lpr_date            DATE          NULL,
  bureau_score        INT           NULL,
  pricing_min_score   INT           NULL,
  status              VARCHAR(24)   CHARACTER SET ascii NOT NULL,
  accepted_at         DATETIME(6)   NOT NULL,
  disbursed_on        DATE          NULL,
  created_at          DATETIME(6)   NOT NULL,
  updated_at          DATETIME(6)   NOT NULL,
  UNIQUE KEY ux_loans_seq (seq),
  UNIQUE KEY ux_loans_contract_no (contract_no),
  -- One loan per application: a second acceptance meets this key.
  UNIQUE KEY ux_loans_application (application_id),
  -- Keyset pages: a borrower's own, a channel's, the staff list by status.
  KEY ix_loans_borrower (borrower_id, created_at, id),
  KEY ix_loans_channel (channel_id, created_at, id),
  KEY ix_loans_status (status, created_at, id),
  CONSTRAINT fk_loans_product_version FOREIGN KEY (product_id, product_version) REFERENCES product_versions (product_id, version),
  CONSTRAINT fk_loans_application FOREIGN KEY (application_id) REFERENCES applications (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The schedule. *_due is what the period asks for (penalty: what the close of business has charged on it);
-- interest_accrued and fee_charged are what the ledger has recognised of it so far (accrual basis); *_paid is
-- what repayments settled. The ledger's receivables equal these columns summed (the reconciliation proves it).
CREATE TABLE loan_periods (
  loan_id           CHAR(36)  CHARACTER SET ascii NOT NULL,
  period            INT       NOT NULL,
  due_date          DATE      NOT NULL,
  principal_due     BIGINT    NOT NULL,
  interest_due      BIGINT    NOT NULL,
  fee_due           BIGINT    NOT NULL,
  penalty_due       BIGINT    NOT NULL DEFAULT 0,
  interest_accrued  BIGINT    NOT NULL DEFAULT 0,
  fee_charged       BIGINT    NOT NULL DEFAULT 0,
  principal_paid    BIGINT    NOT NULL DEFAULT 0,
  interest_paid     BIGINT    NOT NULL DEFAULT 0,
  fee_paid          BIGINT    NOT NULL DEFAULT 0,
  penalty_paid      BIGINT    NOT NULL DEFAULT 0,
  PRIMARY KEY (loan_id, period),
  -- The close of business finds the periods falling due on a date.
  KEY ix_loan_periods_due (due_date, loan_id),
  CONSTRAINT loan_period_amounts CHECK (principal_due >= 0 AND interest_due >= 0 AND fee_due >= 0 AND penalty_due >= 0
    AND principal_paid BETWEEN 0 AND principal_due AND interest_paid BETWEEN 0 AND interest_accrued
    AND interest_accrued <= interest_due AND fee_paid BETWEEN 0 AND fee_charged AND fee_charged <= fee_due
    AND penalty_paid BETWEEN 0 AND penalty_due),
  CONSTRAINT fk_loan_periods_loan FOREIGN KEY (loan_id) REFERENCES loans (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
