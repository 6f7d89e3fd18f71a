// The referrals service as a new user meets it: the real binary on the dev
// config (ports moved to 0, data in a temporary directory), called with real
// gRPC clients: `buf curl` over server reflection, and @grpc/grpc-js with the
// project's protos. A request created before a restart is still there after it.
//
// RequestSubmitted reaches a consumer in another process (olif-bus-tail), and
// one committed while that consumer was down reaches it when it is back.
//
// usage: node referrals_smoke.mjs <referrals binary> <olif-bus-tail binary>

import { spawn, spawnSync, execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import assert from "node:assert/strict";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../..");
const require = createRequire(join(root, "tests/package.json"));
let grpc, protoLoader;
try {
  grpc = require("@grpc/grpc-js");
  protoLoader = require("@grpc/proto-loader");
} catch (e) {
  console.error("smoke: npm test tools missing; run deploy/install-deps.sh (make deps)");
  process.exit(1);
}
const buf = join(root, "tests/node_modules/.bin/buf");
const binary = process.argv[2];
const busTail = process.argv[3];
if (!binary || !busTail) {
  console.error("usage: node referrals_smoke.mjs <referrals binary> <olif-bus-tail binary>");
  process.exit(2);
}

const dataDir = mkdtempSync(join(tmpdir(), "olif-smoke-"));
const results = { passed: 0, failed: 0 };
let child = null;

async function step(name, fn) {
  try {
    await fn();
    results.passed++;
    console.log(`ok   ${name}`);
  } catch (e) {
    results.failed++;
    console.log(`FAIL ${name}: ${e.message}`);
    throw e;
  }
}

// Starts the service and resolves with its ports once it logs where it listens.
function start() {
  return new Promise((resolvePorts, reject) => {
    child = spawn(binary, ["--config", join(root, "config/dev/referrals.yaml")], {
      env: {
        ...process.env,
        OLIF_REFERRALS_GRPC: "127.0.0.1:0",
        OLIF_REFERRALS_METRICS: "127.0.0.1:0",
        OLIF_REFERRALS_BUS: "tcp://127.0.0.1:*",
        OLIF_DATA_DIR: dataDir,
      },
      stdio: ["ignore", "inherit", "pipe"],
    });
    const timer = setTimeout(() => reject(new Error("no 'listening' line within 20 s")), 20000);
    let buffered = "";
    child.stderr.on("data", (chunk) => {
      process.stderr.write(chunk);
      buffered += chunk.toString();
      const m = buffered.match(/listening grpc=127\.0\.0\.1:(\d+) metrics=127\.0\.0\.1:(\d+)/);
      const b = buffered.match(/serving .*bus=(tcp:\/\/127\.0\.0\.1:\d+)/);
      if (m && b) {
        clearTimeout(timer);
        resolvePorts({ grpc: Number(m[1]), metrics: Number(m[2]), bus: b[1] });
        buffered = "";
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`exited early with ${code}`));
    });
  });
}

// Sends SIGTERM and resolves with the exit code; fails after 15 s.
function stop() {
  return new Promise((resolveExit, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error("did not stop within 15 s of SIGTERM"));
    }, 15000);
    child.removeAllListeners("exit");
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      resolveExit(code ?? signal);
    });
    child.kill("SIGTERM");
  });
}

function bufCurl(port, args) {
  const out = execFileSync(
    buf,
    ["curl", "--protocol", "grpc", "--http2-prior-knowledge", ...args.map((a) => a.replace("$", `http://127.0.0.1:${port}`))],
    { encoding: "utf8", timeout: 20000 },
  );
  return out;
}

function referralsClient(port) {
  const def = protoLoader.loadSync("olifantenpad/referrals/v1/referrals.proto", {
    includeDirs: [join(root, "proto")],
    enums: String,
    longs: String,
    defaults: false,
  });
  const pkg = grpc.loadPackageDefinition(def);
  return new pkg.olifantenpad.referrals.v1.ReferralsService(
    `127.0.0.1:${port}`,
    grpc.credentials.createInsecure(),
  );
}

