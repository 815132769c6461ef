import type { AreaKind } from "@cordon/domain/zones/area";
import type { Queryable } from "../db/db.ts";

export interface AreaRow {
  id: string;
  regionCode: string;
  placeName: string | null;
  kind: AreaKind;
  from: Date;
  to: Date | null;
  reason: string;
  linkedCase: string | null;
  createdBy: string | null;
  createdAt: Date;
  endedBy: string | null;
  endedAt: Date | null;
  endReason: string | null;
  /** The designation this one replaced when a person confirmed a downgrade. */
  previousId: string | null;
}

const COLUMNS = `a.id, a.region_code AS "regionCode", a.place_name AS "placeName", a.kind,
  a.valid_from AS "from", a.valid_to AS "to", a.reason, a.linked_case AS "linkedCase",
  a.created_by AS "createdBy", a.created_at AS "createdAt", a.ended_by AS "endedBy",
  a.ended_at AS "endedAt", a.end_reason AS "endReason", a.previous_id AS "previousId"`;

export async function insertArea(q: Queryable, r: AreaRow): Promise<void> {
  await q.query(
    `INSERT INTO area_designations (id, region_code, place_name, kind, valid_from, valid_to, reason, linked_case,
       created_by, created_at, ended_by, ended_at, end_reason, previous_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
    [
      r.id,
      r.regionCode,
      r.placeName,
      r.kind,
      r.from,
      r.to,
      r.reason,
      r.linkedCase,
      r.createdBy,
      r.createdAt,
      r.endedBy,
      r.endedAt,
      r.endReason,
      r.previousId,
    ],
  );
}

export async function findArea(q: Queryable, id: string, forUpdate = false): Promise<AreaRow | null> {
  return (
    (
      await q.query<AreaRow>(
        `SELECT ${COLUMNS} FROM area_designations a WHERE a.id = $1${forUpdate ? " FOR UPDATE" : ""}`,
        [id],
      )
    ).rows[0] ?? null
  );
}

export async function endArea(
  q: Queryable,
  id: string,
  end: { at: Date; reason: string; by: string | null; recordedAt: Date },
): Promise<void> {
  await q.query(
    `UPDATE area_designations SET valid_to = $2, end_reason = $3, ended_by = $4, ended_at = $5 WHERE id = $1`,
    [id, end.at, end.reason, end.by, end.recordedAt],
  );
}

export interface AreaFilter {
  at: Date;
  /** Subtree prefix the designation's region must start with ("" = everywhere). */
  regionPrefix: string;
  kind?: AreaKind | undefined;
}

export interface AreaInForceRow extends AreaRow {
  regionName: string;
  regionLevel: string;
}

/** Designations in force at `at` (from ≤ at < to) inside a subtree, ordered by region and start. */
export async function areasInForceAt(q: Queryable, f: AreaFilter): Promise<AreaInForceRow[]> {
  const params: unknown[] = [f.at, `${f.regionPrefix}%`];
  let where = `a.valid_from <= $1 AND (a.valid_to IS NULL OR a.valid_to > $1) AND a.region_code LIKE $2`;
  if (f.kind) {
    params.push(f.kind);
    where += ` AND a.kind = $${params.length}`;
  }
  return (
    await q.query<AreaInForceRow>(
      `SELECT ${COLUMNS}, r.name AS "regionName", r.level AS "regionLevel"
       FROM area_designations a JOIN regions r ON r.code = a.region_code
       WHERE ${where} ORDER BY a.region_code, a.valid_from, a.id LIMIT 5000`,
      params,
    )
  ).rows;
}
