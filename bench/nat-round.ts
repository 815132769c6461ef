/**
 * A city's screening round (issue 5 item 7): 10,000,000 people sampled in 1,900,000 tubes (900,000
 * pools of 10 and 1,000,000 single tubes) through the bulk sampling import (`importSamplingRecords`),
 * then the labs' results for every tube with 0.1 % of the pools positive through the bulk result path
 * (`importLabResultsBulk`), until the recall lists for those pools are produced by the service behind
 * `GET /api/nat/campaigns/:id/recall` (`campaignRecall`) — against a plain COPY of the same tube, swab and
 * result rows into scratch tables with the same indexes, in the same run on the same server.
 *
 *   node bench/nat-round.ts [--people 10000000] [--seed 7] [--keep] [--cache-people] [--concurrency 2]
 *
 * With --cache-people the synthetic people are written once into a database of their own
 * (`cordon_bench_people_<people>_s<seed>`, kept) and each run starts from a copy of it (CREATE DATABASE
 * … TEMPLATE, brought up to the current migrations): 10,000,000 people take ~20 min to write, the copy
 * seconds. Drop that database to write them again.
 *
 * Needs a PostgreSQL server (BENCH_PG_URL, default postgres://postgres@127.0.0.1:55432/postgres). Not
 * timed, in a child process (`--setup`): the people (`copySyntheticPeople`, bench/lib/nat-people.ts),
 * one sampling point per county they live in, the campaign and its round; then the registry read into
 * the server's buffers (pg_prewarm), as on a server in use. Not timed either: writing the
 * sampling file (by the server, COPY TO) and the result file. 90 % of the people go into pools of 10
 * (consecutive people of a county: neighbours), the rest into single tubes; one line in ten names the
 * person by document number, the others by id.
 */
