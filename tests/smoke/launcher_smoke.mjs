// The launcher as an operator meets it: `olifantenpad up` on the dev config
// (ports moved to free loopback ports, data in a temporary directory) starts
// consent, referrals, the fake FHIR server and the youth-care adapter, says
// when all are healthy, carries a request through to the FHIR server and the
// provider's answer back, restarts a process that is killed, and leaves no
// process behind on SIGTERM — nor when the launcher itself is killed.
//
// usage: node launcher_smoke.mjs <olifantenpad binary>

import { execFile, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import assert from "node:assert/strict";
import { Steps, freePort, root, tempDir } from "./lib.mjs";

const launcher = process.argv[2];
if (!launcher) {
  console.error("usage: node launcher_smoke.mjs <olifantenpad binary>");
  process.exit(2);
}

const dataDir = tempDir();
const steps = new Steps();
const step = steps.step.bind(steps);

class Launcher {
  constructor(env) {
    this.out = "";
    this.child = spawn(launcher, ["up", "--config-dir", join(root, "config/dev")], {
      cwd: root, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "inherit"] });
    this.child.stdout.on("data", (chunk) => { this.out += chunk.toString(); });
    this.exited = new Promise((res) => this.child.on("exit", (code, signal) => res(code ?? signal)));
  }
  async waitFor(pattern, ms = 20000) {
    const until = Date.now() + ms;
    while (Date.now() < until) {
      const m = this.out.match(pattern);
      if (m) return m;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`launcher output did not show ${pattern} within ${ms} ms:\n${this.out.slice(-2000)}`);
  }
  pids() {
    const pids = {};
    for (const m of this.out.matchAll(/started (\w+) pid=(\d+)/g)) pids[m[1]] = Number(m[2]);
    return pids;
  }
  killIfRunning() {
    if (this.child.exitCode === null) this.child.kill("SIGKILL");
  }
}

const alive = (pid) => {
  try { process.kill(pid, 0); return true; } catch (e) { return e.code !== "ESRCH"; }
};
async function gone(pids, ms = 20000) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (pids.every((p) => !alive(p))) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`still running: ${pids.filter(alive).join(", ")}`);
}

async function env() {
  const consentBus = await freePort();
  const referralsGrpc = `127.0.0.1:${await freePort()}`;
  const referralsBus = `tcp://127.0.0.1:${await freePort()}`;
  const fhirListen = `127.0.0.1:${await freePort()}`;
  const schedulingBus = `tcp://127.0.0.1:${await freePort()}`;
  const handoverBus = `tcp://127.0.0.1:${await freePort()}`;
  const schoolWebhook = await freePort();
  const fakeSchoolListen = `127.0.0.1:${await freePort()}`;
  return {
    OLIF_SCHEDULING_GRPC: `127.0.0.1:${await freePort()}`,
    OLIF_SCHEDULING_METRICS: "127.0.0.1:0",
    OLIF_SCHEDULING_BUS: schedulingBus,
    OLIF_SCHEDULING_BUS_ENDPOINT: schedulingBus,
    OLIF_SCHEDULING_FEEDS: "127.0.0.1:0",
    OLIF_HANDOVER_GRPC: `127.0.0.1:${await freePort()}`,
    OLIF_HANDOVER_METRICS: "127.0.0.1:0",
    OLIF_HANDOVER_BUS: handoverBus,
    OLIF_HANDOVER_BUS_ENDPOINT: handoverBus,
    OLIF_FAKE_FHIR_GRPC: `127.0.0.1:${await freePort()}`,
    OLIF_FAKE_FHIR_METRICS: "127.0.0.1:0",
    OLIF_FAKE_FHIR_LISTEN: fhirListen,
    OLIF_FHIR_BASE_URL: `http://${fhirListen}`,
    OLIF_YOUTHCARE_FHIR_GRPC: `127.0.0.1:${await freePort()}`,
    OLIF_YOUTHCARE_FHIR_METRICS: "127.0.0.1:0",
    OLIF_YOUTHCARE_WEBHOOK: "127.0.0.1:0",
    OLIF_REFERRALS_BUS_ENDPOINT: referralsBus,
    OLIF_CONSENT_GRPC: `127.0.0.1:${await freePort()}`,
    OLIF_CONSENT_METRICS: "127.0.0.1:0",
    OLIF_CONSENT_BUS: `tcp://127.0.0.1:${consentBus}`,
    OLIF_CONSENT_BUS_ENDPOINT: `tcp://127.0.0.1:${consentBus}`,
    OLIF_REFERRALS_GRPC: referralsGrpc,
    OLIF_REFERRALS_METRICS: "127.0.0.1:0",
    OLIF_REFERRALS_BUS: referralsBus,
    OLIF_CHILDCARE_GRPC: `127.0.0.1:${await freePort()}`,
    OLIF_CHILDCARE_METRICS: "127.0.0.1:0",
    OLIF_CHILDCARE_BOOMGAARD_WEBHOOK: "127.0.0.1:0",
    OLIF_SCHOOL_GRPC: `127.0.0.1:${await freePort()}`,
    OLIF_SCHOOL_METRICS: "127.0.0.1:0",
    OLIF_SCHOOL_RECEIPT_PAGE: "127.0.0.1:0",
    OLIF_SCHOOL_WEBHOOK: `127.0.0.1:${schoolWebhook}`,
    OLIF_SCHOOL_WEBHOOK_URL: `http://127.0.0.1:${schoolWebhook}/school/receipt`,
    OLIF_FAKE_SCHOOL_GRPC: `127.0.0.1:${await freePort()}`,
    OLIF_FAKE_SCHOOL_METRICS: "127.0.0.1:0",
    OLIF_FAKE_SCHOOL_LISTEN: fakeSchoolListen,
    OLIF_FAKE_SCHOOL_URL: `http://${fakeSchoolListen}/fhir`,
    OLIF_DATA_DIR: dataDir,
  };
}

