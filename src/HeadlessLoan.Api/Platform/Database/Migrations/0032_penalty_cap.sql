-- The penalty cap per product (Features/Products, Features/Loans, docs/close-of-business.md): the most penalty a loan is
-- charged over its life, as a share of its principal, set on the product version and fixed on the loan in fen when it
-- is accepted. Products and loans from before keep the 24 % they were held to.

ALTER TABLE product_versions ADD COLUMN penalty_cap_share DECIMAL(5,4) NOT NULL DEFAULT 0.2400 AFTER penalty_daily_rate;

ALTER TABLE loans ADD COLUMN penalty_cap BIGINT NULL AFTER penalty_daily_rate;
UPDATE loans SET penalty_cap = FLOOR(principal * 0.24);
ALTER TABLE loans MODIFY penalty_cap BIGINT NOT NULL;
