import type { Alert } from "@cordon/domain/quarantine/monitoring";
import type { Queryable } from "../db/db.ts";

/** What a health report needs to know about its placement: who, where, since when, and the site's region. */
export interface ReportPlacement {
  id: string;
  personId: string;
  siteId: string;
  siteRegionCode: string;
  status: "placed" | "released" | "ended";
  placedAt: Date;
}

export interface HealthReportRow {
  personId: string;
  placementId: string;
  id: string;
  reportedAt: Date;
  temperatureC: number;
  symptoms: string[];
  reportedBy: "staff" | "self";
  recordedBy: string | null;
  alerts: Alert[];
  recordedAt: Date;
}

const PLACEMENT_COLUMNS = `p.id, p.person_id AS "personId", p.site_id AS "siteId", s.region_code AS "siteRegionCode",
  p.status, p.placed_at AS "placedAt"`;

export async function findReportPlacement(q: Queryable, id: string): Promise<ReportPlacement | null> {
  return (
    (
      await q.query<ReportPlacement>(
        `SELECT ${PLACEMENT_COLUMNS} FROM quarantine_placements p JOIN quarantine_sites s ON s.id = p.site_id
         WHERE p.id = $1`,
        [id],
      )
    ).rows[0] ?? null
  );
}

export async function findReportPlacements(
  q: Queryable,
  ids: readonly string[],
): Promise<Map<string, ReportPlacement>> {
  const r = await q.query<ReportPlacement>(
    `SELECT ${PLACEMENT_COLUMNS} FROM quarantine_placements p JOIN quarantine_sites s ON s.id = p.site_id
     WHERE p.id = ANY($1::uuid[])`,
    [ids],
  );
  return new Map(r.rows.map((p) => [p.id, p]));
}

/** A person's current placement (status placed: a person is in one place at a time). */
export async function currentPlacementIdOf(q: Queryable, personId: string): Promise<string | null> {
  return (
    (
      await q.query<{ id: string }>(
        `SELECT id FROM quarantine_placements WHERE person_id = $1 AND status = 'placed'`,
        [personId],
      )
    ).rows[0]?.id ?? null
  );
}

/**
 * Inserts reports in one statement (unnest over column arrays: one round trip for a batch of 1,000).
 * Symptom codes carry no comma (they are checked against the checklist), so they travel joined.
 */
export async function insertHealthReports(q: Queryable, rows: readonly HealthReportRow[]): Promise<void> {
  if (rows.length === 0) return;
  await q.query(
    `INSERT INTO health_reports (person_id, placement_id, id, reported_at, temperature_c, symptoms, reported_by,
       recorded_by, alerts, recorded_at)
     SELECT person_id, placement_id, id, reported_at, temperature_c,
       CASE WHEN symptoms = '' THEN '{}'::text[] ELSE string_to_array(symptoms, ',') END,
       reported_by, $9::uuid, alerts::json, $10::timestamptz
     FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::timestamptz[], $5::numeric[], $6::text[], $7::text[],
       $8::text[]) AS t(person_id, placement_id, id, reported_at, temperature_c, symptoms, reported_by, alerts)`,
    [
      rows.map((r) => r.personId),
      rows.map((r) => r.placementId),
      rows.map((r) => r.id),
      rows.map((r) => r.reportedAt.toISOString()),
      rows.map((r) => r.temperatureC),
      rows.map((r) => r.symptoms.join(",")),
      rows.map((r) => r.reportedBy),
      rows.map((r) => JSON.stringify(r.alerts)),
      rows[0]!.recordedBy,
      rows[0]!.recordedAt,
    ],
  );
}

const REPORT_COLUMNS = `h.person_id AS "personId", h.placement_id AS "placementId", h.id,
  h.reported_at AS "reportedAt", h.temperature_c::float8 AS "temperatureC", h.symptoms,
  h.reported_by AS "reportedBy", h.recorded_by AS "recordedBy", h.alerts, h.recorded_at AS "recordedAt"`;

