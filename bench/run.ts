/**
 * All benchmarks on one database: import 1,000,000 synthetic people (against a plain COPY of the same
 * rows), then search them, then classify 100,000 arrivals of them (against a plain COPY of the stored
 * rows), then import a 100,000-row assist list and match it against them (against a plain COPY of
 * the list's rows), then record 200,000 quarantine health reports through the HTTP API (against a plain
 * COPY of the stored rows), then place 100,000 people across 500 quarantine sites and list every site's
 * day (against a plain COPY of the placement rows), then a screening round of the registry's people (bulk
 * sampling records and lab results to the recall lists, against a plain COPY of the stored rows), then case
 * investigation over 200,000 cases and 2,000,000 exposures (classify a new case's contacts, recompute the
 * chains, open the largest cluster's graph), then verify 20,000 signed health codes offline in headless Chromium on one
 * core (against a bare WebCrypto verify loop on the same signatures), then co-presence for a case with 20 visits over a
 * 100,000,000-row venue scan log kept in its own database (against a plain SELECT of the 20 index ranges). Then check-in at the
 * peak through the real server process (single scans against a bare Node HTTP server answering the same request,
 * batched uploads, a kill -9 under load). Prints the figures as the tables of docs/benchmarks.md, and the raw results
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
import { benchQuarantineReports, printQuarantineReports } from "./quarantine-reports.ts";
import { benchSchedules, printSchedules } from "./quarantine-schedules.ts";
import { benchNatRound, printNatRound } from "./nat-round.ts";
import { benchTracingChains, printTracingChains } from "./tracing-chains.ts";
import { benchCoPresence, printCoPresence } from "./co-presence.ts";
import { benchCodeVerify, printCodeVerify } from "./code-verify.ts";
import { benchCheckin, printCheckin } from "./checkin.ts";

const { values } = parseArgs({
  options: {
    count: { type: "string", default: "1000000" },
    queries: { type: "string", default: "200" },
    "batch-size": { type: "string", default: "10000" },
    seed: { type: "string", default: "7" },
    arrivals: { type: "string", default: "100000" },
    "assist-rows": { type: "string", default: "100000" },
    "health-reports": { type: "string", default: "200000" },
    "quarantine-people": { type: "string", default: "100000" },
    // The screening round samples people of the registry imported above: at most --count.
    "nat-people": { type: "string", default: "1000000" },
    "tracing-cases": { type: "string", default: "200000" },
    "tracing-exposures": { type: "string", default: "2000000" },
    // Co-presence over its own kept scan log (cordon_bench_scans_<rows>, generated once, about 20 GB).
    "scan-rows": { type: "string", default: "100000000" },
    // Offline verification of signed health codes (no database): headless Chromium on one core.
    "verify-codes": { type: "string", default: "20000" },
    // Check-in at the peak (issue 7 a, d): seconds per load phase, through the real server process.
    "checkin-seconds": { type: "string", default: "15" },
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
  const healthReports = await benchQuarantineReports(b, {
    reports: Number(values["health-reports"]),
    placements: 10_000,
    sites: 20,
    batch: 500,
    clients: 4,
    seed: 13,
  });
  const schedules = await benchSchedules(b, Number(values["quarantine-people"]), 500, 13);
  const natRound = await benchNatRound(b, Number(values["nat-people"]), Number(values.seed));
  // Case investigation over the same registry: 200,000 cases and 2,000,000 exposures (COPYed, not timed).
  const tracingChains = await benchTracingChains(b, {
    people: Number(values.count),
    cases: Number(values["tracing-cases"]),
    exposures: Number(values["tracing-exposures"]),
    seed: Number(values.seed),
  });
  const codeVerify = await benchCodeVerify({
    codes: Number(values["verify-codes"]),
    batch: 1000,
    runs: 5,
    seed: Number(values.seed),
  });
  // Co-presence (issue 7 b): a case with 20 visits over the scan log, in its own kept database.
  const coPresence = await benchCoPresence({ rows: Number(values["scan-rows"]), cases: 10, runs: 5 });
  // Check-in (issue 7 a, d) on a database of its own: gate uploads through `cordon serve`, a kill -9 under load.
  const checkinDb = await createBenchDb("checkin");
  const checkin = await benchCheckin(checkinDb, {
    seconds: Number(values["checkin-seconds"]),
    connections: [50, 100],
    rounds: 3,
    batch: 500,
    batchConnections: 8,
    devices: 2000,
    people: 20000,
  }).finally(() => checkinDb.drop());
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? "CPU"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, PostgreSQL ${imp.server.version}`;
  console.log(`machine: ${machine}\nserver settings: ${JSON.stringify(imp.server)}\n`);
  console.log(printImport(imp));
  console.log();
  console.log(printSearch(search));
  console.log();
  console.log(printClassify(arrivals));
  console.log();
  console.log(printAssist(assist));
  console.log();
  console.log(printQuarantineReports(healthReports));
  console.log();
  console.log(printSchedules(schedules));
  console.log();
  console.log(printNatRound(natRound));
  console.log();
  console.log(printTracingChains(tracingChains));
  if (coPresence) {
    console.log();
    console.log(printCoPresence(coPresence));
  }
  console.log();
  console.log(printCodeVerify(codeVerify));
  console.log();
  console.log(printCheckin(checkin));
  console.log(
    JSON.stringify({
      machine,
      import: imp,
      search,
      arrivals,
      assist,
      healthReports,
      schedules,
      natRound,
      tracingChains,
      codeVerify,
      coPresence,
      checkin,
    }),
  );
} finally {
  await b.drop();
}
