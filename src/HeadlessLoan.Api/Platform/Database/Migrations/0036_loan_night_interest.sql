-- The interest a loan's last close of business recognised (Features/Loans/LoanDayEnd.cs), on the loan's row: a quiet
-- loan's night is worked out once and added where it goes, and a batch's accrual entry sums its quiet loans' nights
-- from their rows.
ALTER TABLE loans ADD COLUMN night_interest BIGINT NOT NULL DEFAULT 0;
