-- Job slots whose return is pending (issue 15: max_concurrency is never exceeded). A completion is two statements:
-- the first ends the runs durably, the second gives back their job slots in job_claim_state (committed
-- asynchronously, so claims do not wait on a disk flush). Between the two, an ended run's slot is in neither
-- place a recount could see, and a recount that lowered job_claim_state.running then let the next claim exceed the
-- limit once the second statement lowered it again.
--
-- The first statement now records each slot it ends here, atomically with the run's end; giving the slot back
-- deletes the row and lowers the count in one transaction. So a slot is always held by exactly one of: a running
-- run with holds_slot, or a row here. Whoever deletes the row (the completion's second statement, or any worker's
-- sweep after that statement failed or its worker died) lowers the count; nobody can lower it twice.
CREATE TABLE slot_returns (
    project_id  uuid NOT NULL,
    run_id      uuid NOT NULL,
    attempt     int NOT NULL,
    job_id      uuid NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (project_id, run_id, attempt)
);
