-- Borrowers who sign in through the WeChat mini-program. Personal data is stored encrypted (AES-GCM blobs that
-- carry their key id) with a keyed hash beside it for lookups; openid is WeChat's per-app pseudonym.

CREATE TABLE borrowers (
  id               CHAR(36) CHARACTER SET ascii NOT NULL PRIMARY KEY,
  wechat_openid    VARCHAR(64) CHARACTER SET ascii NOT NULL,
  wechat_unionid   VARCHAR(64) CHARACTER SET ascii NULL,
  session_key_enc  VARBINARY(255) NULL,
  phone_enc        VARBINARY(255) NULL,
  phone_hash       BINARY(32) NULL,
  created_at       DATETIME(6) NOT NULL,
  last_login_at    DATETIME(6) NOT NULL,
  UNIQUE KEY ux_borrowers_openid (wechat_openid),
  KEY ix_borrowers_unionid (wechat_unionid),
  KEY ix_borrowers_phone_hash (phone_hash)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
