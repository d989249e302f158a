-- gmo-bank-integrator on MariaDB 10.11 / MySQL 8: the database and two users, each with only what it needs
-- (checklist Sec-36). Run once as an administrator, after replacing:
--   gmo_bank_integrator          the database
--   gbi_migrate, gbi_app         the users ('%' = any host: narrow it to the integrator's network, e.g. '10.0.%')
--   CHANGE_ME_MIGRATE_PASSWORD   e.g. openssl rand -base64 24, kept in the secret store
--   CHANGE_ME_APP_PASSWORD
-- Neither user has a global privilege (nothing ON *.*), nor any right on another database.
-- test/db/leastPrivilege.test.ts runs this file, the migrations as gbi_migrate and the service as gbi_app.

CREATE DATABASE IF NOT EXISTS `gmo_bank_integrator` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- The migration user: schema changes on this database only. Used by `gmo-bank-integrator migrate`
-- (DATABASE_URL=mysql://gbi_migrate:…@db:3306/gmo_bank_integrator) before a release starts; DROP is there
-- for migrations that rebuild a table or an index, and for `migration:revert`.
CREATE USER IF NOT EXISTS 'gbi_migrate'@'%' IDENTIFIED BY 'CHANGE_ME_MIGRATE_PASSWORD';
GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, ALTER, DROP, INDEX, REFERENCES
  ON `gmo_bank_integrator`.* TO 'gbi_migrate'@'%';

-- The runtime user: rows only, on this database only (its tables: api_keys, audit_events, bank_app_registrations,
-- bank_connections, bank_tokens, bulk_transfer_items, bulk_transfers, connect_sessions, job_leases, transfers,
-- webhook_deliveries, webhook_endpoints, webhook_events, the migration table `migrations`, and any table a later
-- migration adds; a grant per table would have to follow every migration). The service runs with
-- MIGRATIONS_RUN=false and DATABASE_URL=mysql://gbi_app:…@db:3306/gmo_bank_integrator: a leaked runtime
-- password can read and change rows, but cannot drop, create or alter a table, nor touch another database.
CREATE USER IF NOT EXISTS 'gbi_app'@'%' IDENTIFIED BY 'CHANGE_ME_APP_PASSWORD';
GRANT SELECT, INSERT, UPDATE, DELETE ON `gmo_bank_integrator`.* TO 'gbi_app'@'%';

-- TLS between the service and the database (when they do not share a host or a private link): make the
-- server present a certificate (ssl_cert/ssl_key), then refuse clear-text logins for both users. The service's
-- DATABASE_URL carries no TLS options today (src/db/dataSource.ts): until it does, reach the server through a
-- TLS tunnel or sidecar on the integrator's host before turning this on, or every login is refused.
-- ALTER USER 'gbi_migrate'@'%' REQUIRE SSL;
-- ALTER USER 'gbi_app'@'%' REQUIRE SSL;
