/**
 * Case investigation at a city's scale (issue 6 item 8): 1,000,000 people, 200,000 cases and 2,000,000
 * exposures, then through the HTTP API (`app.inject` into the real app, a logged-in administrator):
 * (a) classify the contacts of 50 new cases with 10–30 exposures each (`POST /api/tracing/cases/:id/classify`),
 * (b) recompute every cluster and generation (`POST /api/tracing/chains/recompute`), (c) open the
 * largest cluster's graph (`GET /api/tracing/clusters/:id/graph`, a cluster of 6,000 cases) — each
 * against a baseline in the same run on the same server: (a) a plain SELECT of the case's exposures and
 * contacts, (b) a plain COPY of the rows the recompute wrote into scratch tables with the same indexes,
 * (c) a plain SELECT of the same nodes and edges.
 *
 *   node bench/tracing-chains.ts [--people 1000000] [--cases 200000] [--exposures 2000000] [--seed 7]
 *                                [--cache-people] [--cache-cases] [--keep]
 *
 * With --cache-people the people are written once into cordon_bench_people_<people>_s<seed> (shared with
 * bench/nat-round.ts) and copied from there; with --cache-cases the cases and exposures too, into
 * cordon_bench_chains_<people>_<cases>_<exposures>_s<seed>_<schema hash> (kept; drop it to write again).
 *
 * The cases and exposures are generated (seeded) and COPYed, not timed, not through the API: cases are
 * every fifth person in region order (neighbours), laid out in clusters — one of 6,000 cases, 30 of
 * 100–600, many of 2–50 (sizes drawn from a geometric distribution), the rest (about a third) on their
 * own. In a cluster, case j's infector is an earlier case, drawn with weight towards the first ones
 * (infector = floor(j·r²)), so the first cases infect many (super-spreaders) and chains are a few
 * generations deep; onsets follow with a serial interval of −2 to 10 days. 40 % of the links are the
 * infectee's linked case, 50 % an exposure recorded on the infector's case, 10 % both. The other
 * exposures (most of them) go to people who are not cases, near the case in region order: two household
 * members, then work, dining, venue, vehicle contacts.
 */
import { adminSession } from "./lib/bench-session.ts";
import { createHash } from "node:crypto";
import { mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { parseArgs } from "node:util";
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { openPostgres } from "../packages/server/src/db/db.ts";
import { bulkIds } from "../packages/server/src/db/ids.ts";
import { listMigrations } from "../packages/server/src/db/migrate.ts";
import { buildApp } from "../packages/server/src/http/app.ts";
import { systemContext } from "../packages/server/src/http/context.ts";
import { loadShippedPacks } from "../packages/server/src/policies/policy-packs.ts";
import { recomputeChains, type RecomputeTimings } from "../packages/server/src/tracing/chain.service.ts";
import {
  BENCH_PG_URL,
  type BenchDb,
  copyOutToFile,
  createBenchDb,
  databaseExists,
  percentile,
  serverFacts,
  timeCopyIn,
} from "./lib/bench-db.ts";
import { syntheticPeopleTemplate } from "./lib/people-template.ts";
import { seededRandom } from "./lib/seeded.ts";

const DAY = 86_400_000;
const HOUR = 3_600_000;
/** Day 0 of the outbreak; onsets run to day 58 (2022-04-28). */
const BASE = Date.parse("2022-03-01T00:00:00+08:00");
const LAST_DAY = 58;
/** The benchmark's clock: every generated time lies before it. */
const NOW = new Date("2022-05-01T12:00:00+08:00");
const BIG_CLUSTER = 6_000;
const SETTINGS = ["work_class", "dining", "venue", "vehicle", "shared_facility", "other"] as const;
const PROXIMITY = ["within_1m", "same_or_next_table", "same_room", "same_venue", "unknown"] as const;

export interface TracingChainsResult {
  people: number;
  cases: number;
  exposures: number;
  design: Design | null;
  loadSeconds: number | null;
  classify: {
    newCases: number;
    exposuresPerCase: { min: number; max: number; mean: number };
    contacts: number;
    p50Ms: number;
    p95Ms: number;
    maxMs: number;
    baselineP50Ms: number;
    baselineP95Ms: number;
  };
  recompute: {
    runsMs: number[];
    serviceMs: number[];
    timings: RecomputeTimings;
    cases: number;
    links: number;
    clusters: number;
    isolatedCases: number;
    copyBaselineMs: number;
    selectBaselineMs: number;
  };
  graph: {
    clusterSize: number;
    edges: number;
    bytes: number;
    runsMs: number[];
    p50Ms: number;
    maxMs: number;
    baselineP50Ms: number;
  };
  reads: { listP50Ms: number; searchP50Ms: number; analysisP50Ms: number };
  server: Record<string, string>;
}

const dateOf = (day: number) => new Date(BASE + day * DAY).toISOString().slice(0, 10);

/** Fisher–Yates with the seeded source. */
function shuffle<T>(xs: T[], random: () => number): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
  return xs;
}

