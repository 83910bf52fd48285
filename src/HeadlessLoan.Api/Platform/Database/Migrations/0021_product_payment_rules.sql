-- What a product version says about its loans' payments (Features/Products, applied by Features/Loans' LoanPayments).
-- allocation_order: Fineract's advanced payment allocation, the 12 (due type, component) pairs in order as
--   due:component, comma-separated (e.g. past_due:penalty,past_due:fee,…). The old 3-part orders
--   (penalty,interest,principal) become the default, penalty → fee → interest → principal within each due type,
--   past due first ("mifos standard"): the only one the service ever applied.
-- overpayment: what a payment leaves over stays the borrower's credit (credit) or prepays principal (prepay).
-- prepayment: what a prepayment of principal buys, lower installments (lower_installment) or a shorter term (shorten_term).

ALTER TABLE product_versions
  MODIFY COLUMN allocation_order VARCHAR(300) CHARACTER SET ascii NOT NULL,
  ADD COLUMN overpayment VARCHAR(16) CHARACTER SET ascii NOT NULL DEFAULT 'credit',
  ADD COLUMN prepayment VARCHAR(24) CHARACTER SET ascii NOT NULL DEFAULT 'lower_installment',
  ADD CONSTRAINT product_version_overpayment CHECK (overpayment IN ('credit', 'prepay')),
  ADD CONSTRAINT product_version_prepayment CHECK (prepayment IN ('lower_installment', 'shorten_term'));

UPDATE product_versions
   SET allocation_order = 'past_due:penalty,past_due:fee,past_due:interest,past_due:principal,due:penalty,due:fee,due:interest,due:principal,in_advance:penalty,in_advance:fee,in_advance:interest,in_advance:principal'
 WHERE allocation_order NOT LIKE '%:%';
