-- A COB date's loans are closed in slices worked at once (CloseOfBusiness:Workers): each slice a range of loan ids
-- with its own cursor, moved in each of its batches' transactions, so a crashed run resumes every slice after its
-- last batch that committed. The slices are cut once, when a run first needs them, under the run's row lock.
CREATE TABLE cob_run_slices (
  cob_date         DATE      NOT NULL,
  slice            INT       NOT NULL,
  last_loan_id     CHAR(36)  CHARACTER SET ascii NULL,
  cursor_loan_id   CHAR(36)  CHARACTER SET ascii NULL,
  loans_processed  INT       NOT NULL DEFAULT 0,
  batches          INT       NOT NULL DEFAULT 0,
  done             BOOLEAN   NOT NULL DEFAULT FALSE,
  PRIMARY KEY (cob_date, slice),
  CONSTRAINT fk_cob_run_slices_run FOREIGN KEY (cob_date) REFERENCES cob_runs (cob_date)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
