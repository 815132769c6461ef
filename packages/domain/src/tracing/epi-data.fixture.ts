/**
 * Test support: where the real epidemiological datasets are (/work/shared/data/epi, absent in a fresh
 * clone: tests skip), read with csv-parse as the CLI reads them (a development dependency of the domain
 * package: the domain's own functions take records already split).
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "csv-parse/sync";

export const EPI_DIR = join(import.meta.dirname, "../../../../../shared/data/epi");
/** Ali et al., Science 2020 / Xu et al., Clin Infect Dis 2020: Table S1, 1,407 transmission pairs. */
export const ALI_PAIRS = join(EPI_DIR, "ali2020_xu2020/TableS1_1407TransPairs.csv");
/** Tindale et al., eLife 2020: the Singapore contact edges (`from`, `to`) of the repository's analysis. */
export const SINGAPORE_EDGES = join(EPI_DIR, "tindale2020/sing_edges_eg.csv");

export const epiDataPresent = (...files: string[]) => files.every((f) => existsSync(f));
export const SKIP_REASON = "../shared/data/epi not present (a fresh clone has no shared data)";

export function readCsvFile(path: string): { header: string[]; rows: string[][] } {
  const [header, ...rows] = parse(readFileSync(path, "utf8"), {
    bom: true,
    relax_column_count: true,
    skip_empty_lines: true,
  }) as string[][];
  return { header: header ?? [], rows };
}
