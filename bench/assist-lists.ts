/**
 * Assist list (协查名单) import: a 100,000-row list received by a province (宁夏, 640000) matched against
 * 1,000,000 registered people, merged and dispatched, through the real service (`importAssistList`:
 * read the CSV, check every row, COPY the rows, match by ID number else name + phone, merge
 * duplicates, dispatch or forward, count, audit, commit). Baseline: a plain COPY of the same 100,000
 * rows into a scratch table of text columns, on the same server in the same run.
 *
 *   node bench/assist-lists.ts [--people 1000000] [--rows 100000] [--seed 7] [--repeat 3]
 *
 * The list's mix: 70 % by ID number inside the province, 20 % name + phone only (1 % of the list
 * ambiguous: two registry people with that name and phone), 5 % people living outside the province,
 * 3 % valid ID numbers not in the registry, 2 % repeats of an earlier row; shuffled.
 * Needs a PostgreSQL server (BENCH_PG_URL); the people are COPYed in from the synthetic population
 * (not timed) unless the database already holds them (bench/run.ts runs it after the people import).
 */
import { createReadStream } from "node:fs";
import { pipeline } from "node:stream/promises";
import { parseArgs } from "node:util";
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { stringify } from "csv-stringify/sync";
import { makeResidentId } from "../packages/domain/src/people/resident-id.ts";
import {
  getAssistList,
  importAssistList,
  listAssistLists,
  listAssistRows,
  overdueByRegion,
} from "../packages/server/src/assist/assist.service.ts";
import type { Db } from "../packages/server/src/db/db.ts";
import { PERSON_INSERT_COLUMNS } from "../packages/server/src/people/person.repository.ts";
import { systemContext } from "../packages/server/src/http/context.ts";
import { type BenchDb, createBenchDb, mib, rssSampler, serverFacts, timeCopyIn } from "./lib/bench-db.ts";
import { populationFiles } from "./lib/population.ts";
import { seededRandom } from "./lib/seeded.ts";

const JURISDICTION = "640000";

export interface AssistRun {
  copySeconds: number;
  seconds: number;
  phases: Record<string, number>;
  /** Store + match + dispatch (the database part of the import). */
  matchSeconds: number;
  /** Whole import / plain COPY of the same rows, measured just before it. */
  ratio: number;
}

export interface AssistBenchResult {
  people: number;
  rows: number;
  mix: Record<string, number>;
  fileBytes: number;
  /** The same list imported `runs.length` times (each a new list), each after its own COPY baseline. */
  runs: AssistRun[];
  peakRssBytes: number;
  maxRssBytes: number;
  counts: Record<string, number>;
  /** Reading the last list after its deadline (median of 5, ms): what the list page and the command's view wait for. */
  reads: Record<string, number>;
  server: Record<string, string>;
}

/** Median of five timed calls, in milliseconds. */
async function median5(fn: () => Promise<unknown>): Promise<number> {
  const t: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    await fn();
    t.push(performance.now() - t0);
  }
  return t.sort((a, b) => a - b)[2]!;
}

async function countPeople(db: Db): Promise<number> {
  return (await db.query<{ n: number }>("SELECT count(*)::int AS n FROM persons")).rows[0]!.n;
}

/** Fills the registry from the synthetic population's persons-shaped CSV with COPY (not timed). */
export async function loadPeople(b: BenchDb, people: number, seed: number): Promise<void> {
  const files = populationFiles(b.url, people, seed);
  const c = new pg.Client({ connectionString: b.url });
  await c.connect();
  try {
    await pipeline(
      createReadStream(files.copyCsv, { highWaterMark: 1 << 20 }),
      c.query(copyFrom(`COPY persons (${PERSON_INSERT_COLUMNS.join(", ")}) FROM STDIN WITH (FORMAT csv)`)),
    );
    await c.query(
      "INSERT INTO person_documents (document_type, document_number, person_id) SELECT document_type, document_number, id FROM persons",
    );
  } finally {
    await c.end();
  }
}

interface Pick {
  id: string;
  name: string;
  document_number: string;
  phone: string;
  current_region_code: string;
}

/**
 * Builds the list (and, not timed, the registry twins that make 1 % of it ambiguous: a second person
 * with the same name and phone, registered by passport).
 */
