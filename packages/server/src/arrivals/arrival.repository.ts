import type { StepRecord, TaskStatus } from "@cordon/domain/arrivals/control-task";
import type { PersonFacts, Stay } from "@cordon/domain/policies/engine";
import type { StoredDecision } from "@cordon/domain/policies/stored-decision";
import type { Queryable } from "../db/db.ts";

export interface ArrivalRow {
  id: string;
  personId: string;
  originRegionCode: string | null;
  route: string | null;
  arrivalAt: Date;
  destinationRegionCode: string;
  travelHistory: Stay[];
  /** The person's other facts as stated; the travel history is its own column, not repeated here. */
  facts: Omit<PersonFacts, "travelHistory">;
  reportedBy: "grid_worker" | "citizen";
  decision: StoredDecision;
  createdBy: string | null;
  createdAt: Date;
}

export interface TaskRow {
  id: string;
  arrivalId: string;
  personId: string;
  regionCode: string;
  status: TaskStatus;
  dueAt: Date;
  steps: StepRecord[];
  createdAt: Date;
  updatedAt: Date;
  version: number;
}

export async function insertArrival(q: Queryable, a: ArrivalRow): Promise<void> {
  await q.query(
    `INSERT INTO arrivals (id, person_id, origin_region_code, route, arrival_at, destination_region_code,
       travel_history, facts, reported_by, decision, created_by, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
    [
      a.id,
      a.personId,
      a.originRegionCode,
      a.route,
      a.arrivalAt,
      a.destinationRegionCode,
      JSON.stringify(a.travelHistory),
      JSON.stringify(a.facts),
      a.reportedBy,
      JSON.stringify(a.decision),
      a.createdBy,
      a.createdAt,
    ],
  );
}

export async function insertTask(q: Queryable, t: TaskRow): Promise<void> {
  await q.query(
    `INSERT INTO control_tasks (id, arrival_id, person_id, region_code, status, due_at, steps, created_at,
       updated_at, version)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [
      t.id,
      t.arrivalId,
      t.personId,
      t.regionCode,
      t.status,
      t.dueAt,
      JSON.stringify(t.steps),
      t.createdAt,
      t.updatedAt,
      t.version,
    ],
  );
}

const TASK_COLUMNS = `t.id, t.arrival_id AS "arrivalId", t.person_id AS "personId", t.region_code AS "regionCode",
  t.status, t.due_at AS "dueAt", t.steps, t.created_at AS "createdAt", t.updated_at AS "updatedAt", t.version`;

interface RawTask extends Omit<TaskRow, "steps"> {
  steps: { step: StepRecord["step"]; at: string; by: string }[];
}

function taskOf<T extends RawTask>(r: T): Omit<T, "steps"> & { steps: StepRecord[] } {
  return { ...r, steps: r.steps.map((s) => ({ ...s, at: new Date(s.at) })) };
}

export async function findTask(q: Queryable, id: string, forUpdate = false): Promise<TaskRow | null> {
  const r = (
    await q.query<RawTask>(
      `SELECT ${TASK_COLUMNS} FROM control_tasks t WHERE t.id = $1${forUpdate ? " FOR UPDATE" : ""}`,
      [id],
    )
  ).rows[0];
  return r ? taskOf(r) : null;
}

/** Writes the new state if the stored version is still `expectedVersion`; false when someone else changed it first. */
export async function updateTask(
  q: Queryable,
  t: Pick<TaskRow, "id" | "personId" | "status" | "steps" | "updatedAt">,
  expectedVersion: number,
): Promise<boolean> {
  const r = await q.query(
    `UPDATE control_tasks SET status = $3, steps = $4, updated_at = $5, version = version + 1
     WHERE id = $1 AND person_id = $2 AND version = $6`,
    [t.id, t.personId, t.status, JSON.stringify(t.steps), t.updatedAt, expectedVersion],
  );
  return (r.rowCount ?? 0) === 1;
}

export interface TaskListRow extends TaskRow {
  personName: string;
  documentNumber: string;
  decision: StoredDecision;
  arrivalAt: Date;
  regionName: string;
  reportedBy: ArrivalRow["reportedBy"];
  originRegionCode: string | null;
  originRegionName: string | null;
  route: string | null;
}

export interface TaskFilter {
  /** Subtree prefix the task's region must start with ("" = everywhere). */
  regionPrefix: string;
  /** true: due before `now` and not yet under control; false: the others. */
  overdue?: boolean | undefined;
  now: Date;
}

