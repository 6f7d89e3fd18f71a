-- Direct-line requests. Columns hold what is queried; `record` holds the whole
-- request as a serialized olifantenpad.referrals.v1.DirectLineRequest.
CREATE TABLE requests (
  id TEXT PRIMARY KEY,                 -- server-assigned UUID
  request_id TEXT NOT NULL UNIQUE,     -- the client's idempotency key
  kind INTEGER NOT NULL,               -- RequestKind
  location_id TEXT NOT NULL,           -- requester's location
  status INTEGER NOT NULL,             -- RequestStatus
  create_time_us INTEGER NOT NULL,     -- microseconds since the Unix epoch
  update_time_us INTEGER NOT NULL,
  content BLOB NOT NULL,               -- the client's content, deterministically serialized
  record BLOB NOT NULL
) STRICT;
