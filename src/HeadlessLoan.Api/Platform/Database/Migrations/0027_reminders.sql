-- Reminders (Features/Reminders, docs/reminders.md). Policies (the ladder of tiers) and templates are data, versioned;
-- the latest version is in force. Each reminder is a row keyed by (loan, period, tier, channel), written before it is
-- sent (the intent), so two planners, two senders, retries and a crash between sending and recording never send one
-- twice. reminder_plans marks the business dates already planned.

CREATE TABLE reminder_policies (
  scope       VARCHAR(36)    CHARACTER SET ascii NOT NULL,
  version     INT            NOT NULL,
  tiers       VARCHAR(4000)  NOT NULL,
  late_days   INT            NOT NULL,
  created_by  CHAR(36)       CHARACTER SET ascii NULL,
  created_at  DATETIME(6)    NOT NULL,
  PRIMARY KEY (scope, version)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

INSERT INTO reminder_policies (scope, version, tiers, late_days, created_at) VALUES ('default', 1,
  '[{"offsetDays":-3,"channels":["wechat_subscribe","sms"],"templateKey":"before_due"},{"offsetDays":-1,"channels":["wechat_subscribe","sms"],"templateKey":"before_due"},{"offsetDays":1,"channels":["wechat_subscribe","sms"],"templateKey":"overdue"},{"offsetDays":3,"channels":["voice"],"templateKey":"overdue_call"}]',
  2, UTC_TIMESTAMP(6));

CREATE TABLE reminder_templates (
  template_key       VARCHAR(40)    CHARACTER SET ascii NOT NULL,
  channel            VARCHAR(20)    CHARACTER SET ascii NOT NULL,
  version            INT            NOT NULL,
  provider_template  VARCHAR(64)    NOT NULL,
  page               VARCHAR(200)   NULL,
  fields             VARCHAR(4000)  NOT NULL,
  created_by         CHAR(36)       CHARACTER SET ascii NULL,
  created_at         DATETIME(6)    NOT NULL,
  PRIMARY KEY (template_key, channel, version)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Version 1 of each: the wording to start from, with the sandbox's template ids and codes; a lender saves its own
-- (the ids its WeChat mini-program and SMS/voice accounts were given) as version 2 before going live.
INSERT INTO reminder_templates (template_key, channel, version, provider_template, page, fields, created_at) VALUES
  ('before_due', 'wechat_subscribe', 1, 'sandbox-before-due', 'pages/repay/index?loanId={loanId}',
   '{"thing1":"您的借款即将到期","amount2":"{amount}","date3":"{dueDate}","thing4":"请在到期日前还款，避免逾期"}', UTC_TIMESTAMP(6)),
  ('before_due', 'sms', 1, 'SMS_480000001', NULL, '{"name":"{name}","amount":"{amount}","date":"{dueDate}"}', UTC_TIMESTAMP(6)),
  ('overdue', 'wechat_subscribe', 1, 'sandbox-overdue', 'pages/repay/index?loanId={loanId}',
   '{"thing1":"您的借款已逾期","amount2":"{amount}","date3":"{dueDate}","number4":"{daysOverdue}"}', UTC_TIMESTAMP(6)),
  ('overdue', 'sms', 1, 'SMS_480000002', NULL, '{"name":"{name}","amount":"{amount}","days":"{daysOverdue}"}', UTC_TIMESTAMP(6)),
  ('overdue_call', 'voice', 1, 'TTS_480000003', NULL, '{"name":"{name}","amount":"{amount}","days":"{daysOverdue}"}', UTC_TIMESTAMP(6));

CREATE TABLE reminders (
  id                CHAR(36)      CHARACTER SET ascii NOT NULL PRIMARY KEY,
  loan_id           CHAR(36)      CHARACTER SET ascii NOT NULL,
  period            INT           NOT NULL,
  tier              VARCHAR(8)    CHARACTER SET ascii NOT NULL,
  channel           VARCHAR(20)   CHARACTER SET ascii NOT NULL,
  borrower_id       CHAR(36)      CHARACTER SET ascii NULL,
  template_key      VARCHAR(40)   CHARACTER SET ascii NOT NULL,
  template_version  INT           NULL,
  planned_on        DATE          NOT NULL,
  status            VARCHAR(16)   CHARACTER SET ascii NOT NULL,
  not_before        DATETIME(6)   NOT NULL,
  attempts          INT           NOT NULL DEFAULT 0,
  provider_ref      VARCHAR(64)   CHARACTER SET ascii NULL,
  outcome           VARCHAR(64)   NULL,
  sent_at           DATETIME(6)   NULL,
  checked_at        DATETIME(6)   NULL,
  finished_at       DATETIME(6)   NULL,
  created_at        DATETIME(6)   NOT NULL,
  updated_at        DATETIME(6)   NOT NULL,
  -- At most one reminder per loan, period, tier and channel: the planner's INSERT IGNORE and a fallback meet it.
  UNIQUE KEY ux_reminders_once (loan_id, period, tier, channel),
  -- The sender's queue, and the receipts still to fetch.
  KEY ix_reminders_queue (status, not_before),
  CONSTRAINT reminder_status CHECK (status IN ('pending', 'sending', 'sent', 'delivered', 'failed', 'skipped', 'in_doubt'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE reminder_plans (
  business_date  DATE         NOT NULL PRIMARY KEY,
  reminders      INT          NOT NULL,
  planned_at     DATETIME(6)  NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
