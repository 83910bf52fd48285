-- A loan's region is its application's declared region, which does not change once the loan is made: it is written
-- with the loan (Features/Loans/LoanStore.cs), not read from the application at every close of business, and a
-- snapshot row (which requires one) can always take it from the loan's row.
UPDATE loans l JOIN applications a ON a.id = l.application_id SET l.region_code = a.declared_region_code WHERE l.region_code IS NULL;
ALTER TABLE loans MODIFY COLUMN region_code CHAR(6) CHARACTER SET ascii NOT NULL;
