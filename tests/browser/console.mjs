// The web console in a real browser: Debian's chromium, headless, driven by
// playwright-core, against the whole hub started by the launcher (ports moved
// to free loopback ports, data in a temporary directory). The FHIR server
// refuses everything while De Boomgaard's example files and two anonymous
// questions come in, so the youth-care adapter holds dead letters, one of
// them with a named child's Patient. Then, as an operator and as a read-only
// user:
//
// - sign in with the keyboard; the overview's counts equal what the admin
//   APIs say (olifantctl status and history search); the firing alert shows
//   as a banner; the page reflows at 200% zoom; Dutch by default, English
//   on request;
// - a dead letter's message is masked (the child's name nowhere in the page)
//   until the operator reveals it with a reason, and that reveal is found in
//   the audit search; the revealed message is edited and resent;
// - one dead letter is skipped, one retried and watched until delivered, the
//   rest retried together oldest first;
// - a read-only user sees no action buttons, cannot reveal, and the server
//   refuses the action even with a valid CSRF token; an action without the
//   token is refused;
// - the consents, overdue, compliance and handovers pages draw;
// - axe-core finds no serious or critical violation on any page.
//
// Screenshots of each page go to the output folder (argv[4], or a temporary one).
//
// usage: node console.mjs <olifantenpad binary> <olifantctl binary> [screenshot dir]

import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createRequire } from "node:module";
import assert from "node:assert/strict";
import { Steps, fhir, root, tempDir, waitUntil } from "../smoke/lib.mjs";
import { HubLauncher, anonymousQuestions, dropBoomgaardExamples, hubEnv, olifantctl } from "../smoke/hub.mjs";

const [launcher, ctlBin, shotsArg] = process.argv.slice(2);
if (!launcher || !ctlBin) {
  console.error("usage: node console.mjs <olifantenpad binary> <olifantctl binary> [screenshot dir]");
  process.exit(2);
}
const require = createRequire(join(root, "tests/package.json"));
const { chromium } = require("playwright-core");
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

const dataDir = tempDir();
const shots = shotsArg ?? join(dataDir, "screenshots");
mkdirSync(shots, { recursive: true });
const steps = new Steps();
const step = steps.step.bind(steps);
let ports = null;
const ctl = olifantctl(ctlBin, () => ports);
const PASSWORD = "correct horse battery staple";
const CHILD_NAME = "Yara";  // in De Boomgaard's example question (its text)

let base = "";
let browser = null;
const axeFindings = [];

// Serious and critical accessibility violations of the page as it stands.
async function axe(page, name) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
  const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  for (const v of bad) axeFindings.push(`${name}: ${v.id} (${v.impact}) ${v.nodes.map((n) => n.target).join(" ")}`);
  assert.deepEqual(bad.map((v) => v.id), [], `${name}: ${JSON.stringify(bad, null, 1).slice(0, 2000)}`);
}

async function shot(page, name) {
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
}

async function signIn(context, user) {
  const page = await context.newPage();
  page.on("pageerror", (e) => console.log(`page error (${user}): ${e.message}`));
  await page.goto(`${base}/`);
  assert.match(page.url(), /\/login\?next=/);
  // The keyboard only: the name field has focus; Tab to the password; Enter.
  await page.keyboard.type(user);
  await page.keyboard.press("Tab");
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press("Enter");
  await page.waitForSelector("[data-testid=flows]");
  return page;
}

// Goes to `path` and waits until the page's script has drawn it.
async function open(page, path, selector) {
  await page.goto(`${base}${path}`);
  await page.waitForSelector(selector);
}

