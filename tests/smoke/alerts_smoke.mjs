// Alerts as an operator meets them, against the whole hub started by the
// launcher: the youth-care provider's FHIR server goes down while questions
// come in, the adapter retries again and again, and the operators' webhook
// (a server in this test) gets exactly one notification when the backlog
// alert starts and one when it ends, with how long it lasted. The webhook
// refuses the first notification once: it comes again (the delivery
// runtime's retry), still one alert. `olifantctl alerts` shows it firing
// meanwhile and resolved afterwards.
//
// usage: node alerts_smoke.mjs <olifantenpad binary> <olifantctl binary>

import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import assert from "node:assert/strict";
import { Steps, call, fhir, freePort, grpcClient, root, tempDir, waitUntil } from "./lib.mjs";
import { HubLauncher, hubEnv, olifantctl } from "./hub.mjs";

const [launcher, ctlBin] = process.argv.slice(2);
if (!launcher || !ctlBin) {
  console.error("usage: node alerts_smoke.mjs <olifantenpad binary> <olifantctl binary>");
  process.exit(2);
}

const dataDir = tempDir();
const steps = new Steps();
const step = steps.step.bind(steps);

// The operators' webhook: refuses the first POST with 503, keeps the rest.
const posts = [];
let refused = 0;
const webhook = createServer((req, res) => {
  let body = "";
  req.on("data", (c) => { body += c; });
  req.on("end", () => {
    if (refused === 0) {
      refused += 1;
      res.writeHead(503).end("busy");
      return;
    }
    posts.push({ key: req.headers["idempotency-key"], auth: req.headers.authorization, body: JSON.parse(body) });
    res.writeHead(200, { "Content-Type": "application/json" }).end("{}");
  });
});
const webhookPort = await freePort();
await new Promise((r) => webhook.listen(webhookPort, "127.0.0.1", r));

let ports = null;
const ctl = olifantctl(ctlBin, () => ports);
const backlog = () => posts.filter((p) => p.body.alert === "fhir-backlog");

let up = null;
await steps.run(5, { running: [{ killIfRunning: () => up?.killIfRunning() }, { killIfRunning: () => webhook.close() }], dir: dataDir }, async () => {
  ports = {
    ...(await hubEnv(dataDir)),
    OLIF_ALERTS_WEBHOOK_URL: `http://127.0.0.1:${webhookPort}/alerts`,
    OLIF_ALERTS_EVERY: "300ms",
    OLIF_ALERTS_BACKLOG_ABOVE: "0",
    OLIF_ALERTS_BACKLOG_FOR: "1s",
  };
  up = new HubLauncher(launcher, ports);
  await up.waitFor(/all services are healthy/);
  const base = ports.OLIF_FHIR_BASE_URL;

  await step("nothing fires while the hub is well", async () => {
    await new Promise((r) => setTimeout(r, 2000));
    const r = await ctl(["alerts"]);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.json.firing, false);
    assert.deepEqual(posts, []);
  });

  let firing = null;
  await step("the FHIR server down and questions coming: the backlog alert fires once", async () => {
    assert.equal((await fhir(base, "POST", "/_fake/down", { seconds: 9 })).status, 200);
    const referrals = grpcClient("olifantenpad/referrals/v1/referrals.proto",
      "olifantenpad.referrals.v1.ReferralsService", Number(ports.OLIF_REFERRALS_GRPC.split(":")[1]));
    const example = JSON.parse(readFileSync(join(root, "tests/smoke/example-request.json"), "utf8"));
    for (let i = 0; i < 3; ++i) await call(referrals, "CreateRequest", { ...example, requestId: randomUUID() });
    firing = await waitUntil(() => backlog().find((p) => p.body.state === "firing") ?? null,
      "the firing notification", 20000);
    assert.equal(firing.body.subject, "youthcare_fhir/fhir");
    assert.equal(firing.body.kind, "queue_backlog");
    assert.match(firing.body.summary, /^\d+ messages wait for fhir at youthcare_fhir \(alert above 0\)$/);
    assert.match(firing.body.advice, /FHIR server/);
    assert.equal(refused, 1, "the webhook refused the first one: it came again");
    const r = await ctl(["alerts"]);
    assert.equal(r.code, 1, "exit 1 while an alert fires");
    const a = r.json.alerts.find((x) => x.rule === "fhir-backlog");
    assert.equal(a.state, "firing");
  });

  await step("the server back: the queue drains and the alert resolves once, with how long it lasted", async () => {
    const resolved = await waitUntil(() => backlog().find((p) => p.body.state === "resolved") ?? null,
      "the resolved notification", 40000);
    assert.ok(resolved.body.lasted_seconds >= 1, JSON.stringify(resolved.body));
    assert.equal(resolved.body.since, firing.body.since);
    const r = await ctl(["alerts", "--all"]);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.json.alerts.find((x) => x.rule === "fhir-backlog").state, "resolved");
  });

  await step("many retries in between, still two notifications; each sent once however often tried", async () => {
    await new Promise((r) => setTimeout(r, 1500));  // evaluations go on: nothing more
    assert.deepEqual(backlog().map((p) => p.body.state), ["firing", "resolved"]);
    assert.equal(new Set(backlog().map((p) => p.key)).size, 2);
    const failed = await ctl(["history", "search", "--process", "youthcare_fhir", "--destination", "fhir",
      "--outcome", "failed", "--limit", "1000"]);
    assert.ok(failed.json.entries.length >= 3, `${failed.json.entries.length} failed attempts`);
    const sent = await ctl(["history", "search", "--process", "alerts", "--destination", "webhook"]);
    assert.deepEqual(sent.json.entries.map((e) => e.outcome).sort(), ["delivered", "delivered", "failed"]);
    assert.ok(posts.every((p) => p.body.alert === "fhir-backlog"), JSON.stringify(posts.map((p) => p.body.alert)));
  });

  await step("SIGTERM stops the hub", async () => {
    up.child.kill("SIGTERM");
    assert.equal(await up.exited, 0);
    webhook.close();
  });
});
