#!/bin/bash
# Sourced once by the mariadb image's entrypoint when the data volume is first initialised. Two accounts:
# the migrator (DDL, and GRANT OPTION to grant the service its privileges) and the service itself, with no
# privileges here: the migrations grant them table by table, so the audit trail stays append-only. Never give
# the service a database-wide grant (MARIADB_USER would get one): MariaDB cannot take a table privilege back from it.
docker_process_sql --database=mysql <<SQL
CREATE USER IF NOT EXISTS '${HL_MIGRATOR_USER}'@'%' IDENTIFIED BY '${HL_MIGRATOR_PASSWORD}';
GRANT ALL PRIVILEGES ON \`${MARIADB_DATABASE}\`.* TO '${HL_MIGRATOR_USER}'@'%' WITH GRANT OPTION;
CREATE USER IF NOT EXISTS '${HL_APP_USER}'@'%' IDENTIFIED BY '${HL_APP_PASSWORD}';
SQL
