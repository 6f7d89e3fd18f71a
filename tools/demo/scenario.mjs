// The live demo `olifantenpad up --demo` runs once the hub is healthy: a
// morning at kinderdagverblijf De Boomgaard, through the adapters' real
// inputs — export files dropped in the chain's folder, a question posted to
// its webhook — with the fake youth-care provider answering its Tasks as a
// provider's system would and the expert's planning calling scheduling. At a
// gentle pace (OLIF_DEMO_PACE milliseconds between steps, 2500 by default),
// saying at each step what to look at. Every name and number is fictitious.
//
// First, when the console has no users yet, it makes one for the demo: user
// "demo", an operator, with a new random password printed here (dev only).
//
// usage: olifantenpad up --demo   (or: make run); by hand with the hub running:
//        node tools/demo/scenario.mjs [olifantctl binary] [config dir]
// Ports and folders are the dev defaults; the OLIF_* variables of config/dev move them.

import { execFileSync } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { call, fhir, fhirSearch, grpcClient, waitUntil } from "../../tests/smoke/lib.mjs";

const env = process.env;
const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const port = (address) => Number(address.split(":").at(-1));
const pace = Number(env.OLIF_DEMO_PACE ?? 2500);
const data = env.OLIF_DATA_DIR ?? "var";
const chain = join(data, "childcare/boomgaard");
const fhirBase = env.OLIF_FHIR_BASE_URL ?? "http://127.0.0.1:7480";
const school = `http://${env.OLIF_FAKE_SCHOOL_LISTEN ?? "127.0.0.1:7490"}`;
const webhook = `http://${env.OLIF_CHILDCARE_BOOMGAARD_WEBHOOK ?? "127.0.0.1:7462"}/childcare/boomgaard`;
const token = env.OLIF_CHILDCARE_BOOMGAARD_TOKEN ?? "dev-only-boomgaard-token";
const examples = join(root, "adapters/childcare/examples/boomgaard");
const scheduling = grpcClient("olifantenpad/scheduling/v1/scheduling.proto",
  "olifantenpad.scheduling.v1.SchedulingService", port(env.OLIF_SCHEDULING_GRPC ?? "127.0.0.1:7441"));
const referrals = grpcClient("olifantenpad/referrals/v1/referrals.proto",
  "olifantenpad.referrals.v1.ReferralsService", port(env.OLIF_REFERRALS_GRPC ?? "127.0.0.1:7401"));
const handover = grpcClient("olifantenpad/handover/v1/handover.proto",
  "olifantenpad.handover.v1.HandoverService", port(env.OLIF_HANDOVER_GRPC ?? "127.0.0.1:7451"));

const say = (text) => console.log(text);
const breathe = () => new Promise((r) => setTimeout(r, pace));
const ts = (ms) => ({ seconds: String(Math.floor(ms / 1000)) });
const expert = "prof-anna-de-vries";
const byRequest = (id) => `identifier=urn:olifantenpad:request|${id}`;

// A file into the chain's inbox as a system would: written beside it, renamed in.
function drop(file, from = examples) {
  mkdirSync(join(chain, "inbox"), { recursive: true });
  copyFileSync(join(from, file), join(chain, `${file}.part`));
  renameSync(join(chain, `${file}.part`), join(chain, "inbox", file));
}
const taken = (file) => waitUntil(() => (existsSync(join(chain, "inbox", file)) ? null : true),
  `${file} taken from the inbox`, 30000);

// The next weekday 9:00 UTC at least `days` ahead.
function weekday(days) {
  const d = new Date(Date.now() + days * 86400000);
  while (![1, 2, 3, 4].includes(d.getUTCDay())) d.setUTCDate(d.getUTCDate() + 1);
  d.setUTCHours(9, 0, 0, 0);
  return d.getTime();
}

// The request the chain's question became (its id is derived from the chain's question id).
async function requestFor(text) {
  return waitUntil(async () => {
    const { requests } = await call(referrals, "ListRequests", { locationId: "loc-boomgaard-noord", pageSize: 100 });
    return requests?.find((r) => r.question === text) ?? null;
  }, `the request "${text.slice(0, 30)}…" in referrals`, 30000);
}
async function taskFor(requestId) {
  const [task] = await waitUntil(async () => {
    const found = await fhirSearch(fhirBase, `/Task?${byRequest(requestId)}`);
    return found.length ? found : null;
  }, "the Task at the provider", 30000);
  return task;
}
const putTask = async (task, change) => {
  const current = (await fhir(fhirBase, "GET", `/Task/${task.id}`)).body;
  return (await fhir(fhirBase, "PUT", `/Task/${task.id}`, { ...current, ...change })).body;
};
const cycle = (n, plan) => {
  const part = (code, value) => ({ type: { coding: [{ system: "urn:olifantenpad:cycle", code: `${n}/${code}` }] }, ...value });
  const start = Date.now();
  return [part("plan", { valueString: plan }),
    part("period", { valuePeriod: { start: new Date(start).toISOString(), end: new Date(start + 14 * 86400000).toISOString() } }),
    part("outcome", { valueCode: "continue" })];
};