export async function buildList(
  db: Db,
  rows: number,
  seed: number,
): Promise<{ csv: Buffer; mix: Record<string, number> }> {
  const rnd = seededRandom(seed);
  const n = {
    byId: Math.round(rows * 0.7),
    namePhone: Math.round(rows * 0.19),
    ambiguous: Math.round(rows * 0.01),
    outside: Math.round(rows * 0.05),
    notRegistered: Math.round(rows * 0.03),
  };
  const duplicates = rows - n.byId - n.namePhone - n.ambiguous - n.outside - n.notRegistered;
  // Sampled in an order fixed by the seed (random() would differ per run and per pooled connection).
  const inside = (
    await db.query<Pick>(
      `SELECT id, name, document_number, phone, current_region_code FROM persons
       WHERE current_region_code LIKE '64%' AND document_type = 'resident_id' ORDER BY md5(id::text || $2::text) LIMIT $1`,
      [n.byId + n.namePhone + n.ambiguous, seed],
    )
  ).rows;
  const outside = (
    await db.query<Pick>(
      `SELECT id, name, document_number, phone, current_region_code FROM persons
       WHERE current_region_code NOT LIKE '64%' ORDER BY md5(id::text || $2::text) LIMIT $1`,
      [n.outside, seed],
    )
  ).rows;
  const twins = inside.slice(n.byId + n.namePhone);
  await db.query(
    `INSERT INTO persons (id, name, name_initials, name_pinyin, document_type, document_number, birth_date, sex,
       nationality, phone, current_region_code, current_address, created_at, updated_at)
     SELECT gen_random_uuid(), p.name, p.name_initials, p.name_pinyin, 'passport', 'E' || lpad(row_number() OVER ()::text, 8, '0'),
       p.birth_date, p.sex, 'CHN', p.phone, p.current_region_code, p.current_address, now(), now()
     FROM persons p WHERE p.id = ANY($1::uuid[])`,
    [twins.map((t) => t.id)],
  );
  await db.exec(
    "INSERT INTO person_documents SELECT document_type, document_number, id FROM persons WHERE document_type = 'passport' ON CONFLICT DO NOTHING; ANALYZE persons; ANALYZE person_documents",
  );
  const reasons = ["密接", "次密接", "时空伴随", "涉疫场所暴露", "外省协查"];
  const out: string[][] = [];
  const reason = () => reasons[Math.floor(rnd() * reasons.length)]!;
  for (const p of inside.slice(0, n.byId))
    out.push([p.name, p.document_number, rnd() < 0.5 ? p.phone : "", reason(), "", "", "大数据推送"]);
  for (const p of inside.slice(n.byId)) out.push([p.name, "", p.phone, reason(), "", "", "大数据推送"]);
  for (const p of outside) out.push([p.name, p.document_number, "", reason(), "", "", "外省推送"]);
  for (let i = 0; i < n.notRegistered; i++) {
    const birth = `19${50 + Math.floor(rnd() * 50)}-0${1 + Math.floor(rnd() * 9)}-1${Math.floor(rnd() * 9)}`;
    const id = makeResidentId("640104", birth, 900 + (i % 100));
    // A real-looking name with an ID number nobody in the registry has (sequence 900-999 of a Yinchuan district).
    out.push([
      outside[i % outside.length]!.name,
      id,
      "",
      reason(),
      "兴庆区民族北街",
      i % 2 ? "640104" : "",
      "外省推送",
    ]);
  }
  for (let i = 0; i < duplicates; i++) out.push([...out[Math.floor(rnd() * out.length)]!]);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  const header = ["姓名", "身份证号", "手机号", "协查原因", "现住址", "线索区划", "推送来源"];
  return {
    csv: Buffer.from(stringify([header, ...out])),
    mix: { ...n, duplicates },
  };
}

async function timeCopy(url: string, csv: Buffer): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(
      "DROP TABLE IF EXISTS bench_assist_copy; CREATE TABLE bench_assist_copy (name text, id_number text, phone text, reason text, address text, region_hint text, source text)",
    );
    const s = await timeCopyIn(url, "COPY bench_assist_copy FROM STDIN WITH (FORMAT csv, HEADER true)", csv);
    await c.query("DROP TABLE bench_assist_copy");
    return s;
  } finally {
    await c.end();
  }
}

