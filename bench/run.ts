/**
 * All benchmarks on one database: import 1,000,000 synthetic people (against a plain COPY of the same
 * rows), then search them, then classify 100,000 arrivals of them (against a plain COPY of the stored
 * rows), then import a 100,000-row assist list and match it against them (against a plain COPY of
 * the list's rows). Prints the figures as the tables of docs/benchmarks.md, and the raw results
 * as JSON on the last line.
 *
 *   npm run bench        # or: node bench/run.ts [--count 1000000] [--queries 200] [--batch-size 10000]
 *
 * Needs a PostgreSQL server: BENCH_PG_URL (default postgres://postgres@127.0.0.1:55432/postgres). A
 * database cordon_bench_run_<pid> is created and dropped; the generated CSV files are kept in the temp
 * folder (cordon-bench/) for the next run.
 */
import { cpus, totalmem } from "node:os";
import { parseArgs } from "node:util";
import { createBenchDb } from "./lib/bench-db.ts";
import { populationFiles } from "./lib/population.ts";
import { benchImport, printImport } from "./import-people.ts";
import { benchSearch, printSearch } from "./search-people.ts";
import { benchClassify, printClassify } from "./classify-arrivals.ts";
import { benchAssist, printAssist } from "./assist-lists.ts";

const { values } = parseArgs({
  options: {
    count: { type: "string", default: "1000000" },
    queries: { type: "string", default: "200" },
    "batch-size": { type: "string", default: "10000" },
    seed: { type: "string", default: "7" },
    arrivals: { type: "string", default: "100000" },
    "assist-rows": { type: "string", default: "100000" },
  },
});

const b = await createBenchDb("run");
try {
  const files = populationFiles(b.url, Number(values.count), Number(values.seed));
  const imp = await benchImport(b, files, Number(values["batch-size"]));
  const search = await benchSearch(b.db, Number(values.queries));
  const arrivals = await benchClassify(b, Number(values.arrivals), 11);
  const assist = await benchAssist(
    b,
    Number(values.count),
    Number(values["assist-rows"]),
    Number(values.seed),
  );
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? "CPU"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, PostgreSQL ${imp.server.version}`;
  console.log(`machine: ${machine}\nserver settings: ${JSON.stringify(imp.server)}\n`);
  console.log(printImport(imp));
  console.log();
  console.log(printSearch(search));
  console.log();
  console.log(printClassify(arrivals));
  console.log();
  console.log(printAssist(assist));
  console.log(JSON.stringify({ machine, import: imp, search, arrivals, assist }));
} finally {
  await b.drop();
}
