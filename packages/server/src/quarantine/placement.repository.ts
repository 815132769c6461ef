import type { CombinedMeasures, PersonFacts } from "@cordon/domain/policies/engine";
import type { StoredDecision } from "@cordon/domain/policies/stored-decision";
import type { Course, StartFacts } from "@cordon/domain/quarantine/schedule";
import type { RoomState, RoomType } from "@cordon/domain/quarantine/sites";
import { courseFrom, type StoredCourse, storedCourse } from "@cordon/domain/quarantine/stored-course";
import { createHash } from "node:crypto";
import type { Queryable } from "../db/db.ts";

export type PlacementStatus = "placed" | "released" | "ended";
export type SourceKind = "arrival_task" | "contact" | "zone_resident" | "manual";
export type ReleaseKind = "on_schedule" | "early" | "to_hospital" | "upgraded";

export interface PlacementRow {
  id: string;
  personId: string;
  siteId: string;
  roomId: string | null;
  householdKey: string | null;
  sourceKind: SourceKind;
  sourceId: string | null;
  identifiedAt: Date;
  packId: string | null;
  measures: CombinedMeasures;
  startFacts: StartFacts;
  course: Course;
  status: PlacementStatus;
  placedAt: Date;
  plannedEnd: string | null;
  releasedAt: Date | null;
  releaseKind: ReleaseKind | null;
  releaseReason: string | null;
  /** Where an end of kind `to_hospital` sent the person: the designated hospital (a site). */
  endSiteId: string | null;
  /** The placement an upgrade (secondary → close contact) started for the same person. */
  nextPlacementId: string | null;
  certificateId: string | null;
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
  version: number;
}

export const PLACEMENT_COLUMNS = [
  "id",
  "person_id",
  "site_id",
  "room_id",
  "household_key",
  "source_kind",
  "source_id",
  "identified_at",
  "pack_id",
  "start_facts",
  "course_id",
  "status",
  "placed_at",
  "planned_end",
  "released_at",
  "release_kind",
  "release_reason",
  "end_site_id",
  "next_placement_id",
  "certificate_id",
  "created_by",
  "created_at",
  "updated_at",
  "version",
] as const;

/**
 * A course as stored in `quarantine_courses`: its JSON text (`storedCourse`: with its measures, without
 * the placement's facts) and its id, the first 32 hex digits of the text's SHA-256 — the same as the SQL
 * `left(encode(sha256(convert_to(course::text, 'UTF8')), 'hex'), 32)` of the stored text.
 */
export interface CourseRecord {
  id: string;
  text: string;
}

export const courseId = (text: string): string =>
  createHash("sha256").update(text, "utf8").digest("hex").slice(0, 32);

export function courseRecord(course: Course): CourseRecord {
  const text = JSON.stringify(storedCourse(course));
  return { id: courseId(text), text };
}

/** Stores courses not stored yet (a course row never changes: same text, same id). */
export async function insertCourses(
  q: Queryable,
  courses: readonly CourseRecord[],
  now: Date,
): Promise<void> {
  if (!courses.length) return;
  await q.query(
    `INSERT INTO quarantine_courses (id, course, created_at)
     SELECT k.id, k.course, $3 FROM unnest($1::text[], $2::json[]) AS k(id, course)
     ON CONFLICT (id) DO NOTHING`,
    [courses.map((c) => c.id), courses.map((c) => c.text), now],
  );
}

/** The placement's course must start from its own facts and follow its measures (neither is stored twice). */
function storable(p: PlacementRow): CourseRecord {
  if (
    JSON.stringify(p.course.facts) !== JSON.stringify(p.startFacts) ||
    JSON.stringify(p.course.measures) !== JSON.stringify(p.measures)
  )
    throw new Error(`placement ${p.id}: the course's facts or measures differ from the placement's`);
  return courseRecord(p.course);
}

type StoredPlacementRow = Omit<PlacementRow, "course" | "measures"> & { storedCourse: StoredCourse };

