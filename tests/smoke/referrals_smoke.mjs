// The referrals service as a new user meets it: the real binary on the dev
// config (ports moved to 0, data in a temporary directory), called with real
// gRPC clients: `buf curl` over server reflection, and @grpc/grpc-js with the
// project's protos. A request created before a restart is still there after it.
//
// RequestSubmitted reaches a consumer in another process (olif-bus-tail), and
// one committed while that consumer was down reaches it when it is back.
//
// usage: node referrals_smoke.mjs <referrals binary> <olif-bus-tail binary>

import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import assert from "node:assert/strict";
import { BusTail, Service, Steps, bufCurl, call, grpc, grpcClient, root, tempDir } from "./lib.mjs";

const binary = process.argv[2];
const busTail = process.argv[3];
if (!binary || !busTail) {
  console.error("usage: node referrals_smoke.mjs <referrals binary> <olif-bus-tail binary>");
  process.exit(2);
}

const dataDir = tempDir();
const steps = new Steps();
const step = steps.step.bind(steps);
const service = new Service(binary, join(root, "config/dev/referrals.yaml"), {
  OLIF_REFERRALS_GRPC: "127.0.0.1:0",
  OLIF_REFERRALS_METRICS: "127.0.0.1:0",
  OLIF_REFERRALS_BUS: "tcp://127.0.0.1:*",
  OLIF_DATA_DIR: dataDir,
  OLIF_DIRECTORY: join(root, "config/dev/directory.yaml"),
});
const tail = new BusTail(busTail, dataDir, "referrals");
const referralsClient = (port) =>
  grpcClient("olifantenpad/referrals/v1/referrals.proto", "olifantenpad.referrals.v1.ReferralsService", port);

const requestId = "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b";
const question = "De groep Egeltjes is onrustig na de lunch. Wat kunnen we anders doen?";
let createdId = "";

