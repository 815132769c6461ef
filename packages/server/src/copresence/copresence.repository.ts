import type { Queryable } from "../db/db.ts";

/** One scan of another person overlapping one of the case's visits (the venue rule, in SQL). */
export interface VenueOverlapRow {
  personId: string;
  venueId: string;
  /** The case's visit: its scan, and the assumed end of its stay. */
  visitFrom: Date;
  visitTo: Date;
  /** The other person's scan. */
  at: Date;
}

/**
 * The venue rule over the scan log: the person's scans at venues in [since, until) — its visits, each
 * [at, at + assumedStay] — then, for each visit, every other person's scan at the same venue whose
 * assumed presence [at', at' + assumedStay] overlaps the visit widened by ± buffer, i.e. at' in
 * (visitFrom − buffer − assumedStay, visitTo + buffer): one range of the primary key (venue_id, at, id)
 * per visit, the day partitions outside it pruned when the query runs. Two statements, so that the
 * second is planned for the visits it is given (a nested loop over them, never a parallel plan for a
 * few index ranges). The overlap itself (from, to, minutes) is the domain's `venueOverlap`.
 */
export async function venueOverlaps(
  q: Queryable,
  p: {
    personId: string;
    since: Date;
    until: Date;
    assumedStayMinutes: number;
    bufferMinutes: number;
  },
): Promise<{ visits: { venueId: string; at: Date }[]; overlaps: VenueOverlapRow[] }> {
  const visits = (
    await q.query<{ venueId: string; at: Date }>(
      `SELECT venue_id AS "venueId", at FROM venue_scans
       WHERE person_id = $1 AND at >= $2 AND at < $3 ORDER BY at, venue_id`,
      [p.personId, p.since, p.until],
    )
  ).rows;
  if (!visits.length) return { visits, overlaps: [] };
  const r = await q.query<VenueOverlapRow>(
    `SELECT o.person_id AS "personId", v.venue_id AS "venueId", v.visit_from AS "visitFrom",
            v.visit_from + make_interval(mins => $4::int) AS "visitTo", o.at
     FROM unnest($1::uuid[], $2::timestamptz[]) AS v (venue_id, visit_from)
     JOIN venue_scans o ON o.venue_id = v.venue_id
       AND o.at > v.visit_from - make_interval(mins => $4::int + $5::int)
       AND o.at < v.visit_from + make_interval(mins => $4::int + $5::int)
     WHERE o.person_id <> $3
     ORDER BY v.visit_from, o.at`,
    [
      visits.map((v) => v.venueId),
      visits.map((v) => v.at),
      p.personId,
      p.assumedStayMinutes,
      p.bufferMinutes,
    ],
  );
  return { visits, overlaps: r.rows };
}

/** A person's location points in [since, until), for the grid-cell rule. */
export interface PointRow {
  personId: string;
  at: Date;
  cell: string;
}

export async function pointsOf(
  q: Queryable,
  personIds: readonly string[],
  since: Date,
  until: Date,
): Promise<PointRow[]> {
  if (!personIds.length) return [];
  const r = await q.query<PointRow>(
    `SELECT person_id AS "personId", at, cell FROM location_points
     WHERE person_id = ANY($1::uuid[]) AND at >= $2 AND at < $3 ORDER BY person_id, at`,
    [[...new Set(personIds)], since, until],
  );
  return r.rows;
}

/**
 * The other people with a point in one of the given cells during the given times (each cell with its
 * own range, `after` < at < `before`): who may have dwelt there with the case.
 */
export async function peopleInCells(
  q: Queryable,
  ranges: readonly { cell: string; after: Date; before: Date }[],
  exceptPersonId: string,
): Promise<string[]> {
  if (!ranges.length) return [];
  const r = await q.query<{ person_id: string }>(
    `SELECT DISTINCT p.person_id
     FROM unnest($1::text[], $2::timestamptz[], $3::timestamptz[]) AS w(cell, after, before)
     JOIN location_points p ON p.cell = w.cell AND p.at > w.after AND p.at < w.before
     WHERE p.person_id <> $4`,
    [ranges.map((x) => x.cell), ranges.map((x) => x.after), ranges.map((x) => x.before), exceptPersonId],
  );
  return r.rows.map((x) => x.person_id);
}

/** People already classified as contacts of the case (tracing_contacts), left out of the candidates. */
export async function classifiedContacts(q: Queryable, caseId: string): Promise<Set<string>> {
  const r = await q.query<{ person_id: string }>(
    `SELECT person_id FROM tracing_contacts WHERE case_id = $1`,
    [caseId],
  );
  return new Set(r.rows.map((x) => x.person_id));
}

export interface CoPresenceContactRow {
  caseId: string;
  personId: string;
  id: string;
  basis: "venue" | "grid_cell";
  venueId: string | null;
  cell: string | null;
  overlapFrom: Date;
  overlapTo: Date;
  confirmedBy: string | null;
  confirmedAt: Date;
}

const CONTACT_SELECT = `case_id AS "caseId", person_id AS "personId", id, basis, venue_id AS "venueId", cell,
  overlap_from AS "overlapFrom", overlap_to AS "overlapTo", confirmed_by AS "confirmedBy", confirmed_at AS "confirmedAt"`;

