/**
 * Bulk arrival classification (`importArrivals`, the service behind `cordon arrivals import`): 100,000
 * arrivals with 1–5 stays each, some through high/medium-risk areas designated in the bench database,
 * some inbound from abroad, classified by the policy engine under the pack in force per destination
 * and arrival time and written (arrivals, control tasks, one audit record) with COPY — against a plain
 * COPY of the same rows (as the import stored them) into scratch tables with the same indexes, in the
 * same run on the same server.
 *
 *   node bench/classify-arrivals.ts [--count 100000] [--seed 11]
 *
 * Needs a PostgreSQL server (BENCH_PG_URL, default postgres://postgres@127.0.0.1:55432/postgres). The
 * people (generated like bench/generate-people.ts, imported through the people import), the risk areas
 * and the JSON Lines file are made in a child process (`--setup`), not timed, so that their memory is
 * not counted as the classification's.
 */
import { spawnSync } from "node:child_process";
import { createWriteStream, mkdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { once } from "node:events";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { type BulkSummary, importArrivals } from "../packages/server/src/arrivals/arrival-bulk.ts";
import { openPostgres } from "../packages/server/src/db/db.ts";
import { systemContext } from "../packages/server/src/http/context.ts";
import { fileSource, importPeople } from "../packages/server/src/people/person-import.ts";
import { loadShippedPacks } from "../packages/server/src/policies/policy-packs.ts";
import { designateArea } from "../packages/server/src/zones/area.service.ts";
import {
  type BenchDb,
  copyOutToFile,
  createBenchDb,
  mib,
  rssSampler,
  serverFacts,
  timeCopyIn,
} from "./lib/bench-db.ts";
import { populationFiles } from "./lib/population.ts";
import { seededRandom } from "./lib/seeded.ts";

export interface ClassifyBenchResult {
  arrivals: number;
  stays: number;
  riskAreasDesignated: number;
  copy: { seconds: number; rowsPerSecond: number; arrivalRows: number; taskRows: number };
  classify: BulkSummary & {
    peakRssBytes: number;
    maxRssBytes: number;
    readSeconds: number;
    totalSeconds: number;
  };
  ratio: number;
  server: Record<string, string>;
}

const DAY = 86_400_000;
const WINDOW_FROM = Date.parse("2022-07-01T00:00:00+08:00");
const WINDOW_TO = Date.parse("2022-11-30T00:00:00+08:00");
const bjDate = (t: number) => new Date(t + 8 * 3_600_000).toISOString().slice(0, 10);
const bjTime = (t: number) => `${new Date(t + 8 * 3_600_000).toISOString().slice(0, 19)}+08:00`;

/** Setup (child process): people, risk areas and the arrivals file. Prints the file's facts as JSON. */
async function setup(url: string, count: number, seed: number, out: string): Promise<void> {
  const db = await openPostgres(url, 2);
  const ctx = systemContext(new Date());
  const have = (await db.query<{ n: number }>("SELECT count(*)::int AS n FROM persons")).rows[0]!.n;
  if (have < count) {
    const files = populationFiles(url, count, 7);
    const s = await importPeople(db, ctx, fileSource(files.importCsv), { batchSize: 10_000 });
    process.stderr.write(`setup: ${s.written} people imported\n`);
  }
  const random = seededRandom(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
  const counties = (
    await db.query<{ code: string }>("SELECT code FROM regions WHERE level = 'county' ORDER BY code")
  ).rows.map((r) => r.code);
  // Risk areas over the window: 60 high and 140 medium counties, each designated for 7–30 days.
  const areas: { regionCode: string; kind: "high" | "medium"; from: number; to: number }[] = [];
  for (let i = 0; i < 200; i++) {
    const from = WINDOW_FROM + Math.floor(random() * (WINDOW_TO - WINDOW_FROM - 10 * DAY));
    const area = {
      regionCode: pick(counties),
      kind: i < 60 ? ("high" as const) : ("medium" as const),
      from,
      to: from + (7 + Math.floor(random() * 24)) * DAY,
    };
    await designateArea(db, ctx, {
      regionCode: area.regionCode,
      kind: area.kind,
      from: new Date(area.from).toISOString(),
      to: new Date(area.to).toISOString(),
      reason: "基准测试：合成疫情（非真实数据）",
    });
    areas.push(area);
  }
  const people = (
    await db.query<{ id: string; region: string }>(
      `SELECT id, current_region_code AS region FROM persons ORDER BY id LIMIT $1`,
      [count],
    )
  ).rows;
  const file = createWriteStream(out);
  let stays = 0;
  for (const p of people) {
    const arrival = WINDOW_FROM + 14 * DAY + Math.floor(random() * (WINDOW_TO - WINDOW_FROM - 15 * DAY));
    const n = 1 + Math.floor(random() * 5);
    const history: { regionCode: string; from: string; to: string }[] = [];
    let end = arrival - Math.floor(random() * DAY);
    for (let k = 0; k < n; k++) {
      const len = (1 + Math.floor(random() * 4)) * DAY;
      const r = random();
      let region = `${pick(counties)}${String(1 + Math.floor(random() * 20)).padStart(3, "0")}`;
      // About one stay in six falls inside a designated area while it is in force.
      if (r < 0.17) {
        const a = pick(areas);
        if (a.from < end && a.to > end - len) region = `${a.regionCode}001`;
      }
      history.unshift({ regionCode: region, from: bjDate(end - len), to: bjDate(end) });
      end -= len;
    }
    stays += history.length;
    const inbound = random() < 0.08;
    const line = {
      personId: p.id,
      arrivalAt: bjTime(arrival),
      destinationRegionCode: p.region,
      originRegionCode: history.at(-1)!.regionCode.slice(0, 6),
      route: inbound ? "境外入境，口岸闭环转运" : "铁路/公路",
      travelHistory: history,
      facts: inbound ? { inboundOverseas: true } : {},
    };
    if (!file.write(`${JSON.stringify(line)}\n`)) await once(file, "drain");
  }
  file.end();
  await once(file, "finish");
  await db.close();
  console.log(JSON.stringify({ stays, areas: areas.length }));
}

export async function benchClassify(b: BenchDb, count: number, seed: number): Promise<ClassifyBenchResult> {
  mkdirSync(join(tmpdir(), "cordon-bench"), { recursive: true });
  const file = join(tmpdir(), "cordon-bench", `arrivals-${count}-${seed}-${process.pid}.jsonl`);
  process.stderr.write(`setting up ${count} arrivals (people, risk areas, file) ...\n`);
  const r = spawnSync(
    process.execPath,
    [
      import.meta.filename,
      "--setup",
      "--url",
      b.url,
      "--count",
      String(count),
      "--seed",
      String(seed),
      "--out",
      file,
    ],
    { stdio: ["ignore", "pipe", "inherit"], encoding: "utf8" },
  );
  if (r.status !== 0) throw new Error(`arrival setup failed (${r.status ?? r.signal})`);
  const facts = JSON.parse(r.stdout.trim().split("\n").at(-1)!) as { stays: number; areas: number };
  process.stderr.write(`arrivals file: ${mib(statSync(file).size)}, ${facts.stays} stays\n`);
  // As autovacuum leaves the tables some time after the people were imported (the search benchmark
  // does the same): hint bits set and statistics gathered, so that the import is not timed doing it.
  await b.db.exec("VACUUM ANALYZE");
  await b.db.exec("CHECKPOINT");

  const packs = loadShippedPacks();
  const rss = rssSampler();
  const t0 = performance.now();
  const lines = readFileSync(file, "utf8").split("\n");
  const readSeconds = (performance.now() - t0) / 1000;
  const summary = await importArrivals(b.db, systemContext(new Date()), packs, lines, {
    regionCode: "000000",
  });
  const totalSeconds = (performance.now() - t0) / 1000;
  const mem = rss.stop();
  if (!summary.stored) throw new Error(`bench file rejected: ${JSON.stringify(summary.errors.slice(0, 5))}`);
  process.stderr.write(
    `classify + write: ${totalSeconds.toFixed(2)} s (${summary.written} arrivals, ${summary.tasks} tasks)\n`,
  );

  // Baseline: the rows the import stored, COPYed into scratch tables with the same columns and indexes.
  const arrivalsFile = `${file}.arrivals.copy`;
  const tasksFile = `${file}.tasks.copy`;
  await copyOutToFile(b.url, "SELECT * FROM arrivals", arrivalsFile);
  await copyOutToFile(b.url, "SELECT * FROM control_tasks", tasksFile);
  await b.db.exec(
    `DROP TABLE IF EXISTS bench_arrivals, bench_tasks;
     CREATE TABLE bench_arrivals (LIKE arrivals INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES);
     CREATE TABLE bench_tasks (LIKE control_tasks INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES);
     CHECKPOINT`,
  );
  const copySeconds =
    (await timeCopyIn(b.url, "COPY bench_arrivals FROM STDIN", arrivalsFile)) +
    (await timeCopyIn(b.url, "COPY bench_tasks FROM STDIN", tasksFile));
  await b.db.exec("DROP TABLE bench_arrivals, bench_tasks");
  for (const f of [file, arrivalsFile, tasksFile]) rmSync(f, { force: true });
  return {
    arrivals: summary.written,
    stays: facts.stays,
    riskAreasDesignated: facts.areas,
    copy: {
      seconds: copySeconds,
      rowsPerSecond: summary.written / copySeconds,
      arrivalRows: summary.written,
      taskRows: summary.tasks,
    },
    classify: {
      ...summary,
      errors: [],
      peakRssBytes: mem.sampledPeakBytes,
      maxRssBytes: mem.maxRssBytes,
      readSeconds,
      totalSeconds,
    },
    ratio: totalSeconds / copySeconds,
    server: await serverFacts(b.db),
  };
}

export function printClassify(r: ClassifyBenchResult): string {
  const c = r.classify;
  return [
    `arrivals: ${r.arrivals} (${r.stays} stays, ${r.riskAreasDesignated} risk areas designated; decided ${c.decided}, no rule matched ${c.noRuleMatched}, no pack ${c.noPack}; ${c.tasks} control tasks)`,
    `plain COPY of the same rows (arrivals + control_tasks, same indexes): ${r.copy.seconds.toFixed(2)} s`,
    `classify + write (read file ${c.readSeconds.toFixed(2)} s, check ${c.checkSeconds.toFixed(2)} s, classify and COPY text ${c.classifySeconds.toFixed(2)} s, waiting for COPY + commit ${c.writeSeconds.toFixed(2)} s): ${c.totalSeconds.toFixed(2)} s, ${Math.round(r.arrivals / c.totalSeconds)} arrivals/s (target ≤ 5 s)`,
    `ratio classify+write / COPY: ${r.ratio.toFixed(2)}`,
    `peak RSS: sampled ${mib(c.peakRssBytes)}, kernel maxrss ${mib(c.maxRssBytes)}`,
  ].join("\n");
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      count: { type: "string", default: "100000" },
      seed: { type: "string", default: "11" },
      setup: { type: "boolean", default: false },
      url: { type: "string" },
      out: { type: "string" },
    },
  });
  if (values.setup) {
    await setup(values.url!, Number(values.count), Number(values.seed), values.out!);
  } else {
    const b = await createBenchDb("arrivals");
    try {
      const r = await benchClassify(b, Number(values.count), Number(values.seed));
      console.log(printClassify(r));
      console.log(JSON.stringify(r));
    } finally {
      await b.drop();
    }
  }
}
