// The youth-care FHIR adapter end to end, with real processes: consent,
// referrals, the fake FHIR server and the adapter on their dev configs (ports
// moved to 0, data in a temporary directory), called with @grpc/grpc-js and
// plain HTTP.
//
// - a request reaches the provider's FHIR server as ServiceRequest + Task,
//   and the provider accepting and completing the Task resolves it;
// - the provider's cycle (Task.output) and Communication reach referrals, and
//   the requester withdrawing the request cancels the Task;
// - a named child's request sends no Patient before consent, is sent with its
//   Patient once the parents consent, and withdrawal revokes it;
// - a message the server refuses (400) becomes a dead letter others pass by,
//   shown by the adapter admin API and delivered after edit-and-resend;
// - the webhook takes subscription notifications only with its token;
// - a visit the scheduling service books for the provider's expert reaches
//   the FHIR server as an Appointment, and its cancellation cancels it there;
// - the history, queue depth and metrics tell the operator what happened.
//
// usage: node youthcare_fhir_smoke.mjs <consent> <referrals> <fake_fhir> <youthcare_fhir> <scheduling>

import { join } from "node:path";
import assert from "node:assert/strict";
import { Service, Steps, call, fhir, fhirSearch, grpcClient, root, tempDir, waitUntil } from "./lib.mjs";

const [consentBin, referralsBin, fakeFhirBin, adapterBin, schedulingBin] = process.argv.slice(2);
if (!schedulingBin) {
  console.error("usage: node youthcare_fhir_smoke.mjs <consent> <referrals> <fake_fhir> <youthcare_fhir> <scheduling>");
  process.exit(2);
}

const dataDir = tempDir();
const directory = join(root, "config/dev/directory.yaml");
const services = [];
const service = (bin, config, env) => {
  const s = new Service(bin, join(root, "config/dev", config), { OLIF_DATA_DIR: dataDir, OLIF_DIRECTORY: directory, ...env });
  services.push(s);
  return s;
};
const steps = new Steps();
const step = steps.step.bind(steps);

