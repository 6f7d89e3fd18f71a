// The childcare adapter end to end, with real processes: consent, referrals,
// scheduling, handover, the fake FHIR server, the youth-care FHIR adapter and
// the childcare adapter on their dev configs (ports moved to 0, data in a
// temporary directory). A chain's IT does what it can: drop files, post
// documents, read its outbox.
//
// - De Boomgaard's example roster and consent forms (README) are dropped; a
//   JSON direct-line question about a named child follows and becomes a
//   ServiceRequest with the child's Patient on the provider's FHIR server —
//   the consent from the CSV and the question from the JSON met under the
//   same pseudonym;
// - the provider accepting the Task comes back to the chain's outbox under
//   the chain's own question id;
// - a file with bad rows: its good rows are taken, its report is the one
//   expected beside it in the corpus;
// - a handover form for a VE child is finalised and reaches the fake school
//   system through the school adapter as a document Bundle with its PDF (the
//   consent from the CSV allows it), a warm-handover meeting is proposed, and
//   the school's acknowledgement (posted by the school system to the school
//   adapter's webhook) comes back to the chain's outbox; the meeting, once
//   confirmed, is planned in the outbox and mailed to the school's contact
//   as an iCalendar invitation (read by ical.js);
// - every notification in the outbox matches the documented schema;
// - the webhook takes a document only with its token, refuses a bad one with
//   its problems, and dropping the same files again changes nothing.
//
// usage: node childcare_smoke.mjs <consent> <referrals> <scheduling> <handover> <fake_fhir> <youthcare_fhir> <childcare> <school> <fake_school>

import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync } from "node:fs";
import ICAL from "ical.js";
import { join } from "node:path";
import assert from "node:assert/strict";
import { Service, Steps, call, fhir, fhirSearch, freePort, grpcClient, root, startHandoverStack, tempDir,
  waitUntil } from "./lib.mjs";
import { childcareErrors } from "../schemas/childcare_schemas.mjs";

const bins = process.argv.slice(2);
if (bins.length !== 9) {
  console.error("usage: node childcare_smoke.mjs <consent> <referrals> <scheduling> <handover> <fake_fhir> <youthcare_fhir> <childcare> <school> <fake_school>");
  process.exit(2);
}
const [consentBin, referralsBin, schedulingBin, handoverBin, fakeFhirBin, youthcareBin, childcareBin, schoolBin,
  fakeSchoolBin] = bins;

const dataDir = tempDir();
const directory = join(root, "config/dev/directory.yaml");
const examples = join(root, "adapters/childcare/examples/boomgaard");
const corpus = join(root, "adapters/childcare/testdata/boomgaard");
const chainDir = join(dataDir, "childcare/boomgaard");
const services = [];
const service = (bin, config, env) => {
  const s = new Service(bin, join(root, "config/dev", config), { OLIF_DATA_DIR: dataDir, OLIF_DIRECTORY: directory, ...env });
  services.push(s);
  return s;
};
const local = { grpc: "127.0.0.1:0", metrics: "127.0.0.1:0", bus: "tcp://127.0.0.1:*" };
const steps = new Steps();
const step = steps.step.bind(steps);

// Drops a file the way a chain's system should: written beside the inbox, renamed into it.
function drop(from, name = from.split("/").at(-1)) {
  copyFileSync(from, join(chainDir, `${name}.part`));
  renameSync(join(chainDir, `${name}.part`), join(chainDir, "inbox", name));
}
const archived = (name) => existsSync(join(chainDir, "archive", name));
function outbox() {
  const dir = join(chainDir, "outbox");
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((n) => n.endsWith(".json")).sort()
    .map((n) => JSON.parse(readFileSync(join(dir, n), "utf8")));
}

