// Try the handover on a running hub (`make run`): a childcare location fills
// in the handover form of a child with a VE-indicatie, puts it before the
// parents, records their view and finalises it; it waits for the parents'
// school_handover consent, which is recorded next, and goes to the school; the
// warm-handover meeting scheduling proposes shows on the form, is confirmed
// in scheduling and shows again with its time; the school acknowledges
// receipt; the PDF is written to a file.
//
// usage: node tools/demo/try-handover.mjs [pdf file]   (with `make run` in another terminal)
// Ports are the dev defaults; OLIF_CONSENT_GRPC, OLIF_SCHEDULING_GRPC and
// OLIF_HANDOVER_GRPC move them.

import { randomUUID } from "node:crypto";
import { writeFileSync } from "node:fs";
import { call, grpcClient, waitUntil } from "../../tests/smoke/lib.mjs";

const port = (name, fallback) => Number((process.env[name] ?? fallback).split(":")[1]);
const consents = grpcClient("olifantenpad/consent/v1/consent.proto", "olifantenpad.consent.v1.ConsentService",
  port("OLIF_CONSENT_GRPC", "127.0.0.1:7411"));
const scheduling = grpcClient("olifantenpad/scheduling/v1/scheduling.proto",
  "olifantenpad.scheduling.v1.SchedulingService", port("OLIF_SCHEDULING_GRPC", "127.0.0.1:7441"));
const handover = grpcClient("olifantenpad/handover/v1/handover.proto", "olifantenpad.handover.v1.HandoverService",
  port("OLIF_HANDOVER_GRPC", "127.0.0.1:7451"));
const pdfFile = process.argv[2] ?? "handover-example.pdf";

const day = 86400000;
const now = Date.now();
const ts = (ms) => ({ seconds: String(Math.floor(ms / 1000)) });
const ymd = (ms) => new Date(ms).toISOString().slice(0, 10);
const child = randomUUID();
const access = { actorId: "prof-sanne-bakker", reason: "overdracht naar de basisschool" };
const get = async (id) => (await call(handover, "GetHandover", { handoverId: id, access })).form;
const show = (f) => console.log(`handover ${f.id}: ${f.status} (version ${f.version}, revision ${f.revision ?? 0})`);

// The next weekday at least two days ahead, 14:00 UTC (15:00 or 16:00 in
// Amsterdam, within the location's opening hours).
function meetingStart() {
  const d = new Date(now + 2 * day);
  while (d.getUTCDay() === 0 || d.getUTCDay() === 6) d.setUTCDate(d.getUTCDate() + 1);
  d.setUTCHours(14, 0, 0, 0);
  return d.getTime();
}

