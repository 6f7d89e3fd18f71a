// The whole hub as `olifantenpad up` starts it on the dev config, for the
// tests that need every process: each port moved to a free loopback port
// (fixed before start, so peers and olifantctl can be told), data in
// `dataDir`.

import { execFile, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { copyFileSync, mkdirSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { call, freePort, grpcClient, root } from "./lib.mjs";

// `olifantenpad up` with `env`; its output is kept for waitFor().
export class HubLauncher {
  constructor(launcher, env, args = []) {
    this.out = "";
    this.child = spawn(launcher, ["up", "--config-dir", join(root, "config/dev"), ...args], {
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


// The environment that moves every process of config/dev to free ports and
// its data to `dataDir`.
export async function hubEnv(dataDir) {
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
    OLIF_CHILDCARE_BOOMGAARD_WEBHOOK: `127.0.0.1:${await freePort()}`,
    OLIF_SCHOOL_GRPC: `127.0.0.1:${await freePort()}`,
    OLIF_SCHOOL_METRICS: "127.0.0.1:0",
    OLIF_SCHOOL_RECEIPT_PAGE: "127.0.0.1:0",
    OLIF_SCHOOL_WEBHOOK: `127.0.0.1:${schoolWebhook}`,
    OLIF_SCHOOL_WEBHOOK_URL: `http://127.0.0.1:${schoolWebhook}/school/receipt`,
    OLIF_FAKE_SCHOOL_GRPC: `127.0.0.1:${await freePort()}`,
    OLIF_FAKE_SCHOOL_METRICS: "127.0.0.1:0",
    OLIF_FAKE_SCHOOL_LISTEN: fakeSchoolListen,
    OLIF_FAKE_SCHOOL_URL: `http://${fakeSchoolListen}/fhir`,
    OLIF_ALERTS_GRPC: `127.0.0.1:${await freePort()}`,
    OLIF_ALERTS_METRICS: "127.0.0.1:0",
    OLIF_CONSOLE_GRPC: `127.0.0.1:${await freePort()}`,
    OLIF_CONSOLE_METRICS: "127.0.0.1:0",
    OLIF_CONSOLE_HTTP: `127.0.0.1:${await freePort()}`,
    OLIF_DATA_DIR: dataDir,
  };
}

// A runner of olifantctl against the hub whose environment `hubEnvNow()`
// returns (called at each run: the ports are known only once the hub is set
// up), with `env` added and `input` on its stdin. Resolves { code, out, err,
// json }; --output json unless `json: false`.
export function olifantctl(ctlBin, hubEnvNow) {
  return (args, { env = {}, json = true, input = "" } = {}) => {
    const full = json ? ["--output", "json", ...args] : args;
    return new Promise((res) => {
      const child = execFile(ctlBin, full,
        { cwd: root, env: { ...process.env, ...hubEnvNow(), ...env }, timeout: 60000 },
        (error, stdout, stderr) => {
          const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
          res({ code, out: stdout, err: stderr, json: json && stdout.trim() ? JSON.parse(stdout) : null });
        });
      child.stdin.end(input);
    });
  };
}

// De Boomgaard's example files (roster, consents, a named child's question, a
// handover form) dropped into the chain's inbox under `dataDir`; returns the inbox.
export function dropBoomgaardExamples(dataDir) {
  const examples = join(root, "adapters/childcare/examples/boomgaard");
  const inbox = join(dataDir, "childcare/boomgaard/inbox");
  mkdirSync(inbox, { recursive: true });
  for (const f of readdirSync(examples)) copyFileSync(join(examples, f), join(inbox, f));
  return inbox;
}

// `n` anonymous direct-line questions (the example request under new ids),
// created in referrals through its gRPC API.
export async function anonymousQuestions(ports, n) {
  const referrals = grpcClient("olifantenpad/referrals/v1/referrals.proto",
    "olifantenpad.referrals.v1.ReferralsService", Number(ports.OLIF_REFERRALS_GRPC.split(":")[1]));
  const example = JSON.parse(readFileSync(join(root, "tests/smoke/example-request.json"), "utf8"));
  for (let i = 0; i < n; ++i) await call(referrals, "CreateRequest", { ...example, requestId: randomUUID() });
}
