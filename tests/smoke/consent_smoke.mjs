// The consent service as a new user meets it: the real binary on the dev
// config (ports moved to 0, data and a copy of the directory in a temporary
// directory), called with real gRPC clients.
//
// A consent for a 3-year-old with joint authority signed by one parent is
// refused naming the missing parent; signed by both it is active; the check
// permits; after the withdrawal the check denies at once, and the withdrawal
// reaches a consumer in another process (olif-bus-tail). SIGHUP reloads the
// directory; a broken directory is refused and the one in force stays.
//
// usage: node consent_smoke.mjs <consent binary> <olif-bus-tail binary>

import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import assert from "node:assert/strict";
import { BusTail, Service, Steps, bufCurl, call, grpc, grpcClient, root, tempDir } from "./lib.mjs";

const binary = process.argv[2];
const busTail = process.argv[3];
if (!binary || !busTail) {
  console.error("usage: node consent_smoke.mjs <consent binary> <olif-bus-tail binary>");
  process.exit(2);
}

const dataDir = tempDir();
const directory = join(dataDir, "directory.yaml");
const original = readFileSync(join(root, "config/dev/directory.yaml"), "utf8");
writeFileSync(directory, original);
const config = join(root, "config/dev/consent.yaml");
const env = {
  OLIF_CONSENT_GRPC: "127.0.0.1:0",
  OLIF_CONSENT_METRICS: "127.0.0.1:0",
  OLIF_CONSENT_BUS: "tcp://127.0.0.1:*",
  OLIF_DATA_DIR: dataDir,
  OLIF_DIRECTORY: directory,
};
const steps = new Steps();
const step = steps.step.bind(steps);
const service = new Service(binary, config, env);
const tail = new BusTail(busTail, dataDir, "consent");

const childRef = "5d1e8a43-2b6f-4c7d-9e10-a2b3c4d5e6f7";
const parent = (name) => ({
  name,
  relation: "RELATION_PARENT",
  hasAuthority: true,
  authorityVerifiedHow: "uittreksel gezagsregister",
  signedAt: { seconds: String(Math.floor(Date.now() / 1000) - 3600) },
  method: "SIGNING_METHOD_DIGITAL",
});
const day = 24 * 3600;
const now = Math.floor(Date.now() / 1000);
const consent = (grantors, recipients = ["org-jz-het-kompas"]) => ({
  child: { childRef },
  childBirthDate: `${new Date().getUTCFullYear() - 3}-01-15`,
  holdersOfAuthority: 2,
  grantors,
  purposes: ["PURPOSE_DIRECT_LINE"],
  recipientOrganisationIds: recipients,
  dataCategories: ["DATA_CATEGORY_IDENTITY", "DATA_CATEGORY_OBSERVATIONS"],
  validFrom: { seconds: String(now - day) },
  validUntil: { seconds: String(now + 200 * day) },
  evidenceRef: "DOC-2026-11-000123",
  recordedBy: "prof-sanne-bakker",
});
const access = { actorId: "prof-sanne-bakker", reason: "intake" };
const check = { child: { childRef }, purpose: "PURPOSE_DIRECT_LINE", recipientOrganisationId: "org-jz-het-kompas", access };
let consentId = "";

