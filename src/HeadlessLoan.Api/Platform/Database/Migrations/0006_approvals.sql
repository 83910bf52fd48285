-- The approval workflow after intake hands an application to people. Policies are data: each change writes a new
-- version of the whole rule list, and an application keeps the version in force when it was submitted. Each
-- routed hand-off opens a round; each step of the round's rule creates one task per required approver.

CREATE TABLE approval_policy_versions (
  version     INT          NOT NULL PRIMARY KEY,
  note        VARCHAR(200) NOT NULL,
  created_at  DATETIME(6)  NOT NULL,
  created_by  CHAR(36) CHARACTER SET ascii NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Ordered: the first rule that matches routes. Amounts in fen; "from" inclusive, "below" exclusive; NULL = no bound.
-- steps lists "role:approvers" pairs in order, e.g. "risk_officer:1,dept_head:1".
CREATE TABLE approval_policy_rules (
  policy_version  INT          NOT NULL,
  position        INT          NOT NULL,
  product_id      CHAR(36) CHARACTER SET ascii NULL,
  amount_from     BIGINT       NULL,
  amount_below    BIGINT       NULL,
  score_from      INT          NULL,
  score_below     INT          NULL,
  steps           VARCHAR(500) CHARACTER SET ascii NOT NULL,
  PRIMARY KEY (policy_version, position),
  CONSTRAINT fk_approval_policy_rules_version FOREIGN KEY (policy_version) REFERENCES approval_policy_versions (version)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

ALTER TABLE applications
  ADD COLUMN bureau_score INT NULL,
  ADD COLUMN approval_policy_version INT NULL,
  ADD COLUMN approval_routed TINYINT(1) NOT NULL DEFAULT 0,
  ADD COLUMN approval_round INT NOT NULL DEFAULT 0,
  ADD COLUMN loan_officer_id CHAR(36) CHARACTER SET ascii NULL,
  ADD COLUMN first_submitted_at DATETIME(6) NULL,
  -- The hand-off queue: pending applications not yet routed, oldest decision first.
  ADD KEY ix_applications_approval_handoff (status, approval_routed, decided_at),
  ADD KEY ix_applications_loan_officer (loan_officer_id, created_at, id);

-- One per routed hand-off (a returned application that is resubmitted gets a new round). The primary key stops
-- two instances from routing one hand-off twice; the times give approval-time figures (submit → final decision).
CREATE TABLE approval_rounds (
  application_id   CHAR(36) CHARACTER SET ascii NOT NULL,
  round            INT          NOT NULL,
  policy_version   INT          NOT NULL,
  rule_position    INT          NOT NULL,
  steps            VARCHAR(500) CHARACTER SET ascii NOT NULL,
  amount           BIGINT       NOT NULL,
  bureau_score     INT          NULL,
  submitted_at     DATETIME(6)  NOT NULL,
  routed_at        DATETIME(6)  NOT NULL,
  decided_at       DATETIME(6)  NULL,
  outcome          VARCHAR(16)  CHARACTER SET ascii NULL,
  special          TINYINT(1)   NOT NULL DEFAULT 0,
  special_by       CHAR(36) CHARACTER SET ascii NULL,
  special_reason   VARCHAR(500) NULL,
  PRIMARY KEY (application_id, round),
  KEY ix_approval_rounds_decided (decided_at),
  CONSTRAINT fk_approval_rounds_application FOREIGN KEY (application_id) REFERENCES applications (id),
  CONSTRAINT fk_approval_rounds_policy FOREIGN KEY (policy_version) REFERENCES approval_policy_versions (version)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- status: open → claimed → approved | rejected | returned; cancelled when another task of the round ends it.
-- The unique slot stops duplicate tasks whatever happens above it.
CREATE TABLE approval_tasks (
  id              CHAR(36) CHARACTER SET ascii NOT NULL PRIMARY KEY,
  application_id  CHAR(36) CHARACTER SET ascii NOT NULL,
  round           INT          NOT NULL,
  step_no         INT          NOT NULL,
  slot            INT          NOT NULL,
  role            VARCHAR(32)  CHARACTER SET ascii NOT NULL,
  status          VARCHAR(16)  CHARACTER SET ascii NOT NULL,
  claimed_by      CHAR(36) CHARACTER SET ascii NULL,
  claimed_at      DATETIME(6)  NULL,
  decided_by      CHAR(36) CHARACTER SET ascii NULL,
  decided_at      DATETIME(6)  NULL,
  decision        VARCHAR(16)  CHARACTER SET ascii NULL,
  reason_code     VARCHAR(64)  CHARACTER SET ascii NULL,
  comment         VARCHAR(1000) NULL,
  escalated_at    DATETIME(6)  NULL,
  created_at      DATETIME(6)  NOT NULL,
  UNIQUE KEY ux_approval_tasks_slot (application_id, round, step_no, slot),
  -- A role's queue and a person's own tasks, oldest first (keyset pages on created_at, id).
  KEY ix_approval_tasks_queue (role, status, created_at, id),
  KEY ix_approval_tasks_claimed (claimed_by, created_at, id),
  -- Escalation scans open work by age; wait estimates read recent decisions.
  KEY ix_approval_tasks_open_age (status, escalated_at, created_at),
  KEY ix_approval_tasks_decided (decided_at, role),
  CONSTRAINT fk_approval_tasks_round FOREIGN KEY (application_id, round) REFERENCES approval_rounds (application_id, round)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Who a member of staff is to an applicant, maintained by admins: "self" (their own applications), family,
-- business ties. Matched by borrower account or by the ID number's keyed hash (channel applicants too).
CREATE TABLE staff_relations (
  id              CHAR(36) CHARACTER SET ascii NOT NULL PRIMARY KEY,
  staff_id        CHAR(36) CHARACTER SET ascii NOT NULL,
  kind            VARCHAR(16)  CHARACTER SET ascii NOT NULL,
  borrower_id     CHAR(36) CHARACTER SET ascii NULL,
  id_number_hash  BINARY(32)   NULL,
  note            VARCHAR(200) NULL,
  created_at      DATETIME(6)  NOT NULL,
  created_by      CHAR(36) CHARACTER SET ascii NOT NULL,
  KEY ix_staff_relations_staff (staff_id, created_at),
  CONSTRAINT fk_staff_relations_staff FOREIGN KEY (staff_id) REFERENCES staff_users (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
