// Try scheduling on a running hub (`make run`): sets the expert's weekly
// availability, plans two preventive visits for a group, issues the expert's
// calendar feed and prints it, shows a visit arrive at the (fake) youth-care
// provider as an Appointment, cancels the other visit and shows the feed and
// the group's compliance afterwards.
//
// usage: node tools/demo/try-scheduling.mjs   (with `make run` in another terminal)
// Ports are the dev defaults; OLIF_SCHEDULING_GRPC, OLIF_SCHEDULING_FEEDS and
// OLIF_FHIR_BASE_URL move them.

import { randomUUID } from "node:crypto";
import { call, fhirSearch, grpcClient, waitUntil } from "../../tests/smoke/lib.mjs";

const address = process.env.OLIF_SCHEDULING_GRPC ?? "127.0.0.1:7441";
const feeds = `http://${process.env.OLIF_SCHEDULING_FEEDS ?? "127.0.0.1:7443"}`;
const base = process.env.OLIF_FHIR_BASE_URL ?? "http://127.0.0.1:7480";
const scheduling = grpcClient("olifantenpad/scheduling/v1/scheduling.proto",
  "olifantenpad.scheduling.v1.SchedulingService", Number(address.split(":")[1]));
const expertId = "prof-anna-de-vries";

// The next weekday (Mon-Thu) at least `days` ahead, at 09:00 UTC (10:00 or
// 11:00 in Amsterdam, within the location's opening hours).
function weekday(days) {
  const d = new Date(Date.now() + days * 86400000);
  while (![1, 2, 3, 4].includes(d.getUTCDay())) d.setUTCDate(d.getUTCDate() + 1);
  d.setUTCHours(9, 0, 0, 0);
  return d.getTime();
}
const ts = (ms) => ({ seconds: String(Math.floor(ms / 1000)) });

try {
  const current = (await call(scheduling, "GetAvailability", { expertId })).availability;
  await call(scheduling, "SetAvailability", { expertId, version: current.version ?? "0",
    weekly: [1, 2, 3, 4, 5].map((weekday) => ({ weekday, start: "08:00", end: "17:00" })) });
  console.log(`${expertId} is available Monday to Friday, 08:00-17:00`);
  const visits = [];
  for (const days of [3, 40]) {
    const start = weekday(days);
    const { visit } = await call(scheduling, "PlanVisit", { requestId: randomUUID(), visit: {
      kind: "VISIT_KIND_PREVENTIVE_GROUP_VISIT", locationId: "loc-boomgaard-noord", groupId: "grp-egeltjes",
      start: ts(start), end: ts(start + 90 * 60000),
      participants: [{ role: "PARTICIPANT_ROLE_PEDAGOGICAL_WORKER", professionalId: "prof-sanne-bakker" }] } });
    console.log(`planned visit ${visit.id} on ${new Date(start).toISOString()} (${visit.schoolYear})`);
    visits.push(visit);
  }
  try {
    await call(scheduling, "PlanVisit", { requestId: randomUUID(), visit: { ...visits[0], id: undefined,
      kind: "VISIT_KIND_PREVENTIVE_GROUP_VISIT", groupId: "grp-vlinders", status: undefined } });
  } catch (e) {
    console.log(`the same slot again is refused: ${e.details}`);
  }
  const { token } = await call(scheduling, "IssueFeedToken", { expertId });
  const url = `${feeds}/calendar/${token}.ics`;
  console.log(`\nthe expert's calendar feed (subscribe to it in any calendar): ${url}\n`);
  console.log(await (await fetch(url)).text());

  const query = `/Appointment?identifier=urn:olifantenpad:visit|${visits[0].id}`;
  const [appointment] = await waitUntil(async () => {
    const found = await fhirSearch(base, query);
    return found.length ? found : null;
  }, "the Appointment on the fake FHIR server");
  console.log(`at the provider: ${base}/Appointment/${appointment.id} is ${appointment.status}`);

  const second = visits[1];
  await call(scheduling, "CancelVisit", { id: second.id, version: second.version,
    reason: "De groep gaat die dag op uitje" });
  const after = await (await fetch(url)).text();
  console.log(`\ncancelled ${second.id}; in the feed it now reads:`);
  console.log(after.split("BEGIN:VEVENT").find((e) => e.includes(second.id)).trim());
  const { groups } = await call(scheduling, "GetCompliance",
    { locationId: "loc-boomgaard-noord", groupId: "grp-egeltjes" });
  console.log(`\ncompliance this school year: ${JSON.stringify(groups[0])}`);
  process.exit(0);
} catch (e) {
  console.error(`try-scheduling: ${e.message} (is the hub running? make run)`);
  process.exit(1);
}
