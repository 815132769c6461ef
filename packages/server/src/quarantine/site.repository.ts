import type { RoomState, RoomType, SiteKind } from "@cordon/domain/quarantine/sites";
import type { Queryable } from "../db/db.ts";

export interface SiteRow {
  id: string;
  kind: SiteKind;
  name: string;
  address: string | null;
  regionCode: string;
  reserve: boolean;
  capacityNote: string | null;
  createdBy: string | null;
  createdAt: Date;
  updatedBy: string | null;
  updatedAt: Date;
  version: number;
}

export interface RoomRow {
  siteId: string;
  id: string;
  number: string;
  type: RoomType;
  /** The effective state (`effectiveRoomState`): occupied while people are placed in it, else as stored. */
  state: RoomState;
  stateReason: string | null;
  stateChangedAt: Date;
  createdAt: Date;
}

export type Occupancy = Record<RoomState, number>;

const SITE_COLUMNS = `s.id, s.kind, s.name, s.address, s.region_code AS "regionCode", s.reserve,
  s.capacity_note AS "capacityNote", s.created_by AS "createdBy", s.created_at AS "createdAt",
  s.updated_by AS "updatedBy", s.updated_at AS "updatedAt", s.version`;
/**
 * A room's effective state, in SQL, for the room of alias `r`: `occupied` while at least one placement
 * with status `placed` is in it, otherwise its stored state. The stored state is what staff set (free,
 * cleaning, out of service, or occupied by someone not in the registry) and what release leaves
 * (cleaning); placing people never writes it. Written as site, status, room so that the placements'
 * index (site_id, status, room_id) answers it. Every read of a room's state goes through this.
 */
export const effectiveRoomState = (r: string): string =>
  `CASE WHEN EXISTS (SELECT 1 FROM quarantine_placements occ WHERE occ.site_id = ${r}.site_id
     AND occ.status = 'placed' AND occ.room_id = ${r}.id) THEN 'occupied' ELSE ${r}.state END`;

const ROOM_COLUMNS = `r.site_id AS "siteId", r.id, r.number, r.type, ${effectiveRoomState("r")} AS state,
  r.state_reason AS "stateReason", r.state_changed_at AS "stateChangedAt", r.created_at AS "createdAt"`;