/** A placement's reports, all of them or those in [from, to), oldest first. */
export async function reportsOfPlacement(
  q: Queryable,
  personId: string,
  placementId: string,
  window?: { from: Date; to: Date },
): Promise<HealthReportRow[]> {
  return (
    await q.query<HealthReportRow>(
      `SELECT ${REPORT_COLUMNS} FROM health_reports h
       WHERE h.person_id = $1 AND h.placement_id = $2
         AND ($3::timestamptz IS NULL OR h.reported_at >= $3) AND ($4::timestamptz IS NULL OR h.reported_at < $4)
       ORDER BY h.reported_at, h.id`,
      [personId, placementId, window?.from ?? null, window?.to ?? null],
    )
  ).rows;
}

export interface SitePlacementRow {
  placementId: string;
  personId: string;
  personName: string;
  roomNumber: string | null;
  placedAt: Date;
  /** When the person left (release, or the last change of an ended placement); null while placed. */
  leftAt: Date | null;
}

/** Placements of a site that overlap [from, to): the people who were there that day. */
export async function placementsOfSiteBetween(
  q: Queryable,
  siteId: string,
  from: Date,
  to: Date,
): Promise<SitePlacementRow[]> {
  return (
    await q.query<SitePlacementRow>(
      `SELECT p.id AS "placementId", p.person_id AS "personId", pe.name AS "personName", r.number AS "roomNumber",
         p.placed_at AS "placedAt",
         CASE WHEN p.status = 'placed' THEN NULL ELSE coalesce(p.released_at, p.updated_at) END AS "leftAt"
       FROM quarantine_placements p
       JOIN persons pe ON pe.id = p.person_id
       LEFT JOIN quarantine_rooms r ON r.site_id = p.site_id AND r.id = p.room_id
       WHERE p.site_id = $1 AND p.placed_at < $3
         AND (p.status = 'placed' OR coalesce(p.released_at, p.updated_at) > $2)
       ORDER BY length(r.number), r.number, pe.name, p.id`,
      [siteId, from, to],
    )
  ).rows;
}

/** Reports at a site's placements in [from, to), oldest first. */
export async function reportsOfSiteBetween(
  q: Queryable,
  siteId: string,
  from: Date,
  to: Date,
): Promise<HealthReportRow[]> {
  return (
    await q.query<HealthReportRow>(
      `SELECT ${REPORT_COLUMNS} FROM health_reports h
       JOIN quarantine_placements p ON p.person_id = h.person_id AND p.id = h.placement_id
       WHERE p.site_id = $1 AND h.reported_at >= $2 AND h.reported_at < $3
       ORDER BY h.reported_at, h.id`,
      [siteId, from, to],
    )
  ).rows;
}

export interface MyPlacementRow {
  id: string;
  personId: string;
  status: "placed";
  placedAt: Date;
  plannedEnd: string | null;
  course: unknown;
  siteId: string;
  siteName: string;
  siteKind: string;
  siteAddress: string | null;
  roomId: string | null;
  roomNumber: string | null;
}

/** A person's current placement with its site and room. */
export async function myCurrentPlacement(q: Queryable, personId: string): Promise<MyPlacementRow | null> {
  return (
    (
      await q.query<MyPlacementRow>(
        `SELECT p.id, p.person_id AS "personId", p.status, p.placed_at AS "placedAt", p.planned_end AS "plannedEnd",
           (SELECT c.course FROM quarantine_courses c WHERE c.id = p.course_id) AS course, s.id AS "siteId", s.name AS "siteName", s.kind AS "siteKind", s.address AS "siteAddress",
           r.id AS "roomId", r.number AS "roomNumber"
         FROM quarantine_placements p
         JOIN quarantine_sites s ON s.id = p.site_id
         LEFT JOIN quarantine_rooms r ON r.site_id = p.site_id AND r.id = p.room_id
         WHERE p.person_id = $1 AND p.status = 'placed'`,
        [personId],
      )
    ).rows[0] ?? null
  );
}
