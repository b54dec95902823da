-- An http job's config.headers are secrets (often Authorization: Bearer …): they leave the plain config JSON and
-- are stored sealed with AES-GCM under INLET_SECRET_KEY, with the job's id in the authenticated context. Their
-- names stay readable, since the API lists them (values are write-only).
--
-- SQL cannot seal, so this migration only adds the columns. Headers that older versions left in config are moved
-- by `inlet-server migrate` itself, right after the SQL migrations (JobHeaderSealing); until then the worker
-- still delivers them and the API shows only their names.
ALTER TABLE jobs
    ADD COLUMN header_names    text[] NOT NULL DEFAULT '{}',
    ADD COLUMN sealed_headers  bytea,
    ADD CONSTRAINT jobs_sealed_headers_with_names
        CHECK ((sealed_headers IS NULL) = (cardinality(header_names) = 0));
