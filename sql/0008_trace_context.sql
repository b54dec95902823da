-- The W3C trace context (issue 18): the traceparent of the dispatch that stored an event and its runs, so that the
-- worker's spans and the delivery's traceparent header continue the producer's trace. NULL when there was none.
ALTER TABLE events ADD COLUMN traceparent text CHECK (length(traceparent) <= 256);
ALTER TABLE job_runs ADD COLUMN traceparent text CHECK (length(traceparent) <= 256);
