-- The rules every contact with a borrower keeps (Features/Contact, docs/reminders.md): one row per borrower that
-- reminders and collectors lock before they contact them (the do-not-contact flag lives on it), and every call
-- placed to a borrower, whoever placed it, with whether it connected: the day's cap of connected calls and the voice
-- provider's limits per number are counted from it.

CREATE TABLE borrower_contact (
  borrower_id     CHAR(36)      CHARACTER SET ascii NOT NULL PRIMARY KEY,
  do_not_contact  TINYINT(1)    NOT NULL DEFAULT 0,
  reason          VARCHAR(200)  NULL,
  updated_by      CHAR(36)      CHARACTER SET ascii NULL,
  updated_at      DATETIME(6)   NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE contact_calls (
  id           CHAR(36)     CHARACTER SET ascii NOT NULL PRIMARY KEY,
  borrower_id  CHAR(36)     CHARACTER SET ascii NOT NULL,
  placed_at    DATETIME(6)  NOT NULL,
  source       VARCHAR(16)  CHARACTER SET ascii NOT NULL,
  source_id    CHAR(36)     CHARACTER SET ascii NOT NULL,
  -- NULL while the outcome is not known: it counts as connected until it is.
  connected    TINYINT(1)   NULL,
  UNIQUE KEY ux_contact_calls_source (source, source_id),
  KEY ix_contact_calls_borrower (borrower_id, placed_at),
  CONSTRAINT contact_call_source CHECK (source IN ('reminder', 'collector'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