interface Design {
  bigCluster: number;
  mediumClusters: number;
  smallClusters: number;
  isolated: number;
  links: number;
}

/**
 * Generates and COPYs the cases and exposures (not timed). Foreign keys are not checked during the COPY
 * (session_replication_role = replica): the rows refer to people and cases that exist, by construction.
 */
async function loadTracing(url: string, cases: number, exposures: number, seed: number): Promise<Design> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const random = seededRandom(seed * 7919 + 17);
    const people = (
      await c.query<{ id: string; region: string }>(
        "SELECT id, current_region_code AS region FROM persons ORDER BY current_region_code, id",
      )
    ).rows;
    const P = people.length;
    if (P < cases * 2) throw new Error(`${P} people are too few for ${cases} cases`);
    const stride = P / cases;
    const personOf = new Int32Array(cases);
    const isCase = new Uint8Array(P);
    for (let i = 0; i < cases; i++) {
      const at = Math.min(P - 1, Math.floor(i * stride) + Math.floor(random() * Math.floor(stride)));
      personOf[i] = at;
      isCase[at] = 1;
    }
    // Cluster sizes, then the clusters and the cases on their own in a shuffled order.
    // At the scale (200,000 cases): one cluster of 6,000 and 30 of 100–600; smaller runs shrink them.
    const scale = Math.min(1, cases / 200_000);
    const big = Math.round(BIG_CLUSTER * scale);
    const medium = Math.round(30 * scale);
    const sizes: number[] = [big];
    for (let k = 0; k < medium; k++) sizes.push(100 + Math.floor(random() * 500));
    let clustered = sizes.reduce((a, b) => a + b, 0);
    let small = 0;
    while (clustered < cases * 0.65) {
      const s = Math.min(50, 2 + Math.floor(-Math.log(1 - random()) * 3));
      sizes.push(s);
      clustered += s;
      small++;
    }
    const isolated = cases - clustered;
    const blocks = shuffle([...sizes, ...Array.from({ length: isolated }, () => 1)], random);
    const infector = new Int32Array(cases).fill(-1);
    const kind = new Uint8Array(cases); // 1 linked, 2 exposure, 3 both
    const onset = new Int16Array(cases);
    let at = 0;
    let links = 0;
    for (const size of blocks) {
      onset[at] = Math.floor(random() * 40);
      for (let j = 1; j < size; j++) {
        const r = random();
        const inf = at + Math.floor(j * r * r);
        infector[at + j] = inf;
        const si = Math.round(-2 + random() * 6 + random() * 6);
        onset[at + j] = Math.max(0, Math.min(LAST_DAY, onset[inf]! + si));
        const k = random();
        kind[at + j] = k < 0.4 ? 1 : k < 0.5 ? 3 : 2;
        links++;
      }
      at += size;
    }
    const newId = bulkIds();
    const caseIds: string[] = Array.from({ length: cases }, () => newId());
    const reported = (i: number) => new Date(BASE + (onset[i]! + 1) * DAY + 2 * HOUR + (i % 3600) * 1000);

    await c.query("SET session_replication_role = replica");
    await c.query("BEGIN");
    async function* caseRows() {
      let text = "";
      for (let i = 0; i < cases; i++) {
        const p = people[personOf[i]!]!;
        const linked = kind[i] === 1 || kind[i] === 3;
        const rep = reported(i).toISOString();
        text += `${p.id}\t${caseIds[i]}\t${p.region}\tconfirmed_mild\tscreening\t${linked ? "linked" : "local"}\t${linked ? caseIds[infector[i]!] : "\\N"}\t${dateOf(onset[i]!)}\t${rep}\t${rep}\t${rep}\tf\tinvestigating\t${rep}\t${rep}\t1\n`;
        if (text.length > 1 << 20) {
          yield text;
          text = "";
        }
      }
      if (text) yield text;
    }
    await pipeline(
      Readable.from(caseRows()),
      c.query(
        copyFrom(
          `COPY tracing_cases (person_id, id, region_code, classification, found_by, source, linked_case_id, onset_date,
             reported_at, confirmed_at, isolated_at, major, status, created_at, updated_at, version) FROM STDIN`,
        ),
      ),
    );
    // Exposures: the case-to-case ones first, then each case's contacts (weights spread the rest exactly).
    const linkExposures = Array.from(kind).filter((k) => k >= 2).length;
    const rest = exposures - linkExposures;
    const weights = new Float64Array(cases);
    let total = 0;
    for (let i = 0; i < cases; i++) total += weights[i] = 0.3 + random() * 1.4;
    async function* exposureRows() {
      let text = "";
      const row = (
        caseIndex: number,
        exposed: number,
        time: number,
        minutes: number,
        setting: string,
        proximity: string,
      ) => {
        const p = people[personOf[caseIndex]!]!;
        const x = people[exposed]!;
        const rec = new Date(reported(caseIndex).getTime() + 6 * HOUR).toISOString();
        text += `${caseIds[caseIndex]}\t${newId()}\t${p.id}\t${x.id}\t${new Date(time).toISOString()}\t${new Date(time + minutes * 60_000).toISOString()}\t${minutes}\t${setting}\t${proximity}\t\\N\tf\tf\t${x.region}\t\t[]\t\\N\t${rec}\n`;
      };
      for (let i = 0; i < cases; i++) {
        if (kind[i]! < 2) continue;
        const inf = infector[i]!;
        const day = Math.min(onset[inf]!, onset[i]!) - 1;
        row(inf, personOf[i]!, BASE + day * DAY + 19 * HOUR, 120, "household", "within_1m");
        if (text.length > 1 << 20) {
          yield text;
          text = "";
        }
      }
      let cum = 0;
      let given = 0;
      for (let i = 0; i < cases; i++) {
        cum += weights[i]!;
        const upTo = Math.round((cum / total) * rest);
        const k = upTo - given;
        given = upTo;
        const home = personOf[i]!;
        for (let e = 0; e < k; e++) {
          let x = (home + Math.floor(random() * 400) - 200 + P) % P;
          while (isCase[x]) x = (x + 1) % P;
          const setting = e < 2 ? "household" : SETTINGS[Math.floor(random() * SETTINGS.length)]!;
          const proximity = e < 2 ? "within_1m" : PROXIMITY[Math.floor(random() * PROXIMITY.length)]!;
          const time =
            BASE + (onset[i]! - 1 - Math.floor(random() * 2)) * DAY + (8 + Math.floor(random() * 12)) * HOUR;
          row(i, x, time, 10 + Math.floor(random() * 170), setting, proximity);
        }
        if (text.length > 1 << 20) {
          yield text;
          text = "";
        }
      }
      if (text) yield text;
    }
    await pipeline(
      Readable.from(exposureRows()),
      c.query(
        copyFrom(
          `COPY tracing_exposures (case_id, id, source_person_id, exposed_person_id, at, until, duration_minutes,
             setting, proximity, enclosed, protected, judged_close, exposed_region_code, place, flags, recorded_by,
             recorded_at) FROM STDIN`,
        ),
      ),
    );
    await c.query("COMMIT");
    await c.query("SET session_replication_role = DEFAULT");
    await c.query("VACUUM ANALYZE tracing_cases");
    await c.query("VACUUM ANALYZE tracing_exposures");
    return { bigCluster: big, mediumClusters: medium, smallClusters: small, isolated, links };
  } finally {
    await c.end();
  }
}

