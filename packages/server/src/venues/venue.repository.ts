import type { Queryable } from "../db/db.ts";

export interface VenueRow {
  id: string;
  name: string;
  kind: string;
  regionCode: string;
  address: string;
  capacity: number | null;
  lat: number | null;
  lon: number | null;
  active: boolean;
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
  version: number;
}

export interface VenueListRow extends VenueRow {
  regionName: string;
  devices: number;
}

const COLUMNS = `v.id, v.name, v.kind, v.region_code AS "regionCode", v.address, v.capacity, v.lat, v.lon,
  v.active, v.created_by AS "createdBy", v.created_at AS "createdAt", v.updated_at AS "updatedAt", v.version`;

export async function insertVenue(q: Queryable, r: VenueRow): Promise<void> {
  await q.query(
    `INSERT INTO venues (id, name, kind, region_code, address, capacity, lat, lon, active, created_by,
       created_at, updated_at, version)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
    [
      r.id,
      r.name,
      r.kind,
      r.regionCode,
      r.address,
      r.capacity,
      r.lat,
      r.lon,
      r.active,
      r.createdBy,
      r.createdAt,
      r.updatedAt,
      r.version,
    ],
  );
}

export async function findVenue(q: Queryable, id: string, forUpdate = false): Promise<VenueRow | null> {
  const r = await q.query<VenueRow>(
    `SELECT ${COLUMNS} FROM venues v WHERE v.id = $1${forUpdate ? " FOR UPDATE" : ""}`,
    [id],
  );
  return r.rows[0] ?? null;
}

export async function updateVenue(q: Queryable, r: VenueRow): Promise<void> {
  await q.query(
    `UPDATE venues SET name = $2, kind = $3, region_code = $4, address = $5, capacity = $6, lat = $7,
       lon = $8, active = $9, updated_at = $10, version = $11
     WHERE id = $1`,
    [
      r.id,
      r.name,
      r.kind,
      r.regionCode,
      r.address,
      r.capacity,
      r.lat,
      r.lon,
      r.active,
      r.updatedAt,
      r.version,
    ],
  );
}

export interface VenueFilter {
  regionPrefix: string;
  q?: string | undefined;
  kind?: string | undefined;
  active?: boolean | undefined;
  limit: number;
  offset: number;
}

export async function listVenues(
  q: Queryable,
  f: VenueFilter,
): Promise<{ items: VenueListRow[]; total: number }> {
  const where = ["v.region_code LIKE $1"];
  const params: unknown[] = [`${f.regionPrefix}%`];
  if (f.q) {
    params.push(`%${f.q.replaceAll("\\", "\\\\").replaceAll("%", "\\%").replaceAll("_", "\\_")}%`);
    where.push(`(v.name ILIKE $${params.length} OR v.address ILIKE $${params.length})`);
  }
  if (f.kind) {
    params.push(f.kind);
    where.push(`v.kind = $${params.length}`);
  }
  if (f.active !== undefined) {
    params.push(f.active);
    where.push(`v.active = $${params.length}`);
  }
  const total = (
    await q.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM venues v WHERE ${where.join(" AND ")}`,
      params,
    )
  ).rows[0]!.n;
  params.push(f.limit, f.offset);
  const items = (
    await q.query<VenueListRow>(
      `SELECT ${COLUMNS}, r.name AS "regionName",
         (SELECT count(*)::int FROM venue_devices d WHERE d.venue_id = v.id AND d.revoked_at IS NULL) AS devices
       FROM venues v JOIN regions r ON r.code = v.region_code
       WHERE ${where.join(" AND ")}
       ORDER BY v.region_code, v.name, v.id
       LIMIT $${params.length - 1} OFFSET $${params.length}`,
      params,
    )
  ).rows;
  return { items, total };
}

export interface DeviceRow {
  id: string;
  venueId: string;
  name: string;
  createdBy: string | null;
  createdAt: Date;
  revokedBy: string | null;
  revokedAt: Date | null;
}

const DEVICE_COLUMNS = `d.id, d.venue_id AS "venueId", d.name, d.created_by AS "createdBy",
  d.created_at AS "createdAt", d.revoked_by AS "revokedBy", d.revoked_at AS "revokedAt"`;