export async function insertSite(q: Queryable, s: SiteRow): Promise<void> {
  await q.query(
    `INSERT INTO quarantine_sites (id, kind, name, address, region_code, reserve, capacity_note, created_by,
       created_at, updated_by, updated_at, version)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
    [
      s.id,
      s.kind,
      s.name,
      s.address,
      s.regionCode,
      s.reserve,
      s.capacityNote,
      s.createdBy,
      s.createdAt,
      s.updatedBy,
      s.updatedAt,
      s.version,
    ],
  );
}

export async function updateSite(q: Queryable, s: SiteRow): Promise<void> {
  await q.query(
    `UPDATE quarantine_sites SET name = $2, address = $3, reserve = $4, capacity_note = $5, updated_by = $6,
       updated_at = $7, version = version + 1 WHERE id = $1`,
    [s.id, s.name, s.address, s.reserve, s.capacityNote, s.updatedBy, s.updatedAt],
  );
}

export async function findSite(q: Queryable, id: string, forUpdate = false): Promise<SiteRow | null> {
  return (
    (
      await q.query<SiteRow>(
        `SELECT ${SITE_COLUMNS} FROM quarantine_sites s WHERE s.id = $1${forUpdate ? " FOR UPDATE" : ""}`,
        [id],
      )
    ).rows[0] ?? null
  );
}

export async function findHomeSite(q: Queryable, communityCode: string): Promise<SiteRow | null> {
  return (
    (
      await q.query<SiteRow>(
        `SELECT ${SITE_COLUMNS} FROM quarantine_sites s WHERE s.kind = 'home' AND s.region_code = $1`,
        [communityCode],
      )
    ).rows[0] ?? null
  );
}

export interface SiteFilter {
  regionPrefix: string;
  kind?: SiteKind | undefined;
  reserve?: boolean | undefined;
}

export async function listSites(q: Queryable, f: SiteFilter): Promise<SiteRow[]> {
  const params: unknown[] = [`${f.regionPrefix}%`];
  let where = "s.region_code LIKE $1";
  if (f.kind) {
    params.push(f.kind);
    where += ` AND s.kind = $${params.length}`;
  }
  if (f.reserve !== undefined) {
    params.push(f.reserve);
    where += ` AND s.reserve = $${params.length}`;
  }
  return (
    await q.query<SiteRow>(
      `SELECT ${SITE_COLUMNS} FROM quarantine_sites s WHERE ${where} ORDER BY s.region_code, s.name, s.id LIMIT 5000`,
      params,
    )
  ).rows;
}

const emptyOccupancy = (): Occupancy => ({ free: 0, occupied: 0, cleaning: 0, out_of_service: 0 });

/** Rooms per effective state for each site (sites without rooms get zeros). */
export async function occupancyOf(q: Queryable, siteIds: readonly string[]): Promise<Map<string, Occupancy>> {
  const out = new Map(siteIds.map((id) => [id, emptyOccupancy()]));
  if (siteIds.length === 0) return out;
  const r = await q.query<{ siteId: string; state: RoomState; n: number }>(
    `SELECT r.site_id AS "siteId", ${effectiveRoomState("r")} AS state, count(*)::int AS n FROM quarantine_rooms r
     WHERE r.site_id = ANY($1::uuid[]) GROUP BY 1, 2`,
    [siteIds],
  );
  for (const row of r.rows) out.get(row.siteId)![row.state] = row.n;
  return out;
}

export async function roomsOf(q: Queryable, siteId: string): Promise<RoomRow[]> {
  return (
    await q.query<RoomRow>(
      `SELECT ${ROOM_COLUMNS} FROM quarantine_rooms r WHERE r.site_id = $1
       ORDER BY length(r.number), r.number`,
      [siteId],
    )
  ).rows;
}

/**
 * Takes the room's row lock (`FOR UPDATE`) until the transaction ends, so that two placements into one
 * room, a placement and a release, or a placement and a change by hand, happen one after the other.
 * False when the site has no such room.
 */
export async function lockRoom(q: Queryable, siteId: string, id: string): Promise<boolean> {
  return (
    (await q.query(`SELECT 1 FROM quarantine_rooms WHERE site_id = $1 AND id = $2 FOR UPDATE`, [siteId, id]))
      .rows.length > 0
  );
}

/**
 * A room with its effective state. `forUpdate` locks it first (`lockRoom`) and reads it in a statement
 * of its own: a statement sees what was committed when it began, and a placement into the room may
 * commit while this one waits for the lock.
 */
export async function findRoom(
  q: Queryable,
  siteId: string,
  id: string,
  forUpdate = false,
): Promise<RoomRow | null> {
  if (forUpdate && !(await lockRoom(q, siteId, id))) return null;
  return (
    (
      await q.query<RoomRow>(
        `SELECT ${ROOM_COLUMNS} FROM quarantine_rooms r WHERE r.site_id = $1 AND r.id = $2`,
        [siteId, id],
      )
    ).rows[0] ?? null
  );
}

/** Which of these numbers the site already has. */
export async function existingNumbers(
  q: Queryable,
  siteId: string,
  numbers: readonly string[],
): Promise<string[]> {
  return (
    await q.query<{ number: string }>(
      `SELECT number FROM quarantine_rooms WHERE site_id = $1 AND number = ANY($2::text[]) ORDER BY length(number), number`,
      [siteId, numbers],
    )
  ).rows.map((r) => r.number);
}

/** Inserts many rooms of one site in one statement. */
export async function insertRooms(q: Queryable, rows: readonly RoomRow[]): Promise<void> {
  if (rows.length === 0) return;
  await q.query(
    `INSERT INTO quarantine_rooms (site_id, id, number, type, state, state_reason, state_changed_at, created_at)
     SELECT $1::uuid, id, number, type, state, NULL, $2::timestamptz, $2::timestamptz
     FROM unnest($3::uuid[], $4::text[], $5::text[], $6::text[]) AS t(id, number, type, state)`,
    [
      rows[0]!.siteId,
      rows[0]!.createdAt,
      rows.map((r) => r.id),
      rows.map((r) => r.number),
      rows.map((r) => r.type),
      rows.map((r) => r.state),
    ],
  );
}

/** Stores a room's state (what staff set, or cleaning after its last occupant left). */
export async function setRoomState(
  q: Queryable,
  siteId: string,
  id: string,
  state: RoomState,
  reason: string | null,
  at: Date,
): Promise<void> {
  await q.query(
    `UPDATE quarantine_rooms SET state = $3, state_reason = $4, state_changed_at = $5 WHERE site_id = $1 AND id = $2`,
    [siteId, id, state, reason, at],
  );
}

export interface CountyRoomCount {
  countyCode: string;
  kind: SiteKind;
  reserve: boolean;
  state: RoomState;
  n: number;
}

/**
 * Rooms grouped by the county of their site (the first 6 digits of its region), kind, reserve and
 * effective state.
 */
export async function roomCountsByCounty(q: Queryable, regionPrefix: string): Promise<CountyRoomCount[]> {
  return (
    await q.query<CountyRoomCount>(
      `SELECT left(s.region_code, 6) AS "countyCode", s.kind, s.reserve, ${effectiveRoomState("r")} AS state,
         count(*)::int AS n
       FROM quarantine_sites s JOIN quarantine_rooms r ON r.site_id = s.id
       WHERE s.region_code LIKE $1 GROUP BY 1, 2, 3, 4`,
      [`${regionPrefix}%`],
    )
  ).rows;
}

/** Sites registered per county (any kind, reserve or not, with or without rooms). */
export async function siteCountsByCounty(q: Queryable, regionPrefix: string): Promise<Map<string, number>> {
  const r = await q.query<{ countyCode: string; n: number }>(
    `SELECT left(region_code, 6) AS "countyCode", count(*)::int AS n FROM quarantine_sites
     WHERE region_code LIKE $1 GROUP BY 1`,
    [`${regionPrefix}%`],
  );
  return new Map(r.rows.map((c) => [c.countyCode, c.n]));
}

export interface CountyRegionRow {
  code: string;
  name: string;
  population: number | null;
  populationSource: "census2020" | "estimate" | null;
  populationNote: string | null;
}

/** The counties inside a subtree (or the one county), with their population as the regions table holds it. */
export async function countiesUnder(
  q: Queryable,
  code: string,
  regionPrefix: string,
): Promise<CountyRegionRow[]> {
  return (
    await q.query<CountyRegionRow>(
      `SELECT code, name, population, population_source AS "populationSource", population_note AS "populationNote"
       FROM regions WHERE level = 'county' AND (code = $1 OR code LIKE $2) ORDER BY code`,
      [code, `${regionPrefix}%`],
    )
  ).rows;
}