const day = 24 * 3600;
const now = Math.floor(Date.now() / 1000);
const requester = { professionalId: "prof-sanne-bakker", organisationId: "org-kdv-de-boomgaard", locationId: "loc-boomgaard-noord" };
const uuid = (n) => `0f000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
const childRef = "3a4b5c6d-7e8f-4a0b-8c1d-2e3f4a5b6c7d";
const parent = (name) => ({
  name, relation: "RELATION_PARENT", hasAuthority: true, authorityVerifiedHow: "uittreksel gezagsregister",
  signedAt: { seconds: String(now - 3600) }, method: "SIGNING_METHOD_DIGITAL",
});
const byRequest = (id) => `identifier=urn:olifantenpad:request|${id}`;

await steps.run(11, { running: services, dir: dataDir }, async () => {
  const consentSvc = service(consentBin, "consent.yaml", {
    OLIF_CONSENT_GRPC: "127.0.0.1:0", OLIF_CONSENT_METRICS: "127.0.0.1:0", OLIF_CONSENT_BUS: "tcp://127.0.0.1:*" });
  const consentPorts = await consentSvc.start();
  const referralsSvc = service(referralsBin, "referrals.yaml", {
    OLIF_REFERRALS_GRPC: "127.0.0.1:0", OLIF_REFERRALS_METRICS: "127.0.0.1:0", OLIF_REFERRALS_BUS: "tcp://127.0.0.1:*",
    OLIF_CONSENT_BUS_ENDPOINT: consentPorts.bus });
  const referralsPorts = await referralsSvc.start();
  const schedulingSvc = service(schedulingBin, "scheduling.yaml", {
    OLIF_SCHEDULING_GRPC: "127.0.0.1:0", OLIF_SCHEDULING_METRICS: "127.0.0.1:0", OLIF_SCHEDULING_BUS: "tcp://127.0.0.1:*",
    OLIF_SCHEDULING_FEEDS: "127.0.0.1:0", OLIF_CONSENT_BUS_ENDPOINT: consentPorts.bus,
    OLIF_SCHOOL_HOLIDAYS: join(root, "config/school_holidays.yaml") });
  const schedulingPorts = await schedulingSvc.start();
  const fakeSvc = service(fakeFhirBin, "fake_fhir.yaml", {
    OLIF_FAKE_FHIR_GRPC: "127.0.0.1:0", OLIF_FAKE_FHIR_METRICS: "127.0.0.1:0", OLIF_FAKE_FHIR_LISTEN: "127.0.0.1:0" });
  const base = (await fakeSvc.start()).fhir;
  const adapterSvc = service(adapterBin, "youthcare_fhir.yaml", {
    OLIF_YOUTHCARE_FHIR_GRPC: "127.0.0.1:0", OLIF_YOUTHCARE_FHIR_METRICS: "127.0.0.1:0",
    OLIF_FHIR_BASE_URL: base, OLIF_REFERRALS_GRPC: `127.0.0.1:${referralsPorts.grpc}`,
    OLIF_REFERRALS_BUS_ENDPOINT: referralsPorts.bus, OLIF_CONSENT_BUS_ENDPOINT: consentPorts.bus,
    OLIF_SCHEDULING_BUS_ENDPOINT: schedulingPorts.bus,
    OLIF_FHIR_POLL_INTERVAL: "200ms", OLIF_FHIR_MAX_ATTEMPTS: "4", OLIF_FHIR_INITIAL_BACKOFF: "200ms",
    OLIF_YOUTHCARE_WEBHOOK: "127.0.0.1:0", OLIF_YOUTHCARE_WEBHOOK_TOKEN: "smoke-test-token-not-secret" });
  const adapterPorts = await adapterSvc.start();
  const referrals = grpcClient("olifantenpad/referrals/v1/referrals.proto", "olifantenpad.referrals.v1.ReferralsService", referralsPorts.grpc);
  const consents = grpcClient("olifantenpad/consent/v1/consent.proto", "olifantenpad.consent.v1.ConsentService", consentPorts.grpc);
  const admin = grpcClient("olifantenpad/admin/v1/adapter.proto", "olifantenpad.admin.v1.AdapterAdminService", adapterPorts.grpc);

  let first = null;
  await step("a request appears on the provider's FHIR server as ServiceRequest + Task", async () => {
    const created = first = (await call(referrals, "CreateRequest", { requestId: uuid(1), request: {
      kind: "REQUEST_KIND_ANONYMOUS", requester, questionDomains: ["QUESTION_DOMAIN_LANGUAGE"],
      question: "Een peuter praat nog weinig; wanneer is dat reden tot zorg?" } })).request;
    const [task] = await waitUntil(async () => {
      const found = await fhirSearch(base, `/Task?${byRequest(created.id)}`);
      return found.length ? found : null;
    }, "Task on the FHIR server");
    const [sr] = await fhirSearch(base, `/ServiceRequest?${byRequest(created.id)}`);
    assert.equal(sr.status, "active");
    assert.equal(task.focus.reference, `ServiceRequest/${sr.id}`);
    assert.equal(task.owner.identifier.value, "prof-anna-de-vries");
  });

  await step("the provider accepting and completing the Task resolves the request", async () => {
    const id = first.id;
    const [task] = await fhirSearch(base, `/Task?${byRequest(id)}`);
    assert.equal((await fhir(base, "PUT", `/Task/${task.id}`, { ...task, status: "accepted" })).status, 200);
    await waitUntil(async () => (await call(referrals, "GetRequest", { id })).request.status === "REQUEST_STATUS_ACCEPTED", "accepted");
    const accepted = (await fhir(base, "GET", `/Task/${task.id}`)).body;
    await fhir(base, "PUT", `/Task/${task.id}`, { ...accepted, status: "completed",
      note: [{ text: "Advies gegeven: veel voorlezen, logopedie niet nodig." }] });
    const r = await waitUntil(async () => {
      const got = (await call(referrals, "GetRequest", { id })).request;
      return got.status === "REQUEST_STATUS_RESOLVED" ? got : null;
    }, "resolved");
    assert.equal(r.messages.at(-1).text, "Advies gegeven: veel voorlezen, logopedie niet nodig.");
  });

  await step("the provider's cycle and message reach referrals; the requester's withdrawal cancels the Task", async () => {
    const created = (await call(referrals, "CreateRequest", { requestId: uuid(5), request: {
      kind: "REQUEST_KIND_GROUP", requester, group: { locationId: "loc-boomgaard-noord", groupId: "grp-egeltjes" },
      questionDomains: ["QUESTION_DOMAIN_GROUP_DYNAMICS"], question: "De groep is onrustig na de lunch." } })).request;
    const [task] = await waitUntil(async () => {
      const found = await fhirSearch(base, `/Task?${byRequest(created.id)}`);
      return found.length ? found : null;
    }, "the Task");
    const part = (code, value) => ({ type: { coding: [{ system: "urn:olifantenpad:cycle", code }] }, ...value });
    await fhir(base, "PUT", `/Task/${task.id}`, { ...task, status: "in-progress", output: [
      part("1/plan", { valueString: "Een vast rustmoment met een prentenboek na de lunch." }),
      part("1/period", { valuePeriod: { start: "2026-11-23T09:00:00Z", end: "2026-12-07T09:00:00Z" } }),
      part("1/outcome", { valueCode: "continue" })] });
    const cycled = await waitUntil(async () => {
      const r = (await call(referrals, "GetRequest", { id: created.id })).request;
      return r.cycles?.length === 1 ? r : null;
    }, "the cycle in referrals");
    assert.equal(cycled.status, "REQUEST_STATUS_IN_PROGRESS");
    assert.equal(cycled.cycles[0].plan, "Een vast rustmoment met een prentenboek na de lunch.");
    assert.equal((await fhir(base, "POST", "/Communication", { resourceType: "Communication", status: "completed",
      basedOn: [{ identifier: { system: "urn:olifantenpad:request", value: created.id } }],
      payload: [{ contentString: "Ik kom dinsdag in de groep kijken." }] })).status, 201);
    const messaged = await waitUntil(async () => {
      const r = (await call(referrals, "GetRequest", { id: created.id })).request;
      return r.messages?.some((m) => m.text === "Ik kom dinsdag in de groep kijken." && m.author === "AUTHOR_EXPERT") ? r : null;
    }, "the message in referrals");
    await call(referrals, "WithdrawRequest", { id: created.id, version: messaged.version, reason: "opgelost in het team" });
    await waitUntil(async () => {
      const [sr] = await fhirSearch(base, `/ServiceRequest?${byRequest(created.id)}`);
      const [t] = await fhirSearch(base, `/Task?${byRequest(created.id)}`);
      return sr.status === "revoked" && t.status === "cancelled" && t.statusReason?.text === "withdrawn by the requester";
    }, "revoked and cancelled at the provider");
  });

  await step("a request reassigned to another organisation stops here, and back comes back", async () => {
    let r = (await call(referrals, "CreateRequest", { requestId: uuid(6), request: {
      kind: "REQUEST_KIND_ANONYMOUS", requester, questionDomains: ["QUESTION_DOMAIN_DEVELOPMENT"],
      question: "Een kind slaapt slecht tussen de middag." } })).request;
    await waitUntil(async () => (await fhirSearch(base, `/Task?${byRequest(r.id)}`)).length === 1, "the Task");
    r = (await call(referrals, "ReassignRequest", { id: r.id, version: r.version, expertId: "prof-mehmet-yilmaz",
      by: "prof-fatima-el-amrani", reason: "Anna is met verlof" })).request;
    await waitUntil(async () => {
      const [sr] = await fhirSearch(base, `/ServiceRequest?${byRequest(r.id)}`);
      const [t] = await fhirSearch(base, `/Task?${byRequest(r.id)}`);
      return sr.status === "revoked" && t.status === "cancelled" &&
        t.statusReason?.text === "reassigned to an expert of another organisation";
    }, "stopped at this provider");
    await call(referrals, "ReassignRequest", { id: r.id, version: r.version, expertId: "prof-anna-de-vries",
      by: "prof-fatima-el-amrani", reason: "Anna is terug" });
    const [task] = await waitUntil(async () => {
      const found = await fhirSearch(base, `/Task?${byRequest(r.id)}`);
      return found[0]?.status === "requested" ? found : null;
    }, "the Task requested again");
    assert.equal(task.owner.identifier.value, "prof-anna-de-vries");
    const [sr] = await fhirSearch(base, `/ServiceRequest?${byRequest(r.id)}`);
    assert.equal(sr.status, "active");
  });

  let named = null;
  await step("a named child's request sends no Patient before the parents consent", async () => {
    named = (await call(referrals, "CreateRequest", { requestId: uuid(2), request: {
      kind: "REQUEST_KIND_CHILD", requester, child: { childRef }, questionDomains: ["QUESTION_DOMAIN_BEHAVIOUR"],
      question: "Hoe helpen we hem bij het afscheid 's ochtends?" },
      childIdentity: { givenName: "Noah", familyName: "Bakker", birthDate: "2023-06-02", bsn: "111222333" } })).request;
    await new Promise((r) => setTimeout(r, 1500));
    assert.deepEqual(await fhirSearch(base, "/Patient"), []);
    assert.deepEqual(await fhirSearch(base, `/ServiceRequest?${byRequest(named.id)}`), []);
  });

  let consentId = null;
  await step("once the parents consent it arrives with its Patient and the Consent", async () => {
    consentId = (await call(consents, "RecordConsent", { requestId: uuid(20), consent: {
      child: { childRef }, childBirthDate: "2023-06-02", holdersOfAuthority: 2,
      grantors: [parent("Iris Bakker"), parent("Ruben Bakker")], purposes: ["PURPOSE_DIRECT_LINE"],
      recipientOrganisationIds: ["org-jz-het-kompas"], dataCategories: ["DATA_CATEGORY_IDENTITY"],
      validFrom: { seconds: String(now - day) }, validUntil: { seconds: String(now + 200 * day) },
      evidenceRef: "DOC-2026-11-000321", recordedBy: "prof-sanne-bakker" } })).consent.id;
    assert.ok(consentId);
    const [sr] = await waitUntil(async () => {
      const found = await fhirSearch(base, `/ServiceRequest?${byRequest(named.id)}`);
      return found.length ? found : null;
    }, "the named child's ServiceRequest", 30000);
    const [patient] = await fhirSearch(base, "/Patient");
    assert.equal(patient.name[0].family, "Bakker");
    assert.equal(sr.subject.reference, `Patient/${patient.id}`);
    const [c] = await waitUntil(async () => {
      const found = await fhirSearch(base, `/Consent?identifier=urn:olifantenpad:consent|${consentId}`);
      return found.length ? found : null;
    }, "the Consent");
    assert.equal(c.status, "active");
  });

  await step("withdrawal revokes the ServiceRequest and cancels the Task", async () => {
    await call(consents, "WithdrawConsent", { id: consentId, withdrawnBy: "Iris Bakker", reason: "ouders trekken toestemming in" });
    await waitUntil(async () => {
      const [sr] = await fhirSearch(base, `/ServiceRequest?${byRequest(named.id)}`);
      const [task] = await fhirSearch(base, `/Task?${byRequest(named.id)}`);
      return sr.status === "revoked" && task.status === "cancelled";
    }, "revoked and cancelled", 30000);
    // The Consent travels as its own message, beside the request's.
    await waitUntil(async () => {
      const [c] = await fhirSearch(base, `/Consent?identifier=urn:olifantenpad:consent|${consentId}`);
      return c.status === "inactive";
    }, "the Consent inactive");
  });

  await step("a refused message is a dead letter others pass by, and an edit delivers it", async () => {
    assert.equal((await fhir(base, "POST", "/_fake/fail", { status: 400, count: -1, match: "ONLEESBAAR" })).status, 200);
    const poison = (await call(referrals, "CreateRequest", { requestId: uuid(3), request: {
      kind: "REQUEST_KIND_ANONYMOUS", requester, questionDomains: ["QUESTION_DOMAIN_OTHER"],
      question: "ONLEESBAAR: de server weigert dit" } })).request;
    const next = (await call(referrals, "CreateRequest", { requestId: uuid(4), request: {
      kind: "REQUEST_KIND_ANONYMOUS", requester, questionDomains: ["QUESTION_DOMAIN_OTHER"],
      question: "Hoe laat moet een peuter naar bed?" } })).request;
    await waitUntil(async () => (await fhirSearch(base, `/Task?${byRequest(next.id)}`)).length === 1, "the next request");
    const dead = await waitUntil(async () => {
      const r = await call(admin, "ListDeadLetters", {});
      return r.deadLetters?.length ? r.deadLetters : null;
    }, "the dead letter");
    assert.equal(dead.length, 1);
    assert.equal(dead[0].key, poison.id);
    assert.match(dead[0].lastError, /^HTTP 400/);
    await assert.rejects(call(admin, "RetryDelivery", { id: dead[0].id }), /who/);
    const payload = dead[0].payload.replace("ONLEESBAAR: de server weigert dit", "Wat helpt bij nachtmerries?");
    const resent = (await call(admin, "EditAndResendDelivery", { id: dead[0].id, payload,
      who: "beheer-anouk", why: "tekst die de server weigerde vervangen" })).delivery;
    assert.equal(resent.state, "DELIVERY_STATE_PENDING");
    assert.deepEqual(resent.actions.map((a) => [a.action, a.who, a.why]),
      [["edited and resent", "beheer-anouk", "tekst die de server weigerde vervangen"]]);
    await waitUntil(async () => (await fhirSearch(base, `/ServiceRequest?${byRequest(poison.id)}`)).length === 1, "the edited request");
    // The server holds the resource a moment before the adapter has written down its answer.
    const history = await waitUntil(async () => {
      const entries = (await call(admin, "SearchHistory", { key: poison.id, direction: "out" })).entries ?? [];
      return entries.length === 2 ? entries : null;
    }, "the delivery in the history");
    assert.deepEqual(history.map((e) => e.outcome), ["delivered", "dead_lettered"]);
  });

  await step("the webhook takes a notification with the token and refuses one without", async () => {
    const post = (headers, body) => fetch(adapterPorts.webhook, { method: "POST", headers, body, signal: AbortSignal.timeout(10000) });
    assert.equal((await post({ "Content-Type": "application/fhir+json" }, "")).status, 401);
    const auth = { "Content-Type": "application/fhir+json", Authorization: "Bearer smoke-test-token-not-secret" };
    assert.equal((await post(auth, JSON.stringify({ resourceType: "Bundle", type: "history", entry: [] }))).status, 202);
    const refused = await post(auth, JSON.stringify({ resourceType: "Patient" }));
    assert.equal(refused.status, 400);
    assert.match(await refused.text(), /not a Bundle, a Task or a Communication/);
  });

  await step("a booked visit arrives as an Appointment; its cancellation cancels it there", async () => {
    const scheduling = grpcClient("olifantenpad/scheduling/v1/scheduling.proto",
      "olifantenpad.scheduling.v1.SchedulingService", schedulingPorts.grpc);
    const weekly = [1, 2, 3, 4, 5].map((weekday) => ({ weekday, start: "08:00", end: "17:00" }));
    await call(scheduling, "SetAvailability", { expertId: "prof-anna-de-vries", weekly, version: 0 });
    // A Tuesday 09:00 UTC (10:00 or 11:00 in Amsterdam) at least two days ahead.
    const start = new Date((now + 2 * day) * 1000);
    while (start.getUTCDay() !== 2) start.setUTCDate(start.getUTCDate() + 1);
    start.setUTCHours(9, 0, 0, 0);
    const at = (ms) => ({ seconds: String(Math.floor(ms / 1000)) });
    const { visit } = await call(scheduling, "PlanVisit", { requestId: uuid(90), visit: {
      kind: "VISIT_KIND_PREVENTIVE_GROUP_VISIT", locationId: "loc-boomgaard-noord", groupId: "grp-egeltjes",
      start: at(start.getTime()), end: at(start.getTime() + 90 * 60000) } });
    const byVisit = `/Appointment?identifier=urn:olifantenpad:visit|${visit.id}`;
    const [booked] = await waitUntil(async () => {
      const found = await fhirSearch(base, byVisit);
      return found.length ? found : null;
    }, "the Appointment");
    assert.equal(booked.status, "booked");
    assert.equal(new Date(booked.start).getTime(), start.getTime());
    assert.deepEqual(booked.participant.map((p) => p.actor.type), ["Practitioner", "Location"]);
    assert.equal(booked.supportingInformation[0].identifier.value, "loc-boomgaard-noord/grp-egeltjes");
    await call(scheduling, "CancelVisit", { id: visit.id, version: visit.version, reason: "Expert ziek" });
    await waitUntil(async () => (await fhirSearch(base, byVisit))[0]?.status === "cancelled", "the cancellation");
    assert.equal((await fhirSearch(base, byVisit)).length, 1);
  });

  await step("queue depth, history and metrics tell the operator what happened", async () => {
    const depth = (await call(admin, "GetQueueDepth", {})).queues;
    assert.deepEqual(depth.map((q) => [q.destination, Number(q.pending ?? 0), Number(q.dead ?? 0)]), [["fhir", 0, 0]]);
    const incoming = (await call(admin, "SearchHistory", { direction: "in", outcome: "applied" })).entries;
    assert.ok(incoming.some((e) => e.detail === "accepted") && incoming.some((e) => /resolved/.test(e.detail)));
    const metrics = await (await fetch(`http://127.0.0.1:${adapterPorts.metrics}/metrics`)).text();
    assert.match(metrics, /olif_adapter_deliveries_total\{destination="fhir",result="delivered"\} [1-9]/);
    assert.match(metrics, /olif_adapter_deliveries_total\{destination="fhir",result="dead_lettered"\} 1/);
    for (const s of services.reverse()) assert.equal(await s.stop(), 0);
  });
});
