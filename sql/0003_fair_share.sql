-- Fair share (issue 15): weighted fair claiming across projects, per-job limits enforced by the claim statement,
-- a circuit breaker per job, and project quotas. See docs/decisions.md, "Fair share".

-- Per-job limits, set through the API. NULL means no limit. The runtime state that enforces them is in
-- job_claim_state.
ALTER TABLE jobs
    ADD COLUMN max_concurrency          integer CHECK (max_concurrency BETWEEN 1 AND 100000),
    ADD COLUMN rate_per_second          float8 CHECK (rate_per_second > 0 AND rate_per_second <= 100000),
    ADD COLUMN rate_burst               integer CHECK (rate_burst BETWEEN 1 AND 100000),
    ADD COLUMN breaker_threshold        integer CHECK (breaker_threshold BETWEEN 1 AND 10000),
    ADD COLUMN breaker_probe_seconds    integer NOT NULL DEFAULT 5 CHECK (breaker_probe_seconds BETWEEN 1 AND 3600),
    ADD CONSTRAINT jobs_rate_limit_whole CHECK ((rate_per_second IS NULL) = (rate_burst IS NULL));

-- Whether the run's attempt holds one of its job's max_concurrency slots (set by the claim, read when the attempt
-- ends). Only meaningful while the run is running; stale on other rows.
ALTER TABLE job_runs ADD COLUMN holds_slot boolean NOT NULL DEFAULT false;

-- Runtime state per job, updated by the claim, completion, rescue and release statements, so limits hold across
-- every worker process. One row per job, created with the job (trigger below).
CREATE TABLE job_claim_state (
    project_id            uuid NOT NULL,
    job_id                uuid NOT NULL,
    -- Runs of the job running now that hold a slot (holds_slot).
    running               integer NOT NULL DEFAULT 0 CHECK (running >= 0),
    -- Token bucket of rate_per_second / rate_burst, as of tokens_at.
    tokens                float8 NOT NULL DEFAULT 0,
    tokens_at             timestamptz NOT NULL DEFAULT now(),
    breaker_state         text NOT NULL DEFAULT 'closed' CHECK (breaker_state IN ('closed', 'open', 'half_open')),
    breaker_since         timestamptz,
    consecutive_failures  integer NOT NULL DEFAULT 0 CHECK (consecutive_failures >= 0),
    last_error            text,
    -- While open: when the next probe may start, and the interval that led to it (doubled after each failed probe).
    probe_at              timestamptz,
    probe_interval_s      integer NOT NULL DEFAULT 0,
    updated_at            timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (project_id, job_id),
    FOREIGN KEY (project_id, job_id) REFERENCES jobs (project_id, id) ON DELETE CASCADE
);
CREATE INDEX job_claim_state_open ON job_claim_state (project_id, job_id) WHERE breaker_state <> 'closed';

CREATE FUNCTION inlet_job_claim_state() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO job_claim_state (project_id, job_id, tokens) VALUES (NEW.project_id, NEW.id, coalesce(NEW.rate_burst, 0));
    RETURN NULL;
END
$$;
CREATE TRIGGER jobs_claim_state AFTER INSERT ON jobs FOR EACH ROW EXECUTE FUNCTION inlet_job_claim_state();
INSERT INTO job_claim_state (project_id, job_id) SELECT project_id, id FROM jobs;

-- Per-project weight and quotas set by an admin; NULL (or no row) means the default.
CREATE TABLE project_limits (
    project_id                    uuid PRIMARY KEY REFERENCES projects (id) ON DELETE CASCADE,
    weight                        integer CHECK (weight BETWEEN 1 AND 1000),
    max_jobs                      integer CHECK (max_jobs BETWEEN 0 AND 10000000),
    max_subscriptions_per_source  integer CHECK (max_subscriptions_per_source BETWEEN 0 AND 10000000),
    max_runs_per_event            integer CHECK (max_runs_per_event BETWEEN 1 AND 10000000),
    max_dispatches_per_second     integer CHECK (max_dispatches_per_second BETWEEN 1 AND 10000000),
    updated_at                    timestamptz NOT NULL DEFAULT now()
);

-- Stride scheduling: a project's virtual time, advanced by 1/weight per claimed run.
CREATE TABLE project_schedule (
    project_id  uuid PRIMARY KEY REFERENCES projects (id) ON DELETE CASCADE,
    pass        float8 NOT NULL DEFAULT 0,
    last_delta  float8 NOT NULL DEFAULT 0
);

-- The dispatch rate quota's token bucket, shared by every API node (each takes slices of it).
CREATE TABLE project_dispatch_budget (
    project_id  uuid PRIMARY KEY REFERENCES projects (id) ON DELETE CASCADE,
    tokens      float8 NOT NULL,
    tokens_at   timestamptz NOT NULL DEFAULT now(),
    granted     integer NOT NULL DEFAULT 0
);

-- The claim walks (project, job) pairs with queued runs (a loose index scan), then takes each pair's oldest.
CREATE INDEX job_runs_fair ON job_runs (project_id, job_id, run_at, id) WHERE status = 'queued';
DROP INDEX job_runs_claim;
