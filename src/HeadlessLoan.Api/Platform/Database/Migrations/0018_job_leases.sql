-- Jobs that exactly one instance runs at a time (Platform/Jobs): a row per job, held by the instance whose lease has
-- not run out. An instance takes the row when it is free or its holder's lease has passed (a crashed holder), and
-- renews it while it works.

CREATE TABLE job_leases (
  job          VARCHAR(64)  CHARACTER SET ascii NOT NULL PRIMARY KEY,
  owner        CHAR(36)     CHARACTER SET ascii NOT NULL,
  lease_until  DATETIME(6)  NOT NULL,
  taken_at     DATETIME(6)  NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