// A user to watch the demo in the console with, when it has none yet.
function consoleUser() {
  const [ctlBin = join(root, "build/bin/olifantctl"), configDir = "config/dev"] = process.argv.slice(2);
  const consoleUrl = `http://${env.OLIF_CONSOLE_HTTP ?? "127.0.0.1:7500"}/`;
  const ctl = (args, input) => execFileSync(ctlBin, ["--config-dir", configDir, ...args],
    { input, encoding: "utf8" });
  if (JSON.parse(ctl(["--output", "json", "user", "list"])).users.length > 0) {
    say(`the web console: ${consoleUrl} (sign in with a user of build/bin/olifantctl user list)`);
    return;
  }
  const password = randomBytes(12).toString("base64url");
  ctl(["user", "add", "demo", "--role", "operator", "--password-stdin"], `${password}\n`);
  say(`the web console: ${consoleUrl} — sign in as "demo" with password "${password}"`);
  say("   (a demo operator made because the console had no users; olifantctl user remove demo removes it)");
}

// The scenario tells one story once per data directory: its forms and
// questions have fixed ids, and the fake provider and school keep nothing
// across restarts.
consoleUser();
const ran = join(data, "demo-ran");
if (existsSync(ran)) {
  say(`the demo ran before on the data in ${data}; to see it again from the start, stop the hub, remove ${data} and start it again`);
  say("the hub keeps running; Ctrl-C stops it");
  process.exit(0);
}

