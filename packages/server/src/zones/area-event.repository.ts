import type { AreaEventKind } from "@cordon/domain/zones/transitions";
import type { Queryable } from "../db/db.ts";

export interface AreaEventRow {
  id: string;
  designationId: string;
  kind: AreaEventKind;
  at: Date;
  result: "negative" | "positive" | null;
  note: string | null;
  linkedCase: string | null;
  createdBy: string | null;
  createdAt: Date;
}

const COLUMNS = `e.id, e.designation_id AS "designationId", e.kind, e.at, e.result, e.note,
  e.linked_case AS "linkedCase", e.created_by AS "createdBy", e.created_at AS "createdAt"`;

export async function insertAreaEvent(q: Queryable, e: AreaEventRow): Promise<void> {
  await q.query(
    `INSERT INTO area_events (id, designation_id, kind, at, result, note, linked_case, created_by, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [e.id, e.designationId, e.kind, e.at, e.result, e.note, e.linkedCase, e.createdBy, e.createdAt],
  );
}

/** The events of some designations, oldest first. */
export async function eventsOf(q: Queryable, designationIds: readonly string[]): Promise<AreaEventRow[]> {
  if (designationIds.length === 0) return [];
  return (
    await q.query<AreaEventRow>(
      `SELECT ${COLUMNS} FROM area_events e WHERE e.designation_id = ANY($1::uuid[]) ORDER BY e.at, e.id`,
      [designationIds],
    )
  ).rows;
}

/** The kinds of the designations some designations replaced (previous_id → kind). */
export async function previousKinds(
  q: Queryable,
  previousIds: readonly string[],
): Promise<Map<string, string>> {
  if (previousIds.length === 0) return new Map();
  const rows = (
    await q.query<{ id: string; kind: string }>(
      `SELECT id, kind FROM area_designations WHERE id = ANY($1::uuid[])`,
      [previousIds],
    )
  ).rows;
  return new Map(rows.map((r) => [r.id, r.kind]));
}
