/**
 * Check-in at the peak (issue 7 item 8 (a) and (d)): gate devices' uploads through the real server
 * process (`cordon serve`, PostgreSQL), under a load generator on loopback (autocannon, in this process),
 * against a bare Node HTTP server answering the same request in the same run (bench/lib/bare-checkin-server.ts):
 *
 * (a) single scans (one upload = one scan, spread over many devices): scans/s and p50/p99 latency, and
 *     the ratio to the bare server's requests/s with the same connections, at each concurrency given,
 *     in rounds that alternate between the two servers (median reported); then batched uploads (500
 *     scans each) from several devices at once: scans/s in total. Every answer counted is a 200 — a
 *     commit — and the database is checked to hold exactly the scans acknowledged.
 * (d) the same load (singles and batches together), the server killed with SIGKILL at a random moment;
 *     started again on the same database; acknowledged uploads missing afterwards (must be 0).
 *
 *   node bench/checkin.ts [--seconds 15] [--connections 50,100] [--rounds 3] [--batch 500]
 *                         [--batch-connections 8] [--devices 2000] [--people 20000]
 *
 * Needs a PostgreSQL server: BENCH_PG_URL (default postgres://postgres@127.0.0.1:55432/postgres). For
 * honest durability figures it must run with fsync on (docs/benchmarks.md says how one was started).
 * A database cordon_bench_checkin_<pid> is created and dropped.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import autocannon, { type Result } from "autocannon";
import { type CheckinFixture, seedCheckinFixture } from "../packages/server/src/venues/checkin-fixture.ts";
import { type BenchDb, createBenchDb, serverFacts } from "./lib/bench-db.ts";
import { type CpuSpent, cpuSpent, sampleCpu } from "./lib/proc-cpu.ts";

const ROOT = join(import.meta.dirname, "..");
const MAIN = join(ROOT, "packages", "server", "src", "cli", "main.ts");
const BARE = join(import.meta.dirname, "lib", "bare-checkin-server.ts");

export interface LoadFigures {
  connections: number;
  seconds: number;
  /** Requests answered 200 per second. */
  okPerSecond: number;
  /** Scans acknowledged per second (200 answers × scans in each). */
  scansPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Answers other than 200, by status. */
  other: Record<string, number>;
  errors: number;
  /** CPU per request answered 200, µs: the server process, all PostgreSQL processes, the load generator. */
  cpuPerRequestUs: { server: number | null; postgres: number; loadGenerator: number };
}

/** One round at one concurrency: the bare server, then Cordon, with the same connections. */
export interface SinglesRound {
  bare: LoadFigures;
  cordon: LoadFigures;
  ratio: number;
}

export interface SinglesAt {
  connections: number;
  rounds: SinglesRound[];
  /** Median over the rounds. */
  medianRatio: number;
  medianP99Ms: number;
}

export interface CheckinResult {
  devices: number;
  people: number;
  /** Single-scan uploads, per number of connections. */
  singles: SinglesAt[];
  batched: LoadFigures & { batch: number };
  /** Scans acknowledged in (a) and found in the database afterwards. */
  stored: { acknowledged: number; found: number };
  kill: {
    afterMs: number;
    acknowledgedUploads: number;
    acknowledgedScans: number;
    missingUploads: number;
    missingScans: number;
    failedAtKill: number;
    restartMs: number;
  };
  server: Record<string, string>;
}

interface Proc {
  proc: ChildProcess;
  url: string;
  output: () => string;
}

let nextPort = 18_400 + (process.pid % 500);