export async function coPresenceContactsOf(q: Queryable, caseId: string): Promise<CoPresenceContactRow[]> {
  const r = await q.query<CoPresenceContactRow>(
    `SELECT ${CONTACT_SELECT} FROM co_presence_contacts WHERE case_id = $1 ORDER BY overlap_from, person_id`,
    [caseId],
  );
  return r.rows;
}

/** Stores confirmations; one already stored (same person, case, place and overlap start) is left as it is. */
export async function insertCoPresenceContacts(
  q: Queryable,
  rows: readonly CoPresenceContactRow[],
): Promise<CoPresenceContactRow[]> {
  if (!rows.length) return [];
  const r = await q.query<CoPresenceContactRow>(
    `INSERT INTO co_presence_contacts (case_id, person_id, id, basis, venue_id, cell, overlap_from, overlap_to,
       confirmed_by, confirmed_at)
     SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::uuid[], $6::text[],
       $7::timestamptz[], $8::timestamptz[], $9::uuid[], $10::timestamptz[])
     ON CONFLICT DO NOTHING
     RETURNING ${CONTACT_SELECT}`,
    [
      rows.map((x) => x.caseId),
      rows.map((x) => x.personId),
      rows.map((x) => x.id),
      rows.map((x) => x.basis),
      rows.map((x) => x.venueId),
      rows.map((x) => x.cell),
      rows.map((x) => x.overlapFrom),
      rows.map((x) => x.overlapTo),
      rows.map((x) => x.confirmedBy),
      rows.map((x) => x.confirmedAt),
    ],
  );
  return r.rows;
}

export interface PersonLabel {
  id: string;
  name: string;
  documentNumber: string;
  regionCode: string;
}

export async function personLabels(q: Queryable, ids: readonly string[]): Promise<Map<string, PersonLabel>> {
  if (!ids.length) return new Map();
  const r = await q.query<PersonLabel>(
    `SELECT id, name, document_number AS "documentNumber", current_region_code AS "regionCode"
     FROM persons WHERE id = ANY($1::uuid[])`,
    [[...new Set(ids)]],
  );
  return new Map(r.rows.map((p) => [p.id, p]));
}

export async function venueNames(q: Queryable, ids: readonly string[]): Promise<Map<string, string>> {
  if (!ids.length) return new Map();
  const r = await q.query<{ id: string; name: string }>(
    `SELECT id, name FROM venues WHERE id = ANY($1::uuid[])`,
    [[...new Set(ids)]],
  );
  return new Map(r.rows.map((v) => [v.id, v.name]));
}

/** People by id or by document number (the upload's two ways of naming a person). */
export async function resolvePeople(
  q: Queryable,
  ids: readonly string[],
  documents: readonly string[],
): Promise<{ ids: Set<string>; byDocument: Map<string, string[]> }> {
  const known = new Set<string>();
  if (ids.length) {
    const r = await q.query<{ id: string }>(`SELECT id FROM persons WHERE id = ANY($1::uuid[])`, [
      [...new Set(ids)],
    ]);
    for (const x of r.rows) known.add(x.id);
  }
  const byDocument = new Map<string, string[]>();
  if (documents.length) {
    const r = await q.query<{ id: string; document_number: string }>(
      `SELECT id, document_number FROM persons WHERE document_number = ANY($1::text[])`,
      [[...new Set(documents)]],
    );
    for (const x of r.rows)
      byDocument.set(x.document_number, [...(byDocument.get(x.document_number) ?? []), x.id]);
  }
  return { ids: known, byDocument };
}

export async function insertPointBatch(
  q: Queryable,
  b: { id: string; source: string; fileName: string | null; uploadedBy: string | null; uploadedAt: Date },
  points: readonly { personId: string; at: Date; lat: number; lon: number; cell: string }[],
): Promise<{ stored: number; duplicates: number }> {
  await q.query(
    `INSERT INTO location_point_batches (id, source, file_name, points, duplicates, uploaded_by, uploaded_at)
     VALUES ($1, $2, $3, 0, 0, $4, $5)`,
    [b.id, b.source, b.fileName, b.uploadedBy, b.uploadedAt],
  );
  let stored = 0;
  for (let i = 0; i < points.length; i += 5000) {
    const chunk = points.slice(i, i + 5000);
    const r = await q.query(
      `INSERT INTO location_points (person_id, at, lat, lon, cell, source, batch)
       SELECT p, a, la, lo, c, $6, $7
       FROM unnest($1::uuid[], $2::timestamptz[], $3::float8[], $4::float8[], $5::text[]) AS u(p, a, la, lo, c)
       ON CONFLICT (person_id, at) DO NOTHING`,
      [
        chunk.map((x) => x.personId),
        chunk.map((x) => x.at),
        chunk.map((x) => x.lat),
        chunk.map((x) => x.lon),
        chunk.map((x) => x.cell),
        b.source,
        b.id,
      ],
    );
    stored += r.rowCount ?? 0;
  }
  const duplicates = points.length - stored;
  await q.query(`UPDATE location_point_batches SET points = $2, duplicates = $3 WHERE id = $1`, [
    b.id,
    stored,
    duplicates,
  ]);
  return { stored, duplicates };
}
