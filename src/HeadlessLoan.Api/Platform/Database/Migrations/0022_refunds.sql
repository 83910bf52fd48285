-- Refunds of a borrower's credit through WeChat Pay (Features/Repayments). One member of staff asks, a second
-- approves (requested_by <> approved_by, checked here too); approval sets the credit aside (refunds payable) and the
-- refund is sent under out_refund_no, our key at WeChat Pay, so sending it again after a crash refunds once. A refund
-- is of one paid order (out_trade_no), within 365 days of its payment, at most 50 per order. query_at is when the
-- reconciliation job next sends or asks about it; lease_owner holds it while one instance does.

CREATE TABLE refunds (
  id             CHAR(36)      CHARACTER SET ascii NOT NULL PRIMARY KEY,
  out_refund_no  CHAR(32)      CHARACTER SET ascii NOT NULL,
  loan_id        CHAR(36)      CHARACTER SET ascii NOT NULL,
  out_trade_no   CHAR(32)      CHARACTER SET ascii NOT NULL,
  amount         BIGINT        NOT NULL,
  reason         VARCHAR(80)   NOT NULL,
  status         VARCHAR(20)   CHARACTER SET ascii NOT NULL,
  refund_id      VARCHAR(64)   CHARACTER SET ascii NULL,
  requested_by   CHAR(36)      CHARACTER SET ascii NOT NULL,
  approved_by    CHAR(36)      CHARACTER SET ascii NULL,
  approved_on    DATE          NULL,
  query_at       DATETIME(6)   NULL,
  lease_owner    CHAR(36)      CHARACTER SET ascii NULL,
  created_at     DATETIME(6)   NOT NULL,
  updated_at     DATETIME(6)   NOT NULL,
  completed_at   DATETIME(6)   NULL,
  UNIQUE KEY ux_refunds_out_refund_no (out_refund_no),
  KEY ix_refunds_loan (loan_id, created_at),
  KEY ix_refunds_order (out_trade_no),
  KEY ix_refunds_query (status, query_at),
  CONSTRAINT refund_amount CHECK (amount > 0),
  CONSTRAINT refund_four_eyes CHECK (approved_by IS NULL OR approved_by <> requested_by),
  CONSTRAINT fk_refunds_loan FOREIGN KEY (loan_id) REFERENCES loans (id),
  CONSTRAINT fk_refunds_order FOREIGN KEY (out_trade_no) REFERENCES payment_orders (out_trade_no)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
