/**
 * Health monitoring at scale: 200,000 temperature and symptom reports recorded through the HTTP API
 * (`POST /api/quarantine/health-reports/batch`, batches of 500, a few concurrent clients on keep-alive
 * connections to the real Fastify app on a local port), for 10,000 people placed at 20 sites — against a
 * plain COPY of the same stored rows into a scratch table with the same indexes, in the same run.
 *
 *   node bench/quarantine-reports.ts [--reports 200000] [--placements 10000] [--batch 500] [--clients 4]
 *
 * Needs a PostgreSQL server (BENCH_PG_URL, default postgres://postgres@127.0.0.1:55432/postgres). The
 * people, sites and placements are inserted with SQL beforehand (synthetic, not timed). The clients run in
 * the same process as the server, with their request bodies serialized before the clock starts.
 */
import { mkdirSync, rmSync } from "node:fs";
import { Agent, request } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { schedule } from "@cordon/domain/quarantine/schedule";
import { v7 as uuidv7 } from "uuid";
import { hashPassword } from "../packages/server/src/accounts/password.ts";
import { insertUser } from "../packages/server/src/accounts/user.repository.ts";
import { openPostgres } from "../packages/server/src/db/db.ts";
import { buildApp } from "../packages/server/src/http/app.ts";
import { courseRecord, insertCourses } from "../packages/server/src/quarantine/placement.repository.ts";
import {
  type BenchDb,
  copyOutToFile,
  createBenchDb,
  mib,
  rssSampler,
  serverFacts,
  timeCopyIn,
} from "./lib/bench-db.ts";
import { seededRandom } from "./lib/seeded.ts";

export interface ReportsBenchResult {
  reports: number;
  placements: number;
  sites: number;
  batchSize: number;
  clients: number;
  withAlerts: number;
  api: {
    seconds: number;
    reportsPerSecond: number;
    requests: number;
    p50Ms: number;
    p95Ms: number;
    peakRssBytes: number;
    maxRssBytes: number;
  };
  copy: { seconds: number; rowsPerSecond: number };
  ratio: number;
  server: Record<string, string>;
}

const TOWNSHIP = "640104001"; // 兴庆区 (Yinchuan), a township: the sites' region
const PLACED_AT = "2022-08-01T21:00:00+08:00";
const DAY = 86_400_000;
const NOW = new Date("2022-08-20T12:00:00+08:00");
const PASSWORD = "bench-password-2026";

/** Synthetic people, sites and placements (SQL, not timed). Returns the placement ids. */
async function setup(b: BenchDb, placements: number, sites: number): Promise<string[]> {
  const db = b.db;
  const course = schedule({ centralizedQuarantine: { days: 14 } }, { placedAt: PLACED_AT });
  if (!course.ok) throw new Error(JSON.stringify(course.errors));
  await db.query(
    `INSERT INTO persons (id, name, name_initials, name_pinyin, document_type, document_number, birth_date, sex,
       nationality, phone, current_region_code, current_address, created_at, updated_at)
     SELECT gen_random_uuid(), '基准' || n, 'jz', 'jizhun' || n, 'passport', 'BENCH' || lpad(n::text, 8, '0'),
       DATE '1980-01-01' + (n % 10000), CASE WHEN n % 2 = 0 THEN 'male' ELSE 'female' END, 'CHN',
       '138' || lpad(n::text, 8, '0'), $1, '基准测试（合成数据）', now(), now()
     FROM generate_series(1, $2::int) AS n`,
    [`${TOWNSHIP}002`, placements],
  );
  await db.query(
    `INSERT INTO quarantine_sites (id, kind, name, address, region_code, created_at, updated_at)
     SELECT gen_random_uuid(), 'centralized', '基准隔离点' || n, '基准测试（合成数据）', $1, now(), now()
     FROM generate_series(1, $2::int) AS n`,
    [TOWNSHIP, sites],
  );
  const stored = courseRecord(course.value);
  await insertCourses(db, [stored], new Date(PLACED_AT));
  await db.query(
    `INSERT INTO quarantine_placements (id, person_id, site_id, source_kind, identified_at, measures, start_facts,
       course_id, status, placed_at, planned_end, created_at, updated_at)
     SELECT gen_random_uuid(), p.id, s.id, 'manual', $1, $2::json, $3::json, $4, 'placed', $1, $5, $1, $1
     FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM persons
           WHERE document_type = 'passport' AND document_number LIKE 'BENCH%') p
     JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k FROM quarantine_sites
           WHERE name LIKE '基准隔离点%') s ON s.k = p.n % $6`,
    [
      new Date(PLACED_AT),
      JSON.stringify(course.value.measures),
      JSON.stringify({ placedAt: PLACED_AT }),
      stored.id,
      course.value.phases.at(-1)!.end,
      sites,
    ],
  );
  await db.exec("VACUUM ANALYZE");
  return (
    await db.query<{ id: string }>("SELECT id FROM quarantine_placements ORDER BY site_id, id")
  ).rows.map((r) => r.id);
}

