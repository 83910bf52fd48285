-- Repayments through WeChat Pay (Features/Repayments): one row per JSAPI order we place, out_trade_no our key at
-- WeChat Pay. The amount is ours, worked out from the loan when the order is made. Money is applied to the loan only
-- on the order's way into `paid` (its row locked, after the loan's), and a WeChat Pay transaction id belongs to one
-- order at most, so a notification delivered ten times, or at two instances at once, is applied once. A notification
-- that does not match the order, or a payment on an order already closed or failed, parks the order for a person
-- (park_reason) and applies nothing. query_at is when the reconciliation job next asks WeChat Pay about an open order;
-- lease_owner holds it while one instance does.

CREATE TABLE payment_orders (
  out_trade_no    CHAR(32)      CHARACTER SET ascii NOT NULL PRIMARY KEY,
  loan_id         CHAR(36)      CHARACTER SET ascii NOT NULL,
  borrower_id     CHAR(36)      CHARACTER SET ascii NOT NULL,
  kind            VARCHAR(16)   CHARACTER SET ascii NOT NULL,
  amount          BIGINT        NOT NULL,
  payer_openid    VARCHAR(64)   CHARACTER SET ascii NOT NULL,
  status          VARCHAR(16)   CHARACTER SET ascii NOT NULL,
  prepay_id       VARCHAR(64)   CHARACTER SET ascii NOT NULL,
  transaction_id  VARCHAR(32)   CHARACTER SET ascii NULL,
  paid_amount     BIGINT        NULL,
  success_time    DATETIME(6)   NULL,
  park_reason     VARCHAR(200)  NULL,
  expires_at      DATETIME(6)   NOT NULL,
  query_at        DATETIME(6)   NULL,
  lease_owner     CHAR(36)      CHARACTER SET ascii NULL,
  created_at      DATETIME(6)   NOT NULL,
  updated_at      DATETIME(6)   NOT NULL,
  UNIQUE KEY ux_payment_orders_transaction (transaction_id),
  -- Keyset pages: a loan's orders, and staff's list by status (the parked ones to review).
  KEY ix_payment_orders_loan (loan_id, created_at, out_trade_no),
  KEY ix_payment_orders_status (status, created_at, out_trade_no),
  -- The reconciliation job's queue: open orders whose time to be asked about has come.
  KEY ix_payment_orders_query (status, query_at),
  CONSTRAINT payment_order_amounts CHECK (amount > 0 AND (paid_amount IS NULL OR paid_amount > 0)),
  CONSTRAINT fk_payment_orders_loan FOREIGN KEY (loan_id) REFERENCES loans (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
