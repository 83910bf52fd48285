-- Staff accounts: sign-in failures are counted per account and client address, so a stranger guessing from one
-- address locks that address out, not the account's owner; a token version revokes every token issued before it.

CREATE TABLE staff_sign_in_guards (
  staff_id      CHAR(36) CHARACTER SET ascii NOT NULL,
  source        VARCHAR(45) CHARACTER SET ascii NOT NULL,
  attempts      INT         NOT NULL DEFAULT 0,
  locked_until  DATETIME(6) NULL,
  PRIMARY KEY (staff_id, source),
  CONSTRAINT fk_staff_sign_in_guards_staff FOREIGN KEY (staff_id) REFERENCES staff_users (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

ALTER TABLE staff_users
  DROP COLUMN failed_logins,
  DROP COLUMN locked_until,
  ADD COLUMN token_version INT NOT NULL DEFAULT 0 AFTER disabled;