async function start(args: string[], env: Record<string, string>, ready: string): Promise<Proc> {
  const port = nextPort++;
  let out = "";
  const proc = spawn(process.execPath, args, {
    env: { ...process.env, ...env, HOST: "127.0.0.1", PORT: String(port) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  proc.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  proc.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`exited (${proc.exitCode}):\n${out}`);
    try {
      if ((await fetch(`${url}${ready}`, { method: "GET" })).status < 500) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { proc, url, output: () => out };
}

const exited = (p: ChildProcess) =>
  p.exitCode !== null || p.signalCode !== null
    ? Promise.resolve()
    : new Promise<void>((r) => p.once("exit", () => r()));

async function stop(p: Proc, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
  p.proc.kill(signal);
  await exited(p.proc);
}

/** Uploads for the load generator: device n % D, seq ⌊n / D⌋ — never the same (device, seq) twice. */
class Uploads {
  readonly #f: CheckinFixture;
  readonly #scanPool: string[];
  #n = 0;
  readonly acked = new Map<string, number>();
  deviceTime = new Date().toISOString();

  constructor(f: CheckinFixture) {
    this.#f = f;
    this.#scanPool = f.refs
      .slice(0, 5000)
      .map(
        (ref) =>
          `{"ref":"${ref}","colour":"green","vaccination":3,"temperature":36.5,"at":"AT","decision":"admit"}`,
      );
  }

  /** Stamps the clock the next uploads carry (the device's clock, a fresh one per phase). */
  now(): void {
    this.deviceTime = new Date().toISOString();
  }

  next(scans: number): { token: string; key: string; body: string } {
    const n = this.#n++;
    const d = this.#f.devices[n % this.#f.devices.length]!;
    const seq = Math.floor(n / this.#f.devices.length);
    const parts: string[] = [];
    for (let i = 0; i < scans; i++) parts.push(this.#scanPool[(n * 7 + i * 13) % this.#scanPool.length]!);
    const body = `{"seq":${seq},"deviceTime":"${this.deviceTime}","scans":[${parts.join(",").replaceAll("AT", this.deviceTime)}]}`;
    return { token: d.token, key: `${d.id}/${seq}`, body };
  }
}

async function load(
  url: string,
  uploads: Uploads,
  opts: { connections: number; seconds: number; scans: number; record?: boolean; pid?: number },
): Promise<{
  result: Result;
  ok: number;
  scansOk: number;
  cpu: CpuSpent;
  instance: ReturnType<typeof autocannon>;
}> {
  let ok = 0;
  let scansOk = 0;
  uploads.now();
  const instance = autocannon({
    url,
    connections: opts.connections,
    duration: opts.seconds,
    timeout: 30,
    requests: [
      {
        method: "POST",
        path: "/api/checkin/gate",
        setupRequest: (req, context) => {
          const u = uploads.next(opts.scans);
          context.key = u.key;
          return {
            ...req,
            headers: { "content-type": "application/json", authorization: `Bearer ${u.token}` },
            body: u.body,
          };
        },
        onResponse: (status, body, context) => {
          if (status !== 200) return;
          ok++;
          const accepted = (JSON.parse(body) as { accepted: number }).accepted;
          scansOk += accepted;
          if (opts.record) uploads.acked.set(context.key as string, accepted);
        },
      },
    ],
  });
  const before = sampleCpu(opts.pid);
  const result = await instance;
  const cpu = cpuSpent(before, sampleCpu(opts.pid));
  return { result, ok, scansOk, cpu, instance };
}

function figures(r: Result, ok: number, scansOk: number, connections: number, cpu: CpuSpent): LoadFigures {
  const per = (ms: number) => (ok ? (ms * 1000) / ok : 0);
  const other: Record<string, number> = {};
  for (const [status, s] of Object.entries(r.statusCodeStats ?? {}) as [string, { count: number }][])
    if (status !== "200") other[status] = Number(s.count);
  return {
    connections,
    seconds: r.duration,
    okPerSecond: ok / r.duration,
    scansPerSecond: scansOk / r.duration,
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    maxMs: r.latency.max,
    other,
    errors: r.errors,
    cpuPerRequestUs: {
      server: cpu.serverMs === null ? null : per(cpu.serverMs),
      postgres: per(cpu.postgresMs),
      loadGenerator: per(cpu.loadGeneratorMs),
    },
  };
}

async function storedFor(
  b: BenchDb,
  acked: Map<string, number>,
): Promise<{ uploads: number; scans: number; found: number }> {
  const devices: string[] = [];
  const seqs: number[] = [];
  const accepted: number[] = [];
  for (const [k, a] of acked) {
    const [d, s] = k.split("/");
    devices.push(d!);
    seqs.push(Number(s));
    accepted.push(a);
  }
  const r = await b.db.query<{ missing_uploads: number; missing_scans: number; found: number }>(
    `WITH a AS (SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::int[]) AS a(device, seq, accepted)),
     s AS (SELECT device_id, seq, count(*)::int AS n FROM venue_scans
           WHERE (device_id, seq) IN (SELECT device, seq FROM a) GROUP BY device_id, seq)
     SELECT count(*) FILTER (WHERE coalesce(s.n, 0) < a.accepted)::int AS missing_uploads,
       coalesce(sum(greatest(a.accepted - coalesce(s.n, 0), 0)), 0)::int AS missing_scans,
       coalesce(sum(s.n), 0)::int AS found
     FROM a LEFT JOIN s ON s.device_id = a.device AND s.seq = a.seq`,
    [devices, seqs, accepted],
  );
  const row = r.rows[0]!;
  return { uploads: row.missing_uploads, scans: row.missing_scans, found: row.found };
}

export async function benchCheckin(
  b: BenchDb,
  opts: {
    seconds: number;
    /** Concurrencies of the single-scan comparison (load-generator connections). */
    connections: number[];
    /** Rounds per concurrency: bare and Cordon measured in turn, so both see the same machine. */
    rounds: number;
    batch: number;
    batchConnections: number;
    devices: number;
    people: number;
  },
): Promise<CheckinResult> {
  const fixture = await seedCheckinFixture(b.db, {
    people: opts.people,
    devices: opts.devices,
    now: new Date(),
  });
  const uploads = new Uploads(fixture);
  const warm = Math.min(3, opts.seconds);

  // The bare server and Cordon, both started, warmed, then measured in turn with the same connections and
  // the same single-scan uploads: rounds alternate between them, so a machine busy for a while (it is
  // shared) weighs on both, and the ratio is each round's, its median reported.
  const bare = await start([BARE], {}, "/");
  const serverEnv = { DATABASE_URL: b.url, CORDON_DATA_DIR: "" };
  let server = await start([MAIN, "serve"], serverEnv, "/api/health");
  const before = (await b.db.query<{ n: number }>("SELECT count(*)::int AS n FROM venue_scans")).rows[0]!.n;
  let singlesAcked = 0;
  const singles: SinglesAt[] = [];
  for (const connections of opts.connections) {
    await load(bare.url, uploads, { connections, seconds: warm, scans: 1 });
    const w = await load(server.url, uploads, { connections, seconds: warm, scans: 1 });
    singlesAcked += w.scansOk;
    const rounds: SinglesRound[] = [];
    for (let r = 0; r < opts.rounds; r++) {
      const x = await load(bare.url, uploads, {
        connections,
        seconds: opts.seconds,
        scans: 1,
        pid: bare.proc.pid,
      });
      const y = await load(server.url, uploads, {
        connections,
        seconds: opts.seconds,
        scans: 1,
        pid: server.proc.pid,
      });
      singlesAcked += y.scansOk;
      const bareF = figures(x.result, x.ok, x.scansOk, connections, x.cpu);
      const cordonF = figures(y.result, y.ok, y.scansOk, connections, y.cpu);
      rounds.push({ bare: bareF, cordon: cordonF, ratio: cordonF.scansPerSecond / bareF.okPerSecond });
    }
    singles.push({
      connections,
      rounds,
      medianRatio: median(rounds.map((r) => r.ratio)),
      medianP99Ms: median(rounds.map((r) => r.cordon.p99Ms)),
    });
  }
  await stop(bare);
  const batched = await load(server.url, uploads, {
    connections: opts.batchConnections,
    seconds: opts.seconds,
    scans: opts.batch,
    pid: server.proc.pid,
  });
  const acknowledged = singlesAcked + batched.scansOk;
  const found =
    (await b.db.query<{ n: number }>("SELECT count(*)::int AS n FROM venue_scans")).rows[0]!.n - before;

  // (d) singles and batches together; SIGKILL at a random moment; start again; count. Only here are the
  // acknowledged uploads recorded one by one (the load generator's work in (a) is the same for both
  // servers: count the answers).
  const afterMs = 2000 + Math.floor(Math.random() * 3000);
  let failedAtKill = 0;
  const runs = [
    load(server.url, uploads, { connections: opts.connections[0]!, seconds: 30, scans: 1, record: true }),
    load(server.url, uploads, {
      connections: opts.batchConnections,
      seconds: 30,
      scans: opts.batch,
      record: true,
    }),
  ];
  const instances = await new Promise<void>((r) => setTimeout(r, afterMs)).then(async () => {
    server.proc.kill("SIGKILL");
    await exited(server.proc);
  });
  void instances;
  // The load generators see the connections die; stop them once they have.
  await new Promise((r) => setTimeout(r, 500));
  for (const r of runs) void r.then((x) => x.instance.stop());
  const killed = await Promise.race([
    Promise.all(runs),
    new Promise<null>((r) => setTimeout(() => r(null), 35_000)),
  ]);
  if (killed) for (const k of killed) failedAtKill += k.result.errors;
  const t0 = performance.now();
  server = await start([MAIN, "serve"], serverEnv, "/api/health");
  const restartMs = performance.now() - t0;
  await stop(server);
  const miss = await storedFor(b, uploads.acked);

  return {
    devices: opts.devices,
    people: opts.people,
    singles,
    batched: {
      ...figures(batched.result, batched.ok, batched.scansOk, opts.batchConnections, batched.cpu),
      batch: opts.batch,
    },
    stored: { acknowledged, found },
    kill: {
      afterMs,
      acknowledgedUploads: uploads.acked.size,
      acknowledgedScans: [...uploads.acked.values()].reduce((a, n) => a + n, 0),
      missingUploads: miss.uploads,
      missingScans: miss.scans,
      failedAtKill,
      restartMs,
    },
    server: await serverFacts(b.db),
  };
}

const n0 = (x: number) => Math.round(x).toLocaleString("en-US");
function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
const ms = (x: number) => `${x.toFixed(1)} ms`;

export function printCheckin(r: CheckinResult): string {
  const row = (name: string, f: LoadFigures, extra = "") =>
    `| ${name} | ${f.connections} | ${n0(f.okPerSecond)} | ${n0(f.scansPerSecond)} | ${ms(f.p50Ms)} | ${ms(f.p99Ms)} | ${ms(f.maxMs)} | ${cpu(f)} | ${JSON.stringify(f.other)}${f.errors ? `, ${f.errors} errors` : ""} | ${extra} |`;
  const cpu = (f: LoadFigures) =>
    `${f.cpuPerRequestUs.server === null ? "–" : n0(f.cpuPerRequestUs.server)} / ${n0(f.cpuPerRequestUs.postgres)} / ${n0(f.cpuPerRequestUs.loadGenerator)}`;
  const singleRows = r.singles.flatMap((at) =>
    at.rounds.flatMap((round, i) => [
      row(`bare Node http, ${at.connections} connections, round ${i + 1}`, round.bare),
      row(
        `cordon single scans, ${at.connections} connections, round ${i + 1}`,
        round.cordon,
        `${round.ratio.toFixed(2)} × bare`,
      ),
    ]),
  );
  return [
    `Check-in (issue 7 (a), (d)): ${n0(r.devices)} gate devices, ${n0(r.people)} people with codes`,
    "",
    "| run | connections | 200/s | scans/s | p50 | p99 | max | CPU µs per request: server / PostgreSQL / load generator | other answers | |",
    "|---|---|---|---|---|---|---|---|---|---|",
    ...singleRows,
    row(`cordon, batches of ${r.batched.batch}`, r.batched, "target ≥ 20,000 scans/s"),
    "",
    ...r.singles.map(
      (at) =>
        `Single scans at ${at.connections} connections: **median ${at.medianRatio.toFixed(2)} × bare** over ${at.rounds.length} rounds (target ≥ 0.5), median p99 ${ms(at.medianP99Ms)} (target ≤ 50 ms).`,
    ),
    "",
    `Stored: ${n0(r.stored.found)} scans found for ${n0(r.stored.acknowledged)} acknowledged.`,
    `kill -9 after ${n0(r.kill.afterMs)} ms under load: ${n0(r.kill.acknowledgedUploads)} uploads (${n0(r.kill.acknowledgedScans)} scans) acknowledged, ` +
      `**${n0(r.kill.missingUploads)} uploads / ${n0(r.kill.missingScans)} scans missing** after the restart (${n0(r.kill.restartMs)} ms to serve again); ${n0(r.kill.failedAtKill)} requests failed at the kill (not acknowledged).`,
  ].join("\n");
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      seconds: { type: "string", default: "15" },
      connections: { type: "string", default: "50,100" },
      rounds: { type: "string", default: "3" },
      batch: { type: "string", default: "500" },
      "batch-connections": { type: "string", default: "8" },
      devices: { type: "string", default: "2000" },
      people: { type: "string", default: "20000" },
    },
  });
  const b = await createBenchDb("checkin");
  try {
    const r = await benchCheckin(b, {
      seconds: Number(values.seconds),
      connections: values.connections.split(",").map(Number),
      rounds: Number(values.rounds),
      batch: Number(values.batch),
      batchConnections: Number(values["batch-connections"]),
      devices: Number(values.devices),
      people: Number(values.people),
    });
    const machine = `${cpus().length} × ${cpus()[0]?.model ?? "CPU"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, PostgreSQL ${r.server.version}`;
    console.log(`machine: ${machine}\nserver settings: ${JSON.stringify(r.server)}\n`);
    console.log(printCheckin(r));
    console.log(JSON.stringify({ machine, checkin: r }));
  } finally {
    await b.drop();
  }
}