interface ReportBody {
  placementId: string;
  at: string;
  temperatureC: number;
  symptoms: string[];
}

/** Two rounds a day (08:00 and 17:00, a few minutes apart per person) from 08-02, for every placement. */
function reportsFor(ids: readonly string[], count: number, seed: number): ReportBody[] {
  const random = seededRandom(seed);
  const base = Date.parse("2022-08-02T08:00:00+08:00");
  const out: ReportBody[] = [];
  for (let round = 0; out.length < count; round++) {
    const at0 = base + Math.floor(round / 2) * DAY + (round % 2) * 9 * 3_600_000;
    for (let i = 0; i < ids.length && out.length < count; i++) {
      const r = random();
      // About 2 % fever (37.3–38.5 °C), 3 % a symptom; the rest 36.0–37.1 °C.
      const temperatureC =
        r < 0.02
          ? Math.round((37.3 + random() * 1.2) * 10) / 10
          : Math.round((36 + random() * 1.1) * 10) / 10;
      out.push({
        placementId: ids[i]!,
        at: new Date(at0 + (i % 120) * 30_000).toISOString(),
        temperatureC,
        symptoms: r > 0.97 ? ["dry_cough"] : [],
      });
    }
  }
  return out;
}

function post(
  agent: Agent,
  port: number,
  path: string,
  body: Buffer,
  cookie: string | null,
): Promise<{ status: number; body: Buffer; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        path,
        method: "POST",
        agent,
        headers: {
          "content-type": "application/json",
          "content-length": body.length,
          "x-cordon-client": "bench",
          ...(cookie ? { cookie } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), headers: res.headers }),
        );
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