await steps.run(9, { running: services, dir: dataDir }, async () => {
  const stack = await startHandoverStack(service, { consentBin, schedulingBin, handoverBin });
  const [consentPorts, schedulingPorts, handoverPorts] = [stack.consent, stack.scheduling, stack.handover];
  const referralsPorts = await service(referralsBin, "referrals.yaml", {
    OLIF_REFERRALS_GRPC: local.grpc, OLIF_REFERRALS_METRICS: local.metrics, OLIF_REFERRALS_BUS: local.bus,
    OLIF_CONSENT_BUS_ENDPOINT: consentPorts.bus }).start();
  const schoolWebhook = await freePort();
  const fakeSchool = (await service(fakeSchoolBin, "fake_school.yaml", {
    OLIF_FAKE_SCHOOL_GRPC: local.grpc, OLIF_FAKE_SCHOOL_METRICS: local.metrics, OLIF_FAKE_SCHOOL_LISTEN: "127.0.0.1:0",
    OLIF_SCHOOL_WEBHOOK_URL: `http://127.0.0.1:${schoolWebhook}/school/receipt`,
    OLIF_SCHOOL_WEBHOOK_TOKEN: "smoke-school-token-not-secret", OLIF_FAKE_SCHOOL_ACKNOWLEDGE_AFTER: "1s" }).start()).fhir;
  await service(schoolBin, "school.yaml", {
    OLIF_SCHOOL_GRPC: local.grpc, OLIF_SCHOOL_METRICS: local.metrics, OLIF_SCHOOL_RECEIPT_PAGE: "127.0.0.1:0",
    OLIF_SCHOOL_PUBLIC_URL: "http://127.0.0.1:9", OLIF_SCHOOL_WEBHOOK: `127.0.0.1:${schoolWebhook}`,
    OLIF_SCHOOL_WEBHOOK_TOKEN: "smoke-school-token-not-secret", OLIF_FAKE_SCHOOL_URL: fakeSchool,
    OLIF_HANDOVER_GRPC: `127.0.0.1:${handoverPorts.grpc}`, OLIF_HANDOVER_BUS_ENDPOINT: handoverPorts.bus,
    OLIF_SCHEDULING_BUS_ENDPOINT: schedulingPorts.bus }).start();
  const base = (await service(fakeFhirBin, "fake_fhir.yaml", {
    OLIF_FAKE_FHIR_GRPC: local.grpc, OLIF_FAKE_FHIR_METRICS: local.metrics, OLIF_FAKE_FHIR_LISTEN: "127.0.0.1:0" }).start()).fhir;
  await service(youthcareBin, "youthcare_fhir.yaml", {
    OLIF_YOUTHCARE_FHIR_GRPC: local.grpc, OLIF_YOUTHCARE_FHIR_METRICS: local.metrics, OLIF_FHIR_BASE_URL: base,
    OLIF_REFERRALS_GRPC: `127.0.0.1:${referralsPorts.grpc}`, OLIF_REFERRALS_BUS_ENDPOINT: referralsPorts.bus,
    OLIF_CONSENT_BUS_ENDPOINT: consentPorts.bus, OLIF_SCHEDULING_BUS_ENDPOINT: schedulingPorts.bus,
    OLIF_FHIR_POLL_INTERVAL: "200ms", OLIF_YOUTHCARE_WEBHOOK: "127.0.0.1:0" }).start();
  const childcareSvc = service(childcareBin, "childcare.yaml", {
    OLIF_CHILDCARE_GRPC: local.grpc, OLIF_CHILDCARE_METRICS: local.metrics,
    OLIF_CONSENT_GRPC: `127.0.0.1:${consentPorts.grpc}`, OLIF_REFERRALS_GRPC: `127.0.0.1:${referralsPorts.grpc}`,
    OLIF_HANDOVER_GRPC: `127.0.0.1:${handoverPorts.grpc}`, OLIF_REFERRALS_BUS_ENDPOINT: referralsPorts.bus,
    OLIF_SCHEDULING_BUS_ENDPOINT: schedulingPorts.bus, OLIF_HANDOVER_BUS_ENDPOINT: handoverPorts.bus,
    OLIF_CHILDCARE_SCAN_INTERVAL: "200ms", OLIF_CHILDCARE_BOOMGAARD_WEBHOOK: "127.0.0.1:0",
    OLIF_CHILDCARE_BOOMGAARD_TOKEN: "smoke-test-token-not-secret" });
  await childcareSvc.start();
  const webhook = childcareSvc.log.match(/boomgaard\.webhook=(http:\/\/\S+)/)[1];
  const consents = grpcClient("olifantenpad/consent/v1/consent.proto", "olifantenpad.consent.v1.ConsentService", consentPorts.grpc);
  const referrals = grpcClient("olifantenpad/referrals/v1/referrals.proto", "olifantenpad.referrals.v1.ReferralsService", referralsPorts.grpc);
  const handover = grpcClient("olifantenpad/handover/v1/handover.proto", "olifantenpad.handover.v1.HandoverService", handoverPorts.grpc);
  const post = (body, headers = {}) => fetch(webhook, { method: "POST", body,
    headers: { "Content-Type": "application/json", Authorization: "Bearer smoke-test-token-not-secret", ...headers } });

  let request = null;
  await step("the example roster and consent forms dropped, a JSON question about Yara becomes a ServiceRequest with her Patient", async () => {
    drop(join(examples, "kindlijst-voorbeeld.csv"));
    await waitUntil(async () => archived("kindlijst-voorbeeld.csv"), "the roster archived");
    drop(join(examples, "toestemmingen-voorbeeld.csv"));
    await waitUntil(async () => archived("toestemmingen-voorbeeld.csv"), "the consents archived");
    const recorded = (await call(consents, "ListConsents", { recipientOrganisationId: "org-jz-het-kompas",
      access: { actorId: "smoke", reason: "test" } })).consents ?? [];
    assert.equal(recorded.length, 1);
    assert.equal(recorded[0].evidenceRef, "TF-2026-0412");
    drop(join(examples, "vraag-V-2026-0042.json"));
    await waitUntil(async () => archived("vraag-V-2026-0042.json"), "the question archived");
    const requests = (await call(referrals, "ListRequests", { locationId: "loc-boomgaard-noord" })).requests ?? [];
    request = requests.find((r) => r.kind === "REQUEST_KIND_CHILD");
    assert.ok(request, JSON.stringify(requests));
    assert.equal(request.child.childRef, recorded[0].child.childRef, "the consent and the question meet under one pseudonym");
    const [sr] = await waitUntil(async () => {
      const found = await fhirSearch(base, `/ServiceRequest?identifier=urn:olifantenpad:request|${request.id}`);
      return found.length && found[0].subject?.reference?.startsWith("Patient/") ? found : null;
    }, "the ServiceRequest with its Patient");
    const patient = (await fhir(base, "GET", `/${sr.subject.reference}`)).body;
    assert.equal(patient.name[0].given[0], "Yara");
  });

  await step("the provider accepting the Task reaches the chain's outbox under its own question id", async () => {
    const [task] = await fhirSearch(base, `/Task?identifier=urn:olifantenpad:request|${request.id}`);
    assert.equal((await fhir(base, "PUT", `/Task/${task.id}`, { ...task, status: "accepted" })).status, 200);
    const accepted = await waitUntil(async () => outbox().find((n) => n.notification === "request_accepted"),
      "request_accepted in the outbox");
    assert.equal(accepted.request.question_id, "V-2026-0042");
    assert.equal(accepted.expert.professional_id, "prof-anna-de-vries");
  });

  await step("a file with bad rows: the good ones are taken, the report is the one expected", async () => {
    drop(join(corpus, "vragen-met-fouten.csv"));
    await waitUntil(async () => archived("vragen-met-fouten.csv"), "archived");
    assert.equal(readFileSync(join(chainDir, "quarantine/vragen-met-fouten.csv.report.csv"), "utf8"),
      readFileSync(join(corpus, "vragen-met-fouten.csv.report.expected.csv"), "utf8"));
    const requests = (await call(referrals, "ListRequests", { locationId: "loc-boomgaard-noord" })).requests ?? [];
    assert.equal(requests.length, 3, "Yara's question, V-501 and V-507");
  });

  let form = null;
  await step("Sem's handover form reaches the fake school's system as Bundle + PDF, and a warm-handover meeting is proposed", async () => {
    drop(join(examples, "overdracht-OV-2026-0017.json"));
    await waitUntil(async () => archived("overdracht-OV-2026-0017.json"), "archived");
    form = await waitUntil(async () => {
      const list = (await call(handover, "ListHandovers", { locationId: "loc-boomgaard-noord" })).handovers ?? [];
      return list.find((h) => h.status === "HANDOVER_STATUS_SENT" || h.status === "HANDOVER_STATUS_ACKNOWLEDGED");
    }, "the form sent");
    assert.equal(form.schoolOrganisationId, "sch-het-palet");
    assert.equal(form.warm, true);
    const received = await waitUntil(async () => {
      const list = await (await fetch(fakeSchool.replace(/\/fhir$/, "/_fake/received"))).json();
      return list.find((d) => d.handover_id === form.handoverId);
    }, "the document at the school");
    assert.equal(received.revision, 1);
    assert.ok(received.pdf_bytes > 1000, `a PDF of ${received.pdf_bytes} bytes`);
    assert.match(received.title, /^Overdrachtsformulier /);
    const proposed = await waitUntil(async () => outbox().find((n) => n.notification === "meeting_proposed"),
      "meeting_proposed in the outbox", 20000);
    assert.equal(proposed.handover.form_id, "OV-2026-0017");
    assert.equal(proposed.visit.kind, "warm_handover_meeting");
    assert.equal(proposed.visit.start, null, "a proposed meeting has no time yet");
    assert.ok(proposed.window.end > proposed.window.start);
  });

  await step("the meeting confirmed: planned in the chain's outbox, an iCalendar invitation mailed to the school", async () => {
    const proposed = outbox().find((n) => n.notification === "meeting_proposed");
    const scheduling = grpcClient("olifantenpad/scheduling/v1/scheduling.proto",
      "olifantenpad.scheduling.v1.SchedulingService", schedulingPorts.grpc);
    const visit = (await call(scheduling, "GetVisit", { id: proposed.visit.id })).visit;
    const start = Math.max(Number(visit.windowStart?.seconds ?? 0), Math.floor(Date.now() / 1000) + 2 * 86400);
    const at = new Date(start * 1000);
    while (at.getUTCDay() === 0 || at.getUTCDay() === 6) at.setUTCDate(at.getUTCDate() + 1);
    at.setUTCHours(13, 0, 0, 0);
    const seconds = Math.floor(at.getTime() / 1000);
    await call(scheduling, "ConfirmMeeting", { id: visit.id, version: visit.version,
      start: { seconds: String(seconds) }, end: { seconds: String(seconds + 45 * 60) },
      participants: [{ role: "PARTICIPANT_ROLE_PEDAGOGICAL_WORKER", professionalId: "prof-fatima-el-amrani" },
        { role: "PARTICIPANT_ROLE_PARENT", name: "Iris van Leeuwen" },
        { role: "PARTICIPANT_ROLE_TEACHER", name: "Ilse Hendriks" }] });
    const planned = await waitUntil(async () => outbox().find((n) => n.notification === "meeting_planned"),
      "meeting_planned in the outbox");
    assert.equal(planned.handover.form_id, "OV-2026-0017");
    const mailDir = join(dataDir, "school/mail");
    const mail = await waitUntil(async () => (existsSync(mailDir) ? readdirSync(mailDir) : [])
      .map((n) => readFileSync(join(mailDir, n), "utf8")).find((m) => m.includes("method=REQUEST")),
    "the invitation mail");
    assert.match(mail, /^To: Ilse Hendriks <ib@hetpalet\.example>\r$/m);
    const ics = Buffer.from(mail.split("method=REQUEST")[1].split("\r\n\r\n")[1].split("--")[0]
      .replace(/\r\n/g, ""), "base64").toString("utf8");
    const cal = new ICAL.Component(ICAL.parse(ics));
    assert.equal(cal.getFirstPropertyValue("method"), "REQUEST");
    const event = new ICAL.Event(cal.getFirstSubcomponent("vevent"));
    assert.equal(event.uid, `${visit.id}@olifantenpad`);
    assert.equal(event.startDate.toUnixTime(), seconds);
    assert.equal(event.endDate.toUnixTime(), seconds + 45 * 60);
    assert.ok(cal.getFirstSubcomponent("vtimezone"), "the TZID's VTIMEZONE is there");
    assert.ok(!ics.includes("Sem") && !ics.includes("Leeuwen"), "the invitation names no child or parent");
  });

  await step("the school system's receipt comes back to the chain's outbox", async () => {
    const ack = await waitUntil(async () => outbox().find((n) => n.notification === "handover_acknowledged"),
      "handover_acknowledged in the outbox");
    assert.equal(ack.handover.form_id, "OV-2026-0017");
    assert.equal(ack.handover.school_organisation_id, "sch-het-palet");
    const got = (await call(handover, "ListHandovers", { locationId: "loc-boomgaard-noord" })).handovers[0];
    assert.equal(got.status, "HANDOVER_STATUS_ACKNOWLEDGED");
  });

  await step("every notification in the outbox matches the documented schema and names no child", async () => {
    const all = outbox();
    assert.ok(all.length >= 3, JSON.stringify(all));
    for (const n of all) assert.deepEqual(childcareErrors(n), [], JSON.stringify(n));
    const text = JSON.stringify(all);
    for (const name of ["Yara", "Bouzid", "Sem", "Leeuwen"]) assert.ok(!text.includes(name), `${name} in ${text}`);
  });

  await step("the webhook: a document only with the token, a bad one refused with its problems", async () => {
    const doc = readFileSync(join(examples, "vraag-V-2026-0042.json"), "utf8")
      .replace("V-2026-0042", "V-2026-0043").replace("\"kind\": \"kind\"", "\"kind\": \"anoniem\"")
      .replace(/"child_number"[\s\S]*?"birth_date": "12-05-2022",/, "");
    assert.equal((await post(doc, { Authorization: "Bearer wrong" })).status, 401);
    const ok = await post(doc);
    assert.equal(ok.status, 202, await ok.text());
    const bad = await post(doc.replace("\"NRD\"", "\"OOST\""));
    assert.equal(bad.status, 400);
    assert.match(await bad.text(), /location: \\?"OOST\\?" is not a location of this chain/);
    const requests = (await call(referrals, "ListRequests", { locationId: "loc-boomgaard-noord" })).requests ?? [];
    assert.equal(requests.length, 4);
  });

  await step("dropping the same files again changes nothing", async () => {
    mkdirSync(join(chainDir, "again"), { recursive: true });
    for (const f of ["toestemmingen-voorbeeld.csv", "vraag-V-2026-0042.json", "overdracht-OV-2026-0017.json"]) {
      drop(join(examples, f), `${f}`);
      await waitUntil(async () => existsSync(join(chainDir, "archive", `${f}.1`)), `${f} archived again`);
    }
    const recorded = (await call(consents, "ListConsents", { recipientOrganisationId: "org-jz-het-kompas",
      access: { actorId: "smoke", reason: "test" } })).consents ?? [];
    assert.equal(recorded.length, 1);
    const requests = (await call(referrals, "ListRequests", { locationId: "loc-boomgaard-noord" })).requests ?? [];
    assert.equal(requests.length, 4);
    const forms = (await call(handover, "ListHandovers", { locationId: "loc-boomgaard-noord" })).handovers ?? [];
    assert.equal(forms.length, 1);
    for (const s of services.filter((x) => !x.stopped)) await s.stop();
  });
});
