// Try the direct line on a running hub (`make run`): creates a question in
// referrals with a real gRPC client, shows it arrive on the fake FHIR server
// as ServiceRequest + Task, completes the Task there as the provider would,
// and shows the request resolved in referrals.
//
// usage: node tools/demo/try-direct-line.mjs   (with `make run` in another terminal)
// Ports are the dev defaults; OLIF_REFERRALS_GRPC and OLIF_FHIR_BASE_URL move them.

import { randomUUID } from "node:crypto";
import { call, fhir, fhirSearch, grpcClient, waitUntil } from "../../tests/smoke/lib.mjs";

const referralsAddress = process.env.OLIF_REFERRALS_GRPC ?? "127.0.0.1:7401";
const base = process.env.OLIF_FHIR_BASE_URL ?? "http://127.0.0.1:7480";
const referrals = grpcClient("olifantenpad/referrals/v1/referrals.proto",
  "olifantenpad.referrals.v1.ReferralsService", Number(referralsAddress.split(":")[1]));

const show = (title, value) => console.log(`\n== ${title}\n${JSON.stringify(value, null, 2)}`);

try {
  const created = (await call(referrals, "CreateRequest", { requestId: randomUUID(), request: {
    kind: "REQUEST_KIND_ANONYMOUS", questionDomains: ["QUESTION_DOMAIN_LANGUAGE"],
    requester: { professionalId: "prof-sanne-bakker", organisationId: "org-kdv-de-boomgaard",
      locationId: "loc-boomgaard-noord" },
    question: "Een peuter van 2,5 praat nog weinig; wanneer is dat reden tot zorg?" } })).request;
  console.log(`created request ${created.id}: ${created.status}, expert ${created.expert.professionalId}`);

  const started = Date.now();
  const query = `identifier=urn:olifantenpad:request|${created.id}`;
  const [task] = await waitUntil(async () => {
    const found = await fhirSearch(base, `/Task?${query}`);
    return found.length ? found : null;
  }, "the Task on the fake FHIR server");
  const [serviceRequest] = await fhirSearch(base, `/ServiceRequest?${query}`);
  console.log(`arrived on the FHIR server in ${Date.now() - started} ms`);
  show(`${base}/ServiceRequest/${serviceRequest.id}`, serviceRequest);
  show(`${base}/Task/${task.id}`, task);

  console.log("\nthe provider completes the Task ...");
  await fhir(base, "PUT", `/Task/${task.id}`, { ...task, status: "completed",
    note: [{ text: "Advies: veel voorlezen en benoemen; over drie maanden opnieuw kijken." }] });
  const resolved = await waitUntil(async () => {
    const r = (await call(referrals, "GetRequest", { id: created.id })).request;
    return r.status === "REQUEST_STATUS_RESOLVED" ? r : null;
  }, "the request resolved in referrals");
  console.log(`referrals: request ${resolved.id} is ${resolved.status} (version ${resolved.version}); ` +
    `the expert's note became message: "${resolved.messages.at(-1).text}"`);
  referrals.close();
} catch (e) {
  console.error(`try-direct-line: ${e.message}\n(is the hub running? start it with: make run)`);
  process.exit(1);
}
