-- Manual risk classes (Features/CloseOfBusiness, docs/close-of-business.md): asked for by one member of staff, approved
-- by another; standing_loan holds the loan while the override stands (one per loan), pending_loan while it waits for
-- approval (one per loan). The close of business classifies a loan with a standing override as the override says.

CREATE TABLE risk_class_overrides (
  id             CHAR(36)      CHARACTER SET ascii NOT NULL PRIMARY KEY,
  loan_id        CHAR(36)      CHARACTER SET ascii NOT NULL,
  risk_class     VARCHAR(16)   CHARACTER SET ascii NOT NULL,
  reason         VARCHAR(400)  NOT NULL,
  status         VARCHAR(20)   CHARACTER SET ascii NOT NULL,
  requested_by   CHAR(36)      CHARACTER SET ascii NOT NULL,
  requested_at   DATETIME(6)   NOT NULL,
  decided_by     CHAR(36)      CHARACTER SET ascii NULL,
  decided_at     DATETIME(6)   NULL,
  pending_loan   CHAR(36)      CHARACTER SET ascii NULL,
  standing_loan  CHAR(36)      CHARACTER SET ascii NULL,
  UNIQUE KEY ux_risk_class_overrides_pending (pending_loan),
  UNIQUE KEY ux_risk_class_overrides_standing (standing_loan),
  KEY ix_risk_class_overrides_loan (loan_id, requested_at),
  CONSTRAINT risk_class_override_status CHECK (status IN ('awaiting_approval', 'standing', 'rejected', 'withdrawn'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
