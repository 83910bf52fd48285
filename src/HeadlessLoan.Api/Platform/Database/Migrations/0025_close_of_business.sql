-- The daily close of business (Features/CloseOfBusiness, docs/close-of-business.md). The business date is kept here,
-- advanced by the COB job; each COB date has a run row (its state, what it processed, where a crashed run resumes).
-- Every loan carries the last COB date applied to it (cob_date), its days past due and risk class: a rerun of a date
-- skips the loans that date already reached, so nothing changes twice. Each loan gets one snapshot row per COB date.

CREATE TABLE business_dates (
  tenant         VARCHAR(32)  CHARACTER SET ascii NOT NULL PRIMARY KEY,
  business_date  DATE         NOT NULL,
  updated_at     DATETIME(6)  NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE cob_runs (
  cob_date         DATE          NOT NULL PRIMARY KEY,
  status           VARCHAR(16)   CHARACTER SET ascii NOT NULL,
  loans_processed  INT           NOT NULL DEFAULT 0,
  cursor_loan_id   CHAR(36)      CHARACTER SET ascii NULL,
  failures         INT           NOT NULL DEFAULT 0,
  last_error       VARCHAR(400)  NULL,
  started_at       DATETIME(6)   NOT NULL,
  finished_at      DATETIME(6)   NULL,
  CONSTRAINT cob_run_status CHECK (status IN ('running', 'completed', 'failed'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Versioned DPD floors of the five-tier classification; version 1 is the default of the 2023 rules.
CREATE TABLE risk_classification_tables (
  version     INT           NOT NULL PRIMARY KEY,
  floors      VARCHAR(200)  CHARACTER SET ascii NOT NULL,
  note        VARCHAR(200)  NOT NULL,
  created_by  CHAR(36)      CHARACTER SET ascii NULL,
  created_at  DATETIME(6)   NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

INSERT INTO risk_classification_tables (version, floors, note, created_at)
VALUES (1, 'normal:0,special_mention:1,substandard:91,doubtful:271,loss:361',
        'Default: any overdue 关注, over 90 days 次级, over 270 可疑, over 360 损失', UTC_TIMESTAMP(6));

ALTER TABLE loans
  ADD COLUMN cob_date             DATE         NULL,
  ADD COLUMN days_past_due        INT          NOT NULL DEFAULT 0,
  ADD COLUMN risk_class           VARCHAR(16)  CHARACTER SET ascii NOT NULL DEFAULT 'normal';

-- One row per loan and COB date: what the reports aggregate (overdue rate by region, by product, by class).
CREATE TABLE loan_day_snapshots (
  loan_id                CHAR(36)     CHARACTER SET ascii NOT NULL,
  cob_date               DATE         NOT NULL,
  status                 VARCHAR(24)  CHARACTER SET ascii NOT NULL,
  days_past_due          INT          NOT NULL,
  risk_class             VARCHAR(16)  CHARACTER SET ascii NOT NULL,
  principal_outstanding  BIGINT       NOT NULL,
  interest_outstanding   BIGINT       NOT NULL,
  fee_outstanding        BIGINT       NOT NULL,
  penalty_outstanding    BIGINT       NOT NULL,
  region_code            CHAR(6)      CHARACTER SET ascii NOT NULL,
  officer_id             CHAR(36)     CHARACTER SET ascii NULL,
  product_id             CHAR(36)     CHARACTER SET ascii NOT NULL,
  PRIMARY KEY (loan_id, cob_date),
  KEY ix_loan_day_snapshots_date (cob_date, risk_class)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
