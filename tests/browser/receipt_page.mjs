// The receipt page in a real browser: Debian's chromium, headless, driven by
// playwright-core. Consent, scheduling, handover and the school adapter run
// on their dev configs (ports moved to 0, data in a temporary directory); a
// handover for Basisschool De Regenboog (no system connection) is finalised
// under the parents' consent, the adapter mails its contact a one-time link
// (an .eml in the mail outbox), and a teacher:
//
// - opens the link and sees the form's sections; downloads the PDF;
// - confirms receipt with the keyboard only (name, Enter) — the handover is
//   then acknowledged in the handover service;
// - opens the link again: it is spent and serves nothing;
// - opens the link of a second form after it expired: refused; that form,
//   never acknowledged, shows as overdue in the adapter's admin status and
//   its metrics.
//
// Screenshots of each page go to the test's output folder (argv[6], or a
// temporary one).
//
// usage: node receipt_page.mjs <consent> <scheduling> <handover> <school> [screenshot dir]

import { mkdirSync, readFileSync, readdirSync, existsSync } from "node:fs";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import { createRequire } from "node:module";
import assert from "node:assert/strict";
import { Service, Steps, call, freePort, grpcClient, root, startHandoverStack, tempDir, waitUntil } from
  "../smoke/lib.mjs";

const [consentBin, schedulingBin, handoverBin, schoolBin, shotsArg] = process.argv.slice(2);
if (!schoolBin) {
  console.error("usage: node receipt_page.mjs <consent> <scheduling> <handover> <school> [screenshot dir]");
  process.exit(2);
}
const require = createRequire(join(root, "tests/package.json"));
const { chromium } = require("playwright-core");

const dataDir = tempDir();
const shots = shotsArg ?? join(dataDir, "screenshots");
mkdirSync(shots, { recursive: true });
const mailDir = join(dataDir, "school/mail");
const services = [];
const service = (bin, config, env) => {
  const s = new Service(bin, join(root, "config/dev", config),
    { OLIF_DATA_DIR: dataDir, OLIF_DIRECTORY: join(root, "config/dev/directory.yaml"), ...env });
  services.push(s);
  return s;
};
const steps = new Steps();
const step = steps.step.bind(steps);
const LINK_LIFETIME_S = 20;

const day = 86400000;
const ymd = (ms) => new Date(ms).toISOString().slice(0, 10);
const access = { actorId: "prof-sanne-bakker", reason: "overdracht naar de basisschool" };

// The text of each mail in the outbox (its first base64 part, decoded).
function mails() {
  if (!existsSync(mailDir)) return [];
  return readdirSync(mailDir).filter((n) => n.endsWith(".eml")).map((n) => {
    const raw = readFileSync(join(mailDir, n), "utf8");
    const m = raw.match(/Content-Transfer-Encoding: base64\r\n(?:[^\r\n]+\r\n)*\r\n((?:[A-Za-z0-9+/=]+\r\n)+)/);
    return { raw, text: m ? Buffer.from(m[1].replace(/\r\n/g, ""), "base64").toString("utf8") : "" };
  });
}
const linkIn = (text) => text.match(/http:\/\/127\.0\.0\.1:\d+\/ontvangst\/[A-Za-z0-9_-]+/)?.[0];

