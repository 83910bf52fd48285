-- Risk-based pricing and the service fee, per product version (a loan keeps the version it was priced by).
-- pricing: the bureau-score bands as minScore:rate pairs in floor order; empty prices everyone at annual_rate_max.
-- monthly_fee_rate: a service fee of principal × rate a month, charged with each period and inside the all-in rate.

ALTER TABLE product_versions
  ADD COLUMN monthly_fee_rate DECIMAL(9,6) NOT NULL DEFAULT 0,
  ADD COLUMN pricing VARCHAR(600) CHARACTER SET ascii NOT NULL DEFAULT '';
