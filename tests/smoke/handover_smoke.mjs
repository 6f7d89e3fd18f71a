// The handover as a new user meets it: the consent, scheduling and handover
// binaries on their dev configs (ports moved to 0, data in a temporary
// directory), called with @grpc/grpc-js.
//
// A VE child's form goes from draft through the parents' view to final; it
// waits for the parents' consent and is sent when it is recorded; the
// warm-handover request reaches scheduling in another process, which
// proposes a meeting; the meeting confirmed there shows on the form; the
// school's acknowledgement closes it; its PDF (read with pdftotext) shows
// every section; a bulk import of 200 forms, twice, creates them once.
//
// usage: node handover_smoke.mjs <consent binary> <scheduling binary> <handover binary>

import { join } from "node:path";
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import assert from "node:assert/strict";
import { Service, Steps, call, grpcClient, root, tempDir, waitUntil } from "./lib.mjs";

const [consentBin, schedulingBin, handoverBin] = process.argv.slice(2);
if (!consentBin || !schedulingBin || !handoverBin) {
  console.error("usage: node handover_smoke.mjs <consent binary> <scheduling binary> <handover binary>");
  process.exit(2);
}

const dataDir = tempDir();
const directory = join(root, "config/dev/directory.yaml");
const common = { OLIF_DATA_DIR: dataDir, OLIF_DIRECTORY: directory };
const consent = new Service(consentBin, join(root, "config/dev/consent.yaml"), {
  ...common, OLIF_CONSENT_GRPC: "127.0.0.1:0", OLIF_CONSENT_METRICS: "127.0.0.1:0",
  OLIF_CONSENT_BUS: "tcp://127.0.0.1:*",
});
let scheduling = null;
let handover = null;
const steps = new Steps();
const step = steps.step.bind(steps);

