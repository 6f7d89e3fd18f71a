-- The console's audit trail (NEN 7513): every sign-in, sign-out, action on a
-- dead letter, reveal of a masked message and consent lookup, with who, what,
-- which object, why and the outcome. Searched through the Admin service's
-- SearchAudit (olifantctl audit search, the console's audit page).
CREATE TABLE console_audit (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  at_us INTEGER NOT NULL,
  actor TEXT NOT NULL,                 -- the console user ('' before sign-in: the name tried)
  action TEXT NOT NULL,                -- sign_in | sign_out | retry | skip | edit | reveal | consent_lookup
  object_id TEXT NOT NULL,             -- e.g. youthcare_fhir/delivery/42; '' when none
  child_ref TEXT NOT NULL,             -- '' when unknown
  outcome TEXT NOT NULL,               -- OK, or the status code and message
  reason TEXT NOT NULL,                -- the reason the user gave
  trace_id TEXT NOT NULL
) STRICT;

CREATE INDEX console_audit_at ON console_audit (at_us);
CREATE INDEX console_audit_actor ON console_audit (actor, at_us);
CREATE INDEX console_audit_action ON console_audit (action, at_us);
