import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";

export interface PopulationFiles {
  importCsv: string;
  copyCsv: string;
  count: number;
}

/**
 * The synthetic population's two CSV files (see generate-people.ts), made once per count and seed in a
 * child process and kept in the temp folder for the next run. Not timed.
 */
export function populationFiles(url: string, count: number, seed: number): PopulationFiles {
  const dir = join(tmpdir(), "cordon-bench");
  mkdirSync(dir, { recursive: true });
  const base = join(dir, `people-${count}-${seed}`);
  const files = { importCsv: `${base}.import.csv`, copyCsv: `${base}.copy.csv`, count };
  if (existsSync(files.importCsv) && existsSync(files.copyCsv) && statSync(files.copyCsv).size > 0)
    return files;
  const t0 = Date.now();
  process.stderr.write(`generating ${count} synthetic people into ${dir} ...\n`);
  const r = spawnSync(
    process.execPath,
    [
      join(import.meta.dirname, "..", "generate-people.ts"),
      "--url",
      url,
      "--count",
      String(count),
      "--seed",
      String(seed),
      "--out",
      base,
    ],
    { stdio: ["ignore", "inherit", "inherit"] },
  );
  if (r.status !== 0) throw new Error(`generate-people failed (${r.status ?? r.signal})`);
  process.stderr.write(`generated in ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
  return files;
}
