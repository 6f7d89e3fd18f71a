// olifantctl as an operator uses it, against the whole hub started by the
// launcher (ports moved to free loopback ports, data in a temporary
// directory): every command, its --output json parsed, its exit code checked.
// The scenario: the FHIR server refuses everything, De Boomgaard's example
// files are dropped, the youth-care adapter's messages become dead letters;
// the operator looks, skips one, edits one, lets the server recover and
// retries the rest oldest first; searches the history and the audit trail,
// checks a consent, replays a consumer, vacuums, makes a key, checks configs.
//
// usage: node olifantctl_smoke.mjs <olifantenpad binary> <olifantctl binary>

import { cpSync, readdirSync, writeFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import assert from "node:assert/strict";
import { Steps, fhir, root, tempDir, waitUntil } from "./lib.mjs";
import { HubLauncher, anonymousQuestions, dropBoomgaardExamples, hubEnv, olifantctl } from "./hub.mjs";

const [launcher, ctlBin] = process.argv.slice(2);
if (!launcher || !ctlBin) {
  console.error("usage: node olifantctl_smoke.mjs <olifantenpad binary> <olifantctl binary>");
  process.exit(2);
}

const dataDir = tempDir();
const steps = new Steps();
const step = steps.step.bind(steps);
let ports = null;

const ctl = olifantctl(ctlBin, () => ports);
const who = ["--who", "j.devries", "--why", "olifantctl smoke test"];
const names = ["consent", "referrals", "scheduling", "handover", "fake_fhir", "fake_school",
  "youthcare_fhir", "childcare", "school", "alerts", "console"];

let up = null;
await steps.run(12, { running: [{ killIfRunning: () => up?.killIfRunning() }], dir: dataDir }, async () => {
  ports = await hubEnv(dataDir);
  up = new HubLauncher(launcher, ports);
  await up.waitFor(/all services are healthy/);
  const base = ports.OLIF_FHIR_BASE_URL;

  await step("status: every process serving, as JSON (exit 0) and as a table", async () => {
    const r = await ctl(["status"]);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.json.healthy, true);
    assert.deepEqual(r.json.processes.map((p) => p.process), names);
    for (const p of r.json.processes) {
      assert.equal(p.health, "SERVING", p.process);
      assert.equal(p.status.version, "0.1.0");
    }
    const referrals = r.json.processes.find((p) => p.process === "referrals").status;
    assert.ok(referrals.database.path.endsWith("referrals.db"));
    assert.ok(Number(referrals.database.page_count) > 0);
    assert.equal(referrals.bus_consumers[0].producer, "consent");
    const table = await ctl(["status"], { json: false });
    assert.equal(table.code, 0);
    for (const n of names) assert.match(table.out, new RegExp(`^${n} +SERVING`, "m"));
    assert.match(table.out, /^PROCESS +FOLLOWS +CURSOR +HEAD +LAG +STATE$/m);
  });

  await step("status: a process that does not answer is DOWN, exit 1", async () => {
    const r = await ctl(["status", "--timeout", "2"], { env: { OLIF_FAKE_SCHOOL_GRPC: "127.0.0.1:1" } });
    assert.equal(r.code, 1);
    assert.equal(r.json.healthy, false);
    assert.equal(r.json.processes.find((p) => p.process === "fake_school").health, "UNREACHABLE");
  });

  let dead = [];
  await step("dlq list: messages the FHIR server refuses are dead letters, oldest first", async () => {
    assert.equal((await fhir(base, "POST", "/_fake/fail", { status: 400, count: -1 })).status, 200);
    const inbox = dropBoomgaardExamples(dataDir);
    await anonymousQuestions(ports, 3);  // each a message of its own key
    await waitUntil(() => (readdirSync(inbox).length === 0 ? true : null), "the files taken", 30000);
    dead = await waitUntil(async () => {
      const r = await ctl(["dlq", "list", "--process", "youthcare_fhir"]);
      assert.equal(r.code, 0, r.err);
      return r.json.dead_letters.length >= 3 ? r.json.dead_letters : null;
    }, "three dead letters", 30000);
    const ids = dead.map((d) => Number(d.id));
    assert.deepEqual(ids, [...ids].sort((a, b) => a - b));
    assert.ok(dead.every((d) => d.process === "youthcare_fhir" && /^HTTP 400/.test(d.last_error)));
    const all = await ctl(["dlq", "list"]);
    assert.equal(all.json.dead_letters.length, dead.length, "only the youth-care adapter has any");
    const status = await ctl(["status"]);
    const q = status.json.processes.find((p) => p.process === "youthcare_fhir").queues;
    assert.equal(q.reduce((n, x) => n + Number(x.dead), 0), dead.length);
  });

  await step("dlq show / skip / edit: one looked at, one skipped, one corrected and resent", async () => {
    const shown = await ctl(["dlq", "show", "--process", "youthcare_fhir", String(dead[0].id)]);
    assert.equal(shown.code, 0, shown.err);
    assert.equal(shown.json.state, "DELIVERY_STATE_DEAD");
    assert.equal(shown.json.payload, dead[0].payload);
    const table = await ctl(["dlq", "show", "--process", "youthcare_fhir", String(dead[0].id)], { json: false });
    assert.match(table.out, /^state: +dead$/m);

    const noWhy = await ctl(["dlq", "skip", "--process", "youthcare_fhir", String(dead[0].id), "--who", "x"]);
    assert.equal(noWhy.code, 2);
    assert.match(noWhy.err, /--why is required/);
    const skipped = await ctl(["dlq", "skip", "--process", "youthcare_fhir", String(dead[0].id), ...who]);
    assert.equal(skipped.code, 0, skipped.err);
    assert.deepEqual(skipped.json.results.map((x) => x.state), ["skipped"]);
    const again = await ctl(["dlq", "skip", "--process", "youthcare_fhir", String(dead[0].id), ...who]);
    assert.equal(again.code, 4, "a skipped message is no dead letter any more");

    const edited = join(dataDir, "edited.json");
    writeFileSync(edited, dead[1].payload);
    const unchanged = await ctl(["dlq", "edit", "--process", "youthcare_fhir", String(dead[1].id), ...who],
      { env: { EDITOR: "true" } });
    assert.equal(unchanged.code, 1, "an editor that changes nothing leaves the dead letter");
    assert.match(unchanged.err, /nothing changed/);
    const resent = await ctl(["dlq", "edit", "--process", "youthcare_fhir", String(dead[1].id), "--file", edited, ...who]);
    assert.equal(resent.code, 0, resent.err);
    assert.equal(resent.json.state, "DELIVERY_STATE_PENDING");
    assert.equal(resent.json.actions.at(-1).action, "edited and resent");
  });

  await step("dlq retry --all: the server recovered, every dead letter goes, oldest first", async () => {
    assert.equal((await fhir(base, "POST", "/_fake/reset")).status, 200);
    const r = await ctl(["dlq", "retry", "--all", "--process", "youthcare_fhir", ...who]);
    assert.equal(r.code, 0, r.err);
    const ids = r.json.results.map((x) => x.id);
    assert.ok(ids.includes(Number(dead[2].id)), JSON.stringify(ids));
    assert.deepEqual(ids, [...ids].sort((a, b) => a - b), "oldest first");
    assert.ok(r.json.results.every((x) => x.state === "pending"));
    await waitUntil(async () => {
      const s = await ctl(["status"]);
      const q = s.json.processes.find((p) => p.process === "youthcare_fhir").queues;
      return q.every((x) => Number(x.pending) === 0 && Number(x.dead) === 0) ? true : null;
    }, "the queue empty", 30000);
    const none = await ctl(["dlq", "list"], { json: false });
    assert.match(none.out, /no dead letters/);
  });

  await step("history search: by outcome, key and direction, newest first", async () => {
    const deadLettered = await ctl(["history", "search", "--process", "youthcare_fhir", "--outcome", "dead_lettered"]);
    assert.equal(deadLettered.code, 0, deadLettered.err);
    assert.ok(deadLettered.json.entries.length >= dead.length);
    assert.ok(deadLettered.json.entries.every((e) => e.outcome === "dead_lettered"));
    const key = dead[2].key;
    const byKey = await ctl(["history", "search", "--key", key, "--from", "1h"]);
    assert.ok(byKey.json.entries.length >= 2);
    assert.ok(byKey.json.entries.every((e) => e.key === key));
    // Sent: dead-lettered first, delivered after the retry (the provider's
    // Task changes come in under the same key; --direction leaves them out).
    const sent = await ctl(["history", "search", "--key", key, "--direction", "out"]);
    assert.ok(sent.json.entries.every((e) => e.direction === "out"));
    assert.equal(sent.json.entries[0].outcome, "delivered", "newest first: delivered after the retry");
    assert.equal(sent.json.entries.at(-1).outcome, "dead_lettered");
    const inbound = await ctl(["history", "search", "--direction", "in", "--limit", "5"]);
    assert.ok(inbound.json.entries.every((e) => e.direction === "in"));
    const bad = await ctl(["history", "search", "--from", "yesterday"]);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /--from: 'yesterday' is neither/);
    const notAdapter = await ctl(["history", "search", "--process", "consent"]);
    assert.equal(notAdapter.code, 2);
  });

  let childRef = "";
  await step("audit search by action and child; consent check: no consent is a denial (exit 1), audited", async () => {
    const r = await ctl(["audit", "search", "--process", "consent", "--action", "record"]);
    assert.equal(r.code, 0, r.err);
    assert.ok(r.json.entries.length >= 1);
    assert.ok(r.json.entries.every((e) => e.action === "record" && e.process === "consent"));
    childRef = r.json.entries[0].child_ref;
    const all = await ctl(["audit", "search", "--child", childRef]);
    assert.ok(all.json.entries.every((e) => e.child_ref === childRef));
    const denied = await ctl(["consent", "check", "--child", "0b6f3f0e-5d0c-4a56-9e8e-3c1d2b4a5f60",
      "--purpose", "direct_line", "--recipient", "jeugdhulp-noord", ...who]);
    assert.equal(denied.code, 1, denied.err);
    assert.equal(denied.json.permitted, false);
    const bad = await ctl(["consent", "check", "--child", childRef, "--purpose", "everything", "--recipient", "x", ...who]);
    assert.equal(bad.code, 2);
    const checks = await ctl(["audit", "search", "--process", "consent", "--action", "check", "--actor", "j.devries"]);
    assert.ok(checks.json.entries.length >= 1, "the check is audited with who and why");
    assert.equal(checks.json.entries[0].reason, "olifantctl smoke test");
  });

  await step("replay: a consumer fetches again from a seq, in the audit trail; an unknown one is refused", async () => {
    const r = await ctl(["replay", "--process", "youthcare_fhir", "--consumer", "referrals", "--from-seq", "1", ...who]);
    assert.equal(r.code, 0, r.err);
    assert.ok(Number(r.json.previous_cursor) >= 1);
    assert.equal(Number(r.json.cursor), 0);
    await waitUntil(async () => {
      const s = await ctl(["status"]);
      const c = s.json.processes.find((p) => p.process === "youthcare_fhir").status.bus_consumers
        .find((b) => b.producer === "referrals");
      return Number(c.cursor) === Number(r.json.previous_cursor) ? true : null;
    }, "the consumer back at its head");
    const audited = await ctl(["audit", "search", "--process", "youthcare_fhir", "--action", "replay"]);
    assert.equal(audited.code, 0, audited.err);
    assert.equal(audited.json.entries.length, 1);
    assert.equal(audited.json.entries[0].actor, "j.devries");
    assert.equal(audited.json.entries[0].object_id, "referrals");
    assert.match(audited.json.entries[0].reason, /^olifantctl smoke test \(cursor \d+ -> 0\)$/);
    const unknown = await ctl(["replay", "--process", "youthcare_fhir", "--consumer", "nope", "--from-seq", "1", ...who]);
    assert.equal(unknown.code, 4);
    assert.match(unknown.err, /consumes no producer named 'nope'/);
  });

  await step("vacuum: every database gives its free pages back", async () => {
    const r = await ctl(["vacuum", ...who]);
    assert.equal(r.code, 0, r.err);
    // The youth-care adapter wrote much above (retries, history): its
    // write-ahead log is emptied, so the database with its log is smaller.
    const fhirDb = r.json.databases.find((d) => d.process === "youthcare_fhir");
    assert.ok(Number(fhirDb.after.size_bytes) < Number(fhirDb.before.size_bytes), JSON.stringify(fhirDb));
    const processes = r.json.databases.map((d) => d.process);
    for (const n of ["consent", "referrals", "scheduling", "handover", "youthcare_fhir", "childcare", "school"]) {
      assert.ok(processes.includes(n), n);
    }
    for (const d of r.json.databases) {
      assert.equal(Number(d.after.free_pages), 0, d.process);
      assert.equal(d.after.incremental_vacuum, true, d.process);
      assert.ok(Number(d.after.size_bytes) <= Number(d.before.size_bytes), d.process);
    }
  });

  await step("keys gen-curve and config check", async () => {
    const keys = await ctl(["keys", "gen-curve"]);
    assert.equal(keys.code, 0);
    assert.equal(keys.json.public_key.length, 40);
    assert.equal(keys.json.secret_key.length, 40);
    const ok = await ctl(["config", "check", join(root, "config/dev")]);
    assert.equal(ok.code, 0, ok.err);
    assert.equal(ok.json.configs.length, names.length);
    const broken = join(dataDir, "broken-config");
    cpSync(join(root, "config/dev"), broken, { recursive: true });
    writeFileSync(join(broken, "referrals.yaml"),
      readFileSync(join(broken, "referrals.yaml"), "utf8") + "\nno_such_key: 1\n");
    const bad = await ctl(["config", "check", broken]);
    assert.equal(bad.code, 1);
    const referrals = bad.json.configs.find((c) => c.process === "referrals");
    assert.equal(referrals.ok, false);
    assert.match(referrals.message, /no_such_key/);
  });

  await step("help on every command with an example; usage errors exit 2", async () => {
    const help = await ctl(["--help"], { json: false });
    assert.equal(help.code, 0);
    const commands = [...help.out.matchAll(/^  ([a-z]+(?: [a-z-]+)?) {2,}/gm)].map((m) => m[1]);
    assert.ok(commands.length >= 13, commands.join(","));
    for (const c of commands) {
      const r = await ctl([...c.split(" "), "--help"], { json: false });
      assert.equal(r.code, 0, c);
      assert.match(r.out, /^example:\n {2}olifantctl /m, c);
    }
    assert.equal((await ctl(["frobnicate"], { json: false })).code, 2);
    assert.equal((await ctl(["status", "--bogus"], { json: false })).code, 2);
    assert.equal((await ctl(["--output", "yaml", "status"], { json: false })).code, 2);
    assert.equal((await ctl([], { json: false })).code, 2);
  });

  await step("SIGTERM stops the hub", async () => {
    up.child.kill("SIGTERM");
    assert.equal(await up.exited, 0);
  });
});
