-- The audit trail as one hash chain built by a single sequencer. Writers insert their record and nothing else
-- (no chain head to lock), so audited changes no longer queue on each other; the chainer appends committed records
-- to audit_chain in id order, one entry per record: hash = SHA-256(prev_hash ‖ canonical record), sequence 1, 2, …
-- Both tables are append-only: the service's account may SELECT and INSERT them, never UPDATE or DELETE.
-- The per-entity chains of 0005 go: records written before this migration are chained like new ones (their old
-- per-entity hashes are not kept), and audit_heads is dropped.

ALTER TABLE audit_records
  DROP INDEX ux_audit_records_entity,
  DROP COLUMN entity_seq,
  DROP COLUMN prev_hash,
  DROP COLUMN hash,
  -- Lists by entity; the only secondary index, every one is paid for by every audited change.
  ADD KEY ix_audit_records_entity (entity_type, entity_id);

DROP TABLE audit_heads;

CREATE TABLE audit_chain (
  sequence     BIGINT       NOT NULL PRIMARY KEY,
  -- Each record is chained once: a second chainer can neither fork the chain (the primary key) nor chain a record twice.
  record_seq   BIGINT       NOT NULL,
  prev_hash    CHAR(64)     CHARACTER SET ascii NOT NULL,
  hash         CHAR(64)     CHARACTER SET ascii NOT NULL,
  chained_at   DATETIME(6)  NOT NULL,
  UNIQUE KEY ux_audit_chain_record (record_seq)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='append-only';
