/**
 * Search of the people registry through the real service (listPersons → searchPersons), by ID-number
 * suffix, name prefix, pinyin initials and phone, against the same number of primary-key lookups in
 * the same run: p50/p95/p99 of each kind over terms drawn at random from the data.
 *
 *   node bench/search-people.ts [--count 1000000] [--queries 200]
 *
 * Needs a PostgreSQL server (BENCH_PG_URL); imports the synthetic population through the import service
 * first (not timed). bench/run.ts runs it on the database the import benchmark filled.
 */
import { parseArgs } from "node:util";
import type { Db } from "../packages/server/src/db/db.ts";
import { type RequestContext, systemContext } from "../packages/server/src/http/context.ts";
import { fileSource, importPeople } from "../packages/server/src/people/person-import.ts";
import { findPerson } from "../packages/server/src/people/person.repository.ts";
import { listPersons } from "../packages/server/src/people/person.service.ts";
import { createBenchDb, percentile } from "./lib/bench-db.ts";
import { populationFiles } from "./lib/population.ts";

interface Sample {
  id: string;
  name: string;
  initials: string;
  doc: string;
  phone: string;
}

export interface Latency {
  kind: string;
  scope: string;
  queries: number;
  p50: number;
  p95: number;
  p99: number;
  /** Mean rows on the first page, to show what the query found. */
  rows: number;
  ratioP95: number;
}

const KINDS: { kind: string; term: (s: Sample) => string }[] = [
  { kind: "ID number, last 4", term: (s) => s.doc.slice(-4) },
  { kind: "ID number, last 6", term: (s) => s.doc.slice(-6) },
  { kind: "name prefix (2 characters)", term: (s) => [...s.name].slice(0, 2).join("") },
  { kind: "pinyin initials", term: (s) => s.initials },
  { kind: "phone, full", term: (s) => s.phone },
  { kind: "phone, last 4", term: (s) => s.phone.slice(-4) },
];

/** A small deterministic generator: the same terms in every run. */
function shuffled<T>(xs: readonly T[], seed: number): T[] {
  const out = [...xs];
  let s = seed >>> 0;
  for (let i = out.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

async function time(fn: () => Promise<number>): Promise<{ ms: number; rows: number }> {
  const t0 = performance.now();
  const rows = await fn();
  return { ms: performance.now() - t0, rows };
}

function stats(
  kind: string,
  scope: string,
  runs: { ms: number; rows: number }[],
  baselineP95: number,
): Latency {
  const ms = runs.map((r) => r.ms).sort((a, b) => a - b);
  const p95 = percentile(ms, 95);
  return {
    kind,
    scope,
    queries: runs.length,
    p50: percentile(ms, 50),
    p95,
    p99: percentile(ms, 99),
    rows: runs.reduce((a, r) => a + r.rows, 0) / runs.length,
    ratioP95: baselineP95 > 0 ? p95 / baselineP95 : Number.NaN,
  };
}

export async function benchSearch(db: Db, queries = 200): Promise<Latency[]> {
  // A settled table, as autovacuum leaves it some minutes after a bulk import.
  await db.exec("VACUUM ANALYZE persons");
  const scopes: { scope: string; ctx: RequestContext; where: string }[] = [
    { scope: "whole country (administrator)", ctx: systemContext(new Date()), where: "TRUE" },
    {
      scope: "one district, 640104 (grid worker)",
      ctx: {
        ...systemContext(new Date()),
        actor: {
          userId: "00000000-0000-0000-0000-000000000001",
          username: "bench",
          displayName: "bench",
          role: "grid_worker",
          jurisdiction: "640104",
          personId: null,
        },
      },
      where: "current_region_code LIKE '640104%'",
    },
  ];
  const results: Latency[] = [];
  for (const { scope, ctx, where } of scopes) {
    const sample = (
      await db.query<Sample>(
        `SELECT id, name, name_initials AS initials, document_number AS doc, phone FROM persons TABLESAMPLE BERNOULLI (1) REPEATABLE (7)
         WHERE ${where} LIMIT ${queries * 5}`,
      )
    ).rows;
    if (sample.length === 0) continue;
    const pick = (seed: number) =>
      Array.from({ length: queries }, (_, i) => shuffled(sample, seed)[i % sample.length]!);
    // Warm the caches a little, as a running server's are.
    for (const s of pick(1).slice(0, 20)) {
      await findPerson(db, s.id);
      for (const k of KINDS) await listPersons(db, ctx, { q: k.term(s), page: 1, pageSize: 20 });
    }
    const pk: { ms: number; rows: number }[] = [];
    for (const s of pick(2)) pk.push(await time(async () => ((await findPerson(db, s.id)) ? 1 : 0)));
    const baseline = stats("primary key (baseline)", scope, pk, 0);
    results.push({ ...baseline, ratioP95: 1 });
    for (const [i, k] of KINDS.entries()) {
      const runs: { ms: number; rows: number }[] = [];
      for (const s of pick(3 + i)) {
        runs.push(
          await time(
            async () => (await listPersons(db, ctx, { q: k.term(s), page: 1, pageSize: 20 })).items.length,
          ),
        );
      }
      results.push(stats(k.kind, scope, runs, baseline.p95));
    }
  }
  return results;
}

export function printSearch(rs: readonly Latency[]): string {
  const f = (n: number) => n.toFixed(2);
  const lines = [
    "| scope | search | queries | p50 ms | p95 ms | p99 ms | rows on page 1 | p95 / PK p95 |",
    "|---|---|---|---|---|---|---|---|",
  ];
  for (const r of rs) {
    lines.push(
      `| ${r.scope} | ${r.kind} | ${r.queries} | ${f(r.p50)} | ${f(r.p95)} | ${f(r.p99)} | ${r.rows.toFixed(1)} | ${r.ratioP95.toFixed(1)} |`,
    );
  }
  return lines.join("\n");
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      count: { type: "string", default: "1000000" },
      queries: { type: "string", default: "200" },
      seed: { type: "string", default: "7" },
    },
  });
  const b = await createBenchDb("search");
  try {
    const files = populationFiles(b.url, Number(values.count), Number(values.seed));
    process.stderr.write(`importing ${files.count} people (not timed) ...\n`);
    await importPeople(b.db, systemContext(new Date()), fileSource(files.importCsv));
    const rs = await benchSearch(b.db, Number(values.queries));
    console.log(printSearch(rs));
    console.log(JSON.stringify(rs));
  } finally {
    await b.drop();
  }
}
