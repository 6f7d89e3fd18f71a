// The direct line end to end, as a new user meets it: the consent and
// referrals binaries on their dev configs (ports moved to 0, data in a
// temporary directory), called with @grpc/grpc-js, and olif-bus-tail
// following referrals' events in a third process.
//
// An anonymous, a group and a named-child question each go from created to
// resolved with two cycles; the named one waits for consent and is released
// (published once) when the parents' consent is recorded. A second named
// child's open request is restricted when its consent is withdrawn, and the
// consumer in the other process sees it.
//
// usage: node direct_line_smoke.mjs <consent binary> <referrals binary> <olif-bus-tail binary>

import { join } from "node:path";
import assert from "node:assert/strict";
import { BusTail, Service, Steps, bufCurl, call, grpcClient, root, tempDir, waitUntil } from "./lib.mjs";

const [consentBin, referralsBin, busTail] = process.argv.slice(2);
if (!consentBin || !referralsBin || !busTail) {
  console.error("usage: node direct_line_smoke.mjs <consent binary> <referrals binary> <olif-bus-tail binary>");
  process.exit(2);
}

const dataDir = tempDir();
const directory = join(root, "config/dev/directory.yaml");
const consent = new Service(consentBin, join(root, "config/dev/consent.yaml"), {
  OLIF_CONSENT_GRPC: "127.0.0.1:0",
  OLIF_CONSENT_METRICS: "127.0.0.1:0",
  OLIF_CONSENT_BUS: "tcp://127.0.0.1:*",
  OLIF_DATA_DIR: dataDir,
  OLIF_DIRECTORY: directory,
});
let referrals = null;
const tail = new BusTail(busTail, dataDir, "referrals");
const steps = new Steps();
const step = steps.step.bind(steps);

const day = 24 * 3600;
const now = Math.floor(Date.now() / 1000);
const requester = { professionalId: "prof-sanne-bakker", organisationId: "org-kdv-de-boomgaard", locationId: "loc-boomgaard-noord" };
const childA = "5d1e8a43-2b6f-4c7d-9e10-a2b3c4d5e6f7";
const childB = "8c7b6a59-4d3e-4f21-9a0b-c1d2e3f4a5b6";
const parent = (name) => ({
  name, relation: "RELATION_PARENT", hasAuthority: true, authorityVerifiedHow: "uittreksel gezagsregister",
  signedAt: { seconds: String(now - 3600) }, method: "SIGNING_METHOD_DIGITAL",
});
const consentFor = (childRef) => ({
  child: { childRef },
  childBirthDate: `${new Date().getUTCFullYear() - 3}-02-01`,
  holdersOfAuthority: 2,
  grantors: [parent("Eva Janssen"), parent("Thomas Janssen")],
  purposes: ["PURPOSE_DIRECT_LINE"],
  recipientOrganisationIds: ["org-jz-het-kompas"],
  dataCategories: ["DATA_CATEGORY_IDENTITY", "DATA_CATEGORY_OBSERVATIONS"],
  validFrom: { seconds: String(now - day) },
  validUntil: { seconds: String(now + 200 * day) },
  evidenceRef: "DOC-2026-11-000200",
  recordedBy: "prof-sanne-bakker",
});
const uuid = (n) => `0f000000-0000-4000-8000-${String(n).padStart(12, "0")}`;

// Accept, two cycles, resolve.
async function workThrough(client, request) {
  let r = (await call(client, "AcceptRequest", { id: request.id, version: request.version })).request;
  assert.equal(r.status, "REQUEST_STATUS_ACCEPTED");
  for (const outcome of ["OUTCOME_CONTINUE", "OUTCOME_RESOLVED"]) {
    r = (await call(client, "RecordCycle", {
      id: r.id, version: r.version,
      cycle: {
        plan: "Vaste rustmomenten en een prentenboek na de lunch.", actions: "Twee weken geprobeerd.",
        periodStart: { seconds: String(now) }, periodEnd: { seconds: String(now + 14 * day) },
        evaluation: "Het gaat beter.", outcome,
      },
    })).request;
  }
  assert.equal(r.cycles.length, 2);
  r = (await call(client, "ResolveRequest", { id: r.id, version: r.version })).request;
  assert.equal(r.status, "REQUEST_STATUS_RESOLVED");
  return r;
}

