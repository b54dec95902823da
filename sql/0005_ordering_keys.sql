-- Ordering per key (issue 16): runs of one job with one ordering key start one at a time, in dispatch order.
--
-- The head of a key is its one live run (queued or running) that is not blocked; every other live run of the key
-- waits with ordering_blocked and run_at = 'infinity', so the claim statement never sees it (its index range stops
-- at now()) and needs nothing new: unordered claims cost exactly what they did. The triggers below keep the rule
-- for every statement that creates runs or moves them between live and ended (dispatch, replay, completion,
-- rescue, cancel, retry), so no statement has to remember it:
-- * a run entering the live states (inserted, or a dead/cancelled run retried) is blocked when its key already has
--   a live run; it gets its place (ordering_seq) when first inserted and keeps it when retried;
-- * a head leaving the live states (succeeded, dead, cancelled) unblocks the waiting run with the smallest
--   ordering_seq; a failed attempt goes back to queued and stays the head.
-- Both take a transaction-level advisory lock on the key's hash first, so a dispatch and a completion of one key
-- are serialised, and the queries after the lock run with a fresh snapshot (plpgsql, READ COMMITTED): a run
-- inserted by a dispatch that committed while the completion waited is seen and unblocked.
ALTER TABLE events
    ADD COLUMN ordering_key text CHECK (octet_length(ordering_key) BETWEEN 1 AND 256);

ALTER TABLE subscriptions
    ADD COLUMN ordering_key_path text CHECK (octet_length(ordering_key_path) BETWEEN 1 AND 256);

ALTER TABLE job_runs
    ADD COLUMN ordering_key text CHECK (octet_length(ordering_key) BETWEEN 1 AND 256),
    ADD COLUMN ordering_seq bigint,
    ADD COLUMN ordering_blocked boolean NOT NULL DEFAULT false,
    ADD CONSTRAINT job_runs_ordering_blocked CHECK (NOT ordering_blocked OR (status = 'queued' AND ordering_key IS NOT NULL));

CREATE SEQUENCE job_runs_ordering_seq;

-- The live runs of each key, in dispatch order: whether a key has a live run, and which waiting run is next.
CREATE INDEX job_runs_ordering ON job_runs (project_id, job_id, ordering_key, ordering_seq)
    WHERE ordering_key IS NOT NULL AND status IN ('queued', 'running');

CREATE FUNCTION inlet_ordering_lock(project uuid, job uuid, key text) RETURNS void LANGUAGE sql AS $$
    SELECT pg_advisory_xact_lock(hashtextextended(project::text || '/' || job::text || '/' || key, 5))
$$;

CREATE FUNCTION inlet_ordering_enter() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM inlet_ordering_lock(NEW.project_id, NEW.job_id, NEW.ordering_key);
    IF NEW.ordering_seq IS NULL THEN
        NEW.ordering_seq := nextval('job_runs_ordering_seq');
    END IF;
    NEW.ordering_blocked := EXISTS (
        SELECT 1 FROM job_runs
        WHERE project_id = NEW.project_id AND job_id = NEW.job_id AND ordering_key = NEW.ordering_key
          AND status IN ('queued', 'running') AND id <> NEW.id);
    IF NEW.ordering_blocked THEN
        NEW.run_at := 'infinity';
    END IF;
    RETURN NEW;
END
$$;

CREATE FUNCTION inlet_ordering_leave() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.ordering_blocked THEN
        -- A waiting run ended (cancelled): the head is unchanged.
        NEW.ordering_blocked := false;
        RETURN NEW;
    END IF;
    PERFORM inlet_ordering_lock(OLD.project_id, OLD.job_id, OLD.ordering_key);
    -- The next waiting run starts. FOR UPDATE waits for a waiting run's row locked by a cancel; if the cancel
    -- commits, that row no longer matches and the one after it is taken.
    UPDATE job_runs
    SET ordering_blocked = false, run_at = greatest(now(), coalesce(deliver_at, now())), updated_at = now()
    WHERE project_id = OLD.project_id AND id = (
        SELECT id FROM job_runs
        WHERE project_id = OLD.project_id AND job_id = OLD.job_id AND ordering_key = OLD.ordering_key
          AND status = 'queued' AND ordering_blocked
        ORDER BY ordering_seq
        LIMIT 1
        FOR UPDATE);
    RETURN NEW;
END
$$;

CREATE TRIGGER job_runs_ordering_insert BEFORE INSERT ON job_runs
    FOR EACH ROW WHEN (NEW.ordering_key IS NOT NULL AND NEW.status IN ('queued', 'running'))
    EXECUTE FUNCTION inlet_ordering_enter();

CREATE TRIGGER job_runs_ordering_enter BEFORE UPDATE OF status ON job_runs
    FOR EACH ROW WHEN (NEW.ordering_key IS NOT NULL AND OLD.status NOT IN ('queued', 'running')
                       AND NEW.status IN ('queued', 'running'))
    EXECUTE FUNCTION inlet_ordering_enter();

CREATE TRIGGER job_runs_ordering_leave BEFORE UPDATE OF status ON job_runs
    FOR EACH ROW WHEN (OLD.ordering_key IS NOT NULL AND OLD.status IN ('queued', 'running')
                       AND NEW.status NOT IN ('queued', 'running'))
    EXECUTE FUNCTION inlet_ordering_leave();