let up = null;
await steps.run(7, { running: [{ killIfRunning: () => up?.killIfRunning() }], dir: dataDir }, async () => {
  const ports = await env();
  up = new Launcher(ports);

  await step("up starts every service, the fake FHIR server and the adapter; all healthy", async () => {
    await up.waitFor(/all services are healthy/);
    const pids = up.pids();
    const names = ["consent", "referrals", "scheduling", "handover", "fake_fhir", "fake_school",
      "youthcare_fhir", "childcare", "school"];
    assert.ok(names.every((n) => pids[n]), JSON.stringify(pids));
    for (const name of names) {
      assert.match(up.out, new RegExp(`${name} +\\| .*listening grpc=`));
    }
  });

  await step("a request reaches the FHIR server and completing its Task resolves it (tools/demo/try-direct-line.mjs)", async () => {
    const out = await new Promise((res, rej) => execFile(process.execPath,
      [join(root, "tools/demo/try-direct-line.mjs")],
      { env: { ...process.env, OLIF_REFERRALS_GRPC: ports.OLIF_REFERRALS_GRPC, OLIF_FHIR_BASE_URL: ports.OLIF_FHIR_BASE_URL },
        timeout: 60000 },
      (err, stdout, stderr) => (err ? rej(new Error(`${err.message}\n${stderr}`)) : res(stdout))));
    const arrived = out.match(/arrived on the FHIR server in (\d+) ms/);
    assert.ok(arrived, out);
    console.log(`     the request reached the FHIR server in ${arrived[1]} ms`);
    assert.match(out, /"resourceType": "ServiceRequest"/);
    assert.match(out, /"resourceType": "Task"/);
    assert.match(out, /"status": "requested"/);
    assert.match(out, /is REQUEST_STATUS_RESOLVED \(version 4\)/);
  });

  await step("a VE child's handover goes to school with a warm-handover meeting (tools/demo/try-handover.mjs)", async () => {
    const pdf = join(dataDir, "handover-example.pdf");
    const out = await new Promise((res, rej) => execFile(process.execPath,
      [join(root, "tools/demo/try-handover.mjs"), pdf],
      { env: { ...process.env, OLIF_CONSENT_GRPC: ports.OLIF_CONSENT_GRPC, OLIF_SCHEDULING_GRPC: ports.OLIF_SCHEDULING_GRPC,
        OLIF_HANDOVER_GRPC: ports.OLIF_HANDOVER_GRPC }, timeout: 60000 },
      (err, stdout, stderr) => (err ? rej(new Error(`${err.message}\n${stdout}\n${stderr}`)) : res(stdout))));
    assert.match(out, /HANDOVER_STATUS_AWAITING_CONSENT/);
    assert.match(out, /HANDOVER_STATUS_SENT/);
    assert.match(out, /the form shows the meeting on/);
    assert.match(out, /HANDOVER_STATUS_ACKNOWLEDGED/);
    assert.ok(readFileSync(pdf).subarray(0, 5).toString() === "%PDF-");
  });

  await step("a killed process is restarted, and the launcher says so", async () => {
    const first = up.pids().consent;
    process.kill(first, "SIGKILL");
    await up.waitFor(/consent was killed by signal 9; restarting in 1s \(restart 1\)/);
    const m = await up.waitFor(new RegExp(`started consent pid=(?!${first}\\b)(\\d+)`));
    await up.waitFor(/consent is healthy[^\n]*\n(?:.|\n)*consent is healthy/);
    assert.ok(alive(Number(m[1])));
  });

  await step("SIGTERM stops every process and leaves none behind", async () => {
    const pids = Object.values(up.pids());
    up.child.kill("SIGTERM");
    assert.equal(await up.exited, 0);
    await gone(pids);
    assert.match(up.out, /consent stopped \(exited with status 0\)/);
    assert.match(up.out, /referrals stopped \(exited with status 0\)/);
  });

  up = new Launcher(await env());
  await step("a second run comes up on the same data", async () => {
    await up.waitFor(/all services are healthy/);
  });

  await step("a killed launcher takes its processes with it", async () => {
    const pids = Object.values(up.pids());
    up.child.kill("SIGKILL");
    await up.exited;
    await gone(pids);
  });
});