/** Tasks in a subtree with the person's name and document and the arrival's decision, most urgent first. */
export async function listTasks(q: Queryable, f: TaskFilter): Promise<TaskListRow[]> {
  const params: unknown[] = [`${f.regionPrefix}%`];
  let where = `t.region_code LIKE $1`;
  if (f.overdue !== undefined) {
    params.push(f.now);
    const late = `(t.status NOT IN ('control', 'released') AND t.due_at < $${params.length})`;
    where += f.overdue ? ` AND ${late}` : ` AND NOT ${late}`;
  }
  const rows = (
    await q.query<RawTask & Omit<TaskListRow, keyof TaskRow>>(
      `SELECT ${TASK_COLUMNS}, p.name AS "personName", p.document_number AS "documentNumber",
         a.decision, a.arrival_at AS "arrivalAt", r.name AS "regionName", a.reported_by AS "reportedBy",
         a.origin_region_code AS "originRegionCode", o.name AS "originRegionName", a.route
       FROM control_tasks t
       JOIN arrivals a ON a.person_id = t.person_id AND a.id = t.arrival_id
       JOIN persons p ON p.id = t.person_id
       JOIN regions r ON r.code = t.region_code
       LEFT JOIN regions o ON o.code = a.origin_region_code
       WHERE ${where} ORDER BY t.due_at, t.id LIMIT 5000`,
      params,
    )
  ).rows;
  return rows.map(taskOf);
}

export interface RegionCountRow {
  code: string;
  name: string;
  level: string;
  registered: number;
  overdue: number;
  released: number;
}

/** Per child region (by the stored tree): arrivals registered, tasks overdue at `now`, tasks released. */
export async function countsByChild(
  q: Queryable,
  children: readonly { code: string; prefix: string }[],
  now: Date,
): Promise<RegionCountRow[]> {
  if (children.length === 0) return [];
  return (
    await q.query<RegionCountRow>(
      `SELECT c.code, r.name, r.level,
         (SELECT count(*)::int FROM arrivals a WHERE a.destination_region_code LIKE c.prefix || '%') AS registered,
         (SELECT count(*)::int FROM control_tasks t WHERE t.region_code LIKE c.prefix || '%'
            AND t.status NOT IN ('control', 'released') AND t.due_at < $3) AS overdue,
         (SELECT count(*)::int FROM control_tasks t WHERE t.region_code LIKE c.prefix || '%'
            AND t.status = 'released') AS released
       FROM unnest($1::text[], $2::text[]) AS c(code, prefix)
       JOIN regions r ON r.code = c.code
       ORDER BY c.code`,
      [children.map((c) => c.code), children.map((c) => c.prefix), now],
    )
  ).rows;
}

export interface MyArrivalRow {
  id: string;
  arrivalAt: Date;
  destinationRegionCode: string;
  destinationName: string;
  originRegionCode: string | null;
  route: string | null;
  decision: StoredDecision;
  createdAt: Date;
  task: { id: string; status: TaskStatus; dueAt: Date; steps: { step: string; at: Date }[] } | null;
}

/** One person's arrivals, newest first, each with its control task (if any). */
export async function myArrivals(q: Queryable, personId: string): Promise<MyArrivalRow[]> {
  const rows = (
    await q.query<
      Omit<MyArrivalRow, "task"> & {
        taskId: string | null;
        status: TaskStatus | null;
        dueAt: Date | null;
        steps: { step: string; at: string }[] | null;
      }
    >(
      `SELECT a.id, a.arrival_at AS "arrivalAt", a.destination_region_code AS "destinationRegionCode",
         r.name AS "destinationName", a.origin_region_code AS "originRegionCode", a.route, a.decision,
         a.created_at AS "createdAt", t.id AS "taskId", t.status, t.due_at AS "dueAt", t.steps
       FROM arrivals a
       JOIN regions r ON r.code = a.destination_region_code
       LEFT JOIN control_tasks t ON t.person_id = a.person_id AND t.arrival_id = a.id
       WHERE a.person_id = $1
       ORDER BY a.created_at DESC, a.id DESC LIMIT 200`,
      [personId],
    )
  ).rows;
  return rows.map(({ taskId, status, dueAt, steps, ...a }) => ({
    ...a,
    task:
      taskId && status && dueAt
        ? {
            id: taskId,
            status,
            dueAt,
            steps: (steps ?? []).map((s) => ({ step: s.step, at: new Date(s.at) })),
          }
        : null,
  }));
}

/** Display names of the accounts that took steps (step records keep the account id). */
export async function accountNames(q: Queryable, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = (
    await q.query<{ id: string; name: string }>(
      `SELECT id::text AS id, display_name AS name FROM users WHERE id = ANY($1::uuid[])`,
      [[...new Set(ids)]],
    )
  ).rows;
  return new Map(rows.map((r) => [r.id, r.name]));
}
