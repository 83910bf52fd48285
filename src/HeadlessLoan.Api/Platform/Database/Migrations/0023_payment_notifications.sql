-- WeChat Pay's payment notifications as received (Features/Repayments): verified, decrypted and stored in one INSERT
-- before the 204, so WeChat Pay hears back at once however busy the books are, and nothing it said is lost. The same
-- transaction notified again is the same row (its id is the key). Workers on every instance lease rows not yet
-- applied (lease_owner, lease_until) and settle them; applying is idempotent (the order's lifecycle), so a row taken
-- over from a crashed worker applies once.

CREATE TABLE payment_notifications (
  transaction_id  VARCHAR(32)   CHARACTER SET ascii NOT NULL PRIMARY KEY,
  out_trade_no    VARCHAR(64)   CHARACTER SET ascii NOT NULL,
  resource        TEXT          NOT NULL,
  received_at     DATETIME(6)   NOT NULL,
  applied_at      DATETIME(6)   NULL,
  outcome         VARCHAR(20)   CHARACTER SET ascii NULL,
  attempts        INT           NOT NULL DEFAULT 0,
  lease_owner     CHAR(36)      CHARACTER SET ascii NULL,
  lease_until     DATETIME(6)   NULL,
  -- The workers' queue: rows not yet applied, oldest first.
  KEY ix_payment_notifications_queue (applied_at, lease_until, received_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
