/**
 * Import of people from a CSV through the real import service (full validation, region and
 * jurisdiction checks, duplicate checks, persons + person_documents), against a plain COPY of the same
 * rows into a table with the same indexes as persons, measured in the same run on the same server.
 *
 *   node bench/import-people.ts [--count 1000000] [--batch-size 10000] [--seed 7]
 *
 * Needs a PostgreSQL server (BENCH_PG_URL, default postgres://postgres@127.0.0.1:55432/postgres); the
 * benchmark creates its own database and drops it.
 */
import { parseArgs } from "node:util";
import type { Db } from "../packages/server/src/db/db.ts";
import { systemContext } from "../packages/server/src/http/context.ts";
import { fileSource, importPeople, type ImportSummary } from "../packages/server/src/people/person-import.ts";
import { type BenchDb, createBenchDb, mib, rssSampler, serverFacts, timeCopyIn } from "./lib/bench-db.ts";
import { type PopulationFiles, populationFiles } from "./lib/population.ts";

export interface ImportBenchResult {
  rows: number;
  batchSize: number;
  copy: { seconds: number; rowsPerSecond: number };
  import: ImportSummary & { peakRssBytes: number; maxRssBytes: number };
  ratio: number;
  reimport?: { seconds: number; rowsPerSecond: number; unchanged: number };
  server: Record<string, string>;
}

/** A table like persons with every column as text and the same indexes, for the plain-COPY baseline. */
async function createBaselineTable(db: Db): Promise<void> {
  const cols = (
    await db.query<{ column_name: string; collation_name: string | null }>(
      `SELECT column_name, collation_name FROM information_schema.columns WHERE table_name = 'persons' ORDER BY ordinal_position`,
    )
  ).rows;
  await db.exec(
    `DROP TABLE IF EXISTS bench_copy; CREATE TABLE bench_copy (${cols
      .map((c) => `${c.column_name} text${c.collation_name === "C" ? ' COLLATE "C"' : ""}`)
      .join(", ")})`,
  );
  const indexes = (
    await db.query<{ indexdef: string }>("SELECT indexdef FROM pg_indexes WHERE tablename = 'persons'")
  ).rows;
  for (const { indexdef } of indexes) {
    await db.exec(indexdef.replace(/INDEX (\w+) ON public\.persons/, "INDEX bench_$1 ON public.bench_copy"));
  }
}

export async function benchImport(
  b: BenchDb,
  files: PopulationFiles,
  batchSize: number,
  reimport = true,
): Promise<ImportBenchResult> {
  await createBaselineTable(b.db);
  await b.db.exec("CHECKPOINT");
  const copySeconds = await timeCopyIn(b.url, "COPY bench_copy FROM STDIN WITH (FORMAT csv)", files.copyCsv);
  const indexCount = (
    await b.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_indexes WHERE tablename = 'bench_copy'",
    )
  ).rows[0]!.n;
  process.stderr.write(`COPY baseline (${indexCount} indexes): ${copySeconds.toFixed(1)} s\n`);
  await b.db.exec("DROP TABLE bench_copy; CHECKPOINT");

  const ctx = systemContext(new Date());
  const rss = rssSampler();
  let last = 0;
  const summary = await importPeople(b.db, ctx, fileSource(files.importCsv), {
    batchSize,
    onProgress: (p) => {
      if (Date.now() - last > 10_000) {
        last = Date.now();
        process.stderr.write(`  import: ${p.read} rows, rss ${mib(process.memoryUsage().rss)}\n`);
      }
    },
  });
  const mem = rss.stop();
  process.stderr.write(
    `import: ${summary.seconds.toFixed(1)} s, written ${summary.written}, rejected ${summary.rejected}\n`,
  );
  const result: ImportBenchResult = {
    rows: files.count,
    batchSize,
    copy: { seconds: copySeconds, rowsPerSecond: files.count / copySeconds },
    import: { ...summary, peakRssBytes: mem.sampledPeakBytes, maxRssBytes: mem.maxRssBytes },
    ratio: summary.rowsPerSecond / (files.count / copySeconds),
    server: await serverFacts(b.db),
  };
  if (reimport) {
    await b.db.exec("CHECKPOINT");
    const again = await importPeople(b.db, ctx, fileSource(files.importCsv), { batchSize });
    result.reimport = {
      seconds: again.seconds,
      rowsPerSecond: again.rowsPerSecond,
      unchanged: again.unchanged,
    };
  }
  return result;
}

export function printImport(r: ImportBenchResult): string {
  const lines = [
    `rows: ${r.rows}, batch size ${r.batchSize}`,
    `plain COPY (text columns, persons' indexes): ${r.copy.seconds.toFixed(1)} s, ${Math.round(r.copy.rowsPerSecond)} rows/s`,
    `import service (validated, persons + person_documents): ${r.import.seconds.toFixed(1)} s, ${Math.round(r.import.rowsPerSecond)} rows/s` +
      ` (written ${r.import.written}, unchanged ${r.import.unchanged}, rejected ${r.import.rejected})`,
    `ratio import/COPY: ${r.ratio.toFixed(2)} (target ≥ 0.5)`,
    `peak RSS: sampled ${mib(r.import.peakRssBytes)}, kernel maxrss ${mib(r.import.maxRssBytes)} (target < 1024 MiB)`,
  ];
  if (r.reimport) {
    lines.push(
      `re-import of the same file: ${r.reimport.seconds.toFixed(1)} s, ${Math.round(r.reimport.rowsPerSecond)} rows/s, unchanged ${r.reimport.unchanged}`,
    );
  }
  return lines.join("\n");
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      count: { type: "string", default: "1000000" },
      "batch-size": { type: "string", default: "10000" },
      seed: { type: "string", default: "7" },
      "no-reimport": { type: "boolean", default: false },
    },
  });
  const b = await createBenchDb("import");
  try {
    const files = populationFiles(b.url, Number(values.count), Number(values.seed));
    const r = await benchImport(b, files, Number(values["batch-size"]), !values["no-reimport"]);
    console.log(printImport(r));
    console.log(JSON.stringify(r));
  } finally {
    await b.drop();
  }
}
