-- The trace context (W3C traceparent and tracestate, as a JSON object) of
-- the request that wrote the row, so that the relay publishes the event in
-- that request's trace (internal/outbox, Add and Relay); empty for rows
-- written without one.
ALTER TABLE outbox ADD COLUMN trace_context TEXT NOT NULL DEFAULT '';
