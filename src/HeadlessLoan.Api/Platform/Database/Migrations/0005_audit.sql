-- The audit trail: one append-only record per decision or state change, written in the transaction of the
-- change itself. Each entity has its own hash chain (entity_seq 1, 2, …; hash = SHA-256(prev_hash ‖ canonical
-- record)), so writers of different entities never wait for each other; audit_heads keeps each chain's tip,
-- locked by the writer while it appends and compared with the chain by verification.
-- The table comment marks audit_records append-only: the migration runner grants the application's account
-- INSERT and SELECT on it, never UPDATE or DELETE. before_json/after_json are text, not JSON, so the bytes that
-- were hashed are the bytes kept (MySQL 8 would rewrite a JSON column).

CREATE TABLE audit_records (
  seq          BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
  occurred_at  DATETIME(6)  NOT NULL,
  actor_kind   VARCHAR(16)  CHARACTER SET ascii NOT NULL,
  actor_id     VARCHAR(64)  NOT NULL,
  action       VARCHAR(64)  CHARACTER SET ascii NOT NULL,
  entity_type  VARCHAR(32)  CHARACTER SET ascii NOT NULL,
  entity_id    VARCHAR(64)  CHARACTER SET ascii NOT NULL,
  entity_seq   INT          NOT NULL,
  before_json  MEDIUMTEXT   CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL,
  after_json   MEDIUMTEXT   CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL,
  request_id   VARCHAR(64)  CHARACTER SET ascii NULL,
  flagged      TINYINT(1)   NOT NULL DEFAULT 0,
  prev_hash    CHAR(64)     CHARACTER SET ascii NOT NULL,
  hash         CHAR(64)     CHARACTER SET ascii NOT NULL,
  -- One record per chain position: a second writer can never fork an entity's chain. Also the index of lists by
  -- entity; no other secondary index, every one is paid for by every audited change.
  UNIQUE KEY ux_audit_records_entity (entity_type, entity_id, entity_seq)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='append-only';

CREATE TABLE audit_heads (
  entity_type  VARCHAR(32)  CHARACTER SET ascii NOT NULL,
  entity_id    VARCHAR(64)  CHARACTER SET ascii NOT NULL,
  entity_seq   INT          NOT NULL,
  record_seq   BIGINT       NOT NULL,
  hash         CHAR(64)     CHARACTER SET ascii NOT NULL,
  PRIMARY KEY (entity_type, entity_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