let up = null;
await steps.run(12, {
  running: [{ killIfRunning: () => up?.killIfRunning() }, { killIfRunning: () => browser?.close() }],
  dir: dataDir,
}, async () => {
  ports = await hubEnv(dataDir);
  base = `http://${ports.OLIF_CONSOLE_HTTP}`;
  for (const [user, role] of [["j.devries", "operator"], ["m.jansen", "read-only"]]) {
    const r = await ctl(["user", "add", user, "--role", role, "--password-stdin"],
      { env: { OLIF_DATA_DIR: dataDir }, input: `${PASSWORD}\n` });
    assert.equal(r.code, 0, r.err);
  }
  up = new HubLauncher(launcher, ports);
  await up.waitFor(/all services are healthy/);
  const fhirBase = ports.OLIF_FHIR_BASE_URL;
  browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox",
    "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync"] });

  let dead = [];
  await step("dead letters: the FHIR server refuses what De Boomgaard sends", async () => {
    assert.equal((await fhir(fhirBase, "POST", "/_fake/fail", { status: 400, count: -1 })).status, 200);
    dropBoomgaardExamples(dataDir);
    await anonymousQuestions(ports, 2);
    dead = await waitUntil(async () => {
      const r = await ctl(["dlq", "list", "--process", "youthcare_fhir"]);
      const named = r.json.dead_letters.some((d) => d.payload.includes(CHILD_NAME));
      return r.json.dead_letters.length >= 4 && named ? r.json.dead_letters : null;
    }, "four dead letters, one with the named child", 60000);
  });

  const operator = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await signIn(operator, "j.devries");

  await step("sign-in: a strict session cookie, the user and role shown", async () => {
    const cookie = (await operator.cookies()).find((c) => c.name === "olif_session");
    assert.ok(cookie, "a session cookie");
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.secure, true);
    assert.equal(cookie.sameSite, "Strict");
    assert.match(await page.textContent("#who"), /j\.devries \(beheerder\)/);
    assert.equal(await page.getAttribute("html", "lang"), "nl");
  });

  await step("overview: every count equals what the admin APIs say, the alert is a banner", async () => {
    // Counted again until the hub holds still (dead letters stay dead).
    await waitUntil(async () => {
      await open(page, "/", "[data-testid=flows]");
      const rows = await page.$$eval("[data-flow]", (trs) => trs.map((tr) => ({
        flow: tr.dataset.flow,
        counts: Object.fromEntries([...tr.querySelectorAll("[data-count]")]
          .map((td) => [td.dataset.count, Number(td.textContent)])),
      })));
      const health = await page.$$eval("[data-process]", (trs) => Object.fromEntries(
        trs.map((tr) => [tr.dataset.process, tr.querySelector(".health").textContent])));
      const status = await ctl(["status"]);
      for (const p of status.json.processes) assert.equal(health[p.process], p.health, p.process);
      let same = rows.length > 0;
      for (const { flow, counts } of rows) {
        const [process, destination] = flow.split("/");
        const queue = status.json.processes.find((p) => p.process === process).queues
          .find((q) => q.destination === destination) ?? { pending: 0, dead: 0 };
        const history = async (extra) => (await ctl(["history", "search", "--process", process,
          "--destination", destination, "--from", "1h", "--limit", "1000", ...extra])).json.entries.length;
        const want = {
          queued: Number(queue.pending), dead: Number(queue.dead),
          received: await history(["--direction", "in"]),
          delivered: await history(["--direction", "out", "--outcome", "delivered"]),
          failed: await history(["--direction", "out", "--outcome", "failed"]) +
            await history(["--direction", "out", "--outcome", "dead_lettered"]),
        };
        for (const k of Object.keys(want)) same &&= counts[k] === want[k];
        if (!same) break;
      }
      return same ? rows : null;
    }, "the overview's counts equal the admin APIs'", 30000);
    const fhirRow = page.locator('[data-flow="youthcare_fhir/fhir"]');
    assert.equal(Number(await fhirRow.locator('[data-count="dead"]').textContent()), dead.length);
    assert.equal(await fhirRow.locator("svg[role=img]").count(), 3);
    // The dead-letters rule fires at the alerts process's next look.
    await waitUntil(async () => {
      await open(page, "/", "[data-testid=flows]");
      return (await page.locator("[data-testid=alerts]").count()) > 0 ? true : null;
    }, "the alert banner", 30000);
    assert.match(await page.textContent("[data-testid=alerts]"), /dead-letters/);
    await shot(page, "overview");
    await axe(page, "overview");
  });

  await step("overview: English on request, readable at 200% zoom", async () => {
    await page.selectOption("#lang", "en");
    assert.equal(await page.textContent("nav a[href='/']"), "Overview");
    assert.equal(await page.getAttribute("html", "lang"), "en");
    await page.selectOption("#lang", "nl");
    assert.equal(await page.textContent("nav a[href='/']"), "Overzicht");
    // 200% zoom: the same window holds half as many CSS pixels.
    const zoomed = await operator.newPage();
    await zoomed.setViewportSize({ width: 640, height: 450 });
    await open(zoomed, "/", "[data-testid=flows]");
    const overflow = await zoomed.evaluate(() =>
      document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 1, `the page scrolls sideways by ${overflow}px at 200%`);
    await shot(zoomed, "overview-200-percent");
    await zoomed.close();
  });

  const named = () => dead.find((d) => d.payload.includes(CHILD_NAME));
  const messagePath = (d) => `/message?process=youthcare_fhir&kind=delivery&id=${d.id}`;

  await step("read-only: no buttons, no reveal, and the server refuses the action itself", async () => {
    const readOnly = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const ro = await signIn(readOnly, "m.jansen");
    await open(ro, "/dead-letters", "[data-testid=dead-letters]");
    assert.ok(await ro.locator("[data-testid=dead-letters] tbody tr").count() >= 4);
    assert.equal(await ro.locator("button[data-action]").count(), 0);
    assert.equal(await ro.locator("#retry-all").count(), 0);
    await open(ro, messagePath(named()), "[data-testid=message]");
    assert.equal(await ro.locator("#reveal").count(), 0);
    assert.ok(!(await ro.content()).includes(CHILD_NAME));
    const refused = await ro.evaluate(async (id) => {
      const { csrf } = await (await fetch("/api/session")).json();
      const res = await fetch("/api/dead-letters/action", { method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
        body: JSON.stringify({ process: "youthcare_fhir", id, verb: "retry", why: "trying anyway" }) });
      return { status: res.status, body: await res.json() };
    }, Number(dead[0].id));
    assert.equal(refused.status, 403);
    assert.match(refused.body.error, /operator/);
    await readOnly.close();
  });

  await step("forged: an action without the CSRF token is refused and changes nothing", async () => {
    await open(page, "/dead-letters", "[data-testid=dead-letters]");
    const status = await page.evaluate(async (id) => (await fetch("/api/dead-letters/action", {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ process: "youthcare_fhir", id, verb: "skip", why: "forged request" }),
    })).status, Number(dead[0].id));
    assert.equal(status, 403);
    const still = await ctl(["dlq", "list", "--process", "youthcare_fhir"]);
    assert.equal(still.json.dead_letters.length, dead.length);
  });

  const reason = "ouder vraagt wat er is gedeeld";
  await step("message: masked until revealed with a reason; the reveal is in the audit", async () => {
    await open(page, messagePath(named()), "[data-testid=message]");
    assert.ok(!(await page.content()).includes(CHILD_NAME), "the child's name is masked");
    assert.match(await page.textContent("[data-testid='message.payload']"), /•••/);
    assert.match(await page.textContent("[data-testid='message.payload']"), /"question": "•••"/);
    assert.match(await page.textContent("[data-testid='message.payload']"), /"kind": "REQUEST_KIND_CHILD"/);
    await shot(page, "message-masked");
    await axe(page, "message (masked)");
    await page.fill("#reveal-why", reason);
    await page.press("#reveal-why", "Enter");
    await page.waitForSelector("pre.payload.revealed");
    assert.match(await page.textContent("[data-testid='message.payload']"), new RegExp(CHILD_NAME));
    await shot(page, "message-revealed");
    await axe(page, "message (revealed)");
    await open(page, "/audit?action=reveal", "[data-testid=audit]");
    const row = page.locator("[data-testid=audit] tbody tr").first();
    assert.match(await row.textContent(), /j\.devries/);
    assert.match(await row.textContent(), new RegExp(`youthcare_fhir/delivery/${named().id}`));
    assert.match(await row.textContent(), new RegExp(reason));
    await shot(page, "audit");
    await axe(page, "audit");
    const viaCtl = await ctl(["audit", "search", "--action", "reveal"]);
    assert.equal(viaCtl.json.entries[0].actor, "j.devries");
    assert.equal(viaCtl.json.entries[0].reason, reason);
  });

  await step("dead letters: skip one, retry one and watch it deliver, edit one, the rest together", async () => {
    assert.equal((await fhir(fhirBase, "POST", "/_fake/reset", {})).status, 200);
    const others = dead.filter((d) => d !== named());
    await open(page, "/dead-letters", "[data-testid=dead-letters]");
    await shot(page, "dead-letters");
    await axe(page, "dead letters");
    await page.fill("#why", "verkeerd adres bij de aanbieder");
    await page.click(`[data-id="youthcare_fhir/${others[0].id}"] button[data-action=skip]`);
    await page.waitForSelector(`[data-id="youthcare_fhir/${others[0].id}"]`, { state: "detached" });
    await page.fill("#why", "aanbieder is weer bereikbaar");
    await page.click(`[data-id="youthcare_fhir/${others[1].id}"] button[data-action=retry]`);
    await page.waitForSelector(`[data-id="youthcare_fhir/${others[1].id}"]`, { state: "detached" });
    // Watched in the history page until it is delivered.
    await waitUntil(async () => {
      await open(page, `/history?key=${encodeURIComponent(others[1].key)}&outcome=delivered&since=1h`,
        "[data-testid=history], [data-testid=none]");
      return (await page.locator("[data-testid=history] tbody tr").count()) > 0 ? true : null;
    }, "the retried message delivered", 30000);
    await shot(page, "history");
    await axe(page, "history");
    // The revealed message corrected and resent.
    await open(page, messagePath(named()), "[data-testid=message]");
    await page.fill("#reveal-why", reason);
    await page.press("#reveal-why", "Enter");
    await page.waitForSelector("#payload-edit");
    const payload = await page.inputValue("#payload-edit");
    // The same message, written compactly: a change a person could make.
    await page.fill("#payload-edit", JSON.stringify(JSON.parse(payload)));
    await page.fill("#why", "opnieuw na herstel van de aanbieder");
    await page.click("#edit-send");
    await page.waitForSelector("#status:has-text('bericht')");
    // The rest, oldest first.
    await open(page, "/dead-letters", "[data-testid=dead-letters], [data-testid=none]");
    if (await page.locator("#retry-all").count() > 0) {
      await page.fill("#why", "aanbieder is weer bereikbaar");
      await page.click("#retry-all");
      await page.waitForSelector("[data-testid=none]");
    }
    const left = await ctl(["dlq", "list"]);
    assert.deepEqual(left.json.dead_letters, []);
    const actions = await ctl(["audit", "search", "--process", "console"]);
    const kinds = actions.json.entries.map((e) => e.action);
    for (const k of ["skip", "retry", "edit", "reveal", "sign_in"]) assert.ok(kinds.includes(k), k);
    await waitUntil(async () => {
      const h = await ctl(["history", "search", "--process", "youthcare_fhir", "--outcome", "delivered",
        "--from", "1h", "--limit", "1000"]);
      const keys = new Set(h.json.entries.map((e) => e.key));
      return dead.filter((d) => d !== others[0]).every((d) => keys.has(d.key)) ? true : null;
    }, "every message but the skipped one delivered", 30000);
  });

  await step("consents: looked up with a reason, audited with the child", async () => {
    const recorded = await ctl(["audit", "search", "--process", "consent", "--action", "record"]);
    const child = recorded.json.entries.find((e) => e.child_ref)?.child_ref;
    assert.ok(child, "a consent recorded from De Boomgaard's file");
    await open(page, "/consents", "#consent-form");
    await page.fill("#child", child);
    await page.fill("#consent-why", "ouder vraagt naar toestemming");
    await page.press("#consent-why", "Enter");
    await page.waitForSelector("[data-testid=consents]");
    assert.match(await page.textContent("[data-testid=consents]"), /ACTIVE/);
    await shot(page, "consents");
    await axe(page, "consents");
    const audited = await ctl(["audit", "search", "--action", "consent_lookup"]);
    assert.equal(audited.json.entries[0].child_ref, child);
  });

  await step("overdue, compliance and handovers draw; login page is accessible", async () => {
    await open(page, "/overdue", "[data-testid=none], [data-testid=overdue]");
    await shot(page, "overdue");
    await axe(page, "overdue");
    await open(page, "/compliance", "[data-testid=compliance-summary]");
    assert.ok(await page.locator("[data-group]").count() >= 3);
    await shot(page, "compliance");
    await axe(page, "compliance");
    await open(page, "/handovers", "h2");
    assert.match(await page.textContent("#content"), /Wachten op toestemming/);
    await shot(page, "handovers");
    await axe(page, "handovers");
    const anonymous = await browser.newContext();
    const login = await anonymous.newPage();
    await login.goto(`${base}/login?error=failed`);
    assert.match(await login.textContent("#login-error"), /onjuist wachtwoord/);
    await shot(login, "login");
    await axe(login, "login");
    await anonymous.close();
  });

  await step("sign-out ends the session", async () => {
    await page.click("#logout");
    await page.waitForURL(/\/login/);
    const res = await page.evaluate(async () => (await fetch("/api/session")).status);
    assert.equal(res, 401);
  });

  await step("no serious or critical accessibility violation on any page", async () => {
    assert.deepEqual(axeFindings, []);
  });

  await browser.close();
  up.child.kill("SIGTERM");
  await up.exited;
});
