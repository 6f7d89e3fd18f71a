// The childcare adapter's JSON formats (adapters/childcare/schemas/) checked
// against their examples (adapters/childcare/examples/) and against every
// JSON block in adapters/childcare/README.md, with ajv. Each schema must also
// refuse a broken copy of its example, so a schema that accepts anything
// fails here. Imported by the smoke tests to check what the adapter writes.
//
// usage: node tests/schemas/childcare_schemas.mjs

import { readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const Ajv2020 = require("ajv/dist/2020").default;
const addFormats = require("ajv-formats");

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
const dir = join(root, "adapters/childcare");
const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true });
addFormats(ajv);
const schemas = {};
for (const name of ["direct_line_question", "handover_form", "notification"]) {
  schemas[name] = ajv.compile(JSON.parse(readFileSync(join(dir, "schemas", `${name}.schema.json`), "utf8")));
}

// The errors of `doc` against the schema its kind names ([] when valid).
export function childcareErrors(doc) {
  const kind = doc?.document ?? (doc?.notification !== undefined ? "notification" : undefined);
  const validate = schemas[kind];
  if (!validate) return [`no schema for a document of kind ${JSON.stringify(kind)}`];
  return validate(doc) ? [] : validate.errors.map((e) => `${e.instancePath || "/"} ${e.message}`);
}

function jsonFiles(d) {
  return readdirSync(d).flatMap((n) => {
    const p = join(d, n);
    return statSync(p).isDirectory() ? jsonFiles(p) : n.endsWith(".json") ? [p] : [];
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const failures = [];
  const check = (what, doc) => {
    const errors = childcareErrors(doc);
    if (errors.length) failures.push(`${what}: ${errors.join("; ")}`);
  };
  const examples = jsonFiles(join(dir, "examples"));
  for (const f of examples) check(f.slice(root.length + 1), JSON.parse(readFileSync(f, "utf8")));
  const readme = readFileSync(join(dir, "README.md"), "utf8");
  const blocks = [...readme.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => m[1]);
  blocks.forEach((b, i) => check(`README.md json block ${i + 1}`, JSON.parse(b)));
  // Every kind has an example, and a broken example is refused.
  const kinds = new Set(examples.map((f) => {
    const d = JSON.parse(readFileSync(f, "utf8"));
    return d.document ?? "notification";
  }));
  for (const k of Object.keys(schemas)) if (!kinds.has(k)) failures.push(`no example of ${k}`);
  const broken = [
    ["question without its id", "examples/boomgaard/vraag-V-2026-0042.json", (d) => delete d.question_id],
    ["form with an unknown field", "examples/boomgaard/overdracht-OV-2026-0017.json", (d) => { d.form.vve = {}; }],
    ["notification of an unknown kind", "examples/notifications/expert_message.json", (d) => { d.notification = "gossip"; }],
    ["message without its text", "examples/notifications/expert_message.json", (d) => delete d.message],
  ];
  for (const [what, file, spoil] of broken) {
    const d = JSON.parse(readFileSync(join(dir, file), "utf8"));
    spoil(d);
    if (childcareErrors(d).length === 0) failures.push(`the schema accepts a ${what}`);
  }
  if (failures.length) {
    console.error(failures.join("\n"));
    process.exit(1);
  }
  console.log(`${examples.length} examples and ${blocks.length} README blocks match their schemas; ` +
    `${broken.length} broken copies refused`);
}