const withCourse = ({ storedCourse: stored, ...r }: StoredPlacementRow): PlacementRow => ({
  ...r,
  measures: stored.measures,
  course: courseFrom(stored, r.startFacts),
});

const SELECT = `q.id, q.person_id AS "personId", q.site_id AS "siteId", q.room_id AS "roomId",
  q.household_key AS "householdKey", q.source_kind AS "sourceKind", q.source_id AS "sourceId",
  q.identified_at AS "identifiedAt", q.pack_id AS "packId", q.start_facts AS "startFacts",
  (SELECT c.course FROM quarantine_courses c WHERE c.id = q.course_id) AS "storedCourse",
  q.status, q.placed_at AS "placedAt", q.planned_end::text AS "plannedEnd", q.released_at AS "releasedAt",
  q.release_kind AS "releaseKind", q.release_reason AS "releaseReason", q.end_site_id AS "endSiteId",
  q.next_placement_id AS "nextPlacementId", q.certificate_id AS "certificateId",
  q.created_by AS "createdBy", q.created_at AS "createdAt", q.updated_at AS "updatedAt", q.version`;

export async function insertPlacement(q: Queryable, p: PlacementRow): Promise<void> {
  const course = storable(p);
  await insertCourses(q, [course], p.createdAt);
  await q.query(
    `INSERT INTO quarantine_placements (${PLACEMENT_COLUMNS.join(", ")})
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24)`,
    [
      p.id,
      p.personId,
      p.siteId,
      p.roomId,
      p.householdKey,
      p.sourceKind,
      p.sourceId,
      p.identifiedAt,
      p.packId,
      JSON.stringify(p.startFacts),
      course.id,
      p.status,
      p.placedAt,
      p.plannedEnd,
      p.releasedAt,
      p.releaseKind,
      p.releaseReason,
      p.endSiteId,
      p.nextPlacementId,
      p.certificateId,
      p.createdBy,
      p.createdAt,
      p.updatedAt,
      p.version,
    ],
  );
}

export async function findPlacement(
  q: Queryable,
  id: string,
  forUpdate = false,
): Promise<PlacementRow | null> {
  const row = (
    await q.query<StoredPlacementRow>(
      `SELECT ${SELECT} FROM quarantine_placements q WHERE q.id = $1${forUpdate ? " FOR UPDATE OF q" : ""}`,
      [id],
    )
  ).rows[0];
  return row ? withCourse(row) : null;
}

/** Writes a placement's changing fields (course, dates, release) and bumps its version; a new course is stored. */
export async function updatePlacement(q: Queryable, p: PlacementRow): Promise<void> {
  const course = storable(p);
  await insertCourses(q, [course], p.updatedAt);
  await q.query(
    `UPDATE quarantine_placements SET start_facts = $3, course_id = $4, status = $5, planned_end = $6,
       released_at = $7, release_kind = $8, release_reason = $9, certificate_id = $10, updated_at = $11,
       end_site_id = $12, next_placement_id = $13, version = version + 1
     WHERE person_id = $1 AND id = $2`,
    [
      p.personId,
      p.id,
      JSON.stringify(p.startFacts),
      course.id,
      p.status,
      p.plannedEnd,
      p.releasedAt,
      p.releaseKind,
      p.releaseReason,
      p.certificateId,
      p.updatedAt,
      p.endSiteId,
      p.nextPlacementId,
    ],
  );
}

/** The placement whose upgrade started this one (same person), if any. */
export async function previousPlacement(q: Queryable, personId: string, id: string): Promise<string | null> {
  return (
    (
      await q.query<{ id: string }>(
        `SELECT id FROM quarantine_placements WHERE person_id = $1 AND next_placement_id = $2`,
        [personId, id],
      )
    ).rows[0]?.id ?? null
  );
}

/** Which of these people are placed now (anywhere). */
export async function currentlyPlaced(q: Queryable, personIds: readonly string[]): Promise<Set<string>> {
  const r = await q.query<{ personId: string }>(
    `SELECT person_id AS "personId" FROM quarantine_placements WHERE person_id = ANY($1::uuid[]) AND status = 'placed'`,
    [personIds],
  );
  return new Set(r.rows.map((x) => x.personId));
}