export async function benchQuarantineReports(
  b: BenchDb,
  opts: { reports: number; placements: number; sites: number; batch: number; clients: number; seed: number },
): Promise<ReportsBenchResult> {
  process.stderr.write(`setting up ${opts.placements} placements at ${opts.sites} sites ...\n`);
  const ids = await setup(b, opts.placements, opts.sites);
  const reports = reportsFor(ids, opts.reports, opts.seed);
  const bodies: Buffer[] = [];
  for (let i = 0; i < reports.length; i += opts.batch)
    bodies.push(Buffer.from(JSON.stringify({ reports: reports.slice(i, i + opts.batch) })));

  // The server: the real app on its own pool, a fixed clock after the last report.
  const db = await openPostgres(b.url, Math.max(4, opts.clients + 2));
  const app = await buildApp({ db, now: () => NOW, webDist: null });
  await app.listen({ host: "127.0.0.1", port: 0 });
  const port = (app.server.address() as AddressInfo).port;
  const agent = new Agent({ keepAlive: true, maxSockets: opts.clients });
  try {
    await insertUser(db, {
      id: uuidv7(),
      username: "benchstaff",
      displayName: "基准测试隔离点工作人员",
      role: "quarantine_staff",
      jurisdictionCode: "640104",
      personId: null,
      passwordHash: await hashPassword(PASSWORD),
      failedAttempts: 0,
      lockedUntil: null,
      disabled: false,
      language: "zh-CN",
      createdAt: NOW,
      updatedAt: NOW,
    });
    const login = await post(
      agent,
      port,
      "/api/auth/login",
      Buffer.from(JSON.stringify({ username: "benchstaff", password: PASSWORD })),
      null,
    );
    if (login.status !== 200) throw new Error(`login failed: ${login.status} ${login.body.toString()}`);
    const set = login.headers["set-cookie"];
    const cookie = (Array.isArray(set) ? set[0]! : String(set)).split(";")[0]!;
    await db.exec("CHECKPOINT");

    process.stderr.write(`recording ${reports.length} reports in ${bodies.length} requests ...\n`);
    const rss = rssSampler();
    const latencies: number[] = [];
    let next = 0;
    let withAlerts = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: opts.clients }, async () => {
        while (next < bodies.length) {
          const i = next++;
          const s = performance.now();
          const r = await post(agent, port, "/api/quarantine/health-reports/batch", bodies[i]!, cookie);
          latencies.push(performance.now() - s);
          if (r.status !== 201) throw new Error(`batch ${i}: ${r.status} ${r.body.toString().slice(0, 500)}`);
          const items = (JSON.parse(r.body.toString()) as { items: { alerts: unknown[] }[] }).items;
          withAlerts += items.filter((x) => x.alerts.length > 0).length;
        }
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    const mem = rss.stop();
    latencies.sort((a, c) => a - c);
    const stored = (await db.query<{ n: number }>("SELECT count(*)::int AS n FROM health_reports")).rows[0]!
      .n;
    const audits = (
      await db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM audit_log WHERE action = 'quarantine.health_report'",
      )
    ).rows[0]!.n;
    if (stored !== reports.length || audits !== bodies.length)
      throw new Error(`stored ${stored} reports and ${audits} audit records`);
    process.stderr.write(`API: ${seconds.toFixed(2)} s\n`);

    // Baseline: the stored rows, COPYed into a scratch table with the same columns and indexes.
    mkdirSync(join(tmpdir(), "cordon-bench"), { recursive: true });
    const file = join(tmpdir(), "cordon-bench", `health-reports-${process.pid}.copy`);
    await copyOutToFile(b.url, "SELECT * FROM health_reports", file);
    await b.db.exec(
      `DROP TABLE IF EXISTS bench_health_reports;
       CREATE TABLE bench_health_reports (LIKE health_reports INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES);
       CHECKPOINT`,
    );
    const copySeconds = await timeCopyIn(b.url, "COPY bench_health_reports FROM STDIN", file);
    await b.db.exec("DROP TABLE bench_health_reports");
    rmSync(file, { force: true });
    const pct = (p: number) =>
      latencies[Math.min(latencies.length - 1, Math.ceil(p * latencies.length) - 1)]!;
    return {
      reports: reports.length,
      placements: ids.length,
      sites: opts.sites,
      batchSize: opts.batch,
      clients: opts.clients,
      withAlerts,
      api: {
        seconds,
        reportsPerSecond: reports.length / seconds,
        requests: bodies.length,
        p50Ms: pct(0.5),
        p95Ms: pct(0.95),
        peakRssBytes: mem.sampledPeakBytes,
        maxRssBytes: mem.maxRssBytes,
      },
      copy: { seconds: copySeconds, rowsPerSecond: reports.length / copySeconds },
      ratio: seconds / copySeconds,
      server: await serverFacts(b.db),
    };
  } finally {
    agent.destroy();
    await app.close();
    await db.close();
  }
}

export function printQuarantineReports(r: ReportsBenchResult): string {
  return [
    `health reports: ${r.reports} for ${r.placements} placements at ${r.sites} sites (${r.withAlerts} raised alerts)`,
    `plain COPY of the same rows (health_reports, same indexes): ${r.copy.seconds.toFixed(2)} s, ${Math.round(r.copy.rowsPerSecond)} rows/s`,
    `HTTP API (POST /api/quarantine/health-reports/batch, ${r.api.requests} requests of ${r.batchSize}, ${r.clients} clients, keep-alive): ${r.api.seconds.toFixed(2)} s, ${Math.round(r.api.reportsPerSecond)} reports/s (target ≥ 5,000); per request p50 ${r.api.p50Ms.toFixed(0)} ms, p95 ${r.api.p95Ms.toFixed(0)} ms`,
    `ratio API / COPY: ${r.ratio.toFixed(2)}`,
    `peak RSS (server and clients, one process): sampled ${mib(r.api.peakRssBytes)}, kernel maxrss ${mib(r.api.maxRssBytes)}`,
  ].join("\n");
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      reports: { type: "string", default: "200000" },
      placements: { type: "string", default: "10000" },
      sites: { type: "string", default: "20" },
      batch: { type: "string", default: "500" },
      clients: { type: "string", default: "4" },
      seed: { type: "string", default: "13" },
    },
  });
  const b = await createBenchDb("qreports");
  try {
    const r = await benchQuarantineReports(b, {
      reports: Number(values.reports),
      placements: Number(values.placements),
      sites: Number(values.sites),
      batch: Number(values.batch),
      clients: Number(values.clients),
      seed: Number(values.seed),
    });
    console.log(printQuarantineReports(r));
    console.log(JSON.stringify(r));
  } finally {
    await b.drop();
  }
}
