-- The asynchronous credit check and decision after submit. A worker claims submitted applications with a
-- lease (so two instances never process one twice, and a crashed worker's claim runs out); bureau reports
-- are kept encrypted and reused for the same ID number within a window.

ALTER TABLE applications
  ADD COLUMN lease_owner CHAR(36) CHARACTER SET ascii NULL,
  ADD COLUMN lease_until DATETIME(6) NULL,
  ADD COLUMN decision_policy_version VARCHAR(32) NULL,
  ADD KEY ix_applications_claim (status, lease_until, submitted_at);

CREATE TABLE bureau_reports (
  id              CHAR(36) CHARACTER SET ascii NOT NULL PRIMARY KEY,
  id_number_hash  BINARY(32)   NOT NULL,
  application_id  CHAR(36) CHARACTER SET ascii NOT NULL,
  consent_id      CHAR(36) CHARACTER SET ascii NOT NULL,
  report_enc      VARBINARY(2048) NOT NULL,
  score           INT          NOT NULL,
  fetched_at      DATETIME(6)  NOT NULL,
  KEY ix_bureau_reports_reuse (id_number_hash, fetched_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
