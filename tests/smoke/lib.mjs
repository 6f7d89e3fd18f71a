// What the smoke tests share: steps with a pass/fail tally, a service binary
// started on its dev config (ports moved to 0, data in a temporary
// directory) and stopped with SIGTERM, real gRPC clients (`buf curl` over
// reflection and @grpc/grpc-js with the project's protos), and olif-bus-tail
// as a consumer in another process.

import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

export const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const require = createRequire(join(root, "tests/package.json"));
export let grpc, protoLoader;
try {
  grpc = require("@grpc/grpc-js");
  protoLoader = require("@grpc/proto-loader");
} catch (e) {
  console.error("smoke: npm test tools missing; run deploy/install-deps.sh (make deps)");
  process.exit(1);
}
const buf = join(root, "tests/node_modules/.bin/buf");

// Steps that stop at the first failure, and the final verdict.
export class Steps {
  constructor() {
    this.passed = 0;
    this.failed = 0;
  }
  async step(name, fn) {
    try {
      await fn();
      this.passed++;
      console.log(`ok   ${name}`);
    } catch (e) {
      this.failed++;
      console.log(`FAIL ${name}: ${e.message}`);
      throw e;
    }
  }
  // Runs `body` (which calls step()); on a failure kills what is still running
  // (`running`: objects with killIfRunning()), then removes `dir` and exits
  // with finish(expected).
  async run(expected, { running = [], dir }, body) {
    try {
      await body();
    } catch (e) {
      for (const r of running) r.killIfRunning();
      console.error(e.stack ?? String(e));
    } finally {
      if (dir) removeDir(dir);
    }
    this.finish(expected);
  }

  // Prints the tally and exits: 0 only when all `expected` steps passed.
  finish(expected) {
    console.log(`${this.passed} passed, ${this.failed} failed`);
    process.exit(this.failed === 0 && this.passed === expected ? 0 : 1);
  }
}

export function tempDir() {
  return mkdtempSync(join(tmpdir(), "olif-smoke-"));
}
export function removeDir(dir) {
  rmSync(dir, { recursive: true, force: true });
}

// A service process. `env` moves its ports to 0 and its data to a temp dir.
export class Service {
  constructor(binary, config, env) {
    this.binary = binary;
    this.config = config;
    this.env = env;
    this.child = null;
    this.log = "";
  }

  // Resolves with { grpc, metrics, bus, fhir, webhook } once the service logs
  // where it listens and what it serves (bus: its producer endpoint; fhir: a
  // FHIR base URL it serves or uses; webhook: where it takes notifications;
  // each undefined when the process has none).
  start() {
    return new Promise((resolvePorts, reject) => {
      this.log = "";
      this.child = spawn(this.binary, ["--config", this.config], {
        env: { ...process.env, ...this.env },
        stdio: ["ignore", "inherit", "pipe"],
      });
      const timer = setTimeout(() => reject(new Error("no 'listening' line within 20 s")), 20000);
      let buffered = "";
      this.child.stderr.on("data", (chunk) => {
        process.stderr.write(chunk);
        this.log += chunk.toString();
        buffered += chunk.toString();
        const m = buffered.match(/listening grpc=127\.0\.0\.1:(\d+) metrics=127\.0\.0\.1:(\d+)/);
        const serving = buffered.match(/serving (.*)\n/);
        if (m && serving) {
          clearTimeout(timer);
          const bus = serving[1].match(/(?:^| )bus=(tcp:\/\/127\.0\.0\.1:\d+)/);
          const fhir = serving[1].match(/(?:^| )fhir=(http:\/\/\S+)/);
          const webhook = serving[1].match(/(?:^| )webhook=(https?:\/\/\S+)/);
          resolvePorts({ grpc: Number(m[1]), metrics: Number(m[2]), bus: bus?.[1], fhir: fhir?.[1],
            webhook: webhook?.[1] });
          buffered = "";
        }
      });
      this.child.on("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`exited early with ${code}`));
      });
    });
  }

  // Waits, bounded, until the service's log matches `pattern`.
  async waitForLog(pattern, ms = 10000) {
    const until = Date.now() + ms;
    while (Date.now() < until) {
      if (pattern.test(this.log)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`log did not show ${pattern} within ${ms} ms`);
  }

  signal(name) {
    this.child.kill(name);
  }

  // Sends SIGTERM and resolves with the exit code; fails after 15 s.
  stop() {
    return new Promise((resolveExit, reject) => {
      const timer = setTimeout(() => {
        this.child.kill("SIGKILL");
        reject(new Error("did not stop within 15 s of SIGTERM"));
      }, 15000);
      this.child.removeAllListeners("exit");
      this.child.on("exit", (code, signal) => {
        clearTimeout(timer);
        resolveExit(code ?? signal);
      });
      this.child.kill("SIGTERM");
    });
  }

  killIfRunning() {
    if (this.child && this.child.exitCode === null) this.child.kill("SIGKILL");
  }
}

