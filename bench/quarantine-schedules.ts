/**
 * Quarantine schedules at scale: 100,000 people placed across 500 centralized sites (`placeBulk`:
 * the pack in force per site region decides each person's measures, `schedule` computes the course,
 * rows written with COPY, one audit record), then today's lists (tests due with their results, tests
 * missed, people releasable) for all 500 sites: the morning report behind `GET /api/quarantine/today`
 * (`regionToday`), and each site's own list behind `GET /api/quarantine/sites/:id/today` — against a plain
 * COPY of the same placement rows into a scratch table with the same indexes, in the same run on the
 * same server.
 *
 *   node bench/quarantine-schedules.ts [--count 100000] [--sites 500] [--seed 13] [--keep]
 *
 * Needs a PostgreSQL server (BENCH_PG_URL, default postgres://postgres@127.0.0.1:55432/postgres). The
 * people (imported through the people import), the sites and their rooms are made in a child process
 * (`--setup`), not timed; so are the test results entered between placing and listing.
 */
import { spawnSync } from "node:child_process";
import { createWriteStream, mkdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { parseArgs } from "node:util";
import pg from "pg";
import { to as copyTo } from "pg-copy-streams";
import { openPostgres } from "../packages/server/src/db/db.ts";
import { systemContext } from "../packages/server/src/http/context.ts";
import { fileSource, importPeople } from "../packages/server/src/people/person-import.ts";
import { loadShippedPacks } from "../packages/server/src/policies/policy-packs.ts";
import { type BulkPlaceSummary, placeBulk } from "../packages/server/src/quarantine/placement-bulk.ts";
import { regionToday, sitesToday, siteToday } from "../packages/server/src/quarantine/placement.service.ts";
import { createRooms, createSite } from "../packages/server/src/quarantine/site.service.ts";
import { type BenchDb, createBenchDb, mib, rssSampler, serverFacts, timeCopyIn } from "./lib/bench-db.ts";
import { populationFiles } from "./lib/population.ts";
import { seededRandom } from "./lib/seeded.ts";

export interface ScheduleBenchResult {
  people: number;
  sites: number;
  copy: { seconds: number; rows: number; megabytes: number };
  place: BulkPlaceSummary;
  resultsEntered: number;
  today: {
    /** The morning report of the whole country (`regionToday`, behind `GET /api/quarantine/today`). */
    seconds: number;
    /** Site by site, as `GET /api/quarantine/sites/:id/today` reads them (`siteToday`, 3 at a time). */
    siteBySiteSeconds: number;
    dueTests: number;
    dueWithResult: number;
    missedTests: number;
    releasable: number;
  };
  totalSeconds: number;
  ratio: number;
  peakRssBytes: number;
  maxRssBytes: number;
  server: Record<string, string>;
}

const HOUR = 3_600_000;
/** The bench's own sites (other benchmarks on the same database may have sites of their own). */
const SITE_NAME = "基准测试隔离点 ";
/** The bench's "today": inside the 9th edition's validity (2022-06-28 to 2022-11-11). */
const TODAY = "2022-08-20";
const NOW = Date.parse(`${TODAY}T12:00:00+08:00`);
const WINDOW_FROM = Date.parse("2022-08-07T00:00:00+08:00");
const bjTime = (t: number) => `${new Date(t + 8 * HOUR).toISOString().slice(0, 19)}+08:00`;

/** Setup (child process): people, then the sites (one per county, spread over the country) and rooms. */
async function setup(url: string, count: number, sites: number): Promise<void> {
  const db = await openPostgres(url, 2);
  const ctx = systemContext(new Date(NOW));
  const have = (await db.query<{ n: number }>("SELECT count(*)::int AS n FROM persons")).rows[0]!.n;
  if (have < count) {
    // A few generated rows are refused by the import's checks: generate a little more than needed.
    const files = populationFiles(url, Math.ceil(count * 1.05), 7);
    const s = await importPeople(db, ctx, fileSource(files.importCsv), { batchSize: 10_000 });
    process.stderr.write(`setup: ${s.written} people imported\n`);
  }
  const counties = (
    await db.query<{ code: string }>("SELECT code FROM regions WHERE level = 'county' ORDER BY code")
  ).rows.map((r) => r.code);
  const perSite = Math.ceil(count / sites);
  for (let i = 0; i < sites; i++) {
    const county = counties[Math.floor((i * counties.length) / sites)]!;
    const site = await createSite(db, ctx, {
      kind: "centralized",
      name: `${SITE_NAME}${i + 1}（合成数据）`,
      address: "基准测试地址",
      regionCode: county,
    });
    for (let from = 1; from <= perSite; from += 1000)
      await createRooms(db, ctx, site.id, { from, to: Math.min(perSite, from + 999), type: "single" });
  }
  process.stderr.write(`setup: ${sites} sites with ${perSite} rooms each\n`);
  await db.close();
}

async function copyOut(url: string, sql: string, file: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await pipeline(c.query(copyTo(`COPY (${sql}) TO STDOUT`)), createWriteStream(file));
  } finally {
    await c.end();
  }
}