/** People placed now in a room (any household): while there are any, the room is occupied. */
export async function roomOccupants(q: Queryable, siteId: string, roomId: string): Promise<number> {
  return (
    await q.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM quarantine_placements WHERE site_id = $1 AND status = 'placed' AND room_id = $2`,
      [siteId, roomId],
    )
  ).rows[0]!.n;
}

export interface PlacementListRow {
  id: string;
  personId: string;
  personName: string;
  documentNumber: string;
  siteId: string;
  roomId: string | null;
  roomNumber: string | null;
  householdKey: string | null;
  sourceKind: SourceKind;
  status: PlacementStatus;
  placedAt: Date;
  plannedEnd: string | null;
  releasedAt: Date | null;
  releaseKind: ReleaseKind | null;
  packId: string | null;
}

export async function listPlacements(
  q: Queryable,
  f: { siteId: string; status?: PlacementStatus | undefined },
): Promise<PlacementListRow[]> {
  const params: unknown[] = [f.siteId];
  let where = "q.site_id = $1";
  if (f.status) {
    params.push(f.status);
    where += ` AND q.status = $2`;
  }
  return (
    await q.query<PlacementListRow>(
      `SELECT q.id, q.person_id AS "personId", p.name AS "personName", p.document_number AS "documentNumber",
         q.site_id AS "siteId", q.room_id AS "roomId", r.number AS "roomNumber", q.household_key AS "householdKey",
         q.source_kind AS "sourceKind", q.status, q.placed_at AS "placedAt", q.planned_end::text AS "plannedEnd",
         q.released_at AS "releasedAt", q.release_kind AS "releaseKind", q.pack_id AS "packId"
       FROM quarantine_placements q JOIN persons p ON p.id = q.person_id
       LEFT JOIN quarantine_rooms r ON r.site_id = q.site_id AND r.id = q.room_id
       WHERE ${where} ORDER BY q.placed_at DESC, q.id LIMIT 5000`,
      params,
    )
  ).rows;
}

export interface TransferRow {
  personId: string;
  placementId: string;
  vehicle: string;
  escort: string;
  pickedUpAt: Date;
  arrivedAt: Date | null;
  recordedBy: string | null;
  recordedAt: Date;
}

export async function findTransfer(
  q: Queryable,
  personId: string,
  placementId: string,
): Promise<TransferRow | null> {
  return (
    (
      await q.query<TransferRow>(
        `SELECT person_id AS "personId", placement_id AS "placementId", vehicle, escort, picked_up_at AS "pickedUpAt",
           arrived_at AS "arrivedAt", recorded_by AS "recordedBy", recorded_at AS "recordedAt"
         FROM quarantine_transfers WHERE person_id = $1 AND placement_id = $2`,
        [personId, placementId],
      )
    ).rows[0] ?? null
  );
}

export async function upsertTransfer(q: Queryable, t: TransferRow): Promise<void> {
  await q.query(
    `INSERT INTO quarantine_transfers (person_id, placement_id, vehicle, escort, picked_up_at, arrived_at,
       recorded_by, recorded_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (person_id, placement_id) DO UPDATE SET vehicle = EXCLUDED.vehicle, escort = EXCLUDED.escort,
       picked_up_at = EXCLUDED.picked_up_at, arrived_at = EXCLUDED.arrived_at, recorded_by = EXCLUDED.recorded_by,
       recorded_at = EXCLUDED.recorded_at`,
    [t.personId, t.placementId, t.vehicle, t.escort, t.pickedUpAt, t.arrivedAt, t.recordedBy, t.recordedAt],
  );
}

export interface ResultRow {
  personId: string;
  placementId: string;
  id: string;
  sampledOn: string;
  sample: "nasopharyngeal" | "oropharyngeal" | "unspecified";
  outcome: "negative" | "positive" | "pending";
  labReference: string;
  recordedBy: string | null;
  recordedAt: Date;
}

const resultSelect = (
  t: string,
) => `${t}.person_id AS "personId", ${t}.placement_id AS "placementId", ${t}.id,
  ${t}.sampled_on::text AS "sampledOn", ${t}.sample, ${t}.outcome, ${t}.lab_reference AS "labReference",
  ${t}.recorded_by AS "recordedBy", ${t}.recorded_at AS "recordedAt"`;

export async function resultsOf(q: Queryable, personId: string, placementId: string): Promise<ResultRow[]> {
  return (
    await q.query<ResultRow>(
      `SELECT ${resultSelect("t")} FROM quarantine_test_results t WHERE person_id = $1 AND placement_id = $2
       ORDER BY sampled_on, sample`,
      [personId, placementId],
    )
  ).rows;
}

/** The result of that day and sample, if one was recorded (a correction replaces it). */
export async function findResult(
  q: Queryable,
  personId: string,
  placementId: string,
  sampledOn: string,
  sample: string,
): Promise<ResultRow | null> {
  return (
    (
      await q.query<ResultRow>(
        `SELECT ${resultSelect("t")} FROM quarantine_test_results t
         WHERE person_id = $1 AND placement_id = $2 AND sampled_on = $3 AND sample = $4`,
        [personId, placementId, sampledOn, sample],
      )
    ).rows[0] ?? null
  );
}

export async function upsertResult(q: Queryable, r: ResultRow): Promise<void> {
  await q.query(
    `INSERT INTO quarantine_test_results (person_id, placement_id, id, sampled_on, sample, outcome, lab_reference,
       recorded_by, recorded_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (person_id, placement_id, sampled_on, sample) DO UPDATE SET outcome = EXCLUDED.outcome,
       lab_reference = EXCLUDED.lab_reference, recorded_by = EXCLUDED.recorded_by, recorded_at = EXCLUDED.recorded_at`,
    [
      r.personId,
      r.placementId,
      r.id,
      r.sampledOn,
      r.sample,
      r.outcome,
      r.labReference,
      r.recordedBy,
      r.recordedAt,
    ],
  );
}

/** A placement's person, for the detail. */
export async function personBrief(
  q: Queryable,
  personId: string,
): Promise<{ id: string; name: string; documentNumber: string } | null> {
  return (
    (
      await q.query<{ id: string; name: string; documentNumber: string }>(
        `SELECT id, name, document_number AS "documentNumber" FROM persons WHERE id = $1`,
        [personId],
      )
    ).rows[0] ?? null
  );
}

export interface TaskSource {
  taskId: string;
  personId: string;
  regionCode: string;
  createdAt: Date;
  arrivalAt: Date;
  facts: Omit<PersonFacts, "travelHistory">;
  decision: StoredDecision;
}

/** An arrival's control task with the arrival's time and stored decision. */
export async function findTaskSource(q: Queryable, taskId: string): Promise<TaskSource | null> {
  return (
    (
      await q.query<TaskSource>(
        `SELECT t.id AS "taskId", t.person_id AS "personId", t.region_code AS "regionCode", t.created_at AS "createdAt",
           a.arrival_at AS "arrivalAt", a.facts, a.decision
         FROM control_tasks t JOIN arrivals a ON a.id = t.arrival_id WHERE t.id = $1`,
        [taskId],
      )
    ).rows[0] ?? null
  );
}

/**
 * What today's list needs of each placement at a site: its course's id (the course is read once per
 * distinct course, `storedCourses`), and, only when it may end (planned end on or before the day:
 * release candidates, whose release verdict needs the whole course), its start facts as JSON text
 * (parsed only when the verdict is computed).
 */
export interface DayRow {
  id: string;
  personId: string;
  personName: string;
  roomNumber: string | null;
  plannedEnd: string | null;
  courseId: string;
  startFacts: string | null;
}

export async function placedAtSite(
  q: Queryable,
  siteIds: readonly string[],
  date: string,
): Promise<(DayRow & { siteId: string })[]> {
  return (
    await q.query<DayRow & { siteId: string }>(
      `SELECT q.site_id AS "siteId", q.id, q.person_id AS "personId", p.name AS "personName", r.number AS "roomNumber",
         q.planned_end::text AS "plannedEnd", q.course_id AS "courseId",
         CASE WHEN q.planned_end <= $2::date THEN q.start_facts::text END AS "startFacts"
       FROM quarantine_placements q JOIN persons p ON p.id = q.person_id
       LEFT JOIN quarantine_rooms r ON r.site_id = q.site_id AND r.id = q.room_id
       WHERE q.site_id = ANY($1::uuid[]) AND q.status = 'placed'
       ORDER BY r.number NULLS LAST, q.placed_at, q.id`,
      [siteIds, date],
    )
  ).rows;
}

/** Stored courses by id (each once, however many placements follow it). */
export async function storedCourses(
  q: Queryable,
  ids: readonly string[],
): Promise<{ id: string; course: StoredCourse }[]> {
  if (!ids.length) return [];
  return (
    await q.query<{ id: string; course: StoredCourse }>(
      `SELECT id, course FROM quarantine_courses WHERE id = ANY($1::text[])`,
      [ids],
    )
  ).rows;
}

/** A result as the day's lists show it. */
export interface DayResultRow {
  placementId: string;
  sampledOn: string;
  outcome: ResultRow["outcome"];
  /** The sample type and lab reference of the day's results; null for earlier days (not shown). */
  sample: ResultRow["sample"] | null;
  labReference: string | null;
}

/**
 * Results of the placed people of sites up to a day, per placement, in date order: each result's date
 * and outcome (what the missed tests and the release verdicts read), and the sample type and lab
 * reference of the day's own results (what the day's list shows). A site of 200 people has ~750 results;
 * a city's morning report (500 sites) ~370,000: the fewer columns, the less to send and parse.
 */
export async function resultsAtSites(
  q: Queryable,
  siteIds: readonly string[],
  on: string,
): Promise<Map<string, DayResultRow[]>> {
  const rows = (
    await q.query<DayResultRow>(
      `SELECT t.placement_id AS "placementId", t.sampled_on::text AS "sampledOn", t.outcome,
         CASE WHEN t.sampled_on = $2::date THEN t.sample END AS sample,
         CASE WHEN t.sampled_on = $2::date THEN t.lab_reference END AS "labReference"
       FROM quarantine_test_results t JOIN quarantine_placements q ON q.person_id = t.person_id AND q.id = t.placement_id
       WHERE q.site_id = ANY($1::uuid[]) AND q.status = 'placed' AND t.sampled_on <= $2::date`,
      [siteIds, on],
    )
  ).rows;
  const out = new Map<string, DayResultRow[]>();
  for (const r of rows) {
    const list = out.get(r.placementId);
    if (list) list.push(r);
    else out.set(r.placementId, [r]);
  }
  for (const list of out.values()) if (list.length > 1) list.sort(bySampledOn);
  return out;
}

const bySampledOn = (a: DayResultRow, b: DayResultRow) =>
  a.sampledOn < b.sampledOn ? -1 : a.sampledOn > b.sampledOn ? 1 : 0;

export interface BoardRoomRow {
  id: string;
  number: string;
  type: RoomType;
  state: RoomState;
}

export interface OccupantRow {
  roomId: string;
  placementId: string;
  personName: string;
  placedAt: Date;
  plannedEnd: string | null;
}

export async function occupantsOf(q: Queryable, siteId: string): Promise<OccupantRow[]> {
  return (
    await q.query<OccupantRow>(
      `SELECT q.room_id AS "roomId", q.id AS "placementId", p.name AS "personName", q.placed_at AS "placedAt",
         q.planned_end::text AS "plannedEnd"
       FROM quarantine_placements q JOIN persons p ON p.id = q.person_id
       WHERE q.site_id = $1 AND q.status = 'placed' AND q.room_id IS NOT NULL ORDER BY q.placed_at, q.id`,
      [siteId],
    )
  ).rows;
}
