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
import { Steps, root, tempDir } from "./lib.mjs";
import { HubLauncher, hubEnv } from "./hub.mjs";

const launcher = process.argv[2];
if (!launcher) {
  console.error("usage: node launcher_smoke.mjs <olifantenpad binary>");
  process.exit(2);
}

const dataDir = tempDir();
const steps = new Steps();
const step = steps.step.bind(steps);

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

let up = null;
await steps.run(7, { running: [{ killIfRunning: () => up?.killIfRunning() }], dir: dataDir }, async () => {
  const ports = await hubEnv(dataDir);
  up = new HubLauncher(launcher, ports);

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

  up = new HubLauncher(launcher, await hubEnv(dataDir));
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