export async function benchSchedules(
  b: BenchDb,
  count: number,
  siteCount: number,
  seed: number,
): Promise<ScheduleBenchResult> {
  process.stderr.write(`setting up ${count} people and ${siteCount} sites ...\n`);
  const r = spawnSync(
    process.execPath,
    [import.meta.filename, "--setup", "--url", b.url, "--count", String(count), "--sites", String(siteCount)],
    { stdio: ["ignore", "inherit", "inherit"] },
  );
  if (r.status !== 0) throw new Error(`setup failed (${r.status ?? r.signal})`);
  await b.db.exec("VACUUM ANALYZE");
  await b.db.exec("CHECKPOINT");

  // The batch (not timed): each person to a room of a site; close contacts, inbound travellers and
  // secondary contacts, placed over the last two weeks.
  const random = seededRandom(seed);
  const people = (
    await b.db.query<{ id: string }>(
      `SELECT id FROM persons p WHERE NOT EXISTS (
         SELECT 1 FROM quarantine_placements q WHERE q.person_id = p.id AND q.status = 'placed')
       ORDER BY id LIMIT $1`,
      [count],
    )
  ).rows.map((p) => p.id);
  const rooms = (
    await b.db.query<{ siteId: string; id: string }>(
      `SELECT r.site_id AS "siteId", r.id FROM quarantine_rooms r JOIN quarantine_sites s ON s.id = r.site_id
       WHERE s.name LIKE $1 ORDER BY s.created_at, s.id, length(r.number), r.number`,
      [`${SITE_NAME}%`],
    )
  ).rows;
  const siteIds = [...new Set(rooms.map((x) => x.siteId))];
  const perSite = rooms.length / siteIds.length;
  const items = people.map((personId, i) => {
    const room = rooms[(i % siteIds.length) * perSite + Math.floor(i / siteIds.length)]!;
    const placed = WINDOW_FROM + Math.floor(random() * (NOW - HOUR - WINDOW_FROM));
    const placedAt = bjTime(placed);
    const k = random();
    if (k < 0.75) {
      const exposure = bjTime(placed - (2 + Math.floor(random() * 20)) * HOUR);
      return {
        personId,
        siteId: room.siteId,
        roomId: room.id,
        placedAt,
        facts: { contacts: [{ kind: "close" as const, lastExposureAt: exposure }] },
      };
    }
    if (k < 0.95) {
      return {
        personId,
        siteId: room.siteId,
        roomId: room.id,
        placedAt,
        arrivalAt: bjTime(placed - (1 + Math.floor(random() * 10)) * HOUR),
        facts: { inboundOverseas: true },
      };
    }
    const exposure = bjTime(placed - (2 + Math.floor(random() * 20)) * HOUR);
    return {
      personId,
      siteId: room.siteId,
      roomId: room.id,
      placedAt,
      facts: { contacts: [{ kind: "secondary" as const, lastExposureAt: exposure }] },
    };
  });

  const packs = loadShippedPacks();
  const ctx = systemContext(new Date(NOW));
  const rss = rssSampler();
  const t0 = performance.now();
  const place = await placeBulk(b.db, ctx, packs, items, { regionCode: "000000" });
  const placeSeconds = (performance.now() - t0) / 1000;
  process.stderr.write(`placed ${place.placed} in ${placeSeconds.toFixed(2)} s\n`);

  // Results entered between placing and listing (not timed), negative: 90% of the tests before today,
  // half of today's (the morning's swabs back by noon).
  const appts = (
    await b.db.query<{ id: string; personId: string; dates: string[] }>(
      `SELECT q.id, q.person_id AS "personId",
         ARRAY(SELECT a ->> 'date' FROM json_array_elements(c.course -> 'appointments') a
               WHERE a ->> 'date' <= $1 AND NOT (a ->> 'beforePlacement')::boolean) AS dates
       FROM quarantine_placements q JOIN quarantine_courses c ON c.id = q.course_id`,
      [TODAY],
    )
  ).rows;
  let resultsText = "";
  let resultsEntered = 0;
  let n = 0;
  for (const a of appts)
    for (const d of a.dates)
      if (random() < (d < TODAY ? 0.9 : 0.5)) {
        resultsText += `${a.personId}\t${a.id}\t${crypto.randomUUID()}\t${d}\toropharyngeal\tnegative\tBENCH-${++n}\t\\N\t${new Date(NOW).toISOString()}\n`;
        resultsEntered++;
      }
  await b.db.copyText(
    "quarantine_test_results",
    [
      "person_id",
      "placement_id",
      "id",
      "sampled_on",
      "sample",
      "outcome",
      "lab_reference",
      "recorded_by",
      "recorded_at",
    ],
    resultsText,
  );
  await b.db.exec("ANALYZE quarantine_placements; ANALYZE quarantine_test_results");

  // The morning report: every site's lists, counted (what the command reads); then each site's own
  // list as the site's staff read it, and `sitesToday` directly, checked to agree.
  const t1 = performance.now();
  const report = await regionToday(b.db, ctx, "000000", TODAY);
  const reportSeconds = (performance.now() - t1) / 1000;
  const today = {
    seconds: reportSeconds,
    siteBySiteSeconds: 0,
    dueTests: 0,
    dueWithResult: 0,
    missedTests: 0,
    releasable: 0,
  };
  for (const s of report.sites) {
    today.dueTests += s.dueTests;
    today.dueWithResult += s.dueWithResult;
    today.missedTests += s.missedTests;
    today.releasable += s.releasable;
  }
  const t2 = performance.now();
  let next = 0;
  let siteDue = 0;
  await Promise.all(
    Array.from({ length: 3 }, async () => {
      while (next < siteIds.length) {
        const id = siteIds[next++]!;
        const day = await siteToday(b.db, ctx, id, TODAY);
        siteDue += day.dueTests.length;
      }
    }),
  );
  today.siteBySiteSeconds = (performance.now() - t2) / 1000;
  if (siteDue !== today.dueTests) throw new Error(`siteToday disagrees: ${siteDue} vs ${today.dueTests}`);
  const all = await sitesToday(b.db, ctx, siteIds, TODAY);
  let allDue = 0;
  for (const d of all.values()) allDue += d.dueTests.length;
  if (allDue !== today.dueTests) throw new Error(`sitesToday disagrees: ${allDue} vs ${today.dueTests}`);
  const totalSeconds = placeSeconds + today.seconds;
  const mem = rss.stop();

  // Baseline: the placement rows as stored, COPYed into a scratch table with the same indexes.
  mkdirSync(join(tmpdir(), "cordon-bench"), { recursive: true });
  const file = join(tmpdir(), "cordon-bench", `placements-${count}-${process.pid}.copy`);
  await copyOut(b.url, "SELECT * FROM quarantine_placements", file);
  const size = statSync(file).size;
  await b.db.exec(
    `DROP TABLE IF EXISTS bench_placements;
     CREATE TABLE bench_placements (LIKE quarantine_placements INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES);
     CHECKPOINT`,
  );
  const copySeconds = await timeCopyIn(b.url, "COPY bench_placements FROM STDIN", file);
  await b.db.exec("DROP TABLE bench_placements");
  rmSync(file, { force: true });
  return {
    people: place.placed,
    sites: siteIds.length,
    copy: { seconds: copySeconds, rows: place.placed, megabytes: size / 2 ** 20 },
    place: { ...place, seconds: placeSeconds },
    resultsEntered,
    today,
    totalSeconds,
    ratio: placeSeconds / copySeconds,
    peakRssBytes: mem.sampledPeakBytes,
    maxRssBytes: mem.maxRssBytes,
    server: await serverFacts(b.db),
  };
}

