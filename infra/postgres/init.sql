-- Runs once, when the postgres container initialises an empty data directory.
-- The services also create the database when it is missing; this makes it exist from the start.
CREATE DATABASE aid_ledger;