export async function benchAssist(
  b: BenchDb,
  people: number,
  rows: number,
  seed: number,
  repeat = 3,
): Promise<AssistBenchResult> {
  if ((await countPeople(b.db)) < people) {
    process.stderr.write(`loading ${people} people with COPY (not timed) ...\n`);
    await loadPeople(b, people, seed);
  }
  await b.db.exec("ANALYZE persons; ANALYZE person_documents");
  const { csv, mix } = await buildList(b.db, rows, seed);
  const runs: AssistRun[] = [];
  let counts: Record<string, number> = {};
  let lastId = "";
  const rss = rssSampler();
  for (let i = 0; i < repeat; i++) {
    await b.db.exec("CHECKPOINT");
    const copySeconds = await timeCopy(b.url, csv);
    await b.db.exec("CHECKPOINT");
    const phases: Record<string, number> = {};
    const t0 = performance.now();
    const r = await importAssistList(
      b.db,
      systemContext(new Date()),
      {
        name: `宁夏协查名单（基准 ${i + 1}）`,
        source: "bench",
        regionCode: JURISDICTION,
        fileName: "bench.csv",
        bytes: csv,
      },
      (p, ms) => {
        phases[p] = ms / 1000;
      },
    );
    const seconds = (performance.now() - t0) / 1000;
    const { overdue: _overdue, ...c } = r.list.counts;
    counts = c;
    lastId = r.list.id;
    runs.push({
      copySeconds,
      seconds,
      phases,
      matchSeconds: phases.store_match!,
      ratio: seconds / copySeconds,
    });
    process.stderr.write(
      `run ${i + 1}: COPY ${copySeconds.toFixed(2)} s, import ${seconds.toFixed(2)} s ${JSON.stringify(phases)}\n`,
    );
  }
  const mem = rss.stop();
  const late = systemContext(new Date(Date.now() + 2 * 86_400_000));
  const reads = {
    list: await median5(() => getAssistList(b.db, late, lastId)),
    lists: await median5(() => listAssistLists(b.db, late, JURISDICTION)),
    rowsFirstPage: await median5(() => listAssistRows(b.db, late, lastId, { page: 1, pageSize: 20 })),
    rowsAmbiguous: await median5(() =>
      listAssistRows(b.db, late, lastId, { state: "ambiguous", page: 1, pageSize: 20 }),
    ),
    overdueView: await median5(() => overdueByRegion(b.db, late, JURISDICTION)),
  };
  process.stderr.write(`reads (ms): ${JSON.stringify(reads)}\n`);
  return {
    people: await countPeople(b.db),
    rows,
    mix,
    fileBytes: csv.length,
    runs,
    peakRssBytes: mem.sampledPeakBytes,
    maxRssBytes: mem.maxRssBytes,
    counts,
    reads,
    server: await serverFacts(b.db),
  };
}

export function printAssist(r: AssistBenchResult): string {
  const f = (x: number | undefined) => `${(x ?? Number.NaN).toFixed(2)} s`;
  const lines = [
    `assist list: ${r.rows} rows (${(r.fileBytes / 1e6).toFixed(1)} MB CSV) against ${r.people} registered people; mix ${JSON.stringify(r.mix)}`,
  ];
  r.runs.forEach((x, i) => {
    const p = x.phases;
    lines.push(
      `run ${i + 1}: plain COPY of the rows ${f(x.copySeconds)}; import ${f(x.seconds)} (read ${f(p.read)}, check ${f(p.check)},` +
        ` store + match + dispatch ${f(p.store_match)}, count + audit + commit ${f(p.commit)}); import / COPY ${x.ratio.toFixed(0)}×`,
    );
  });
  lines.push(
    `match + dispatch target ≤ 10 s; outcome: ${JSON.stringify(r.counts)}`,
    `peak RSS over the runs: sampled ${mib(r.peakRssBytes)}, kernel maxrss ${mib(r.maxRssBytes)}`,
    `reading the last list after its deadline, median of 5 (ms): ${Object.entries(r.reads)
      .map(([k, v]) => `${k} ${v.toFixed(0)}`)
      .join(", ")}`,
  );
  return lines.join("\n");
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      people: { type: "string", default: "1000000" },
      rows: { type: "string", default: "100000" },
      seed: { type: "string", default: "7" },
      repeat: { type: "string", default: "3" },
    },
  });
  const b = await createBenchDb("assist");
  try {
    const r = await benchAssist(
      b,
      Number(values.people),
      Number(values.rows),
      Number(values.seed),
      Number(values.repeat),
    );
    console.log(printAssist(r));
    console.log(JSON.stringify(r));
  } finally {
    await b.drop();
  }
}