try {
  let f = (await call(handover, "CreateDraft", { requestId: randomUUID(), form: {
    child: { childRef: child, givenName: "Eliëlle", familyName: "Çelik-Van Dijk", birthDate: ymd(now - 4 * 365 * day + 60 * day) },
    guardians: [{ name: "Łucja Çelik-Van Dijk", relation: "GUARDIAN_RELATION_PARENT", hasAuthority: true }],
    sender: { locationId: "loc-boomgaard-noord", lrkNumber: "123456789", authorId: "prof-sanne-bakker" },
    receiver: { brin: "12AB", vestiging: "00", expectedStartDate: ymd(now + 42 * day) },
    attendance: { groupId: "grp-egeltjes", since: "2024-09-02", halfDaysPerWeek: 4 },
    ve: { indicated: true, programmeCode: "3", months: 18 },
    development: [
      { area: "DEVELOPMENT_AREA_SOCIAL_EMOTIONAL", instrument: "INSTRUMENT_KIJK", level: "passend bij de leeftijd",
        strengths: "Troost andere kinderen.", attentionPoints: "Boos bij overgangen.", observedAt: ymd(now - 14 * day) },
      { area: "DEVELOPMENT_AREA_LANGUAGE", instrument: "INSTRUMENT_KIJK", level: "iets achter",
        strengths: "Begrijpt veel.", attentionPoints: "Woordenschat Nederlands.", observedAt: ymd(now - 14 * day) }],
    approachThatWorks: "Benoemen wat ze voelt, even samen naar de leeshoek, dan terug naar de groep.",
  } })).form;
  show(f);
  f = (await call(handover, "SubmitForParentReview", { handoverId: f.id, version: f.version, by: "prof-sanne-bakker" })).form;
  f = (await call(handover, "RecordParentView", { handoverId: f.id, version: f.version, view: {
    text: "Wij herkennen ons kind hierin.", givenBy: "Łucja Çelik-Van Dijk", relation: "GUARDIAN_RELATION_PARENT" } })).form;
  console.log("the parents read it and added their view");
  f = (await call(handover, "Finalise", { handoverId: f.id, version: f.version, by: "prof-sanne-bakker" })).form;
  show(f);

  await call(consents, "RecordConsent", { requestId: randomUUID(), consent: {
    child: { childRef: child }, childBirthDate: f.child.birthDate, holdersOfAuthority: 1,
    grantors: [{ name: "Łucja Çelik-Van Dijk", relation: "RELATION_PARENT", hasAuthority: true,
      authorityVerifiedHow: "uittreksel gezagsregister", signedAt: ts(now - 3600000), method: "SIGNING_METHOD_DIGITAL" }],
    purposes: ["PURPOSE_SCHOOL_HANDOVER"], recipientOrganisationIds: ["sch-de-regenboog"],
    dataCategories: ["DATA_CATEGORY_IDENTITY", "DATA_CATEGORY_OBSERVATIONS"],
    validFrom: ts(now - day), validUntil: ts(now + 180 * day), evidenceRef: "DOC-DEMO-HANDOVER",
    recordedBy: "prof-sanne-bakker" } });
  console.log("the parents' consent for Basisschool De Regenboog is recorded");
  f = await waitUntil(async () => { const g = await get(f.id); return g.status === "HANDOVER_STATUS_SENT" ? g : null; }, "sent");
  show(f);

  f = await waitUntil(async () => { const g = await get(f.id); return g.warmHandover?.meeting?.visitId ? g : null; }, "meeting proposed");
  const meeting = (await call(scheduling, "GetVisit", { id: f.warmHandover.meeting.visitId })).visit;
  console.log(`scheduling proposed warm-handover meeting ${meeting.id} (${meeting.status})`);
  const start = meetingStart();
  await call(scheduling, "ConfirmMeeting", { id: meeting.id, version: meeting.version, start: ts(start), end: ts(start + 45 * 60000),
    participants: [{ role: "PARTICIPANT_ROLE_PEDAGOGICAL_WORKER", professionalId: "prof-sanne-bakker" },
      { role: "PARTICIPANT_ROLE_PARENT", name: "Łucja Çelik-Van Dijk" },
      { role: "PARTICIPANT_ROLE_TEACHER", professionalId: "prof-joost-jansen" }] });
  f = await waitUntil(async () => { const g = await get(f.id); return g.warmHandover.meeting.status === "VISIT_STATUS_BOOKED" ? g : null; }, "meeting booked");
  console.log(`the form shows the meeting on ${new Date(Number(f.warmHandover.meeting.start.seconds) * 1000).toISOString()}`);

  f = (await call(handover, "AcknowledgeReceipt", { handoverId: f.id, revision: f.revision,
    school: { brin: "12AB", vestiging: "00" }, receivedBy: "Joost Jansen" })).form;
  show(f);
  const { pdf } = await call(handover, "GetHandoverPdf", { handoverId: f.id, access });
  writeFileSync(pdfFile, pdf);
  console.log(`the PDF (${Math.round(pdf.length / 1024)} KB) is in ${pdfFile}; pdftotext ${pdfFile} - shows its text`);
  process.exit(0);
} catch (e) {
  console.error(`handover demo failed: ${e.details ?? e.message}`);
  process.exit(1);
}
