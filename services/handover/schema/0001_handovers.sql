-- The handover service's store: the forms, the audit trail and the outbox.
-- The consent projection's table is created by ConsentProjection::CreateTables.

-- One row per form. The record is the whole serialized form
-- (olifantenpad.handover.v1.HandoverForm); the columns are what the service
-- looks forms up by. After the retention purge the record keeps only what went
-- to whom and when.
CREATE TABLE handovers (
  id TEXT PRIMARY KEY,
  request_id TEXT UNIQUE,              -- the CreateDraft / ImportForms request id
  content BLOB NOT NULL,               -- fingerprint of the client's content (idempotency)
  child_ref TEXT NOT NULL,
  location_id TEXT NOT NULL,
  school_key TEXT NOT NULL,            -- BRIN/vestiging
  status INTEGER NOT NULL,             -- olifantenpad.handover.v1.HandoverStatus
  consent_id TEXT NOT NULL,            -- '' until sent
  finalise_us INTEGER NOT NULL,        -- 0 until finalised
  retain_from_us INTEGER NOT NULL,     -- the retention clock: receipt, withdrawal or lapse; 0 before
  purged INTEGER NOT NULL,             -- 1 once the retention purge ran
  update_us INTEGER NOT NULL,
  record BLOB NOT NULL
) STRICT;
CREATE INDEX handovers_awaiting ON handovers (child_ref) WHERE status = 3;
CREATE INDEX handovers_lapse ON handovers (finalise_us) WHERE status = 3;
CREATE INDEX handovers_by_consent ON handovers (consent_id) WHERE consent_id != '';
CREATE INDEX handovers_retention ON handovers (retain_from_us) WHERE purged = 0 AND retain_from_us > 0;
CREATE INDEX handovers_by_location ON handovers (location_id, update_us);
CREATE INDEX handovers_by_school ON handovers (school_key, update_us);

-- Every read and write of a child's form (NEN 7513).
CREATE TABLE handover_audit (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  at_us INTEGER NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  handover_id TEXT NOT NULL,
  child_ref TEXT NOT NULL,
  outcome TEXT NOT NULL,
  reason TEXT NOT NULL,
  trace_id TEXT NOT NULL
) STRICT;
CREATE INDEX handover_audit_by_form ON handover_audit (handover_id, seq);

CREATE TABLE outbox (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  event_id TEXT NOT NULL UNIQUE,
  topic TEXT NOT NULL,
  occurred_at_us INTEGER NOT NULL,
  trace_id TEXT NOT NULL,
  payload BLOB NOT NULL
);
