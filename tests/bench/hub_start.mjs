// How long `olifantenpad up` takes from start to every process healthy (the
// launcher's own figure, "all services are healthy in N ms"), on the dev
// config with ports moved to free loopback ports and fresh data, median of 3;
// beside its floor from the same run: the same launcher starting one process
// (the fake FHIR server, the lightest), and the target (3 s).
//
// usage: node tests/bench/hub_start.mjs <build dir>

import { cpSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { root, tempDir } from "../smoke/lib.mjs";
import { HubLauncher, hubEnv } from "../smoke/hub.mjs";

const launcher = join(process.argv[2] ?? "build", "bin/olifantenpad");

async function startOnce(args) {
  const dir = tempDir();
  const up = new HubLauncher(launcher, await hubEnv(dir), args);
  try {
    const m = await up.waitFor(/all services are healthy in (\d+) ms/, 30000);
    return Number(m[1]);
  } finally {
    up.child.kill("SIGTERM");
    await up.exited;
    rmSync(dir, { recursive: true, force: true });
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const single = tempDir();
mkdirSync(single, { recursive: true });
cpSync(join(root, "config/dev/fake_fhir.yaml"), join(single, "fake_fhir.yaml"));
const all = [];
const one = [];
for (let i = 0; i < 3; ++i) {
  all.push(await startOnce([]));
  one.push(await startOnce(["--config-dir", single]));
}
rmSync(single, { recursive: true, force: true });
const a = median(all);
const o = median(one);
console.log(`hub start to all healthy (every process of config/dev): ${a} ms (runs: ${all.join(", ")}); target 3000 ms`);
console.log(`floor, the same launcher starting one process (fake_fhir): ${o} ms; ratio ${(a / o).toFixed(1)}`);
