-- Loan applications (intake): a borrower's own, or a channel's on behalf of its customer. Personal data is stored
-- encrypted (AES-GCM blobs that carry their key id) with a keyed hash beside it where it is looked up. Document
-- images live in the blob store (encrypted too); this schema keeps only their metadata.

CREATE TABLE applications (
  id                    CHAR(36) CHARACTER SET ascii NOT NULL PRIMARY KEY,
  borrower_id           CHAR(36) CHARACTER SET ascii NULL,
  channel_id            CHAR(36) CHARACTER SET ascii NULL,
  channel_customer_ref  VARCHAR(64)   NULL,
  product_id            CHAR(36) CHARACTER SET ascii NOT NULL,
  product_version       INT           NOT NULL,
  amount                BIGINT        NOT NULL,
  term_months           INT           NOT NULL,
  method                VARCHAR(20)   CHARACTER SET ascii NOT NULL,
  purpose               VARCHAR(200)  NOT NULL,
  declared_name_enc     VARBINARY(255) NOT NULL,
  declared_name_hash    BINARY(32)    NOT NULL,
  declared_region_code  CHAR(6)       CHARACTER SET ascii NOT NULL,
  declared_address_enc  VARBINARY(600) NOT NULL,
  device_fingerprint    VARCHAR(128)  CHARACTER SET ascii NULL,
  request_ip            VARCHAR(45)   CHARACTER SET ascii NULL,
  status                VARCHAR(24)   CHARACTER SET ascii NOT NULL,
  current_step          VARCHAR(32)   CHARACTER SET ascii NOT NULL,
  id_number_enc         VARBINARY(255) NULL,
  id_number_hash        BINARY(32)    NULL,
  id_name_enc           VARBINARY(255) NULL,
  id_birth_date         DATE          NULL,
  id_valid_until        DATE          NULL,
  card_number_enc       VARBINARY(255) NULL,
  card_number_hash      BINARY(32)    NULL,
  card_bank             VARCHAR(40)   NULL,
  decision              VARCHAR(24)   CHARACTER SET ascii NULL,
  decision_reasons      JSON          NULL,
  decided_at            DATETIME(6)   NULL,
  submitted_at          DATETIME(6)   NULL,
  created_at            DATETIME(6)   NOT NULL,
  updated_at            DATETIME(6)   NOT NULL,
  -- The pipeline's queue and the staff list filtered by status and submission time.
  KEY ix_applications_status_submitted (status, submitted_at),
  -- Anti-fraud look-ups: many applicants on one device, one identity or card on many applications.
  KEY ix_applications_device (device_fingerprint, created_at),
  KEY ix_applications_id_number_hash (id_number_hash),
  KEY ix_applications_card_number_hash (card_number_hash),
  -- Keyset pages: a borrower's or a channel's own, and the staff list without filters.
  KEY ix_applications_borrower (borrower_id, created_at, id),
  KEY ix_applications_channel (channel_id, created_at, id),
  KEY ix_applications_created (created_at, id),
  KEY ix_applications_product (product_id, created_at, id),
  CONSTRAINT fk_applications_product_version FOREIGN KEY (product_id, product_version) REFERENCES product_versions (product_id, version)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Every upload, accepted or rejected (rejections count against Applications:MaxDocuments). error_codes lists
-- the stable codes of a rejection, comma-separated.
CREATE TABLE application_documents (
  id              CHAR(36) CHARACTER SET ascii NOT NULL PRIMARY KEY,
  application_id  CHAR(36) CHARACTER SET ascii NOT NULL,
  kind            VARCHAR(16)  CHARACTER SET ascii NOT NULL,
  content_type    VARCHAR(32)  CHARACTER SET ascii NOT NULL,
  size_bytes      INT          NOT NULL,
  sha256          CHAR(64)     CHARACTER SET ascii NOT NULL,
  blob_key        VARCHAR(200) CHARACTER SET ascii NOT NULL,
  status          VARCHAR(16)  CHARACTER SET ascii NOT NULL,
  error_code      VARCHAR(200) CHARACTER SET ascii NULL,
  created_at      DATETIME(6)  NOT NULL,
  KEY ix_application_documents_application (application_id, created_at),
  CONSTRAINT fk_application_documents_application FOREIGN KEY (application_id) REFERENCES applications (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Consent to query the credit bureau: who gave it, when, from where, for which text. Append-only.
CREATE TABLE application_consents (
  id               CHAR(36) CHARACTER SET ascii NOT NULL PRIMARY KEY,
  application_id   CHAR(36) CHARACTER SET ascii NOT NULL,
  purpose          VARCHAR(32)  CHARACTER SET ascii NOT NULL,
  text_version     VARCHAR(32)  NOT NULL,
  granted_by_kind  VARCHAR(16)  CHARACTER SET ascii NOT NULL,
  granted_by_id    CHAR(36)     CHARACTER SET ascii NOT NULL,
  ip               VARCHAR(45)  CHARACTER SET ascii NULL,
  user_agent       VARCHAR(300) NULL,
  granted_at       DATETIME(6)  NOT NULL,
  KEY ix_application_consents_application (application_id, purpose, granted_at),
  CONSTRAINT fk_application_consents_application FOREIGN KEY (application_id) REFERENCES applications (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