export function printSchedules(r: ScheduleBenchResult): string {
  const p = r.place;
  return [
    `placements: ${r.people} people across ${r.sites} sites (${Object.entries(p.packs)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")}); ${p.roomsOccupied} rooms occupied`,
    `plain COPY of the same placement rows (${r.copy.megabytes.toFixed(0)} MiB, same indexes): ${r.copy.seconds.toFixed(2)} s`,
    `placeBulk (check ${p.checkSeconds.toFixed(2)} s, decide + schedule + COPY text ${p.scheduleSeconds.toFixed(2)} s, waiting for COPY + commit ${p.writeSeconds.toFixed(2)} s, of which last COPY ${p.copyWaitSeconds.toFixed(2)} s): ${p.seconds.toFixed(2)} s, ${Math.round(r.people / p.seconds)} placements/s`,
    `ratio placeBulk / COPY: ${r.ratio.toFixed(2)}`,
    `today's lists for ${r.sites} sites (${r.resultsEntered} results entered beforehand): the morning report (all sites) ${r.today.seconds.toFixed(2)} s; site by site (3 at a time) ${r.today.siteBySiteSeconds.toFixed(2)} s — ${r.today.dueTests} tests due (${r.today.dueWithResult} with a result), ${r.today.missedTests} missed, ${r.today.releasable} releasable`,
    `place + the morning report: ${r.totalSeconds.toFixed(2)} s (target ≤ 5 s)`,
    `peak RSS: sampled ${mib(r.peakRssBytes)}, kernel maxrss ${mib(r.maxRssBytes)}`,
  ].join("\n");
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      count: { type: "string", default: "100000" },
      sites: { type: "string", default: "500" },
      seed: { type: "string", default: "13" },
      setup: { type: "boolean", default: false },
      keep: { type: "boolean", default: false },
      url: { type: "string" },
    },
  });
  if (values.setup) {
    await setup(values.url!, Number(values.count), Number(values.sites));
  } else {
    const b = await createBenchDb("schedules");
    try {
      const r = await benchSchedules(b, Number(values.count), Number(values.sites), Number(values.seed));
      console.log(printSchedules(r));
      console.log(JSON.stringify(r));
    } finally {
      if (values.keep) {
        await b.db.close();
        process.stderr.write(`kept database ${b.name}\n`);
      } else await b.drop();
    }
  }
}