export async function insertDevice(q: Queryable, r: DeviceRow): Promise<void> {
  await q.query(
    `INSERT INTO venue_devices (id, venue_id, name, created_by, created_at, revoked_by, revoked_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [r.id, r.venueId, r.name, r.createdBy, r.createdAt, r.revokedBy, r.revokedAt],
  );
}

export async function findDevice(q: Queryable, id: string, forUpdate = false): Promise<DeviceRow | null> {
  const r = await q.query<DeviceRow>(
    `SELECT ${DEVICE_COLUMNS} FROM venue_devices d WHERE d.id = $1${forUpdate ? " FOR UPDATE" : ""}`,
    [id],
  );
  return r.rows[0] ?? null;
}

export async function listDevices(q: Queryable, venueId: string): Promise<DeviceRow[]> {
  return (
    await q.query<DeviceRow>(
      `SELECT ${DEVICE_COLUMNS} FROM venue_devices d WHERE d.venue_id = $1 ORDER BY d.created_at, d.id`,
      [venueId],
    )
  ).rows;
}

export async function revokeDevice(q: Queryable, id: string, by: string, at: Date): Promise<void> {
  await q.query(`UPDATE venue_devices SET revoked_by = $2, revoked_at = $3 WHERE id = $1`, [id, by, at]);
}

export interface SelfCheckinRow {
  id: string;
  at: Date;
  colour: string;
  decision: "admit" | "refuse";
  venueName: string;
  venueAddress: string;
}

/**
 * A person's own check-in at an open venue, with the colour of their code now (grey when they have
 * none) and the decision the gate policy gives it: one statement. No row when the venue is closed or
 * does not exist.
 */
export async function insertSelfCheckin(
  q: Queryable,
  s: { id: string; venueId: string; personId: string; at: Date; admit: readonly string[] },
): Promise<SelfCheckinRow | null> {
  const r = await q.query<SelfCheckinRow>(
    `WITH c AS (
       SELECT v.id AS venue_id, v.name, v.address, coalesce(h.colour, 'grey') AS colour
       FROM venues v LEFT JOIN health_codes h ON h.person_id = $3
       WHERE v.id = $2 AND v.active
     ),
     ins AS (
       INSERT INTO venue_scans (venue_id, id, person_id, at, way, colour, decision, received_at)
       SELECT c.venue_id, $1, $3, $4, 'self', c.colour,
         CASE WHEN c.colour = ANY ($5::text[]) THEN 'admit' ELSE 'refuse' END, $4
       FROM c
       RETURNING id, at, colour, decision
     )
     SELECT ins.id, ins.at, ins.colour, ins.decision, c.name AS "venueName", c.address AS "venueAddress"
     FROM ins, c`,
    [s.id, s.venueId, s.personId, s.at, s.admit],
  );
  return r.rows[0] ?? null;
}

export interface ScanRow {
  id: string;
  at: Date;
  way: "self" | "gate";
  colour: string;
  vaccination: number | null;
  temperature: number | null;
  decision: "admit" | "refuse";
  reason: string | null;
  deviceId: string | null;
  receivedAt: Date;
}

/** A venue's scans in a time window, newest first (the venue page's recent check-ins). */
export async function listVenueScans(
  q: Queryable,
  venueId: string,
  from: Date,
  to: Date,
  limit: number,
): Promise<ScanRow[]> {
  return (
    await q.query<ScanRow>(
      `SELECT id, at, way, colour, vaccination, temperature, decision, reason, device_id AS "deviceId",
         received_at AS "receivedAt"
       FROM venue_scans WHERE venue_id = $1 AND at >= $2 AND at < $3
       ORDER BY at DESC, id DESC LIMIT $4`,
      [venueId, from, to, limit],
    )
  ).rows;
}

/** Counts of a venue's scans in a window, by decision. */
export async function countVenueScans(
  q: Queryable,
  venueId: string,
  from: Date,
  to: Date,
): Promise<{ admitted: number; refused: number }> {
  const r = await q.query<{ admitted: number; refused: number }>(
    `SELECT count(*) FILTER (WHERE decision = 'admit')::int AS admitted,
       count(*) FILTER (WHERE decision = 'refuse')::int AS refused
     FROM venue_scans WHERE venue_id = $1 AND at >= $2 AND at < $3`,
    [venueId, from, to],
  );
  return r.rows[0]!;
}