const must = (r: { status: number; body: string }, what: string, status = 200) => {
  if (r.status !== status) throw new Error(`${what}: ${r.status} ${r.body.slice(0, 500)}`);
  return JSON.parse(r.body) as Record<string, unknown>;
};

async function timeQueries(runs: number, fn: () => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  return out.sort((a, b) => a - b);
}

export async function benchTracingChains(
  b: BenchDb,
  opts: { people: number; cases: number; exposures: number; seed: number; newCases?: number },
): Promise<TracingChainsResult> {
  let loadSeconds: number | null = null;
  let design: Design | null = null;
  const have = (await b.db.query<{ n: number }>("SELECT count(*)::int AS n FROM tracing_cases")).rows[0]!.n;
  if (have === 0) {
    process.stderr.write(`loading ${opts.cases} cases and ${opts.exposures} exposures ...\n`);
    const t0 = performance.now();
    design = await loadTracing(b.url, opts.cases, opts.exposures, opts.seed);
    loadSeconds = (performance.now() - t0) / 1000;
    process.stderr.write(`loaded in ${loadSeconds.toFixed(0)} s\n`);
  }
  const counts = (
    await b.db.query<{ people: number; cases: number; exposures: number }>(
      `SELECT (SELECT count(*)::int FROM persons) AS people, (SELECT count(*)::int FROM tracing_cases) AS cases,
         (SELECT count(*)::int FROM tracing_exposures) AS exposures`,
    )
  ).rows[0]!;

  const db = await openPostgres(b.url, 4);
  const app = await buildApp({ db, now: () => NOW, webDist: null });
  try {
    const call = await adminSession(app, db, "benchadmin", NOW);

    // (a) New cases, each with 10–30 exposures through the API (not timed), then classified (timed).
    const n = opts.newCases ?? 50;
    const random = seededRandom(opts.seed * 31 + 5);
    const pool = (
      await db.query<{ id: string }>(
        `SELECT p.id FROM persons p WHERE NOT EXISTS (SELECT 1 FROM tracing_cases c WHERE c.person_id = p.id)
         ORDER BY p.current_region_code, p.id LIMIT $1 OFFSET $2`,
        [n * 40, Math.floor(counts.people / 3)],
      )
    ).rows.map((r) => r.id);
    process.stderr.write(`making ${n} new cases with their exposures ...\n`);
    const newCases: string[] = [];
    const perCase: number[] = [];
    for (let i = 0; i < n; i++) {
      const c = must(
        await call("POST", "/api/tracing/cases", {
          personId: pool[i * 40]!,
          classification: "confirmed_mild",
          foundBy: "fever_clinic",
          source: "local",
          onsetDate: "2022-04-29",
          reportedAt: new Date(NOW.getTime() - 3 * HOUR).toISOString(),
          confirmedAt: new Date(NOW.getTime() - 2 * HOUR).toISOString(),
        }),
        "new case",
        201,
      );
      const k = 10 + Math.floor(random() * 21);
      perCase.push(k);
      for (let e = 0; e < k; e++) {
        // People who are not cases (an exposure naming a case would make the new case its infector).
        const exposed = pool[i * 40 + 1 + e]!;
        must(
          await call("POST", `/api/tracing/cases/${String(c.id)}/exposures`, {
            exposedPersonId: exposed,
            at: new Date(Date.parse("2022-04-28T08:00:00+08:00") + e * 1800_000).toISOString(),
            durationMinutes: 20 + Math.floor(random() * 120),
            setting: e < 2 ? "household" : SETTINGS[Math.floor(random() * SETTINGS.length)]!,
            proximity: e < 2 ? "within_1m" : PROXIMITY[Math.floor(random() * PROXIMITY.length)]!,
          }),
          "exposure",
          201,
        );
      }
      newCases.push(String(c.id));
    }
    await db.exec("VACUUM ANALYZE tracing_cases");
    await db.exec("VACUUM ANALYZE tracing_exposures");
    await db.exec("CHECKPOINT");
    process.stderr.write(`classifying ...\n`);
    const classifyMs: number[] = [];
    let contacts = 0;
    for (const id of newCases) {
      const r = await call("POST", `/api/tracing/cases/${id}/classify`);
      const body = must(r, "classify") as { contacts: unknown[] };
      classifyMs.push(r.ms);
      contacts += body.contacts.length;
    }
    classifyMs.sort((x, y) => x - y);
    const baseline: number[] = [];
    for (const id of newCases) {
      const t0 = performance.now();
      await db.query("SELECT * FROM tracing_exposures WHERE case_id = $1", [id]);
      await db.query("SELECT * FROM tracing_contacts WHERE case_id = $1", [id]);
      baseline.push(performance.now() - t0);
    }
    baseline.sort((x, y) => x - y);
    process.stderr.write(
      `classify: p50 ${percentile(classifyMs, 50).toFixed(0)} ms, p95 ${percentile(classifyMs, 95).toFixed(0)} ms\n`,
    );

    // (b) Recompute, three times through the API, then once more through the service for its phases.
    await db.exec("CHECKPOINT");
    const runsMs: number[] = [];
    const serviceMs: number[] = [];
    let last: Record<string, unknown> = {};
    for (let i = 0; i < 3; i++) {
      const r = await call("POST", "/api/tracing/chains/recompute");
      last = must(r, "recompute");
      runsMs.push(r.ms);
      serviceMs.push(Number(last.durationMs));
      process.stderr.write(`recompute: ${r.ms.toFixed(0)} ms\n`);
    }
    const timings: RecomputeTimings = { readMs: 0, analyzeMs: 0, writeMs: 0 };
    await db.exec("CHECKPOINT");
    await recomputeChains(db, systemContext(NOW), loadShippedPacks(), timings);
    // Baselines: the inputs read by plain SELECTs, and the written rows COPYed into scratch tables.
    const ts = performance.now();
    await db.query("SELECT id, person_id, linked_case_id, onset_date FROM tracing_cases");
    await db.query(
      `SELECT e.case_id, e.source_person_id, y.id, e.setting, e.at, e.id FROM tracing_exposures e
       JOIN tracing_cases y ON y.person_id = e.exposed_person_id`,
    );
    const selectBaselineMs = performance.now() - ts;
    const dir = join(tmpdir(), "cordon-bench");
    mkdirSync(dir, { recursive: true });
    let copyBaselineMs = 0;
    for (const table of ["tracing_case_chains", "tracing_chain_links", "tracing_chain_clusters"]) {
      const file = join(dir, `${table}-${process.pid}.copy`);
      await copyOutToFile(b.url, `SELECT * FROM ${table}`, file);
      await db.exec(
        `DROP TABLE IF EXISTS bench_${table};
         CREATE TABLE bench_${table} (LIKE ${table} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES);
         CHECKPOINT`,
      );
      copyBaselineMs += (await timeCopyIn(b.url, `COPY bench_${table} FROM STDIN`, file)) * 1000;
      await db.exec(`DROP TABLE bench_${table}`);
      rmSync(file, { force: true });
    }

    // (c) The largest cluster's graph.
    const big = (
      await db.query<{ id: string; size: number }>(
        "SELECT cluster_id AS id, size FROM tracing_chain_clusters ORDER BY size DESC LIMIT 1",
      )
    ).rows[0]!;
    await db.exec("CHECKPOINT");
    must(await call("GET", `/api/tracing/clusters/${big.id}/graph`), "graph (warm-up)");
    const graphMs: number[] = [];
    let bytes = 0;
    let edges = 0;
    for (let i = 0; i < 10; i++) {
      const r = await call("GET", `/api/tracing/clusters/${big.id}/graph`);
      const g = must(r, "graph") as { nodes: unknown[]; edges: unknown[] };
      if (g.nodes.length !== big.size)
        throw new Error(`graph: ${g.nodes.length} nodes, expected ${big.size}`);
      graphMs.push(r.ms);
      bytes = r.body.length;
      edges = g.edges.length;
    }
    graphMs.sort((x, y) => x - y);
    const graphBaseline = await timeQueries(10, async () => {
      await db.query(
        `SELECT m.*, c.*, p.name FROM tracing_case_chains m JOIN tracing_cases c ON c.id = m.case_id
         JOIN persons p ON p.id = c.person_id WHERE m.cluster_id = $1`,
        [big.id],
      );
      await db.query("SELECT * FROM tracing_chain_links WHERE cluster_id = $1", [big.id]);
    });

    // The other reads of the clusters page.
    const timeCalls = async (url: string, runs: number) => {
      const ms: number[] = [];
      for (let i = 0; i < runs; i++) {
        const r = await call("GET", url);
        must(r, url);
        ms.push(r.ms);
      }
      return percentile(
        ms.sort((x, y) => x - y),
        50,
      );
    };
    const someName = (
      await db.query<{ name: string }>(
        `SELECT p.name FROM tracing_case_chains m JOIN tracing_cases c ON c.id = m.case_id
         JOIN persons p ON p.id = c.person_id WHERE m.cluster_id = $1 LIMIT 1`,
        [big.id],
      )
    ).rows[0]!.name;
    const reads = {
      listP50Ms: await timeCalls("/api/tracing/clusters", 5),
      searchP50Ms: await timeCalls(`/api/tracing/clusters?q=${encodeURIComponent(someName)}`, 5),
      analysisP50Ms: await timeCalls("/api/tracing/analysis", 3),
    };

    return {
      people: counts.people,
      cases: counts.cases,
      exposures: counts.exposures,
      design,
      loadSeconds,
      classify: {
        newCases: n,
        exposuresPerCase: {
          min: Math.min(...perCase),
          max: Math.max(...perCase),
          mean: perCase.reduce((a, x) => a + x, 0) / perCase.length,
        },
        contacts,
        p50Ms: percentile(classifyMs, 50),
        p95Ms: percentile(classifyMs, 95),
        maxMs: classifyMs.at(-1)!,
        baselineP50Ms: percentile(baseline, 50),
        baselineP95Ms: percentile(baseline, 95),
      },
      recompute: {
        runsMs,
        serviceMs,
        timings,
        cases: Number(last.cases),
        links: Number(last.links),
        clusters: Number(last.clusters),
        isolatedCases: Number(last.isolatedCases),
        copyBaselineMs,
        selectBaselineMs,
      },
      graph: {
        clusterSize: big.size,
        edges,
        bytes,
        runsMs: graphMs,
        p50Ms: percentile(graphMs, 50),
        maxMs: graphMs.at(-1)!,
        baselineP50Ms: percentile(graphBaseline, 50),
      },
      reads,
      server: await serverFacts(db),
    };
  } finally {
    await app.close();
    await db.close();
  }
}

