// The live demo as a newcomer starts it: `olifantenpad up --demo` (what
// `make run` runs) on the dev config, ports moved to free loopback ports,
// data in a temporary directory, the scenario at full speed. It must reach a
// state where every flow produced its outputs — checked here at the source,
// not from the scenario's own words: the questions at the fake FHIR server
// (a named child's Patient under consent, a Task completed, a cycle), the
// group visits as Appointments, the handover at the fake school with a
// warm-handover meeting planned and acknowledged, and what the staff see in
// the chain's outbox.
//
// usage: node demo_smoke.mjs <olifantenpad binary>

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import assert from "node:assert/strict";
import { Steps, fhirSearch, tempDir, waitUntil } from "./lib.mjs";
import { HubLauncher, hubEnv } from "./hub.mjs";

const launcher = process.argv[2];
if (!launcher) {
  console.error("usage: node demo_smoke.mjs <olifantenpad binary>");
  process.exit(2);
}

const dataDir = tempDir();
const steps = new Steps();
const step = steps.step.bind(steps);

let up = null;
await steps.run(6, { running: [{ killIfRunning: () => up?.killIfRunning() }], dir: dataDir }, async () => {
  const ports = { ...(await hubEnv(dataDir)), OLIF_DEMO_PACE: "0" };
  up = new HubLauncher(launcher, ports, ["--demo"]);
  const base = ports.OLIF_FHIR_BASE_URL;

  await step("up --demo: every process healthy, then the scenario runs to its end", async () => {
    const healthy = await up.waitFor(/all services are healthy in (\d+) ms/);
    console.log(`     all healthy ${healthy[1]} ms after the launcher started them`);
    await up.waitFor(/demo finished \(exited with status (\d+)\)/, 120000);
    assert.match(up.out, /demo finished \(exited with status 0\)/, up.out.split("\n").filter((l) => l.startsWith("demo")).join("\n"));
    assert.match(up.out, /demo +\| every flow has run/);
  });

  await step("the direct line: three questions at the provider, the named child's Patient, a cycle, advice", async () => {
    const requests = await fhirSearch(base, "/ServiceRequest");
    assert.ok(requests.length >= 3, `${requests.length} ServiceRequests`);
    const patients = await fhirSearch(base, "/Patient");
    assert.equal(patients.length, 1, "only the child whose parents consented is named");
    assert.equal(patients[0].name[0].given[0], "Yara");
    const tasks = await fhirSearch(base, "/Task");
    assert.ok(tasks.some((t) => t.status === "completed"), tasks.map((t) => t.status).join(","));
    assert.ok(tasks.some((t) => t.output?.some((o) => o.type.coding[0].code === "1/plan")));
  });

  await step("group visits: the planned visits are Appointments at the provider", async () => {
    const appointments = await fhirSearch(base, "/Appointment");
    assert.ok(appointments.length >= 2, `${appointments.length} Appointments`);
  });

  await step("handover: the form at the school, the meeting planned, the receipt acknowledged", async () => {
    const received = await (await fetch(`http://${ports.OLIF_FAKE_SCHOOL_LISTEN}/_fake/received`)).json();
    assert.equal(received.length, 1);
    assert.ok(received[0].pdf_bytes > 1000);
    const mails = readdirSync(join(dataDir, "school/mail"));
    assert.ok(mails.some((m) => /BEGIN:VCALENDAR/.test(readFileSync(join(dataDir, "school/mail", m), "latin1")) ||
      /text\/calendar/.test(readFileSync(join(dataDir, "school/mail", m), "latin1"))), mails.join(","));
  });

  await step("the console: a demo operator made and told, who can sign in and sees the flows", async () => {
    const [, password] = up.out.match(/sign in as "demo" with password "([^"]+)"/) ?? [];
    assert.ok(password, "the demo's password said");
    const console_ = `http://${ports.OLIF_CONSOLE_HTTP}`;
    const login = await fetch(`${console_}/login`, { method: "POST", redirect: "manual",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ user: "demo", password }) });
    assert.equal(login.status, 303);
    const cookie = login.headers.get("set-cookie").split(";")[0];
    const overview = await (await fetch(`${console_}/api/overview`, { headers: { Cookie: cookie } })).json();
    const fhirFlow = overview.flows.find((f) => f.process === "youthcare_fhir" && f.destination === "fhir");
    assert.ok(fhirFlow.delivered >= 3, JSON.stringify(fhirFlow));
  });

  await step("what the staff see: every kind of notification in the chain's outbox", async () => {
    const outbox = join(dataDir, "childcare/boomgaard/outbox");
    const wanted = ["request_accepted", "cycle_recorded", "request_resolved", "visit_planned",
      "meeting_proposed", "meeting_planned", "handover_acknowledged"];
    const kinds = () => new Set(readdirSync(outbox).map((f) =>
      JSON.parse(readFileSync(join(outbox, f), "utf8")).notification));
    // The last ones are written as the scenario ends: delivered within moments.
    await waitUntil(() => (wanted.every((k) => kinds().has(k)) ? true : null),
      `every kind in the outbox (so far: ${[...kinds()].join(", ")})`, 15000);
    up.child.kill("SIGTERM");
    assert.equal(await up.exited, 0);
  });
});