import { spawnSync } from "node:child_process";
import { once } from "node:events";
import { createReadStream, createWriteStream, mkdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { openPostgres } from "../packages/server/src/db/db.ts";
import { streamLineBatches } from "../packages/server/src/files/line-batches.ts";
import { systemContext } from "../packages/server/src/http/context.ts";
import { campaignRecall, createCampaign } from "../packages/server/src/nat/campaign.service.ts";
import { importLabResultsBulk, type LabBulkTimings } from "../packages/server/src/nat/lab-result-bulk.ts";
import { importSamplingRecords, type SamplingBulkSummary } from "../packages/server/src/nat/sampling-bulk.ts";
import { createSamplingPoint } from "../packages/server/src/nat/sampling.service.ts";
import { loadShippedPacks } from "../packages/server/src/policies/policy-packs.ts";
import {
  type BenchDb,
  copyOutToFile,
  createBenchDb,
  databaseExists,
  renameDatabase,
  mib,
  rssSampler,
  serverFacts,
  timeCopyIn,
} from "./lib/bench-db.ts";
import { copySyntheticPeople } from "./lib/nat-people.ts";

const HOUR = 3_600_000;
/** The round starts at 08:00 Beijing time; the records are uploaded at 20:00, the results at 23:00. */
const START = Date.parse("2022-04-10T08:00:00+08:00");
const UPLOAD = START + 12 * HOUR;
const RESULTS = START + 15 * HOUR;
const POINT_NAME = "基准测试采样点 ";

export interface NatRoundResult {
  people: number;
  tubes: { pools: number; singles: number };
  sampling: SamplingBulkSummary & { swabsPerSecond: number; fileMegabytes: number };
  /** Round 2's results: one file per lab, both imported at once, to the recall lists. */
  perLab: { files: number; rows: number; positivePools: number; seconds: number };
  /** Round 2: the same records as one file per sampling point, `concurrency` imports at a time. */
  perPoint: { files: number; concurrency: number; swabs: number; seconds: number; swabsPerSecond: number };
  results: {
    rows: number;
    positivePools: number;
    fileMegabytes: number;
    importSeconds: number;
    timings: LabBulkTimings;
    recallSeconds: number;
    seconds: number;
    recalled: number;
    testsClosed: number;
    recallPeople: number;
    recallGroups: number;
  };
  copy: { tubesSeconds: number; swabsSeconds: number; resultsSeconds: number; megabytes: number };
  ratio: { sampling: number; results: number };
  peakRssBytes: number;
  maxRssBytes: number;
  setupSeconds: number;
  server: Record<string, string>;
}

/** Setup (child process): people, a sampling point per county, the campaign; prints the round's id. */
async function setup(url: string, people: number, seed: number): Promise<void> {
  const db = await openPostgres(url, 2);
  const ctx = systemContext(new Date(START - HOUR));
  const t0 = Date.now();
  // A registry already filled (bench/run.ts: the people-import benchmark's) is used as it is: a second
  // synthetic population would repeat its document numbers.
  const have = (await db.query<{ n: number }>("SELECT count(*)::int AS n FROM persons")).rows[0]!.n;
  if (have === 0) {
    const written = await copySyntheticPeople(url, people, seed);
    process.stderr.write(`setup: ${written} people in ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
    await db.exec("VACUUM ANALYZE persons");
    await db.exec("VACUUM ANALYZE person_documents");
  } else if (have < people) throw new Error(`the registry has ${have} people, fewer than ${people}`);
  const counties = (
    await db.query<{ code: string }>(
      `SELECT DISTINCT left(current_region_code, 6) AS code FROM persons ORDER BY 1`,
    )
  ).rows.map((r) => r.code);
  for (const county of counties)
    await createSamplingPoint(db, ctx, {
      name: `${POINT_NAME}${county}（合成数据）`,
      address: "基准测试地址",
      regionCode: county,
      hours: "00:00-24:00",
      desks: 20,
      capacityPerHour: 2000,
    });
  await createCampaign(db, ctx, loadShippedPacks(), {
    name: "基准测试全员核酸（合成数据）",
    kind: "whole_population",
    regionCodes: ["000000"],
    startsAt: new Date(START),
    rounds: 3,
    intervalDays: 1,
  });
  process.stderr.write(
    `setup: ${counties.length} sampling points, a campaign; ${((Date.now() - t0) / 1000).toFixed(0)} s\n`,
  );
  await db.close();
}

/** The people alone, in a database kept for later runs to copy (`--cache-people`). */
async function writePeopleTemplate(name: string, people: number, seed: number): Promise<void> {
  process.stderr.write(`writing ${people} people into ${name} (kept for later runs) ...\n`);
  const b = await createBenchDb(`people_tpl`);
  const t0 = performance.now();
  await b.db.close();
  const written = await copySyntheticPeople(b.url, people, seed);
  const db = await openPostgres(b.url, 1);
  await db.exec("VACUUM ANALYZE persons");
  await db.exec("VACUUM ANALYZE person_documents");
  await db.close();
  await renameDatabase(b.name, name);
  process.stderr.write(`${written} people in ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
}

/**
 * Before a timed phase: the server's dirty buffers written (CHECKPOINT) and the operating system's too
 * (`sync`: with fsync off, a checkpoint leaves them in the page cache, and gigabytes written by the
 * untimed setup — the copied template, the files — would otherwise be written back during the timed part).
 */
async function settle(b: BenchDb): Promise<void> {
  await b.db.exec("CHECKPOINT");
  spawnSync("sync");
}

/** A file's lines in batches, as the import routes read an upload. */
const fileLines = (file: string) => streamLineBatches(createReadStream(file, { highWaterMark: 1 << 20 }));

/**
 * Round 2's files (not timed): round 1's lines grouped by sampling point (a file each), the barcodes
 * renamed (P… → Q…, S… → T…) and the sampling a day later.
 */
async function splitByPoint(samplingFile: string, dir: string): Promise<string[]> {
  const out = new Map<
    string,
    { path: string; text: string[]; stream: ReturnType<typeof createWriteStream> }
  >();
  for await (const batch of fileLines(samplingFile)) {
    for (const line of batch) {
      const c = line.split(",");
      const point = c[4]!;
      let f = out.get(point);
      if (!f) {
        const path = join(dir, `nat-point-${out.size}-${process.pid}.csv`);
        f = { path, text: [], stream: createWriteStream(path) };
        out.set(point, f);
      }
      c[0] = (c[0]!.startsWith("P") ? "Q" : "T") + c[0]!.slice(1);
      c[3] = c[3]!.replace("2022-04-10T", "2022-04-11T");
      f.text.push(c.join(","));
      if (f.text.length >= 10_000) {
        if (!f.stream.write(f.text.join("\n") + "\n")) await once(f.stream, "drain");
        f.text = [];
      }
    }
  }
  for (const f of out.values()) {
    f.stream.end(f.text.join("\n") + "\n");
    await once(f.stream, "finish");
  }
  return [...out.values()].map((f) => f.path);
}

export async function benchNatRound(
  b: BenchDb,
  people: number,
  seed: number,
  concurrency = 2,
): Promise<NatRoundResult> {
  process.stderr.write(`setting up ${people} people ...\n`);
  const ts = performance.now();
  const r = spawnSync(
    process.execPath,
    [import.meta.filename, "--setup", "--url", b.url, "--people", String(people), "--seed", String(seed)],
    { stdio: ["ignore", "inherit", "inherit"] },
  );
  if (r.status !== 0) throw new Error(`setup failed (${r.status ?? r.signal})`);
  // The registry in the server's memory (not timed), as on a server in use, where every desk's scan and
  // every search reads it: a database copied from a template starts with none of it in the server's
  // buffers, and a sampling point's file looks its people up one by one, in the registry's random order
  // (150,000 of them: 60 % of the registry's pages, read from disk at ~80 µs each, for each of 67 files).
  await b.db.exec("CREATE EXTENSION IF NOT EXISTS pg_prewarm");
  for (const relation of ["persons", "persons_pkey", "person_documents", "person_documents_pkey"])
    await b.db.query("SELECT pg_prewarm($1::regclass)", [relation]);
  const setupSeconds = (performance.now() - ts) / 1000;
  const { campaignId, roundId } = (
    await b.db.query<{ campaignId: string; roundId: string }>(
      `SELECT c.id AS "campaignId", r.id AS "roundId" FROM nat_campaigns c JOIN nat_rounds r ON r.campaign_id = c.id
       WHERE r.number = 1 ORDER BY c.created_at DESC LIMIT 1`,
    )
  ).rows[0]!;
  const dir = join(tmpdir(), "cordon-bench");
  mkdirSync(dir, { recursive: true });
  const samplingFile = join(dir, `nat-sampling-${people}-${process.pid}.csv`);
  const resultsFile = join(dir, `nat-results-${people}-${process.pid}.csv`);

  // The sampling file (not timed): people in county order, 90 % in pools of 10, the rest single; each
  // tube at the point of its first person's county, sampled during the day. People at an isolation site
  // (bench/run.ts places some) come last, in single tubes, as their key-group rule says.
  const pooled = Math.floor((people * 0.9) / 10) * 10;
  process.stderr.write(`writing the sampling file ...\n`);
  await copyOutToFile(
    b.url,
    `SELECT barcode || ',' || CASE WHEN n % 10 = 3 THEN ',' || document_number ELSE id::text || ',' END
         || ',' || to_char(timestamptz '${new Date(START + HOUR).toISOString()}' + (n % 36000) * interval '1 second', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
         || ',' || first_value(point_id) OVER (PARTITION BY barcode ORDER BY n) || ',' || size
       FROM (SELECT *, CASE WHEN n <= ${pooled} THEN 'P' || lpad(((n - 1) / 10 + 1)::text, 8, '0')
                         ELSE 'S' || lpad((n - ${pooled})::text, 8, '0') END AS barcode,
               CASE WHEN n <= ${pooled} THEN 10 ELSE 1 END AS size
             FROM (SELECT p.id, p.document_number, s.id AS point_id,
                     row_number() OVER (ORDER BY EXISTS (SELECT 1 FROM quarantine_placements q
                       WHERE q.person_id = p.id AND q.status = 'placed'), p.current_region_code, p.id) AS n
                   FROM persons p JOIN nat_sampling_points s ON s.region_code = left(p.current_region_code, 6)) x
             WHERE n <= ${people}) y
       ORDER BY n`,
    samplingFile,
  );
  const samplingBytes = statSync(samplingFile).size;
  await settle(b);

  const packs = loadShippedPacks();
  const rss = rssSampler();
  const sampling = await importSamplingRecords(
    b.db,
    systemContext(new Date(UPLOAD)),
    packs,
    (async function* () {
      yield ["barcode,person_id,document_number,sampled_at,sampling_point_id,pool_size"];
      yield* fileLines(samplingFile);
    })(),
    { roundId, fileName: "bench" },
  );
  if (!sampling.stored) throw new Error(`sampling refused: ${JSON.stringify(sampling.errors.slice(0, 5))}`);
  process.stderr.write(
    `sampling: ${sampling.swabs} swabs in ${sampling.tubes} tubes, ${sampling.seconds.toFixed(1)} s (stage ${sampling.stageSeconds.toFixed(1)}, check ${sampling.checkSeconds.toFixed(1)}, write ${sampling.writeSeconds.toFixed(1)})\n`,
  );

  // The result file (not timed): every tube negative but one pool in a thousand.
  await b.db.exec("VACUUM ANALYZE nat_tubes");
  await b.db.exec("VACUUM ANALYZE nat_swabs");
  await settle(b);
  await copyOutToFile(
    b.url,
    `SELECT barcode || ',' || CASE WHEN barcode LIKE 'P%' AND substr(barcode, 2)::int % 1000 = 500 THEN 'positive,28.4,27.1'
         ELSE 'negative,,' END || ',' || to_char(timestamptz '${new Date(START + 11.5 * HOUR).toISOString()}', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
         || ',' || CASE WHEN substr(barcode, 2)::int % 2 = 0 THEN '银川市第一人民医院PCR实验室' ELSE '宁夏医科大学总医院检验科' END
       FROM nat_tubes WHERE round_id = '${roundId}' ORDER BY barcode`,
    resultsFile,
  );
  const resultsBytes = statSync(resultsFile).size;
  const positivePools = Math.floor((pooled / 10 + 500) / 1000);
  await settle(b);
  const timings: LabBulkTimings = { stageSeconds: 0, checkSeconds: 0, writeSeconds: 0 };
  const ctx = systemContext(new Date(RESULTS));
  const t1 = performance.now();
  const batch = await importLabResultsBulk(
    b.db,
    ctx,
    packs,
    (async function* () {
      yield ["barcode,result,ct_orf1ab,ct_n,tested_at,lab"];
      yield* fileLines(resultsFile);
    })(),
    "bench",
    { timings },
  );
  const t2 = performance.now();
  const recall = await campaignRecall(b.db, ctx, packs, campaignId);
  const t3 = performance.now();
  process.stderr.write(
    `results: ${batch.recorded} recorded, ${batch.recalled} recalled, ${((t3 - t1) / 1000).toFixed(1)} s to the recall lists\n`,
  );
  if (recall.people !== positivePools * 10)
    throw new Error(`recall lists: ${recall.people} people, expected ${positivePools * 10}`);

  // Round 2 (the next day): the same people's records as the sampling points upload them — one file per
  // point (not timed: written from the round-1 file, new barcodes, dates a day later), uploaded
  // `concurrency` at a time, each file its own import (all or nothing per file), as the points' uploads
  // reach the server side by side.
  const round2 = (
    await b.db.query<{ id: string }>(`SELECT id FROM nat_rounds WHERE campaign_id = $1 AND number = 2`, [
      campaignId,
    ])
  ).rows[0]!.id;
  const pointFiles = await splitByPoint(samplingFile, dir);
  await settle(b);
  const t4 = performance.now();
  const perFile: SamplingBulkSummary[] = [];
  const queue = [...pointFiles];
  const ctx2 = systemContext(new Date(UPLOAD + 24 * HOUR));
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let f = queue.shift(); f !== undefined; f = queue.shift()) {
        const file = f;
        const s2 = await importSamplingRecords(
          b.db,
          ctx2,
          packs,
          (async function* () {
            yield ["barcode,person_id,document_number,sampled_at,sampling_point_id,pool_size"];
            yield* fileLines(file);
          })(),
          { roundId: round2, fileName: "bench-point" },
        );
        if (!s2.stored) throw new Error(`round 2 refused: ${JSON.stringify(s2.errors.slice(0, 5))}`);
        perFile.push(s2);
      }
    }),
  );
  const perPointSeconds = (performance.now() - t4) / 1000;
  const perPointSwabs = perFile.reduce((n, x) => n + x.swabs, 0);
  const sum = (k: "stageSeconds" | "stageWaitSeconds" | "checkSeconds" | "writeSeconds") =>
    perFile.reduce((n, x) => n + x[k], 0).toFixed(1);
  for (const f of pointFiles) rmSync(f, { force: true });
  process.stderr.write(
    `round 2: ${perPointSwabs} swabs from ${pointFiles.length} point files, ${concurrency} at a time, ${perPointSeconds.toFixed(1)} s (summed over the files: stage ${sum("stageSeconds")} s, of which waiting ${sum("stageWaitSeconds")} s; check ${sum("checkSeconds")} s; write ${sum("writeSeconds")} s)\n`,
  );
  if (perPointSwabs !== sampling.swabs) throw new Error(`round 2 stored ${perPointSwabs} swabs`);

  // As before round 1's results: the hours between sampling and results let autovacuum visit the new
  // swabs and tubes (here at once, not timed, rather than racing the timed part).
  await b.db.exec("VACUUM ANALYZE nat_tubes");
  await b.db.exec("VACUUM ANALYZE nat_swabs");
  // Round 2's results as the two labs send them: a file each (not timed: written by the server), imported
  // side by side, until the recall lists; other pools positive than round 1's (one in a thousand).
  const labFiles: string[] = [];
  for (const parity of [0, 1]) {
    const file = join(dir, `nat-results-lab${parity}-${process.pid}.csv`);
    await copyOutToFile(
      b.url,
      `SELECT barcode || ',' || CASE WHEN barcode LIKE 'Q%' AND substr(barcode, 2)::int % 1000 = 250 THEN 'positive,29.0,28.2'
           ELSE 'negative,,' END || ',' || to_char(timestamptz '${new Date(START + 35.5 * HOUR).toISOString()}', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
           || ',' || CASE WHEN ${parity} = 0 THEN '银川市第一人民医院PCR实验室' ELSE '宁夏医科大学总医院检验科' END
         FROM nat_tubes WHERE round_id = '${round2}' AND substr(barcode, 2)::int % 2 = ${parity} ORDER BY barcode`,
      file,
    );
    labFiles.push(file);
  }
  await settle(b);
  const ctx3 = systemContext(new Date(RESULTS + 24 * HOUR));
  const t5 = performance.now();
  const perLab = await Promise.all(
    labFiles.map((file) =>
      importLabResultsBulk(
        b.db,
        ctx3,
        packs,
        (async function* () {
          yield ["barcode,result,ct_orf1ab,ct_n,tested_at,lab"];
          yield* fileLines(file);
        })(),
        "bench-lab",
      ),
    ),
  );
  const recall2 = await campaignRecall(b.db, ctx3, packs, campaignId);
  const perLabSeconds = (performance.now() - t5) / 1000;
  for (const f of labFiles) rmSync(f, { force: true });
  const mem = rss.stop();
  const positive2 = Math.floor((pooled / 10 + 750) / 1000);
  process.stderr.write(
    `round 2 results: ${perLab.map((x) => x.recorded).join(" + ")} recorded by two labs side by side, ${perLabSeconds.toFixed(1)} s to the recall lists (${recall2.people} people)\n`,
  );
  if (recall2.people !== (positivePools + positive2) * 10)
    throw new Error(
      `round 2 recall lists: ${recall2.people} people, expected ${(positivePools + positive2) * 10}`,
    );

  // Baseline: the rows as stored, COPYed into scratch tables with the same indexes.
  const copies: number[] = [];
  let megabytes = 0;
  for (const table of ["nat_tubes", "nat_swabs", "nat_lab_results"]) {
    const file = join(dir, `${table}-${process.pid}.copy`);
    // Round 1's rows: what the single file and the result file wrote.
    await copyOutToFile(
      b.url,
      table === "nat_lab_results"
        ? `SELECT * FROM ${table}`
        : `SELECT * FROM ${table} WHERE round_id = '${roundId}'`,
      file,
    );
    megabytes += statSync(file).size / 2 ** 20;
    await b.db.exec(
      `DROP TABLE IF EXISTS bench_${table};
       CREATE TABLE bench_${table} (LIKE ${table} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES);
       CHECKPOINT`,
    );
    copies.push(await timeCopyIn(b.url, `COPY bench_${table} FROM STDIN`, file));
    await b.db.exec(`DROP TABLE bench_${table}`);
    rmSync(file, { force: true });
  }
  rmSync(samplingFile, { force: true });
  rmSync(resultsFile, { force: true });
  const [tubesSeconds, swabsSeconds, resultsSeconds] = copies as [number, number, number];
  const resultsTotal = (t3 - t1) / 1000;
  return {
    people,
    tubes: { pools: pooled / 10, singles: people - pooled },
    sampling: {
      ...sampling,
      swabsPerSecond: sampling.swabs / sampling.seconds,
      fileMegabytes: samplingBytes / 2 ** 20,
    },
    perLab: {
      files: labFiles.length,
      rows: perLab.reduce((n, x) => n + x.received, 0),
      positivePools: positive2,
      seconds: perLabSeconds,
    },
    perPoint: {
      files: pointFiles.length,
      concurrency,
      swabs: perPointSwabs,
      seconds: perPointSeconds,
      swabsPerSecond: perPointSwabs / perPointSeconds,
    },
    results: {
      rows: batch.received,
      positivePools,
      fileMegabytes: resultsBytes / 2 ** 20,
      importSeconds: (t2 - t1) / 1000,
      timings,
      recallSeconds: (t3 - t2) / 1000,
      seconds: resultsTotal,
      recalled: batch.recalled,
      testsClosed: batch.testsClosed,
      recallPeople: recall.people,
      recallGroups: recall.groups.length,
    },
    copy: { tubesSeconds, swabsSeconds, resultsSeconds, megabytes },
    ratio: {
      sampling: sampling.seconds / (tubesSeconds + swabsSeconds),
      results: resultsTotal / resultsSeconds,
    },
    peakRssBytes: mem.sampledPeakBytes,
    maxRssBytes: mem.maxRssBytes,
    setupSeconds,
    server: await serverFacts(b.db),
  };
}