export function printTracingChains(r: TracingChainsResult): string {
  const ms = (x: number) => `${x.toFixed(0)} ms`;
  const s = (x: number) => `${(x / 1000).toFixed(2)} s`;
  const c = r.classify;
  const k = r.recompute;
  const g = r.graph;
  const median = [...k.runsMs].sort((a, b) => a - b)[1] ?? k.runsMs[0]!;
  return [
    `tracing chains: ${r.people} people, ${r.cases} cases, ${r.exposures} exposures` +
      (r.loadSeconds !== null && r.design
        ? ` (generated and COPYed, not timed: ${r.loadSeconds.toFixed(0)} s; ${r.design.links} links, clusters: one of ${r.design.bigCluster}, ${r.design.mediumClusters} of 100–600, ${r.design.smallClusters} of 2–50, ${r.design.isolated} cases on their own)`
        : ""),
    "",
    "| operation | target | measured | baseline (same run) | ratio |",
    "|---|---|---|---|---|",
    `| classify contacts of a new case (${c.exposuresPerCase.min}–${c.exposuresPerCase.max} exposures, ${c.newCases} cases, ${c.contacts} contacts), \`POST /api/tracing/cases/:id/classify\` | ≤ 200 ms | p50 ${ms(c.p50Ms)}, p95 ${ms(c.p95Ms)}, max ${ms(c.maxMs)} | SELECT of the case's exposures and contacts: p50 ${c.baselineP50Ms.toFixed(1)} ms, p95 ${c.baselineP95Ms.toFixed(1)} ms | ${(c.p50Ms / c.baselineP50Ms).toFixed(0)}× (p50) |`,
    `| recompute all clusters and generations (${k.cases} cases, ${k.links} links → ${k.clusters} clusters, ${k.isolatedCases} alone), \`POST /api/tracing/chains/recompute\` | ≤ 10 s | ${k.runsMs.map(s).join(", ")} (read ${s(k.timings.readMs)}, analyse ${s(k.timings.analyzeMs)}, write ${s(k.timings.writeMs)}) | COPY of the written rows into tables with the same indexes ${s(k.copyBaselineMs)}; SELECT of the inputs ${s(k.selectBaselineMs)} | ${(median / k.copyBaselineMs).toFixed(1)}× COPY, ${(median / k.selectBaselineMs).toFixed(1)}× SELECT (median run) |`,
    `| open the largest cluster's graph (${g.clusterSize} cases, ${g.edges} links, ${(g.bytes / 2 ** 20).toFixed(1)} MiB of JSON), \`GET /api/tracing/clusters/:id/graph\` | ≤ 1 s | p50 ${ms(g.p50Ms)}, max ${ms(g.maxMs)} (10 runs) | SELECT of the same nodes and edges: p50 ${g.baselineP50Ms.toFixed(1)} ms | ${(g.p50Ms / g.baselineP50Ms).toFixed(1)}× |`,
    `| the cluster list, first page of 50 (\`GET /api/tracing/clusters\`) | | p50 ${ms(r.reads.listP50Ms)} | | |`,
    `| the cluster list searched by a person's name (\`?q=\`) | | p50 ${ms(r.reads.searchP50Ms)} | | |`,
    `| the whole country's analysis (\`GET /api/tracing/analysis\`) | | p50 ${ms(r.reads.analysisP50Ms)} | | |`,
  ].join("\n");
}

