-- Per-project quota on request-body bytes of dispatch and ingest (issue 14: a hostile tenant's accepted 1 MiB
-- events cost every tenant the database's time to write them; the dispatch-count quota does not bound bytes).
-- NULL takes the deployment default (4 MiB/s); counted when a request arrives, accepted or refused.
ALTER TABLE project_limits
    ADD COLUMN max_event_bytes_per_second bigint CHECK (max_event_bytes_per_second BETWEEN 1024 AND 1099511627776);

-- The byte bucket shared by every API node, like project_dispatch_budget: refilled at the quota per second, one
-- second of capacity; a request larger than the capacity may take the bucket below zero (a debt repaid by the
-- refill), so a quota below the body limit slows large events down instead of refusing them for ever.
CREATE TABLE project_byte_budget (
    project_id  uuid PRIMARY KEY REFERENCES projects (id) ON DELETE CASCADE,
    tokens      float8 NOT NULL,
    tokens_at   timestamptz NOT NULL DEFAULT now(),
    granted     bigint NOT NULL DEFAULT 0
);
