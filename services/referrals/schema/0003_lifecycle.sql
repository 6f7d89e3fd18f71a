-- The whole direct line: named children (identity held apart), the expert a
-- request goes to, consent, response times, and the consent projection the
-- service enforces from.
ALTER TABLE requests ADD COLUMN child_ref TEXT NOT NULL DEFAULT '';
ALTER TABLE requests ADD COLUMN consent_id TEXT NOT NULL DEFAULT '';
-- First response due (microseconds since the Unix epoch); 0 while none is due.
ALTER TABLE requests ADD COLUMN due_us INTEGER NOT NULL DEFAULT 0;
-- 1 once the overdue event was published.
ALTER TABLE requests ADD COLUMN overdue INTEGER NOT NULL DEFAULT 0;
CREATE INDEX requests_by_child ON requests (child_ref, status) WHERE child_ref != '';
CREATE INDEX requests_by_consent ON requests (consent_id) WHERE consent_id != '';
CREATE INDEX requests_due ON requests (status, overdue, due_us);
CREATE INDEX requests_by_time ON requests (create_time_us);

-- A named child's identity, apart from the request; never in an event.
CREATE TABLE child_identities (
  request_id TEXT PRIMARY KEY REFERENCES requests (id),
  child_ref TEXT NOT NULL,
  identity BLOB NOT NULL               -- serialized olifantenpad.referrals.v1.ChildIdentity
) STRICT;