await steps.run(9, { running: [consent, tail, { killIfRunning: () => referrals?.killIfRunning() }], dir: dataDir }, async () => {
  const consentPorts = await consent.start();
  referrals = new Service(referralsBin, join(root, "config/dev/referrals.yaml"), {
    OLIF_REFERRALS_GRPC: "127.0.0.1:0",
    OLIF_REFERRALS_METRICS: "127.0.0.1:0",
    OLIF_REFERRALS_BUS: "tcp://127.0.0.1:*",
    OLIF_CONSENT_BUS_ENDPOINT: consentPorts.bus,
    OLIF_DATA_DIR: dataDir,
    OLIF_DIRECTORY: directory,
  });
  const referralsPorts = await referrals.start();
  const consents = grpcClient("olifantenpad/consent/v1/consent.proto", "olifantenpad.consent.v1.ConsentService", consentPorts.grpc);
  const client = grpcClient("olifantenpad/referrals/v1/referrals.proto", "olifantenpad.referrals.v1.ReferralsService", referralsPorts.grpc);
  tail.start(referralsPorts.bus);

  await step("an anonymous question goes from created to resolved with two cycles", async () => {
    const created = (await call(client, "CreateRequest", { requestId: uuid(1), request: {
      kind: "REQUEST_KIND_ANONYMOUS", requester, questionDomains: ["QUESTION_DOMAIN_LANGUAGE"],
      question: "Een peuter praat nog weinig; wanneer is dat reden tot zorg?" } })).request;
    assert.equal(created.status, "REQUEST_STATUS_SUBMITTED");
    assert.equal(created.expert.professionalId, "prof-anna-de-vries");
    await workThrough(client, created);
  });

  await step("a group question goes from created to resolved with two cycles", async () => {
    const created = (await call(client, "CreateRequest", { requestId: uuid(2), request: {
      kind: "REQUEST_KIND_GROUP", requester, group: { locationId: "loc-boomgaard-noord", groupId: "grp-egeltjes" },
      questionDomains: ["QUESTION_DOMAIN_GROUP_DYNAMICS"], question: "De groep is onrustig na de lunch." } })).request;
    await workThrough(client, created);
  });

  let named = null;
  await step("a named-child question waits for consent and nothing about it is published", async () => {
    named = (await call(client, "CreateRequest", { requestId: uuid(3), request: {
      kind: "REQUEST_KIND_CHILD", requester, child: { childRef: childA }, questionDomains: ["QUESTION_DOMAIN_BEHAVIOUR"],
      question: "Daan trekt zich de laatste weken terug; hoe kunnen we hem helpen?" },
      childIdentity: { givenName: "Daan", familyName: "Janssen", birthDate: "2023-05-14", bsn: "111222333" } })).request;
    assert.equal(named.status, "REQUEST_STATUS_AWAITING_CONSENT");
    // The two earlier requests' events arrive; none for the named child.
    await tail.waitFor((e) => e.payload.request_id && e.payload.transition === "TRANSITION_RESOLVED" && tail.lines.filter((x) => x.payload.transition === "TRANSITION_RESOLVED").length === 2);
    assert.ok(!tail.lines.some((e) => e.payload.request_id === named.id));
  });

  await step("when the parents' consent is recorded the request is released and published once", async () => {
    await call(consents, "RecordConsent", { requestId: uuid(10), consent: consentFor(childA) });
    const released = await waitUntil(async () => {
      const r = (await call(client, "GetRequest", { id: named.id })).request;
      return r.status === "REQUEST_STATUS_SUBMITTED" ? r : null;
    }, "release");
    assert.ok(released.consentId);
    const event = await tail.waitFor((e) => e.topic === "referrals.request.submitted" && e.payload.request_id === named.id);
    assert.equal(event.payload.child.child_ref, childA);
    assert.ok(!JSON.stringify(event).includes("Janssen") && !JSON.stringify(event).includes("111222333"));
    named = released;
  });

  await step("the named-child question goes on to resolved with two cycles", async () => {
    await workThrough(client, named);
    assert.equal(tail.lines.filter((e) => e.topic === "referrals.request.submitted" && e.payload.request_id === named.id).length, 1);
  });

  await step("withdrawing consent restricts the open request that relied on it, seen in another process", async () => {
    const granted = (await call(consents, "RecordConsent", { requestId: uuid(11), consent: consentFor(childB) })).consent;
    let open = await waitUntil(async () => {
      try {
        const r = (await call(client, "CreateRequest", { requestId: uuid(4), request: {
          kind: "REQUEST_KIND_CHILD", requester, child: { childRef: childB }, questionDomains: ["QUESTION_DOMAIN_MOTOR"],
          question: "Sara valt vaak; is dat nog normaal voor haar leeftijd?" },
          childIdentity: { givenName: "Sara", familyName: "de Boer", birthDate: "2023-02-01" } })).request;
        return r.status === "REQUEST_STATUS_SUBMITTED" ? r : null;
      } catch (e) { return null; }
    }, "consent known to referrals");
    open = (await call(client, "AcceptRequest", { id: open.id, version: open.version })).request;
    await call(consents, "WithdrawConsent", { id: granted.id, withdrawnBy: "Eva Janssen" });
    await waitUntil(async () => (await call(client, "GetRequest", { id: open.id })).request.restricted, "restriction");
    const event = await tail.waitFor((e) => e.topic === "referrals.request.restricted" && e.payload.request_id === open.id);
    assert.equal(event.payload.consent_id, granted.id);
  });

  await step("statistics through gRPC suppress small numbers", async () => {
    const stats = await call(client, "GetStatistics", {
      start: { seconds: String(now - day) }, end: { seconds: String(now + day) }, locationId: "loc-boomgaard-noord" });
    assert.equal(stats.total, "<5");
    assert.ok(stats.counts.every((c) => c.count === "<5"), JSON.stringify(stats.counts));
  });

  await step("referrals' admin status shows its consent consumer caught up", async () => {
    const status = JSON.parse(bufCurl(referralsPorts.grpc, ["$/olifantenpad.admin.v1.AdminService/GetStatus"]));
    const c = status.busConsumers.find((x) => x.producer === "consent");
    assert.ok(c, JSON.stringify(status.busConsumers));
    assert.equal(c.cursor, "3", "two grants and one withdrawal applied");
    assert.equal(c.lag ?? "0", "0");
  });

  consents.close();
  client.close();
  await step("SIGTERM stops both services and the consumer cleanly", async () => {
    assert.equal(await tail.stop(), 0);
    assert.equal(await referrals.stop(), 0);
    assert.equal(await consent.stop(), 0);
  });
});
