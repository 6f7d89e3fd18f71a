// How long the console's overview takes to answer (GET /api/overview: a look
// at every process — health, status, queues — and each adapter's counts of
// the last hour), on the whole hub started by the launcher after the example
// files of De Boomgaard went through, median of 20; beside its floors from the
// same run: `olifantctl --output json status` (the peer an operator would
// pick: the same looks at every process, without the counts, plus starting a
// process) and the console's cheapest signed-in call (GET /api/session).
//
// usage: node tests/bench/console_overview.mjs <build dir>

import { execFileSync } from "node:child_process";
import { rmSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { tempDir, waitUntil } from "../smoke/lib.mjs";
import { HubLauncher, dropBoomgaardExamples, hubEnv } from "../smoke/hub.mjs";

const build = process.argv[2] ?? "build";
const ctlBin = join(build, "bin/olifantctl");
const dir = tempDir();
const env = await hubEnv(dir);
const password = "a benchmark password";
execFileSync(ctlBin, ["user", "add", "bench", "--role", "read-only", "--password-stdin"],
  { input: `${password}\n`, env: { ...process.env, ...env } });
const up = new HubLauncher(join(build, "bin/olifantenpad"), env);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function timed(n, fn) {
  const ms = [];
  for (let i = 0; i < n; ++i) {
    const t0 = process.hrtime.bigint();
    await fn();
    ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return median(ms);
}

try {
  await up.waitFor(/all services are healthy/);
  const inbox = dropBoomgaardExamples(dir);
  await waitUntil(() => (readdirSync(inbox).length === 0 ? true : null), "the files taken", 30000);
  const base = `http://${env.OLIF_CONSOLE_HTTP}`;
  const login = await fetch(`${base}/login`, { method: "POST", redirect: "manual",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ user: "bench", password }) });
  const cookie = login.headers.get("set-cookie").split(";")[0];
  const get = async (path) => {
    const res = await fetch(`${base}${path}`, { headers: { Cookie: cookie } });
    if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
    return res.json();
  };
  const flows = (await get("/api/overview")).flows.length;
  const overview = await timed(20, () => get("/api/overview"));
  const session = await timed(20, () => get("/api/session"));
  const status = await timed(5, async () => execFileSync(ctlBin, ["--output", "json", "status"],
    { env: { ...process.env, ...env } }));
  console.log(`console overview (GET /api/overview, ${flows} flows of 11 processes): ${overview.toFixed(1)} ms median of 20`);
  console.log(`floor, olifantctl --output json status (the same looks, no counts): ${status.toFixed(1)} ms; ratio ${(overview / status).toFixed(2)}`);
  console.log(`floor, GET /api/session (signed in, no process asked): ${session.toFixed(2)} ms; ratio ${(overview / session).toFixed(0)}`);
} finally {
  up.child.kill("SIGTERM");
  await up.exited;
  rmSync(dir, { recursive: true, force: true });
}