await steps.run(12, { running: [service, tail], dir: dataDir }, async () => {
  await step("--check-config accepts the dev config and names a missing directory", () => {
    const good = spawnSync(binary, ["--config", config, "--check-config"], { encoding: "utf8", env: { ...process.env, ...env } });
    assert.equal(good.status, 0, good.stderr);
    const bad = spawnSync(binary, ["--config", config, "--check-config"], {
      encoding: "utf8", env: { ...process.env, ...env, OLIF_DIRECTORY: join(dataDir, "missing.yaml") } });
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /missing\.yaml/);
  });

  const ports = await service.start();
  const client = grpcClient("olifantenpad/consent/v1/consent.proto", "olifantenpad.consent.v1.ConsentService", ports.grpc);
  tail.start(ports.bus);

  await step("reflection lists the consent service", () => {
    const out = bufCurl(ports.grpc, ["--list-services", "$"]);
    assert.ok(out.includes("olifantenpad.consent.v1.ConsentService"), out);
  });

  await step("joint authority signed by one parent is refused, naming the missing parent", async () => {
    await assert.rejects(
      call(client, "RecordConsent", { requestId: "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a40", consent: consent([parent("Eva Janssen")]), access }),
      (err) => err.code === grpc.status.FAILED_PRECONDITION &&
        err.details === "consent for a child of 3 needs the signature of both parents with joint authority (1 of 2 signed)",
    );
  });

  await step("signed by both parents the consent is active", async () => {
    const reply = await call(client, "RecordConsent", {
      requestId: "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a41",
      consent: consent([parent("Eva Janssen"), parent("Thomas Janssen")]),
      access,
    }, "smoke-consent-1");
    assert.equal(reply.consent.status, "CONSENT_STATUS_ACTIVE");
    consentId = reply.consent.id;
  });

  await step("the check permits, naming the consent", async () => {
    const reply = await call(client, "CheckConsent", check);
    assert.equal(reply.decision.permitted, true);
    assert.equal(reply.decision.consentId, consentId);
  });

  await step("ConsentGranted reaches a consumer in another process, without names", async () => {
    const event = await tail.waitFor((e) => e.topic === "consent.granted");
    assert.equal(event.payload.consent_id, consentId);
    assert.equal(event.trace_id, "smoke-consent-1");
    assert.ok(!JSON.stringify(event).includes("Janssen"));
  });

  await step("after the withdrawal the check denies at once", async () => {
    const reply = await call(client, "WithdrawConsent", { id: consentId, withdrawnBy: "Eva Janssen", reason: "eerst zelf bespreken", access });
    assert.equal(reply.consent.status, "CONSENT_STATUS_WITHDRAWN");
    const decision = (await call(client, "CheckConsent", check)).decision;
    assert.equal(decision.permitted ?? false, false);
    assert.match(decision.reason, new RegExp(`^consent ${consentId} was withdrawn at `));
  });

  await step("the withdrawal reaches the consumer in another process", async () => {
    const event = await tail.waitFor((e) => e.topic === "consent.withdrawn");
    assert.equal(event.payload.consent_id, consentId);
    assert.equal(event.payload.child.child_ref, childRef);
    assert.equal(await tail.stop(), 0);
  });

  await step("SIGHUP reloads the directory: a new organisation becomes a valid recipient", async () => {
    const request = { requestId: "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a42", consent: consent([parent("Eva Janssen"), parent("Thomas Janssen")], ["org-jz-de-brug"]), access };
    await assert.rejects(call(client, "RecordConsent", request),
      (err) => err.code === grpc.status.INVALID_ARGUMENT &&
        err.details.includes("consent.recipient_organisation_ids[0]: 'org-jz-de-brug' is not an organisation in the directory"));
    writeFileSync(directory, original.replace(
      /(  - \{id: org-jz-wijkteam-oost.*\n)/,
      "$1  - {id: org-jz-de-brug, kind: youth_care, name: Jeugdhulp De Brug}\n"));
    service.signal("SIGHUP");
    await service.waitForLog(/directory reloaded/);
    const reply = await call(client, "RecordConsent", request);
    assert.equal(reply.consent.status, "CONSENT_STATUS_ACTIVE");
  });

  await step("a broken directory is refused on SIGHUP and the one in force stays", async () => {
    writeFileSync(directory, original.replace("org-jz-het-kompas, kind: youth_care", "org-jz-het-kompas, kind: castle"));
    service.signal("SIGHUP");
    await service.waitForLog(/directory reload refused; the directory in force stays.*directory\.yaml/);
    const reply = await call(client, "RecordConsent", {
      requestId: "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a43",
      consent: consent([parent("Eva Janssen"), parent("Thomas Janssen")], ["org-jz-de-brug", "org-jz-het-kompas"]),
      access,
    });
    assert.equal(reply.consent.status, "CONSENT_STATUS_ACTIVE");
  });

  await step("admin status and metrics show the outbox and the calls", async () => {
    const out = JSON.parse(bufCurl(ports.grpc, ["$/olifantenpad.admin.v1.AdminService/GetStatus"]));
    assert.equal(out.process, "consent");
    assert.equal(out.outbox.rowCount, "4");
    assert.equal(out.busProducer.consumers[0].name, "bus-tail");
    const text = await (await fetch(`http://127.0.0.1:${ports.metrics}/metrics`)).text();
    assert.match(text, /olif_grpc_server_handled_total\{method="\/olifantenpad\.consent\.v1\.ConsentService\/RecordConsent",code="FAILED_PRECONDITION"\} 1/);
    assert.match(text, /olif_grpc_server_handled_total\{method="\/olifantenpad\.consent\.v1\.ConsentService\/CheckConsent",code="OK"\} 2/);
  });

  client.close();
  await step("SIGTERM stops the service cleanly", async () => {
    assert.equal(await service.stop(), 0);
  });
});
