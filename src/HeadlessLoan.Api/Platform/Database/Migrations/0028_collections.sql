-- Collections (Features/Collections, docs/collections.md): collectors and the regions they work, work orders (at most
-- one open per loan, by the open_loan key), the contact attempts collectors log and the promises to pay they
-- record. collection_runs marks the business dates whose daily pass (open, reprioritise, assign, check promises,
-- close) is done.

CREATE TABLE collectors (
  staff_id          CHAR(36)      CHARACTER SET ascii NOT NULL PRIMARY KEY,
  regions           VARCHAR(400)  CHARACTER SET ascii NOT NULL,
  active            TINYINT(1)    NOT NULL,
  last_assigned_at  DATETIME(6)   NULL,
  updated_by        CHAR(36)      CHARACTER SET ascii NULL,
  updated_at        DATETIME(6)   NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE collection_work_orders (
  id              CHAR(36)     CHARACTER SET ascii NOT NULL PRIMARY KEY,
  loan_id         CHAR(36)     CHARACTER SET ascii NOT NULL,
  borrower_id     CHAR(36)     CHARACTER SET ascii NOT NULL,
  region_code     CHAR(6)      CHARACTER SET ascii NOT NULL,
  status          VARCHAR(16)  CHARACTER SET ascii NOT NULL,
  reason          VARCHAR(16)  CHARACTER SET ascii NOT NULL,
  priority        INT          NOT NULL,
  days_past_due   INT          NOT NULL,
  overdue_amount  BIGINT       NOT NULL,
  assigned_to     CHAR(36)     CHARACTER SET ascii NULL,
  opened_on       DATE         NOT NULL,
  closed_at       DATETIME(6)  NULL,
  close_reason    VARCHAR(32)  CHARACTER SET ascii NULL,
  created_by      CHAR(36)     CHARACTER SET ascii NULL,
  created_at      DATETIME(6)  NOT NULL,
  updated_at      DATETIME(6)  NOT NULL,
  -- The loan while the order is not closed, NULL once it is: the unique key keeps one open order per loan.
  open_loan       CHAR(36)     CHARACTER SET ascii NULL,
  UNIQUE KEY ux_collection_work_orders_open_loan (open_loan),
  KEY ix_collection_work_orders_assignee (assigned_to, status, priority),
  KEY ix_collection_work_orders_status (status, priority),
  KEY ix_collection_work_orders_loan (loan_id, created_at),
  CONSTRAINT collection_work_order_status CHECK (status IN ('open', 'promised', 'closed')),
  CONSTRAINT collection_work_order_reason CHECK (reason IN ('overdue', 'manual'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE collection_contacts (
  id             CHAR(36)      CHARACTER SET ascii NOT NULL PRIMARY KEY,
  work_order_id  CHAR(36)      CHARACTER SET ascii NOT NULL,
  collector_id   CHAR(36)      CHARACTER SET ascii NOT NULL,
  channel        VARCHAR(16)   CHARACTER SET ascii NOT NULL,
  result         VARCHAR(16)   CHARACTER SET ascii NOT NULL,
  note           VARCHAR(500)  NULL,
  contacted_at   DATETIME(6)   NOT NULL,
  KEY ix_collection_contacts_order (work_order_id, contacted_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE collection_promises (
  id             CHAR(36)     CHARACTER SET ascii NOT NULL PRIMARY KEY,
  work_order_id  CHAR(36)     CHARACTER SET ascii NOT NULL,
  amount         BIGINT       NOT NULL,
  promised_on    DATE         NOT NULL,
  -- What the loan had been paid in all when the promise was made: a promise is kept when that grows by its amount.
  paid_before    BIGINT       NOT NULL,
  status         VARCHAR(16)  CHARACTER SET ascii NOT NULL,
  created_by     CHAR(36)     CHARACTER SET ascii NOT NULL,
  created_at     DATETIME(6)  NOT NULL,
  settled_at     DATETIME(6)  NULL,
  KEY ix_collection_promises_due (status, promised_on),
  KEY ix_collection_promises_order (work_order_id, created_at),
  CONSTRAINT collection_promise_status CHECK (status IN ('open', 'kept', 'broken')),
  CONSTRAINT collection_promise_amount CHECK (amount > 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE collection_runs (
  business_date  DATE         NOT NULL PRIMARY KEY,
  opened         INT          NOT NULL,
  assigned       INT          NOT NULL,
  finished_at    DATETIME(6)  NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
