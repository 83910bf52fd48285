-- A loan's schedule summed up on its own row (Features/Loans/LoanSummary.cs), so that the close of business can close
-- a quiet loan (current, nothing falling due or overdue) from that row alone: the period running after the loan's
-- last close and what it accrues on, what is outstanding per component, and the interest the close has accrued on
-- the running period since it last wrote that period's row (pending_interest; the period's recognised interest is
-- its interest_accrued plus this). summary_of is the COB date the summary was worked out for, and NULL once anything
-- changes the loan's periods: such a loan is closed the long way, which sums its periods up again.
ALTER TABLE loans
  ADD COLUMN summary_of             DATE         NULL,
  ADD COLUMN running_period         INT          NULL,
  ADD COLUMN running_due            DATE         NULL,
  ADD COLUMN running_from           DATE         NULL,
  ADD COLUMN running_base           BIGINT       NOT NULL DEFAULT 0,
  ADD COLUMN running_interest_due   BIGINT       NOT NULL DEFAULT 0,
  ADD COLUMN running_accrued        BIGINT       NOT NULL DEFAULT 0,
  ADD COLUMN pending_interest       BIGINT       NOT NULL DEFAULT 0,
  ADD COLUMN oldest_unsettled_due   DATE         NULL,
  ADD COLUMN principal_outstanding  BIGINT       NOT NULL DEFAULT 0,
  ADD COLUMN interest_outstanding   BIGINT       NOT NULL DEFAULT 0,
  ADD COLUMN fee_outstanding        BIGINT       NOT NULL DEFAULT 0,
  ADD COLUMN penalty_outstanding    BIGINT       NOT NULL DEFAULT 0,
  ADD COLUMN region_code            CHAR(6)      CHARACTER SET ascii NULL,
  ADD CONSTRAINT loan_pending_interest CHECK (pending_interest >= 0 AND running_accrued <= running_interest_due);

-- Snapshots are written a date at a time and read a date at a time (the reports aggregate one COB date): keyed by
-- date first, a night's rows are appended at the end of the index rather than spread across every loan's history,
-- and a loan's row of a date is still found by the key.
ALTER TABLE loan_day_snapshots
  DROP PRIMARY KEY,
  DROP KEY ix_loan_day_snapshots_date,
  ADD PRIMARY KEY (cob_date, loan_id);