/** A name for the cached cases database that changes with the schema (the migrations). */
function casesTemplateName(people: number, cases: number, exposures: number, seed: number): string {
  const h = createHash("sha256");
  for (const m of listMigrations()) h.update(m.sql);
  return `cordon_bench_chains_${people}_${cases}_${exposures}_s${seed}_${h.digest("hex").slice(0, 8)}`;
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      people: { type: "string", default: "1000000" },
      cases: { type: "string", default: "200000" },
      exposures: { type: "string", default: "2000000" },
      seed: { type: "string", default: "7" },
      "cache-people": { type: "boolean", default: false },
      "cache-cases": { type: "boolean", default: false },
      keep: { type: "boolean", default: false },
    },
  });
  const people = Number(values.people);
  const cases = Number(values.cases);
  const exposures = Number(values.exposures);
  const seed = Number(values.seed);
  const casesTemplate = casesTemplateName(people, cases, exposures, seed);
  let template: string | undefined;
  if (values["cache-cases"] && (await databaseExists(casesTemplate))) template = casesTemplate;
  else if (values["cache-people"] || values["cache-cases"])
    template = await syntheticPeopleTemplate(people, seed);
  let b = await createBenchDb("chains", template);
  try {
    const have = (await b.db.query<{ n: number }>("SELECT count(*)::int AS n FROM persons")).rows[0]!.n;
    if (have === 0) {
      const { copySyntheticPeople } = await import("./lib/nat-people.ts");
      process.stderr.write(`writing ${people} people (not timed) ...\n`);
      await copySyntheticPeople(b.url, people, seed);
      await b.db.exec("VACUUM ANALYZE persons");
    }
    let loaded: { seconds: number; design: Design } | null = null;
    if (values["cache-cases"] && template !== casesTemplate) {
      // Load once, keep a copy for later runs, go on with a copy of it.
      const t0 = performance.now();
      const design = await loadTracing(b.url, cases, exposures, seed);
      loaded = { seconds: (performance.now() - t0) / 1000, design };
      await b.db.close();
      const admin = new pg.Client({ connectionString: BENCH_PG_URL });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${casesTemplate} TEMPLATE ${b.name}`);
      await admin.query(`DROP DATABASE ${b.name}`);
      await admin.end();
      process.stderr.write(`kept the cases in ${casesTemplate}\n`);
      b = await createBenchDb("chains", casesTemplate);
    }
    const r = await benchTracingChains(b, { people, cases, exposures, seed });
    if (loaded) {
      r.loadSeconds = loaded.seconds;
      r.design = loaded.design;
    }
    console.log(printTracingChains(r));
    console.log(JSON.stringify(r));
  } finally {
    if (values.keep) {
      await b.db.close();
      process.stderr.write(`kept database ${b.name}\n`);
    } else await b.drop();
  }
}