let browser = null;
const everything = { killIfRunning: () => {
  for (const s of services) s.killIfRunning();
  browser?.close();
} };
await steps.run(5, { running: [everything], dir: dataDir }, async () => {
  const stack = await startHandoverStack(service, { consentBin, schedulingBin, handoverBin });
  const pagePort = await freePort();
  const school = service(schoolBin, "school.yaml", {
    OLIF_SCHOOL_GRPC: "127.0.0.1:0", OLIF_SCHOOL_METRICS: "127.0.0.1:0", OLIF_SCHOOL_WEBHOOK: "127.0.0.1:0",
    OLIF_SCHOOL_RECEIPT_PAGE: `127.0.0.1:${pagePort}`, OLIF_SCHOOL_PUBLIC_URL: `http://127.0.0.1:${pagePort}`,
    OLIF_SCHOOL_LINK_LIFETIME: `${LINK_LIFETIME_S}s`, OLIF_SCHOOL_ACKNOWLEDGE_WITHIN: "4s",
    OLIF_HANDOVER_GRPC: `127.0.0.1:${stack.handover.grpc}`, OLIF_HANDOVER_BUS_ENDPOINT: stack.handover.bus,
    OLIF_SCHEDULING_BUS_ENDPOINT: stack.scheduling.bus });
  const schoolPorts = await school.start();
  const consents = grpcClient("olifantenpad/consent/v1/consent.proto", "olifantenpad.consent.v1.ConsentService",
    stack.consent.grpc);
  const handover = grpcClient("olifantenpad/handover/v1/handover.proto", "olifantenpad.handover.v1.HandoverService",
    stack.handover.grpc);
  browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu",
    "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
    "--disable-sync"] });
  const context = await browser.newContext({ acceptDownloads: true });

  // A finalised form for De Regenboog, under the parents' consent.
  async function sendForm(given) {
    const child = randomUUID();
    const now = Date.now();
    await call(consents, "RecordConsent", { requestId: randomUUID(), consent: {
      child: { childRef: child }, childBirthDate: ymd(now - 4 * 365 * day), holdersOfAuthority: 1,
      grantors: [{ name: "Ouder van " + given, relation: "RELATION_PARENT", hasAuthority: true,
        authorityVerifiedHow: "uittreksel gezagsregister", signedAt: { seconds: String(Math.floor(now / 1000) - 60) },
        method: "SIGNING_METHOD_DIGITAL" }],
      purposes: ["PURPOSE_SCHOOL_HANDOVER"], recipientOrganisationIds: ["sch-de-regenboog"],
      dataCategories: ["DATA_CATEGORY_IDENTITY", "DATA_CATEGORY_DEVELOPMENT"],
      validFrom: { seconds: String(Math.floor(now / 1000) - 3600) },
      validUntil: { seconds: String(Math.floor(now / 1000) + 365 * 86400) },
      evidenceRef: "TF-" + given, recordedBy: "prof-sanne-bakker" }, access });
    let f = (await call(handover, "CreateDraft", { requestId: randomUUID(), form: {
      child: { childRef: child, givenName: given, familyName: "de Wit", birthDate: ymd(now - 4 * 365 * day) },
      guardians: [{ name: "Ouder van " + given, relation: "GUARDIAN_RELATION_PARENT", hasAuthority: true }],
      sender: { locationId: "loc-boomgaard-noord", lrkNumber: "123456789", authorId: "prof-sanne-bakker" },
      receiver: { brin: "12AB", vestiging: "00", expectedStartDate: ymd(now + 42 * day) },
      development: [{ area: "DEVELOPMENT_AREA_LANGUAGE", instrument: "INSTRUMENT_KIJK", level: "passend",
        strengths: "Vertelt graag <verhalen> & zingt.", attentionPoints: "Korte zinnen.", observedAt: ymd(now - 7 * day) }],
      approachThatWorks: "Rustig voordoen." } })).form;
    f = (await call(handover, "SubmitForParentReview", { handoverId: f.id, version: f.version, by: "prof-sanne-bakker" })).form;
    f = (await call(handover, "RecordParentView", { handoverId: f.id, version: f.version, view: {
      text: "Klopt.", givenBy: "Ouder van " + given, relation: "GUARDIAN_RELATION_PARENT" } })).form;
    f = (await call(handover, "Finalise", { handoverId: f.id, version: f.version, by: "prof-sanne-bakker" })).form;
    assert.equal(f.status, "HANDOVER_STATUS_SENT");
    const mail = await waitUntil(async () => mails().find((m) => m.raw.includes(`To: Joost Jansen`) &&
      m.text.includes("/ontvangst/") && !sent.has(linkIn(m.text))), "the mail with the link");
    const link = linkIn(mail.text);
    sent.add(link);
    return { id: f.id, link, mailed: Date.now() };
  }
  const sent = new Set();

  let first = null;
  let page = null;
  await step("the mailed link opens the form, its sections readable and text kept as text", async () => {
    first = await sendForm("Noor");
    page = await context.newPage();
    const res = await page.goto(first.link);
    assert.equal(res.status(), 200);
    await page.getByRole("heading", { name: "Overdrachtsformulier", level: 1 }).waitFor();
    for (const section of ["Kind", "Ontvanger \\(basisschool\\)", "Zienswijze van de ouders", "Wat werkt bij dit kind"]) {
      assert.ok(await page.getByRole("heading", { name: new RegExp(section) }).count() > 0, `section ${section}`);
    }
    assert.match(await page.content(), /Vertelt graag &lt;verhalen&gt; &amp; zingt\./);
    assert.equal(await page.locator("script").count(), 0);
    await page.screenshot({ path: join(shots, "1-formulier.png"), fullPage: true });
  });

  await step("the PDF downloads", async () => {
    const [download] = await Promise.all([page.waitForEvent("download"),
      page.getByRole("link", { name: /Download het formulier/ }).click()]);
    const file = join(dataDir, "download.pdf");
    await download.saveAs(file);
    const pdf = readFileSync(file);
    assert.equal(pdf.subarray(0, 5).toString(), "%PDF-");
    assert.ok(pdf.length > 1000);
  });

  await step("receipt confirmed with the keyboard alone; the handover is acknowledged", async () => {
    await page.getByLabel(/Uw naam/).focus();
    await page.keyboard.type("J. Jansen, groep 1/2");
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "Ontvangst bevestigd" }).waitFor({ timeout: 10000 })
      .catch(async (e) => { throw new Error(`${e.message}; the page: ${(await page.textContent("body"))?.slice(0, 300)}`); });
    await page.screenshot({ path: join(shots, "2-bevestigd.png"), fullPage: true });
    const got = (await call(handover, "GetHandover", { handoverId: first.id, access })).form;
    assert.equal(got.status, "HANDOVER_STATUS_ACKNOWLEDGED");
    assert.equal(got.receipt.receivedBy, "J. Jansen, groep 1/2");
  });

  await step("the used link serves nothing any more", async () => {
    const again = await context.newPage();
    const res = await again.goto(first.link);
    assert.equal(res.status(), 410);
    await again.getByRole("heading", { name: "Al bevestigd" }).waitFor();
    const pdf = await again.request.get(first.link + "/pdf");
    assert.equal(pdf.status(), 410);
    await again.screenshot({ path: join(shots, "3-gebruikt.png") });
  });

  await step("an expired link is refused; the unacknowledged form shows as overdue", async () => {
    const second = await sendForm("Finn");
    await new Promise((r) => setTimeout(r, Math.max(0, second.mailed + (LINK_LIFETIME_S + 1) * 1000 - Date.now())));
    const expired = await context.newPage();
    const res = await expired.goto(second.link);
    assert.equal(res.status(), 410);
    await expired.getByRole("heading", { name: "Verlopen" }).waitFor();
    await expired.screenshot({ path: join(shots, "4-verlopen.png") });
    const admin = grpcClient("olifantenpad/admin/v1/admin.proto", "olifantenpad.admin.v1.AdminService",
      schoolPorts.grpc);
    const status = await waitUntil(async () => {
      const s = await call(admin, "GetStatus", {});
      return (s.attention ?? []).length === 1 ? s : null;
    }, "one overdue handover in the admin status");
    assert.equal(status.attention[0].kind, "handover_unacknowledged");
    assert.equal(status.attention[0].subject, `handovers/${second.id}`);
    assert.match(status.attention[0].detail, /school 12AB-00 \(sch-de-regenboog\) has not acknowledged revision 1/);
    const metrics = await (await fetch(`http://127.0.0.1:${schoolPorts.metrics}/metrics`)).text();
    assert.match(metrics, /olif_school_handovers_overdue 1\b/);
    await browser.close();
    browser = null;
    for (const s of services.filter((x) => !x.stopped)) assert.equal(await s.stop(), 0);
  });
});