await steps.run(12, { running: [service, tail], dir: dataDir }, async () => {
  await step("--version, --gen-curve-keypair and --check-config answer without starting", () => {
    const version = spawnSync(binary, ["--version"], { encoding: "utf8" });
    assert.equal(version.status, 0);
    assert.match(version.stdout, /^referrals \d+\.\d+\.\d+/);
    const keys = spawnSync(binary, ["--gen-curve-keypair"], { encoding: "utf8" });
    assert.equal(keys.status, 0);
    assert.match(keys.stdout, /^public_key: \S{40}\nsecret_key: \S{40}\n$/);
    const good = spawnSync(binary, ["--config", join(root, "config/dev/referrals.yaml"), "--check-config"], { encoding: "utf8", env: { ...process.env, ...service.env } });
    assert.equal(good.status, 0, good.stderr);
    const bad = join(dataDir, "bad.yaml");
    writeFileSync(bad, "runtime:\n  grpc:\n    listen_address: 127.0.0.1:0\n    listen_port: 7\n");
    const refused = spawnSync(binary, ["--config", bad, "--check-config"], { encoding: "utf8" });
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /bad\.yaml:4: runtime\.grpc\.listen_port: unknown key/);
  });

  let ports = await service.start();

  await step("health check answers SERVING", () => {
    const out = JSON.parse(bufCurl(ports.grpc, ["$/grpc.health.v1.Health/Check"]));
    assert.equal(out.status, "SERVING");
  });

  await step("reflection lists the services", () => {
    const out = bufCurl(ports.grpc, ["--list-services", "$"]);
    for (const s of ["olifantenpad.referrals.v1.ReferralsService", "olifantenpad.admin.v1.AdminService", "grpc.health.v1.Health"]) {
      assert.ok(out.includes(s), `${s} missing from:\n${out}`);
    }
  });

  await step("a group question is created with @grpc/grpc-js", async () => {
    const client = referralsClient(ports.grpc);
    const reply = await call(client, "CreateRequest", {
      requestId,
      request: {
        kind: "REQUEST_KIND_GROUP",
        requester: { professionalId: "prof-sanne-bakker", organisationId: "org-kdv-de-boomgaard", locationId: "loc-boomgaard-noord" },
        group: { locationId: "loc-boomgaard-noord", groupId: "grp-egeltjes" },
        questionDomains: ["QUESTION_DOMAIN_GROUP_DYNAMICS"],
        question,
      },
    }, "smoke-trace-1");
    assert.equal(reply.request.status, "REQUEST_STATUS_SUBMITTED");
    assert.equal(reply.request.traceId, "smoke-trace-1");
    createdId = reply.request.id;
    client.close();
  });

  await step("RequestSubmitted reaches a consumer in another process", async () => {
    tail.start(ports.bus);
    const event = await tail.waitFor((e) => e.topic === "referrals.request.submitted");
    assert.equal(event.producer, "referrals");
    assert.equal(event.seq, "1");
    assert.equal(event.trace_id, "smoke-trace-1");
    assert.equal(event.payload["@type"], "type.googleapis.com/olifantenpad.referrals.v1.RequestSubmitted");
    assert.equal(event.payload.request_id, createdId);
    assert.equal(event.payload.question, question);
    assert.equal(await tail.stop(), 0);
  });

  await step("an event committed while the consumer was down reaches it when it is back", async () => {
    const client = referralsClient(ports.grpc);
    const reply = await call(client, "CreateRequest", {
      requestId: "0b5e9c4a-7d2f-4e81-9a36-2c4d6e8f0a1b",
      request: {
        kind: "REQUEST_KIND_ANONYMOUS",
        requester: { professionalId: "prof-sanne-bakker", organisationId: "org-kdv-de-boomgaard", locationId: "loc-boomgaard-noord" },
        questionDomains: ["QUESTION_DOMAIN_LANGUAGE"],
        question: "Een peuter praat nog weinig; wanneer is dat reden tot zorg?",
      },
    });
    client.close();
    tail.start(ports.bus);
    const event = await tail.waitFor((e) => e.payload.request_id === reply.request.id);
    assert.equal(event.seq, "2");
    assert.equal(tail.lines.length, 1, "the first event is not printed again");
    assert.equal(await tail.stop(), 0);
  });

  await step("a malformed request is INVALID_ARGUMENT naming the field", async () => {
    const client = referralsClient(ports.grpc);
    await assert.rejects(
      call(client, "CreateRequest", { requestId: "not-a-uuid", request: { kind: "REQUEST_KIND_ANONYMOUS" } }),
      (err) => err.code === grpc.status.INVALID_ARGUMENT && err.details.includes("request_id: must be a UUID"),
    );
    client.close();
  });

  await step("/metrics shows the call counted", async () => {
    const text = await (await fetch(`http://127.0.0.1:${ports.metrics}/metrics`)).text();
    assert.match(text, /olif_grpc_server_handled_total\{method="\/olifantenpad\.referrals\.v1\.ReferralsService\/CreateRequest",code="OK"\} 2/);
    assert.match(text, /code="INVALID_ARGUMENT"\} 1/);
    assert.match(text, /\nolif_outbox_rows 2\n/);
    const health = await fetch(`http://127.0.0.1:${ports.metrics}/healthz`);
    assert.equal(health.status, 200);
  });

  await step("admin status shows the database, the outbox and the consumer's position", () => {
    const out = JSON.parse(bufCurl(ports.grpc, ["$/olifantenpad.admin.v1.AdminService/GetStatus"]));
    assert.equal(out.process, "referrals");
    assert.equal(out.outbox.rowCount, "2");
    assert.equal(out.busProducer.consumers[0].name, "bus-tail");
    assert.equal(out.busProducer.consumers[0].ackedSeq, "2");
    assert.ok(out.database.path.endsWith("referrals/referrals.db"), out.database.path);
  });

  await step("SIGTERM stops the service cleanly", async () => {
    assert.equal(await service.stop(), 0);
  });

  ports = await service.start();

  await step("the request is still there after a restart", async () => {
    const client = referralsClient(ports.grpc);
    const reply = await call(client, "GetRequest", { id: createdId });
    assert.equal(reply.request.question, question);
    assert.equal(reply.request.requestId, requestId);
    const listed = await call(client, "ListRequests", { locationId: "loc-boomgaard-noord" });
    assert.equal(listed.requests.length, 2);
    client.close();
  });

  await step("SIGTERM stops the restarted service", async () => {
    assert.equal(await service.stop(), 0);
  });
});
