// The scheduling service as a new user meets it: the real binary on the dev
// config (ports moved to 0, data in a temporary directory), called with
// @grpc/grpc-js, its calendar feed fetched over HTTP and parsed by ical.js.
//
// ical.js parses leniently, so the RFC 5545 rules it does not enforce are
// checked here: a VTIMEZONE for every TZID used, DTSTAMP and UID on every
// event, SEQUENCE rising across changes with the UID kept.
//
// The scenario: plan two visits for a group, hold one with a report, cancel
// the other, see the group at risk in GetCompliance, and see each change
// arrive in the expert's feed. The directory is the dev one without opening
// hours and the expert is available all week, so a visit can start seconds
// from now and be held for real.
//
// usage: node scheduling_smoke.mjs <scheduling binary>

import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import assert from "node:assert/strict";
import { Service, Steps, call, grpcClient, root, tempDir, waitUntil } from "./lib.mjs";
import ICAL from "ical.js";

const binary = process.argv[2];
if (!binary) {
  console.error("usage: node scheduling_smoke.mjs <scheduling binary>");
  process.exit(2);
}

const dataDir = tempDir();
const directory = join(dataDir, "directory.yaml");
writeFileSync(directory, readFileSync(join(root, "config/dev/directory.yaml"), "utf8")
  .split("\n").filter((l) => !/^\s+(opening_hours:|- \{weekday:)/.test(l)).join("\n"));
const steps = new Steps();
const step = steps.step.bind(steps);
const service = new Service(binary, join(root, "config/dev/scheduling.yaml"), {
  OLIF_SCHEDULING_GRPC: "127.0.0.1:0",
  OLIF_SCHEDULING_METRICS: "127.0.0.1:0",
  OLIF_SCHEDULING_BUS: "tcp://127.0.0.1:*",
  OLIF_SCHEDULING_FEEDS: "127.0.0.1:0",
  OLIF_CONSENT_BUS_ENDPOINT: "tcp://127.0.0.1:9",
  OLIF_DATA_DIR: dataDir,
  OLIF_DIRECTORY: directory,
  OLIF_SCHOOL_HOLIDAYS: join(root, "config/school_holidays.yaml"),
});

const anna = "prof-anna-de-vries";
const ts = (ms) => ({ seconds: String(Math.floor(ms / 1000)), nanos: 0 });
let client;
let feedBase;

async function feed(token, headers = {}) {
  const res = await fetch(`${feedBase}${token}.ics`, { headers, signal: AbortSignal.timeout(10000) });
  return { status: res.status, etag: res.headers.get("etag"), type: res.headers.get("content-type"),
    text: await res.text() };
}

// Minutes from now to the next midnight in Amsterdam, the hub's zone.
function minutesToLocalMidnight() {
  const parts = new Intl.DateTimeFormat("en-GB", { timeZone: "Europe/Amsterdam", hour: "2-digit",
    minute: "2-digit", hourCycle: "h23" }).formatToParts(new Date());
  const get = (type) => Number(parts.find((p) => p.type === type).value);
  return 24 * 60 - (get("hour") * 60 + get("minute"));
}

// Parses a feed with ical.js and checks what ical.js does not; returns the
// events by UID as { sequence, status, dtstamp }.
function parseFeed(text) {
  assert.ok(text.includes("\r\n"), "lines end with CRLF");
  for (const line of text.split("\r\n")) {
    assert.ok(Buffer.byteLength(line) <= 75, `line longer than 75 octets: ${line}`);
  }
  const cal = new ICAL.Component(ICAL.parse(text));
  assert.equal(cal.name, "vcalendar");
  assert.equal(cal.getFirstPropertyValue("version"), "2.0");
  assert.ok(cal.getFirstPropertyValue("prodid"), "PRODID");
  assert.match(text, /\r\nREFRESH-INTERVAL;VALUE=DURATION:PT60M\r\n/);
  assert.match(text, /\r\nX-PUBLISHED-TTL:PT60M\r\n/);
  const zones = new Set(cal.getAllSubcomponents("vtimezone").map((z) => z.getFirstPropertyValue("tzid")));
  const events = new Map();
  for (const ev of cal.getAllSubcomponents("vevent")) {
    const uid = ev.getFirstPropertyValue("uid");
    assert.ok(uid, "every VEVENT has a UID");
    assert.ok(ev.getFirstProperty("dtstamp"), `${uid}: DTSTAMP`);
    for (const p of ["dtstart", "dtend"]) {
      const tzid = ev.getFirstProperty(p).getParameter("tzid");
      assert.ok(zones.has(tzid), `${uid}: ${p} uses TZID ${tzid} without a VTIMEZONE`);
    }
    assert.ok(!events.has(uid), `UID ${uid} twice`);
    events.set(uid, { sequence: ev.getFirstPropertyValue("sequence"),
      status: ev.getFirstPropertyValue("status"),
      start: ev.getFirstPropertyValue("dtstart").toJSDate().getTime() });
  }
  assert.ok(!/Marieke|Daan/.test(text), "no child or parent is named in a feed");
  return events;
}

await steps.run(9, { running: [service], dir: dataDir }, async () => {
  const ports = await service.start();
  client = grpcClient("olifantenpad/scheduling/v1/scheduling.proto",
    "olifantenpad.scheduling.v1.SchedulingService", ports.grpc);
  feedBase = service.log.match(/feeds=(http:\/\/127\.0\.0\.1:\d+\/calendar\/)/)[1];
  let token;
  let visits = [];
  let events;
  let etag;

  await step("the expert's availability, then an empty feed behind a new token", async () => {
    const weekly = [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start: "00:00", end: "24:00" }));
    const set = await call(client, "SetAvailability", { expertId: anna, weekly, version: 0 });
    assert.equal(set.availability.version, "1");
    const issued = await call(client, "IssueFeedToken", { expertId: anna });
    token = issued.token;
    assert.equal(issued.path, `/calendar/${token}.ics`);
    const empty = await feed(token);
    assert.equal(empty.status, 200);
    assert.match(empty.type, /^text\/calendar/);
    assert.equal(parseFeed(empty.text).size, 0);
  });

  await step("plan two preventive visits for a group; both arrive in the feed", async () => {
    // A visit lies within one local day (availability is per weekday): the
    // first starts in seconds and ends before Amsterdam's midnight; the
    // second is a week ahead at 09:00 UTC (10:00 or 11:00 there).
    let left = minutesToLocalMidnight();
    if (left < 3) {
      await new Promise((r) => setTimeout(r, (left + 1) * 60000));
      left = minutesToLocalMidnight();
    }
    const soon = Date.now() + 3000;
    const nextWeek = new Date(Date.now() + 7 * 86400000);
    nextWeek.setUTCHours(9, 0, 0, 0);
    for (const [start, minutes] of [[soon, Math.min(30, left - 2)], [nextWeek.getTime(), 90]]) {
      const r = await call(client, "PlanVisit", { requestId: crypto.randomUUID(), visit: {
        kind: "VISIT_KIND_PREVENTIVE_GROUP_VISIT", locationId: "loc-boomgaard-noord",
        groupId: "grp-egeltjes", start: ts(start), end: ts(start + minutes * 60000),
        participants: [{ role: "PARTICIPANT_ROLE_PEDAGOGICAL_WORKER", professionalId: "prof-sanne-bakker" }] } });
      assert.equal(r.visit.status, "VISIT_STATUS_BOOKED");
      assert.equal(r.visit.expertId, anna, "the paired expert by default");
      visits.push(r.visit);
    }
    const f = await feed(token);
    events = parseFeed(f.text);
    assert.equal(events.size, 2);
    for (const v of visits) assert.equal(events.get(`${v.id}@olifantenpad`).sequence, 0);
    etag = f.etag;
    assert.ok(etag);
  });

  await step("an unchanged feed is answered 304 without a body", async () => {
    const again = await feed(token, { "If-None-Match": etag });
    assert.equal(again.status, 304);
    assert.equal(again.text, "");
  });

  await step("a conflict is refused naming the visit it clashes with", async () => {
    const v = visits[1];
    await assert.rejects(call(client, "PlanVisit", { requestId: crypto.randomUUID(), visit: {
      kind: "VISIT_KIND_PREVENTIVE_GROUP_VISIT", locationId: "loc-boomgaard-noord", groupId: "grp-vlinders",
      start: v.start, end: v.end } }), (e) => e.code === 9 && e.details.includes(v.id));
  });

  await step("a reschedule keeps the UID and raises SEQUENCE; the old ETag no longer matches", async () => {
    const v = visits[1];
    const start = Number(v.start.seconds) * 1000 + 86400000;
    const r = await call(client, "RescheduleVisit", { id: v.id, version: v.version, start: ts(start),
      end: ts(start + 90 * 60000) });
    visits[1] = r.visit;
    const f = await feed(token, { "If-None-Match": etag });
    assert.equal(f.status, 200);
    const now = parseFeed(f.text);
    assert.equal(now.get(`${v.id}@olifantenpad`).sequence, 1);
    assert.equal(now.get(`${v.id}@olifantenpad`).start, start);
    assert.equal(now.get(`${visits[0].id}@olifantenpad`).sequence, 0);
    events = now;
  });

  await step("hold the first visit with a report, cancel the second: the feed shows both", async () => {
    const first = visits[0];
    await waitUntil(() => Date.now() > Number(first.start.seconds) * 1000 + 500, "the visit starts", 10000);
    const held = await call(client, "RecordVisitHeld", { id: first.id, version: first.version, report: {
      groupObservations: "Onrustig na de lunch; vaste plekken helpen.",
      competenciesCoached: ["COMPETENCY_NOTABLE_BEHAVIOUR"], agreedActions: ["Vaste plekken aan tafel"],
      followUpDate: "2027-01-15" } });
    assert.equal(held.visit.status, "VISIT_STATUS_HELD");
    const second = visits[1];
    const cancelled = await call(client, "CancelVisit", { id: second.id, version: second.version,
      reason: "Groep gaat op uitje" });
    assert.equal(cancelled.visit.status, "VISIT_STATUS_CANCELLED");
    const now = parseFeed((await feed(token)).text);
    const c = now.get(`${second.id}@olifantenpad`);
    assert.equal(c.status, "CANCELLED", "a cancelled visit stays, cancelled");
    assert.ok(c.sequence > events.get(`${second.id}@olifantenpad`).sequence, "the cancellation raises SEQUENCE");
    assert.equal(now.get(`${first.id}@olifantenpad`).status, "CONFIRMED");
  });

  await step("GetCompliance shows the group at risk", async () => {
    const r = await call(client, "GetCompliance", { locationId: "loc-boomgaard-noord", groupId: "grp-egeltjes" });
    assert.equal(r.groups.length, 1);
    const g = r.groups[0];
    assert.equal(g.held, 1);
    assert.equal(g.cancelled, 1);
    assert.equal(g.minimum, 2);
    assert.equal(g.atRisk, true);
  });

  await step("a wrong or rotated token is an unknown feed; the new one works", async () => {
    for (const bad of ["x".repeat(43), "not-a-token", `${token}x`]) {
      const r = await feed(bad);
      assert.equal(r.status, 404);
      assert.equal(r.text, "unknown feed\n");
    }
    const other = await fetch(feedBase.replace(/calendar\/$/, "calendar/../etc/passwd"));
    assert.equal(other.status, 404);
    const rotated = await call(client, "IssueFeedToken", { expertId: anna });
    assert.equal((await feed(token)).status, 404);
    assert.equal(parseFeed((await feed(rotated.token)).text).size, 2);
  });

  await step("the location's feed shows the same visits", async () => {
    const issued = await call(client, "IssueFeedToken", { locationId: "loc-boomgaard-noord" });
    const loc = parseFeed((await feed(issued.token)).text);
    assert.deepEqual([...loc.keys()].sort(), visits.map((v) => `${v.id}@olifantenpad`).sort());
    assert.equal(await service.stop(), 0);
  });
});
