-- Runs once, when the postgresql service initialises an empty data volume
-- (mounted into /docker-entrypoint-initdb.d by docker-compose.yml).
--
-- One PostgreSQL server hosts both systems, each under its own role:
--   partnerops                      the application's database (DATABASE_URL)
--   temporal, temporal_visibility   Temporal's persistence and visibility
--                                   stores, whose schemas the temporal-schema
--                                   service installs with temporal-sql-tool.
--
-- The passwords are for a local stack only. To change them, edit this file
-- and docker-compose.yml together, then recreate the volume
-- (docker compose down -v): this script does not run again on a
-- volume that already holds data.

CREATE ROLE partnerops LOGIN PASSWORD 'partnerops';
CREATE DATABASE partnerops OWNER partnerops;

CREATE ROLE temporal LOGIN PASSWORD 'temporal';
CREATE DATABASE temporal OWNER temporal;
CREATE DATABASE temporal_visibility OWNER temporal;
