-- Encrypted personal data sized for the longest value each field accepts. A blob is the PersonalDataProtector envelope:
-- version (1) + key id length (1) + key id (at most 32: PersonalData:Keys ids are 1-32 ASCII characters) + nonce (12)
-- + tag (16) + the ciphertext, as long as the UTF-8 plaintext (AES-GCM), stored as bytes (no Base64 or hex). That is
-- 62 bytes + at most 4 bytes a character (3 for a CJK character, 4 outside the BMP), characters counted in code points
-- as the contract's maxLength counts them. The declared name and address are the contract's; the name on the ID card
-- is accepted only when it equals the declared name.
--
--   declared_name_enc, id_name_enc  declaredName   <= 50 characters   62 + 4 x 50  = 262 (was 255)
--   declared_address_enc            declaredAddress <= 200 characters 62 + 4 x 200 = 862 (was 600)
--
-- The other encrypted columns already hold their longest values: id_number_enc (18 ASCII: 80 bytes) and
-- card_number_enc (19 digits: 81) in 255; borrowers.phone_enc (15 digits: 77) and session_key_enc (64 ASCII: 126) in
-- 255; bureau_reports.report_enc (a report whose id is at most 64 characters: under 300) in 2048.

ALTER TABLE applications
  MODIFY COLUMN declared_name_enc     VARBINARY(262) NOT NULL,
  MODIFY COLUMN declared_address_enc  VARBINARY(862) NOT NULL,
  MODIFY COLUMN id_name_enc           VARBINARY(262) NULL;