function call(client, method, request, traceId) {
  const metadata = new grpc.Metadata();
  if (traceId) metadata.set("x-trace-id", traceId);
  return new Promise((res, rej) =>
    client[method](request, metadata, { deadline: Date.now() + 10000 }, (err, reply) =>
      err ? rej(err) : res(reply),
    ),
  );
}

// olif-bus-tail as the consumer "bus-tail" (configured in config/dev/referrals.yaml).
let tail = null;
let tailLines = [];
function startTail(endpoint) {
  tailLines = [];
  tail = spawn(busTail, ["--endpoint", endpoint, "--producer", "referrals", "--consumer", "bus-tail",
    "--db", join(dataDir, "bus-tail.db")], { stdio: ["ignore", "pipe", "inherit"] });
  let partial = "";
  tail.stdout.on("data", (chunk) => {
    partial += chunk.toString();
    const lines = partial.split("\n");
    partial = lines.pop();
    for (const l of lines) if (l.trim()) tailLines.push(JSON.parse(l));
  });
}
function stopTail() {
  return new Promise((res) => {
    tail.on("exit", (code) => res(code));
    tail.kill("SIGTERM");
  });
}
async function waitForTail(predicate, ms = 15000) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const hit = tailLines.find(predicate);
    if (hit) return hit;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no matching event within ${ms} ms; got ${JSON.stringify(tailLines)}`);
}

const requestId = "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b";
const question = "De groep Egeltjes is onrustig na de lunch. Wat kunnen we anders doen?";
let createdId = "";

try {
  await step("--version, --gen-curve-keypair and --check-config answer without starting", () => {
    const version = spawnSync(binary, ["--version"], { encoding: "utf8" });
    assert.equal(version.status, 0);
    assert.match(version.stdout, /^referrals \d+\.\d+\.\d+/);
    const keys = spawnSync(binary, ["--gen-curve-keypair"], { encoding: "utf8" });
    assert.equal(keys.status, 0);
    assert.match(keys.stdout, /^public_key: \S{40}\nsecret_key: \S{40}\n$/);
    const good = spawnSync(binary, ["--config", join(root, "config/dev/referrals.yaml"), "--check-config"], { encoding: "utf8" });
    assert.equal(good.status, 0, good.stderr);
    const bad = join(dataDir, "bad.yaml");
    writeFileSync(bad, "runtime:\n  grpc:\n    listen_address: 127.0.0.1:0\n    listen_port: 7\n");
    const refused = spawnSync(binary, ["--config", bad, "--check-config"], { encoding: "utf8" });
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /bad\.yaml:4: runtime\.grpc\.listen_port: unknown key/);
  });

  let ports = await start();

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
    startTail(ports.bus);
    const event = await waitForTail((e) => e.topic === "referrals.request.submitted");
    assert.equal(event.producer, "referrals");
    assert.equal(event.seq, "1");
    assert.equal(event.trace_id, "smoke-trace-1");
    assert.equal(event.payload["@type"], "type.googleapis.com/olifantenpad.referrals.v1.RequestSubmitted");
    assert.equal(event.payload.request_id, createdId);
    assert.equal(event.payload.question, question);
    assert.equal(await stopTail(), 0);
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
    startTail(ports.bus);
    const event = await waitForTail((e) => e.payload.request_id === reply.request.id);
    assert.equal(event.seq, "2");
    assert.equal(tailLines.length, 1, "the first event is not printed again");
    assert.equal(await stopTail(), 0);
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
    assert.equal(await stop(), 0);
  });

  ports = await start();

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
    assert.equal(await stop(), 0);
  });
} catch (e) {
  if (child && child.exitCode === null) child.kill("SIGKILL");
  if (tail && tail.exitCode === null) tail.kill("SIGKILL");
  console.error(e.stack ?? String(e));
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
console.log(`${results.passed} passed, ${results.failed} failed`);
process.exit(results.failed === 0 && results.passed === 12 ? 0 : 1);