const day = 24 * 3600 * 1000;
const now = Date.now();
const ts = (ms) => ({ seconds: String(Math.floor(ms / 1000)), nanos: 0 });
const ymd = (ms) => new Date(ms).toISOString().slice(0, 10);
const child = "7e6d5c4b-3a29-4817-9605-f4e3d2c1b0a9";
const uuid = (n) => `0e000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
const schoolStart = now + 30 * day;
const form = (childRef, family = "Çelik-Van Dijk") => ({
  child: { childRef, givenName: "Eliëlle", familyName: family, birthDate: ymd(now - 4 * 365 * day + 40 * day), bsn: "123456782" },
  guardians: [{ name: "Łucja Çelik-Van Dijk", relation: "GUARDIAN_RELATION_PARENT", hasAuthority: true }],
  sender: { locationId: "loc-boomgaard-noord", lrkNumber: "123456789", authorId: "prof-sanne-bakker" },
  receiver: { brin: "12AB", vestiging: "00", expectedStartDate: ymd(schoolStart) },
  attendance: { groupId: "grp-egeltjes", since: "2024-09-02", halfDaysPerWeek: 4 },
  ve: { indicated: true, programmeCode: "3", months: 18 },
  development: [
    { area: "DEVELOPMENT_AREA_SOCIAL_EMOTIONAL", instrument: "INSTRUMENT_KIJK", level: "passend",
      strengths: "Troost andere kinderen.", attentionPoints: "Boos bij overgangen.", observedAt: ymd(now - 20 * day) },
    { area: "DEVELOPMENT_AREA_LANGUAGE", instrument: "INSTRUMENT_PRAVOO", level: "iets achter",
      strengths: "Begrijpt veel.", attentionPoints: "Woordenschat.", observedAt: ymd(now - 20 * day) },
  ],
  particulars: "Notenallergie.",
  approachThatWorks: "Benoemen wat ze voelt, even naar de leeshoek.",
  professionals: [{ name: "M. de Boer", role: "logopedist" }],
});
// The next weekday at least two days ahead, 14:00 UTC (15:00 or 16:00 in
// Amsterdam: the location is open).
function meetingStart() {
  const d = new Date(now + 2 * day);
  while (d.getUTCDay() === 0 || d.getUTCDay() === 6) d.setUTCDate(d.getUTCDate() + 1);
  d.setUTCHours(14, 0, 0, 0);
  return d.getTime();
}

await steps.run(8, { running: [consent, { killIfRunning: () => { scheduling?.killIfRunning(); handover?.killIfRunning(); } }], dir: dataDir }, async () => {
  const consentPorts = await consent.start();
  scheduling = new Service(schedulingBin, join(root, "config/dev/scheduling.yaml"), {
    ...common, OLIF_SCHEDULING_GRPC: "127.0.0.1:0", OLIF_SCHEDULING_METRICS: "127.0.0.1:0",
    OLIF_SCHEDULING_BUS: "tcp://127.0.0.1:*", OLIF_SCHEDULING_FEEDS: "127.0.0.1:0",
    OLIF_CONSENT_BUS_ENDPOINT: consentPorts.bus, OLIF_HANDOVER_BUS_ENDPOINT: "tcp://127.0.0.1:9",
    OLIF_SCHOOL_HOLIDAYS: join(root, "config/school_holidays.yaml"),
  });
  const schedulingPorts = await scheduling.start();
  handover = new Service(handoverBin, join(root, "config/dev/handover.yaml"), {
    ...common, OLIF_HANDOVER_GRPC: "127.0.0.1:0", OLIF_HANDOVER_METRICS: "127.0.0.1:0",
    OLIF_HANDOVER_BUS: "tcp://127.0.0.1:*", OLIF_CONSENT_BUS_ENDPOINT: consentPorts.bus,
    OLIF_SCHEDULING_BUS_ENDPOINT: schedulingPorts.bus,
    OLIF_CODE_LISTS: join(root, "config/oso_voorschools.yaml"),
  });
  const handoverPorts = await handover.start();
  // Scheduling follows handover's bus: restart it pointed at the real endpoint.
  await scheduling.stop();
  scheduling = new Service(schedulingBin, join(root, "config/dev/scheduling.yaml"), {
    ...common, OLIF_SCHEDULING_GRPC: `127.0.0.1:${schedulingPorts.grpc}`, OLIF_SCHEDULING_METRICS: "127.0.0.1:0",
    OLIF_SCHEDULING_BUS: schedulingPorts.bus, OLIF_SCHEDULING_FEEDS: "127.0.0.1:0",
    OLIF_CONSENT_BUS_ENDPOINT: consentPorts.bus, OLIF_HANDOVER_BUS_ENDPOINT: handoverPorts.bus,
    OLIF_SCHOOL_HOLIDAYS: join(root, "config/school_holidays.yaml"),
  });
  await scheduling.start();

  const consents = grpcClient("olifantenpad/consent/v1/consent.proto", "olifantenpad.consent.v1.ConsentService", consentPorts.grpc);
  const visits = grpcClient("olifantenpad/scheduling/v1/scheduling.proto", "olifantenpad.scheduling.v1.SchedulingService", schedulingPorts.grpc);
  const client = grpcClient("olifantenpad/handover/v1/handover.proto", "olifantenpad.handover.v1.HandoverService", handoverPorts.grpc);
  const get = async (id) => (await call(client, "GetHandover", { handoverId: id,
    access: { actorId: "prof-sanne-bakker", reason: "overdracht volgen" } })).form;

  let f = null;
  await step("a VE child's form goes from draft through the parents' view to final, and waits for consent", async () => {
    f = (await call(client, "CreateDraft", { requestId: uuid(1), form: form(child) })).form;
    assert.equal(f.status, "HANDOVER_STATUS_DRAFT");
    assert.equal(f.warmHandover.required, true);
    f = (await call(client, "SubmitForParentReview", { handoverId: f.id, version: f.version, by: "prof-sanne-bakker" })).form;
    f = (await call(client, "RecordParentView", { handoverId: f.id, version: f.version,
      view: { text: "Wij herkennen ons kind.", givenBy: "Łucja Çelik-Van Dijk", relation: "GUARDIAN_RELATION_PARENT" } })).form;
    assert.ok(f.parentView.seenAt);
    f = (await call(client, "Finalise", { handoverId: f.id, version: f.version, by: "prof-sanne-bakker" })).form;
    assert.equal(f.status, "HANDOVER_STATUS_AWAITING_CONSENT");
  });

  await step("the parents' consent for the school sends it", async () => {
    await call(consents, "RecordConsent", { requestId: uuid(10), consent: {
      child: { childRef: child }, childBirthDate: form(child).child.birthDate, holdersOfAuthority: 1,
      grantors: [{ name: "Łucja Çelik-Van Dijk", relation: "RELATION_PARENT", hasAuthority: true,
        authorityVerifiedHow: "uittreksel gezagsregister", signedAt: ts(now - 3600 * 1000), method: "SIGNING_METHOD_DIGITAL" }],
      purposes: ["PURPOSE_SCHOOL_HANDOVER"], recipientOrganisationIds: ["sch-de-regenboog"],
      dataCategories: ["DATA_CATEGORY_IDENTITY", "DATA_CATEGORY_OBSERVATIONS"],
      validFrom: ts(now - day), validUntil: ts(now + 200 * day), evidenceRef: "DOC-2027-000300",
      recordedBy: "prof-sanne-bakker" } });
    f = await waitUntil(async () => { const g = await get(f.id); return g.status === "HANDOVER_STATUS_SENT" ? g : null; }, "sent");
    assert.equal(f.revision, 1);
    assert.ok(f.consentId);
  });

  let meeting = null;
  await step("the warm-handover request reaches scheduling, whose proposed meeting shows on the form", async () => {
    f = await waitUntil(async () => { const g = await get(f.id); return g.warmHandover.meeting?.visitId ? g : null; }, "meeting on the form");
    meeting = (await call(visits, "GetVisit", { id: f.warmHandover.meeting.visitId })).visit;
    assert.equal(meeting.kind, "VISIT_KIND_WARM_HANDOVER_MEETING");
    assert.equal(meeting.status, "VISIT_STATUS_PROPOSED");
    assert.equal(meeting.handoverId, f.id);
  });

  await step("the meeting confirmed in scheduling shows on the form with its time", async () => {
    const start = meetingStart();
    await call(visits, "ConfirmMeeting", { id: meeting.id, version: meeting.version, start: ts(start), end: ts(start + 45 * 60 * 1000),
      participants: [
        { role: "PARTICIPANT_ROLE_PEDAGOGICAL_WORKER", professionalId: "prof-sanne-bakker" },
        { role: "PARTICIPANT_ROLE_PARENT", name: "Łucja Çelik-Van Dijk" },
        { role: "PARTICIPANT_ROLE_TEACHER", professionalId: "prof-joost-jansen" }] });
    f = await waitUntil(async () => { const g = await get(f.id); return g.warmHandover.meeting?.status === "VISIT_STATUS_BOOKED" ? g : null; }, "meeting booked");
    assert.equal(Number(f.warmHandover.meeting.start.seconds), Math.floor(start / 1000));
  });

  await step("the school's acknowledgement closes it, and the document goes only to it", async () => {
    const doc = await call(client, "GetHandoverDocument", { handoverId: f.id, access: { actorId: "school-adapter", reason: "overdracht" } });
    const bundle = JSON.parse(doc.bundleJson);
    assert.equal(bundle.type, "document");
    assert.equal(bundle.entry[0].resource.resourceType, "Composition");
    f = (await call(client, "AcknowledgeReceipt", { handoverId: f.id, revision: 1,
      school: { brin: "12AB", vestiging: "00" }, receivedBy: "Joost Jansen" })).form;
    assert.equal(f.status, "HANDOVER_STATUS_ACKNOWLEDGED");
    await assert.rejects(call(client, "AcknowledgeReceipt", { handoverId: f.id, revision: 1,
      school: { brin: "34CD", vestiging: "00" }, receivedBy: "Iemand" }), /INVALID_ARGUMENT|was not sent to/);
  });

  await step("its PDF shows every section, the names intact", async () => {
    const r = await call(client, "GetHandoverPdf", { handoverId: f.id, access: { actorId: "prof-sanne-bakker", reason: "afdrukken" } });
    const file = join(dataDir, "form.pdf");
    writeFileSync(file, r.pdf);
    const text = execFileSync("pdftotext", ["-enc", "UTF-8", file, "-"], { encoding: "utf8" }).replace(/\s+/g, " ");
    for (const expected of ["Vertrouwelijk — Eliëlle Çelik-Van Dijk", "Łucja Çelik-Van Dijk", "Kind", "Ouders en verzorgers",
      "Afzender (kinderopvang)", "Ontvanger (basisschool)", "Voorschoolse educatie (VE)", "Ontwikkeling: taalontwikkeling",
      "Bijzonderheden", "Wat werkt bij dit kind", "Betrokken professionals", "Zienswijze van de ouders",
      "Wij herkennen ons kind.", "Warme overdracht", "gepland op", "Pagina 1 van"]) {
      assert.ok(text.includes(expected), `the PDF misses ${expected}`);
    }
  });

  await step("a bulk import of 200 forms (two invalid), twice, creates them once", async () => {
    const importAll = () => new Promise((resolve, reject) => {
      const stream = client.ImportForms({ deadline: Date.now() + 60000 }, (err, res) => (err ? reject(err) : resolve(res)));
      for (let i = 0; i < 200; i++) {
        const g = form(`7e6d0000-0000-4000-8000-${String(i).padStart(12, "0")}`, `Nummer ${i}`);
        if (i % 100 === 7) g.receiver.brin = "ZZ";
        stream.write({ requestId: uuid(1000 + i), form: g });
      }
      stream.end();
    });
    const first = await importAll();
    assert.equal(first.created, 198);
    assert.equal(first.invalid, 2);
    assert.equal(first.results[7].outcome, "IMPORT_OUTCOME_INVALID");
    assert.equal(first.results[7].violations[0].field, "form.receiver.brin");
    const again = await importAll();
    assert.equal(again.alreadyImported, 198);
    assert.equal(again.created ?? 0, 0);
    const listed = await call(client, "ListHandovers", { locationId: "loc-boomgaard-noord" });
    assert.equal(listed.handovers.length, 199);
  });

  await step("every process stops cleanly on SIGTERM", async () => {
    for (const p of [handover, scheduling, consent]) assert.equal(await p.stop(), 0);
  });
});
