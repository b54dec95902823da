-- Delivery policy (issue 16): per-job retry policies, the reason a run ended dead, and delayed delivery.
--
-- jobs.retry_policy: the job's policy in its normal form (see RetryPolicy+JSON); NULL means Inlet's default.
-- job_runs.dead_reason: why a dead run gave up (attempts spent, a status that is not retried, its maximum age).
-- job_runs.deliver_at: when a delayed run was asked to start; a queued run not yet started before that time is
-- reported as `scheduled`. Its run_at is the same instant, so the claim path needs nothing new.
-- event_sources.delivery_delay_ms: a delay applied to the source's events that do not ask for their own.
ALTER TABLE jobs
    ADD COLUMN retry_policy jsonb CHECK (retry_policy IS NULL OR jsonb_typeof(retry_policy) = 'object');

ALTER TABLE job_runs
    ADD COLUMN dead_reason text
        CHECK (dead_reason IN ('attempts_exhausted', 'non_retryable_status', 'max_age_exceeded')),
    ADD COLUMN deliver_at timestamptz;

ALTER TABLE event_sources
    ADD COLUMN delivery_delay_ms bigint CHECK (delivery_delay_ms BETWEEN 0 AND 2592000000);

-- Outbound secret rotation: jobs.signing_secret then seals the new secret together with the previous one (the
-- worker signs with both until the grace period ends; see SigningSecretRotation+Sealing). This column only says
-- until when, for the API and for the worker's pruning of expired previous secrets.
ALTER TABLE jobs
    ADD COLUMN previous_secret_expires_at timestamptz;
