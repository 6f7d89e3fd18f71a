-- Visits. Columns hold what is queried; `record` holds the whole visit as a
-- serialized olifantenpad.scheduling.v1.Visit.
CREATE TABLE visits (
  id TEXT PRIMARY KEY,                 -- server-assigned UUID (time-ordered)
  request_id TEXT UNIQUE,              -- the client's idempotency key; NULL for meetings
  handover_id TEXT UNIQUE,             -- a warm-handover meeting's handover; NULL otherwise
  kind INTEGER NOT NULL,               -- VisitKind
  location_id TEXT NOT NULL,
  group_id TEXT NOT NULL,              -- '' when none
  expert_id TEXT NOT NULL,             -- '' when none
  status INTEGER NOT NULL,             -- VisitStatus
  start_us INTEGER NOT NULL,           -- microseconds since the Unix epoch; 0 while proposed
  end_us INTEGER NOT NULL,
  school_year TEXT NOT NULL,           -- e.g. '2026-2027'
  create_time_us INTEGER NOT NULL,
  update_time_us INTEGER NOT NULL,
  content BLOB NOT NULL,               -- fingerprint of the client's content ('' for meetings)
  record BLOB NOT NULL
) STRICT;
CREATE INDEX visits_by_expert ON visits (expert_id, start_us) WHERE expert_id != '';
CREATE INDEX visits_by_location ON visits (location_id, start_us);
CREATE INDEX visits_by_group ON visits (location_id, group_id, school_year, kind);

-- Each expert's availability (weekly pattern and exceptions).
CREATE TABLE availability (
  expert_id TEXT PRIMARY KEY,
  version INTEGER NOT NULL,
  record BLOB NOT NULL                 -- serialized olifantenpad.scheduling.v1.Availability
) STRICT;

-- What was announced about a group's visit minimum in a school year.
CREATE TABLE compliance (
  location_id TEXT NOT NULL,
  group_id TEXT NOT NULL,
  school_year TEXT NOT NULL,
  state INTEGER NOT NULL,              -- 1 at risk announced, 2 restored announced
  changed_at_us INTEGER NOT NULL,
  PRIMARY KEY (location_id, group_id, school_year)
) STRICT;

-- Calendar feed tokens, hashed: one per feed, replaced on rotation.
CREATE TABLE feed_tokens (
  token_hash BLOB PRIMARY KEY,         -- records::ContentFingerprint of the token
  feed_kind TEXT NOT NULL,             -- 'expert' or 'location'
  subject_id TEXT NOT NULL,
  issued_at_us INTEGER NOT NULL,
  UNIQUE (feed_kind, subject_id)
) STRICT;

CREATE TABLE outbox (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  event_id TEXT NOT NULL UNIQUE,
  topic TEXT NOT NULL,
  occurred_at_us INTEGER NOT NULL,
  trace_id TEXT NOT NULL,
  payload BLOB NOT NULL
);