// `buf curl` with "$" in args standing for the service's base URL.
export function bufCurl(port, args) {
  return execFileSync(
    buf,
    ["curl", "--protocol", "grpc", "--http2-prior-knowledge",
      ...args.map((a) => a.replace("$", `http://127.0.0.1:${port}`))],
    { encoding: "utf8", timeout: 20000 },
  );
}

// A @grpc/grpc-js client of `service` (e.g. "olifantenpad.consent.v1.ConsentService")
// from `protoFile` (relative to proto/).
export function grpcClient(protoFile, service, port) {
  const def = protoLoader.loadSync(protoFile, {
    includeDirs: [join(root, "proto")],
    enums: String,
    longs: String,
    defaults: false,
  });
  let ctor = grpc.loadPackageDefinition(def);
  for (const part of service.split(".")) ctor = ctor[part];
  return new ctor(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
}

export function call(client, method, request, traceId) {
  const metadata = new grpc.Metadata();
  if (traceId) metadata.set("x-trace-id", traceId);
  return new Promise((res, rej) =>
    client[method](request, metadata, { deadline: Date.now() + 10000 }, (err, reply) =>
      err ? rej(err) : res(reply),
    ),
  );
}

// olif-bus-tail as the durable consumer "bus-tail" of `producer`, its cursor
// in `dataDir`; collects the events it prints.
export class BusTail {
  constructor(binary, dataDir, producer) {
    this.binary = binary;
    this.db = join(dataDir, `bus-tail-${producer}.db`);
    this.producer = producer;
    this.child = null;
    this.lines = [];
  }
  start(endpoint) {
    this.lines = [];
    this.child = spawn(this.binary, ["--endpoint", endpoint, "--producer", this.producer,
      "--consumer", "bus-tail", "--db", this.db], { stdio: ["ignore", "pipe", "inherit"] });
    let partial = "";
    this.child.stdout.on("data", (chunk) => {
      partial += chunk.toString();
      const lines = partial.split("\n");
      partial = lines.pop();
      for (const l of lines) if (l.trim()) this.lines.push(JSON.parse(l));
    });
  }
  stop() {
    return new Promise((res) => {
      this.child.on("exit", (code) => res(code));
      this.child.kill("SIGTERM");
    });
  }
  async waitFor(predicate, ms = 15000) {
    const until = Date.now() + ms;
    while (Date.now() < until) {
      const hit = this.lines.find(predicate);
      if (hit) return hit;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`no matching event within ${ms} ms; got ${JSON.stringify(this.lines)}`);
  }
  killIfRunning() {
    if (this.child && this.child.exitCode === null) this.child.kill("SIGKILL");
  }
}

// An HTTP exchange with a FHIR server (the fake one): resolves with
// { status, body } where body is the parsed JSON (or null).
export async function fhir(base, method, path, body) {
  const res = await fetch(base + path, {
    method,
    headers: { "Content-Type": "application/fhir+json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10000),
  });
  const text = await res.text();
  let parsed = null;
  try { parsed = JSON.parse(text); } catch { parsed = null; }
  return { status: res.status, body: parsed };
}

// Polls `fn` until it returns something truthy; fails after `ms`.
export async function waitUntil(fn, what, ms = 15000) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const v = await fn();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what}: not within ${ms} ms`);
}

// The resources of a FHIR searchset (e.g. GET /Task?identifier=...).
export async function fhirSearch(base, query) {
  const r = await fhir(base, "GET", query);
  if (r.status !== 200) throw new Error(`GET ${query}: HTTP ${r.status}`);
  return (r.body.entry ?? []).map((e) => e.resource);
}

// Starts consent, scheduling and handover on their dev configs (loopback,
// free ports), each made with `service(binary, config, env)`; scheduling
// follows handover's bus, so it is started, then restarted pointed at it on
// the same ports and data. Resolves with each one's ports.
export async function startHandoverStack(service, { consentBin, schedulingBin, handoverBin }) {
  const local = { grpc: "127.0.0.1:0", metrics: "127.0.0.1:0", bus: "tcp://127.0.0.1:*" };
  const consent = await service(consentBin, "consent.yaml", {
    OLIF_CONSENT_GRPC: local.grpc, OLIF_CONSENT_METRICS: local.metrics, OLIF_CONSENT_BUS: local.bus }).start();
  const schedulingEnv = (handoverBus) => ({
    OLIF_SCHEDULING_METRICS: local.metrics, OLIF_SCHEDULING_FEEDS: "127.0.0.1:0",
    OLIF_CONSENT_BUS_ENDPOINT: consent.bus, OLIF_HANDOVER_BUS_ENDPOINT: handoverBus,
    OLIF_SCHOOL_HOLIDAYS: join(root, "config/school_holidays.yaml") });
  const first = service(schedulingBin, "scheduling.yaml", {
    ...schedulingEnv("tcp://127.0.0.1:9"), OLIF_SCHEDULING_GRPC: local.grpc, OLIF_SCHEDULING_BUS: local.bus });
  const scheduling = await first.start();
  const handover = await service(handoverBin, "handover.yaml", {
    OLIF_HANDOVER_GRPC: local.grpc, OLIF_HANDOVER_METRICS: local.metrics, OLIF_HANDOVER_BUS: local.bus,
    OLIF_CONSENT_BUS_ENDPOINT: consent.bus, OLIF_SCHEDULING_BUS_ENDPOINT: scheduling.bus,
    OLIF_CODE_LISTS: join(root, "config/oso_voorschools.yaml") }).start();
  const code = await first.stop();
  if (code !== 0) throw new Error(`scheduling stopped with ${code}`);
  first.stopped = true;
  await service(schedulingBin, "scheduling.yaml", {
    ...schedulingEnv(handover.bus), OLIF_SCHEDULING_GRPC: `127.0.0.1:${scheduling.grpc}`,
    OLIF_SCHEDULING_BUS: scheduling.bus }).start();
  return { consent, scheduling, handover };
}

// A port free on loopback now (for a peer that must be told it before it starts).
// A loopback port free now, for a process a test starts later and its peers
// must know. Taken at random below the kernel's ephemeral range (32768 and
// up): a port the kernel hands out for bind(0) or for an outgoing connection
// in the meantime can then never be the one given here, and tests running
// side by side rarely pick the same one. Never the same port twice in a test.
const handedOut = new Set();
export async function freePort() {
  for (;;) {
    const port = 20000 + Math.floor(Math.random() * 12000);
    if (handedOut.has(port)) continue;
    const free = await new Promise((res) => {
      const srv = createServer();
      srv.once("error", () => res(false));
      srv.listen(port, "127.0.0.1", () => srv.close(() => res(true)));
    });
    if (free) {
      handedOut.add(port);
      return port;
    }
  }
}
