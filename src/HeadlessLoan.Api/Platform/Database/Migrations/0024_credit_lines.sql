-- Credit lines (Features/CreditLines). The rules are versioned (a change is a new version, the old ones kept, so
-- every move of a line says which rules made it); version 1 is the default. A borrower's line is set when the first
-- approved offer of theirs is accepted, and every move is a row of credit_line_changes with its reason, besides the
-- audit record.

CREATE TABLE credit_line_rules (
  version             INT            NOT NULL PRIMARY KEY,
  initial_factor      DECIMAL(6,3)   NOT NULL,
  raise_after_on_time INT            NOT NULL,
  raise_share         DECIMAL(6,4)   NOT NULL,
  cut_share           DECIMAL(6,4)   NOT NULL,
  max_limit           BIGINT         NOT NULL,
  round_to            BIGINT         NOT NULL,
  note                VARCHAR(200)   NOT NULL,
  created_by          CHAR(36)       CHARACTER SET ascii NULL,
  created_at          DATETIME(6)    NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

INSERT INTO credit_line_rules (version, initial_factor, raise_after_on_time, raise_share, cut_share, max_limit, round_to, note, created_at)
VALUES (1, 1.000, 3, 0.2000, 0.5000, 5000000, 10000, 'Default: the first approved amount; +20 % after 3 on-time repayments; halved on overdue; at most 50,000 yuan', UTC_TIMESTAMP(6));

CREATE TABLE credit_lines (
  borrower_id     CHAR(36)  CHARACTER SET ascii NOT NULL PRIMARY KEY,
  credit_limit    BIGINT    NOT NULL,
  on_time_streak  INT       NOT NULL DEFAULT 0,
  rules_version   INT       NOT NULL,
  created_at      DATETIME(6) NOT NULL,
  updated_at      DATETIME(6) NOT NULL,
  CONSTRAINT credit_line_limit CHECK (credit_limit >= 0 AND on_time_streak >= 0),
  CONSTRAINT fk_credit_lines_borrower FOREIGN KEY (borrower_id) REFERENCES borrowers (id),
  CONSTRAINT fk_credit_lines_rules FOREIGN KEY (rules_version) REFERENCES credit_line_rules (version)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE credit_line_changes (
  id             CHAR(36)     CHARACTER SET ascii NOT NULL PRIMARY KEY,
  borrower_id    CHAR(36)     CHARACTER SET ascii NOT NULL,
  from_limit     BIGINT       NULL,
  to_limit       BIGINT       NOT NULL,
  reason         VARCHAR(40)  CHARACTER SET ascii NOT NULL,
  rules_version  INT          NOT NULL,
  loan_id        CHAR(36)     CHARACTER SET ascii NULL,
  changed_at     DATETIME(6)  NOT NULL,
  KEY ix_credit_line_changes_borrower (borrower_id, changed_at),
  CONSTRAINT fk_credit_line_changes_line FOREIGN KEY (borrower_id) REFERENCES credit_lines (borrower_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
