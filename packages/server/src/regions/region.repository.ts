import { type RegionLevel, subtreePrefix } from "@cordon/domain/regions/region-code";
import type { Queryable } from "../db/db.ts";

export interface RegionRow {
  code: string;
  parentCode: string | null;
  level: RegionLevel;
  name: string;
  population: number | null;
  populationSource: "census2020" | "estimate" | null;
  populationNote: string | null;
  source: string;
}

const columns = (
  a: string,
) => `${a}.code, ${a}.parent_code AS "parentCode", ${a}.level, ${a}.name, ${a}.population,
  ${a}.population_source AS "populationSource", ${a}.population_note AS "populationNote", ${a}.source`;
const COLUMNS = columns("regions");

export async function findRegion(q: Queryable, code: string): Promise<RegionRow | null> {
  return (await q.query<RegionRow>(`SELECT ${COLUMNS} FROM regions WHERE code = $1`, [code])).rows[0] ?? null;
}

export async function findRegions(q: Queryable, codes: readonly string[]): Promise<RegionRow[]> {
  if (codes.length === 0) return [];
  return (await q.query<RegionRow>(`SELECT ${COLUMNS} FROM regions WHERE code = ANY($1::text[])`, [codes]))
    .rows;
}

export interface RegionChildRow extends RegionRow {
  childCount: number;
  /** Registered people under this child; null when not counted (too many children to count each). */
  personCount: number | null;
}

/** Children of a region, with how many children each has and how many registered people live there. */
export async function childRegions(
  q: Queryable,
  parentCode: string,
  personCounts: boolean,
): Promise<RegionChildRow[]> {
  const rows = (
    await q.query<RegionChildRow>(
      `SELECT ${columns("r")},
         (SELECT count(*)::int FROM regions c WHERE c.parent_code = r.code) AS "childCount", NULL::int AS "personCount"
       FROM regions r WHERE r.parent_code = $1 ORDER BY r.code`,
      [parentCode],
    )
  ).rows;
  if (personCounts && rows.length > 0 && rows.length <= 200) {
    // One pass over the parent's people, grouped by the children's code prefix (all children of a region
    // are of one level, so their prefixes have one length), instead of one count per child.
    const prefixes = new Map(rows.map((r) => [subtreePrefix(r.code), r]));
    const lengths = new Set([...prefixes.keys()].map((k) => k.length));
    if (lengths.size === 1) {
      const len = [...lengths][0]!;
      for (const r of rows) r.personCount = 0;
      const counts = await q.query<{ k: string; n: number }>(
        `SELECT left(current_region_code, ${len}) AS k, count(*)::int AS n FROM persons
         WHERE current_region_code LIKE $1 GROUP BY 1`,
        [`${subtreePrefix(parentCode)}%`],
      );
      for (const c of counts.rows) {
        const child = prefixes.get(c.k);
        if (child) child.personCount = c.n;
      }
    } else {
      for (const r of rows) r.personCount = await countPersonsUnder(q, r.code);
    }
  }
  return rows;
}

export async function countPersonsUnder(q: Queryable, code: string): Promise<number> {
  const prefix = subtreePrefix(code);
  return (
    await q.query<{ n: number }>("SELECT count(*)::int AS n FROM persons WHERE current_region_code LIKE $1", [
      `${prefix}%`,
    ])
  ).rows[0]!.n;
}

export async function ancestors(q: Queryable, code: string): Promise<RegionRow[]> {
  return (
    await q.query<RegionRow>(
      `WITH RECURSIVE up AS (
         SELECT ${COLUMNS}, 0 AS depth FROM regions WHERE code = $1
         UNION ALL
         SELECT r.code, r.parent_code, r.level, r.name, r.population, r.population_source, r.population_note, r.source, up.depth + 1
         FROM regions r JOIN up ON r.code = up."parentCode")
       SELECT code, "parentCode", level, name, population, "populationSource", "populationNote", source FROM up ORDER BY depth DESC`,
      [code],
    )
  ).rows;
}

export async function searchRegions(
  q: Queryable,
  prefix: string,
  term: string,
  limit: number,
): Promise<RegionRow[]> {
  return (
    await q.query<RegionRow>(
      `SELECT ${COLUMNS} FROM regions WHERE code LIKE $1 AND (name LIKE $2 OR code LIKE $3) ORDER BY length(code), code LIMIT $4`,
      [`${prefix}%`, `%${term}%`, `${term}%`, limit],
    )
  ).rows;
}

export interface ResponsibleRow {
  id: string;
  regionCode: string;
  name: string;
  title: string;
  phone: string;
  createdAt: Date;
}

export async function responsiblesOf(q: Queryable, regionCode: string): Promise<ResponsibleRow[]> {
  return (
    await q.query<ResponsibleRow>(
      `SELECT id, region_code AS "regionCode", name, title, phone, created_at AS "createdAt"
       FROM region_responsibles WHERE region_code = $1 ORDER BY created_at`,
      [regionCode],
    )
  ).rows;
}

export async function insertResponsible(q: Queryable, r: ResponsibleRow): Promise<void> {
  await q.query(
    "INSERT INTO region_responsibles (id, region_code, name, title, phone, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
    [r.id, r.regionCode, r.name, r.title, r.phone, r.createdAt],
  );
}

export async function deleteResponsible(q: Queryable, id: string): Promise<ResponsibleRow | null> {
  return (
    (
      await q.query<ResponsibleRow>(
        `DELETE FROM region_responsibles WHERE id = $1
         RETURNING id, region_code AS "regionCode", name, title, phone, created_at AS "createdAt"`,
        [id],
      )
    ).rows[0] ?? null
  );
}

export async function insertRegion(q: Queryable, r: RegionRow): Promise<void> {
  await q.query(
    `INSERT INTO regions (code, parent_code, level, name, population, population_source, population_note, source)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [r.code, r.parentCode, r.level, r.name, r.population, r.populationSource, r.populationNote, r.source],
  );
}
