-- Staging for `cortege import-members`: valid rows of the member file are
-- COPYed here (one import_id per run), then merged into people in one
-- statement. Unlogged: it holds nothing that must survive a crash.
CREATE UNLOGGED TABLE import_staging (
    import_id uuid NOT NULL,
    line bigint NOT NULL,
    email text NOT NULL,
    first_name text NOT NULL,
    last_name text NOT NULL,
    postcode text,
    phone text,
    tags text            -- '|'-separated
);
CREATE INDEX import_staging_idx ON import_staging (import_id, email, line);