try {
  say("a morning at kinderdagverblijf De Boomgaard (location Noord), with youth-care expert Anna de Vries of Het Kompas");
  say(`watch: ${chain}/outbox (what the staff see), ${fhirBase}/Task, build/bin/olifantctl status`);
  await breathe();

  say("1. the roster and the signed consent forms arrive as the chain's exports (CSV in the folder)");
  drop("kindlijst-voorbeeld.csv");
  await taken("kindlijst-voorbeeld.csv");
  drop("toestemmingen-voorbeeld.csv");
  await taken("toestemmingen-voorbeeld.csv");
  say(`   both taken into the hub; the files are in ${chain}/archive`);
  await breathe();

  say("2. an anonymous question, posted to the chain's webhook (JSON)");
  const anonymous = "Een peuter bijt andere kinderen als hij moe is. Hoe kunnen we dat voorkomen?";
  const posted = await fetch(webhook, { method: "POST",
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: JSON.stringify({ document: "direct_line_question", question_id: `V-DEMO-${Date.now()}`, kind: "anoniem",
      staff: "M0412", location: "NRD", domains: ["gedrag"], question: anonymous, priority: "normaal" }) });
  if (!posted.ok) throw new Error(`the webhook answered ${posted.status}: ${await posted.text()}`);
  const anon = await requestFor(anonymous);
  const anonTask = await taskFor(anon.id);
  say(`   request ${anon.id} → ServiceRequest + Task/${anonTask.id} at the provider (${fhirBase}/Task/${anonTask.id})`);
  await breathe();

  say("3. a question about the group, and one about a named child (her parents consented), as files");
  const group = "De Egeltjes zijn onrustig na de lunch; hoe brengen we rust in de groep?";
  const groupFile = join(data, "demo-groep.json");
  writeFileSync(groupFile, JSON.stringify({ document: "direct_line_question", question_id: `V-DEMO-G-${Date.now()}`,
    kind: "groep", staff: "M0412", location: "NRD", group: "Egeltjes", domains: ["groepsdynamiek"],
    question: group, priority: "normaal" }));
  drop("demo-groep.json", data);
  drop("vraag-V-2026-0042.json");
  const groupRequest = await requestFor(group);
  const childRequest = await requestFor("Yara wordt erg boos bij het afscheid van haar moeder en blijft dat lang. Hoe kunnen we haar helpen?");
  const groupTask = await taskFor(groupRequest.id);
  const childTask = await taskFor(childRequest.id);
  say(`   the named child's ServiceRequest names her Patient only because a consent covers it: ${fhirBase}/Patient`);
  await breathe();

  say("4. the provider's system answers: accepts all three, plans a cycle, gives advice");
  for (const t of [anonTask, groupTask, childTask]) await putTask(t, { status: "accepted" });
  await putTask(groupTask, { status: "in-progress", output: cycle(1, "Een vast rustmoment met een prentenboek na de lunch.") });
  await putTask(childTask, { status: "in-progress", output: cycle(1, "Een vast afscheidsritueel met mama en een knuffel.") });
  await putTask(anonTask, { status: "completed", note: [{ text: "Advies: benoem wat hij voelt en geef hem eerder een rustmoment." }] });
  await waitUntil(async () => (await call(referrals, "GetRequest", { id: anon.id })).request.status === "REQUEST_STATUS_RESOLVED" || null,
    "the anonymous question resolved", 30000);
  say(`   the staff see request_accepted, cycle_recorded and request_resolved in ${chain}/outbox`);
  await breathe();

  say("5. the expert plans her preventive group visits with De Egeltjes");
  const current = (await call(scheduling, "GetAvailability", { expertId: expert })).availability;
  await call(scheduling, "SetAvailability", { expertId: expert, version: current.version ?? "0",
    weekly: [1, 2, 3, 4, 5].map((d) => ({ weekday: d, start: "08:00", end: "17:00" })) });
  let visit = null;
  for (const days of [7, 70]) {
    const start = weekday(days);
    ({ visit } = await call(scheduling, "PlanVisit", { requestId: randomUUID(), visit: {
      kind: "VISIT_KIND_PREVENTIVE_GROUP_VISIT", locationId: "loc-boomgaard-noord", groupId: "grp-egeltjes",
      start: ts(start), end: ts(start + 90 * 60000),
      participants: [{ role: "PARTICIPANT_ROLE_PEDAGOGICAL_WORKER", professionalId: "prof-sanne-bakker" }] } }));
  }
  await waitUntil(async () => ((await fhirSearch(fhirBase, `/Appointment?identifier=urn:olifantenpad:visit|${visit.id}`)).length ? true : null),
    "the visit as an Appointment at the provider", 30000);
  say(`   two visits planned: ${fhirBase}/Appointment, visit_planned in the outbox`);
  await breathe();

  say("6. Sem's handover form to Basisschool Het Palet: he had VE, so a warm handover is proposed");
  drop("overdracht-OV-2026-0017.json");
  const access = { actorId: "demo", reason: "the live demo follows the form" };
  const form = await waitUntil(async () => {
    const { handovers } = await call(handover, "ListHandovers", { locationId: "loc-boomgaard-noord" });
    for (const h of handovers ?? []) {
      const f = (await call(handover, "GetHandover", { handoverId: h.handoverId, access })).form;
      if (f.warmHandover?.meeting?.visitId) return f;
    }
    return null;
  }, "the form sent with a meeting proposed", 30000);
  const meeting = (await call(scheduling, "GetVisit", { id: form.warmHandover.meeting.visitId })).visit;
  const start = weekday(14) + 4 * 3600000;
  await call(scheduling, "ConfirmMeeting", { id: meeting.id, version: meeting.version, start: ts(start), end: ts(start + 45 * 60000),
    participants: [{ role: "PARTICIPANT_ROLE_PEDAGOGICAL_WORKER", professionalId: "prof-sanne-bakker" },
      { role: "PARTICIPANT_ROLE_PARENT", name: "Iris van Leeuwen" },
      { role: "PARTICIPANT_ROLE_TEACHER", name: "Ruben Mulder (groep 1-2, Het Palet)" }] });
  say(`   the meeting is planned for ${new Date(start).toISOString()}; an invitation goes to the school (${join(data, "school/mail")})`);
  const received = await waitUntil(async () => {
    const body = await (await fetch(`${school}/_fake/received`)).json();
    return body.find((d) => d.handover_id === form.id) ?? null;
  }, "the form at the school's system", 30000);
  say(`   the school's system holds "${received.title}" and its PDF (${received.pdf_bytes} bytes): ${school}/_fake/received`);
  await waitUntil(async () => {
    const f = (await call(handover, "GetHandover", { handoverId: form.id, access })).form;
    return f.status === "HANDOVER_STATUS_ACKNOWLEDGED" ? true : null;
  }, "the school's acknowledgement", 30000);
  say("   the school acknowledged receipt: handover_acknowledged in the outbox");
  await breathe();

  writeFileSync(ran, new Date().toISOString() + "\n");
  say("every flow has run. Look around:");
  say(`   build/bin/olifantctl status · build/bin/olifantctl history search --from 1h · ls ${chain}/outbox`);
  say(`   ${fhirBase}/ServiceRequest · ${fhirBase}/Task · ${fhirBase}/Appointment · ${school}/_fake/received`);
  say("   the hub keeps running; Ctrl-C stops it");
  process.exit(0);
} catch (e) {
  console.error(`demo: stopped: ${e.details ?? e.message}`);
  process.exit(1);
}
