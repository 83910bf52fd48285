-- Foundation: staff, channels and their API keys, loan products (versioned), idempotency records, outbox.
-- Common MySQL 8 / MariaDB 10.11 subset: no RETURNING, no sequences. Times are UTC.

CREATE TABLE staff_users (
  id             CHAR(36) CHARACTER SET ascii NOT NULL PRIMARY KEY,
  username       VARCHAR(64)  NOT NULL,
  display_name   VARCHAR(100) NOT NULL,
  password_hash  VARCHAR(255) NOT NULL,
  roles          VARCHAR(200) CHARACTER SET ascii NOT NULL,
  failed_logins  INT          NOT NULL DEFAULT 0,
  locked_until   DATETIME(6)  NULL,
  disabled       TINYINT(1)   NOT NULL DEFAULT 0,
  created_at     DATETIME(6)  NOT NULL,
  UNIQUE KEY ux_staff_users_username (username)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE channels (
  id                     CHAR(36) CHARACTER SET ascii NOT NULL PRIMARY KEY,
  name                   VARCHAR(100) NOT NULL,
  status                 VARCHAR(16)  CHARACTER SET ascii NOT NULL,
  rate_limit_per_minute  INT          NOT NULL,
  created_at             DATETIME(6)  NOT NULL,
  created_by             CHAR(36) CHARACTER SET ascii NOT NULL,
  UNIQUE KEY ux_channels_name (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE channel_api_keys (
  id          CHAR(36) CHARACTER SET ascii NOT NULL PRIMARY KEY,
  channel_id  CHAR(36) CHARACTER SET ascii NOT NULL,
  prefix      VARCHAR(20) CHARACTER SET ascii NOT NULL,
  key_hash    CHAR(64) CHARACTER SET ascii NOT NULL,
  created_at  DATETIME(6) NOT NULL,
  created_by  CHAR(36) CHARACTER SET ascii NOT NULL,
  revoked_at  DATETIME(6) NULL,
  UNIQUE KEY ux_channel_api_keys_hash (key_hash),
  KEY ix_channel_api_keys_channel (channel_id),
  CONSTRAINT fk_channel_api_keys_channel FOREIGN KEY (channel_id) REFERENCES channels (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE products (
  id               CHAR(36) CHARACTER SET ascii NOT NULL PRIMARY KEY,
  current_version  INT         NOT NULL,
  status           VARCHAR(16) CHARACTER SET ascii NOT NULL,
  created_at       DATETIME(6) NOT NULL,
  updated_at       DATETIME(6) NOT NULL,
  KEY ix_products_status (status, created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Every change is a new row: a loan keeps pointing at the version it was made under.
CREATE TABLE product_versions (
  product_id           CHAR(36) CHARACTER SET ascii NOT NULL,
  version              INT           NOT NULL,
  name                 VARCHAR(100)  NOT NULL,
  repayment_methods    VARCHAR(100)  CHARACTER SET ascii NOT NULL,
  annual_rate_min      DECIMAL(9,6)  NOT NULL,
  annual_rate_max      DECIMAL(9,6)  NOT NULL,
  amount_min           BIGINT        NOT NULL,
  amount_max           BIGINT        NOT NULL,
  term_min_months      INT           NOT NULL,
  term_max_months      INT           NOT NULL,
  penalty_daily_rate   DECIMAL(9,6)  NOT NULL,
  allocation_order     VARCHAR(50)   CHARACTER SET ascii NOT NULL,
  age_min              INT           NOT NULL,
  age_max              INT           NOT NULL,
  auto_approval_limit  BIGINT        NOT NULL,
  created_at           DATETIME(6)   NOT NULL,
  created_by           CHAR(36) CHARACTER SET ascii NOT NULL,
  PRIMARY KEY (product_id, version),
  CONSTRAINT fk_product_versions_product FOREIGN KEY (product_id) REFERENCES products (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One row per (caller, Idempotency-Key): the request's hash and, once finished, the response to replay.
CREATE TABLE idempotency_requests (
  scope          VARCHAR(100) CHARACTER SET ascii NOT NULL,
  idem_key       VARCHAR(255) COLLATE utf8mb4_bin NOT NULL,
  request_hash   CHAR(64) CHARACTER SET ascii NOT NULL,
  completed      TINYINT(1)   NOT NULL DEFAULT 0,
  status_code    INT          NULL,
  content_type   VARCHAR(100) NULL,
  location       VARCHAR(500) NULL,
  response_body  MEDIUMBLOB   NULL,
  locked_at      DATETIME(6)  NOT NULL,
  expires_at     DATETIME(6)  NOT NULL,
  PRIMARY KEY (scope, idem_key),
  KEY ix_idempotency_requests_expires (expires_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Events written in the same transaction as the change they announce; relayed later.
CREATE TABLE outbox_events (
  id            BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
  event_type    VARCHAR(100) CHARACTER SET ascii NOT NULL,
  entity_id     CHAR(36)     CHARACTER SET ascii NOT NULL,
  payload       JSON         NOT NULL,
  occurred_at   DATETIME(6)  NOT NULL,
  published_at  DATETIME(6)  NULL,
  KEY ix_outbox_events_unpublished (published_at, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