export function printNatRound(r: NatRoundResult): string {
  const s = r.sampling;
  const x = r.results;
  return [
    `round: ${r.people} people, ${r.tubes.pools} pools of 10 + ${r.tubes.singles} single tubes (setup, not timed: ${r.setupSeconds.toFixed(0)} s)`,
    `plain COPY of the same rows (same indexes): tubes ${r.copy.tubesSeconds.toFixed(1)} s, swabs ${r.copy.swabsSeconds.toFixed(1)} s, results ${r.copy.resultsSeconds.toFixed(1)} s (${r.copy.megabytes.toFixed(0)} MiB)`,
    `sampling import (${s.fileMegabytes.toFixed(0)} MiB file; stage ${s.stageSeconds.toFixed(1)} s (waiting for the server ${s.stageWaitSeconds.toFixed(1)} s), checks ${s.checkSeconds.toFixed(1)} s, write + commit ${s.writeSeconds.toFixed(1)} s): ${s.seconds.toFixed(1)} s, ${Math.round(s.swabsPerSecond)} swabs/s (target ≥ 50,000); ratio to COPY of tubes + swabs ${r.ratio.sampling.toFixed(2)}`,
    `sampling as the points' files (round 2): ${r.perPoint.files} files, ${r.perPoint.concurrency} at a time: ${r.perPoint.seconds.toFixed(1)} s, ${Math.round(r.perPoint.swabsPerSecond)} swabs/s (target ≥ 50,000); ratio to COPY of tubes + swabs ${(r.perPoint.seconds / (r.copy.tubesSeconds + r.copy.swabsSeconds)).toFixed(2)}`,
    `results (${x.rows} rows, ${x.positivePools} positive pools; stage ${x.timings.stageSeconds.toFixed(1)} s (waiting for the server ${(x.timings.stageWaitSeconds ?? 0).toFixed(1)} s), outcomes + checks ${x.timings.checkSeconds.toFixed(1)} s, write + effects + commit ${x.timings.writeSeconds.toFixed(1)} s) ${x.importSeconds.toFixed(1)} s + recall lists ${x.recallSeconds.toFixed(2)} s = ${x.seconds.toFixed(1)} s (target ≤ 60 s); ${x.testsClosed} tests closed, ${x.recallPeople} people in ${x.recallGroups} community groups; ratio to COPY of the result rows ${r.ratio.results.toFixed(2)}`,
    `results as the labs' files (round 2): ${r.perLab.files} files side by side, ${r.perLab.rows} rows, ${r.perLab.positivePools} positive pools: ${r.perLab.seconds.toFixed(1)} s to the recall lists (target ≤ 60 s)`,
    `peak RSS: sampled ${mib(r.peakRssBytes)}, kernel maxrss ${mib(r.maxRssBytes)} (target ≤ 2 GiB)`,
  ].join("\n");
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      people: { type: "string", default: "10000000" },
      seed: { type: "string", default: "7" },
      setup: { type: "boolean", default: false },
      keep: { type: "boolean", default: false },
      "cache-people": { type: "boolean", default: false },
      // Round 2's point files imported this many at a time.
      concurrency: { type: "string", default: "2" },
      url: { type: "string" },
    },
  });
  if (values.setup) {
    await setup(values.url!, Number(values.people), Number(values.seed));
  } else {
    let template: string | undefined;
    if (values["cache-people"]) {
      template = `cordon_bench_people_${Number(values.people)}_s${Number(values.seed)}`;
      if (!(await databaseExists(template)))
        await writePeopleTemplate(template, Number(values.people), Number(values.seed));
    }
    const b = await createBenchDb("nat", template);
    try {
      const r = await benchNatRound(
        b,
        Number(values.people),
        Number(values.seed),
        Number(values.concurrency),
      );
      console.log(printNatRound(r));
      console.log(JSON.stringify(r));
    } finally {
      if (values.keep) {
        await b.db.close();
        process.stderr.write(`kept database ${b.name}\n`);
      } else await b.drop();
    }
  }
}
