-- Events are written to the outbox in the transaction that changes a request
-- (services/common/outbox/outbox.h), and requests are listed per location,
-- newest first, optionally by status.
CREATE TABLE outbox (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  event_id TEXT NOT NULL UNIQUE,
  topic TEXT NOT NULL,
  occurred_at_us INTEGER NOT NULL,
  trace_id TEXT NOT NULL,
  payload BLOB NOT NULL
);

CREATE INDEX requests_by_location ON requests (location_id, create_time_us DESC, id DESC);
CREATE INDEX requests_by_location_status ON requests (location_id, status, create_time_us DESC, id DESC);
