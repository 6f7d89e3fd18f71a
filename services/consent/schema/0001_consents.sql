-- Consents. Columns hold what is queried; `record` holds the whole consent as
-- a serialized olifantenpad.consent.v1.Consent (grantors' names included: they
-- stay in this database and never travel in an event).
CREATE TABLE consents (
  id TEXT PRIMARY KEY,                 -- server-assigned UUID
  request_id TEXT NOT NULL UNIQUE,     -- the client's idempotency key
  child_ref TEXT NOT NULL,
  status INTEGER NOT NULL,             -- ConsentStatus
  valid_until_us INTEGER NOT NULL,     -- microseconds since the Unix epoch
  create_time_us INTEGER NOT NULL,
  update_time_us INTEGER NOT NULL,
  content BLOB NOT NULL,               -- the client's content, deterministically serialized
  record BLOB NOT NULL
) STRICT;
CREATE INDEX consents_by_child ON consents (child_ref, create_time_us DESC, id DESC);
CREATE INDEX consents_due ON consents (status, valid_until_us);

-- The recipients of each consent, for listing by recipient.
CREATE TABLE consent_recipients (
  consent_id TEXT NOT NULL REFERENCES consents (id),
  organisation_id TEXT NOT NULL,
  PRIMARY KEY (consent_id, organisation_id)
) STRICT;
CREATE INDEX consent_recipients_by_organisation ON consent_recipients (organisation_id);

-- Every read and write of a consent: who, what, when, why and how it ended.
-- Append-only; the NEN 7513 access log of the security work adopts these rows.
CREATE TABLE consent_audit (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  at_us INTEGER NOT NULL,
  actor TEXT NOT NULL,                 -- AccessContext.actor_id, or "unidentified"
  action TEXT NOT NULL,                -- record | get | list | withdraw | check | expire
  consent_id TEXT NOT NULL,            -- '' when the call named none (list, check, refused)
  child_ref TEXT NOT NULL,             -- '' when unknown
  outcome TEXT NOT NULL,               -- OK, or the status code and message
  reason TEXT NOT NULL,                -- AccessContext.reason
  trace_id TEXT NOT NULL
) STRICT;

-- Events are written in the transaction that changes a consent
-- (services/common/outbox/outbox.h).
CREATE TABLE outbox (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  event_id TEXT NOT NULL UNIQUE,
  topic TEXT NOT NULL,
  occurred_at_us INTEGER NOT NULL,
  trace_id TEXT NOT NULL,
  payload BLOB NOT NULL
);
