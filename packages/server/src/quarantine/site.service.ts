import { decideAccess, type Permission } from "@cordon/domain/accounts/roles";
import { countyCapacity, ROOMS_PER_10000 } from "@cordon/domain/quarantine/capacity";
import {
  countsTowardCapacity,
  type RoomState,
  type SiteKind,
  validateRoomChange,
  validateRoomRange,
  validateSite,
} from "@cordon/domain/quarantine/sites";
import { regionLevel, subtreePrefix } from "@cordon/domain/regions/region-code";
import type { Message } from "@cordon/domain/shared/result";
import { v7 as uuidv7 } from "uuid";
import { changedFields, recordAudit } from "../audit/audit.service.ts";
import type { Db } from "../db/db.ts";
import { conflict, type RequestContext, requireActor } from "../http/context.ts";
import { AppError, forbidden, invalid, notFound } from "../http/errors.ts";
import { findRegion } from "../regions/region.repository.ts";
import { roomOccupants } from "./placement.repository.ts";
import {
  countiesUnder,
  existingNumbers,
  findHomeSite,
  findRoom,
  findSite,
  insertRooms,
  insertSite,
  listSites,
  type Occupancy,
  occupancyOf,
  type RoomRow,
  roomCountsByCounty,
  roomsOf,
  type SiteRow,
  siteCountsByCounty,
  setRoomState,
  updateSite,
} from "./site.repository.ts";

export const SITE = { zh: "隔离场所", en: "Quarantine site" };
export const ROOM = { zh: "隔离房间", en: "Quarantine room" };

function access(ctx: RequestContext, permission: Permission, codes: readonly string[]) {
  const d = decideAccess(requireActor(ctx), permission, codes);
  if (!d.allowed) throw forbidden(d.reason);
}

export interface SiteWithOccupancy extends SiteRow {
  rooms: number;
  occupancy: Occupancy;
}

const total = (o: Occupancy) => o.free + o.occupied + o.cleaning + o.out_of_service;

export interface SiteInputBody {
  kind: string;
  name: string;
  address?: string | null | undefined;
  regionCode: string;
  reserve?: boolean | undefined;
  capacityNote?: string | null | undefined;
}

/**
 * Registers a site (the command, `regions.write` over the site's region); audited `quarantine.site_create`.
 * A community has at most one home-quarantine site.
 */
export async function createSite(
  db: Db,
  ctx: RequestContext,
  input: SiteInputBody,
): Promise<SiteWithOccupancy> {
  const actor = requireActor(ctx);
  access(ctx, "regions.write", [input.regionCode]);
  const v = validateSite(input);
  if (!v.ok) throw invalid(v.errors);
  if (!(await findRegion(db, v.value.regionCode)))
    throw invalid([
      { field: "regionCode", code: "region.unknown", message: { zh: "没有此区划", en: "No such region" } },
    ]);
  const row: SiteRow = {
    id: uuidv7(),
    ...v.value,
    createdBy: actor.userId,
    createdAt: ctx.now,
    updatedBy: actor.userId,
    updatedAt: ctx.now,
    version: 1,
  };
  await db.transaction(async (tx) => {
    if (row.kind === "home" && (await findHomeSite(tx, row.regionCode)))
      throw new AppError(409, "site.home_exists", {
        zh: "该社区已有居家隔离场所",
        en: "This community already has a home-quarantine site",
      });
    await insertSite(tx, row);
    await recordAudit(tx, ctx, {
      action: "quarantine.site_create",
      entityType: "quarantine_site",
      entityId: row.id,
      regionCode: row.regionCode,
      after: row,
    });
  });
  return { ...row, rooms: 0, occupancy: { free: 0, occupied: 0, cleaning: 0, out_of_service: 0 } };
}

/**
 * Changes a site's name, address, reserve flag (a reserve site activated, or one set aside) or capacity
 * note; its kind and region stay. `version` guards against a concurrent change; audited `quarantine.site_update`.
 */
export async function editSite(
  db: Db,
  ctx: RequestContext,
  id: string,
  input: {
    name: string;
    address?: string | null | undefined;
    reserve: boolean;
    capacityNote?: string | null | undefined;
    version: number;
  },
): Promise<SiteWithOccupancy> {
  const actor = requireActor(ctx);
  const after = await db.transaction(async (tx) => {
    const before = await findSite(tx, id, true);
    if (!before) throw notFound(SITE);
    access(ctx, "regions.write", [before.regionCode]);
    if (input.version !== before.version)
      throw conflict("该场所已被他人修改，请刷新后重试", "Someone else changed this site; reload and retry");
    const v = validateSite({ ...input, kind: before.kind, regionCode: before.regionCode });
    if (!v.ok) throw invalid(v.errors);
    const next: SiteRow = { ...before, ...v.value, updatedBy: actor.userId, updatedAt: ctx.now };
    await updateSite(tx, next);
    const diff = changedFields(
      {
        name: before.name,
        address: before.address,
        reserve: before.reserve,
        capacityNote: before.capacityNote,
      },
      { name: next.name, address: next.address, reserve: next.reserve, capacityNote: next.capacityNote },
    );
    if (diff)
      await recordAudit(tx, ctx, {
        action: "quarantine.site_update",
        entityType: "quarantine_site",
        entityId: id,
        regionCode: before.regionCode,
        ...diff,
      });
    return (await findSite(tx, id))!;
  });
  const occ = (await occupancyOf(db, [id])).get(id)!;
  return { ...after, rooms: total(occ), occupancy: occ };
}

/** Sites inside the caller's jurisdiction (or a region in it), each with its rooms per state. */
export async function listSitesWithOccupancy(
  db: Db,
  ctx: RequestContext,
  f: { regionCode?: string | undefined; kind?: SiteKind | undefined; reserve?: boolean | undefined },
): Promise<SiteWithOccupancy[]> {
  const actor = requireActor(ctx);
  const scope = f.regionCode ?? actor.jurisdiction;
  access(ctx, "regions.read", [scope]);
  const sites = await listSites(db, { regionPrefix: subtreePrefix(scope), kind: f.kind, reserve: f.reserve });
  const occ = await occupancyOf(
    db,
    sites.map((s) => s.id),
  );
  return sites.map((s) => ({ ...s, rooms: total(occ.get(s.id)!), occupancy: occ.get(s.id)! }));
}

/** One site with its rooms and their (effective) states. */
export async function siteDetail(
  db: Db,
  ctx: RequestContext,
  id: string,
): Promise<SiteWithOccupancy & { roomList: RoomRow[] }> {
  const site = await findSite(db, id);
  if (!site) throw notFound(SITE);
  access(ctx, "regions.read", [site.regionCode]);
  const roomList = await roomsOf(db, id);
  const occupancy: Occupancy = { free: 0, occupied: 0, cleaning: 0, out_of_service: 0 };
  for (const r of roomList) occupancy[r.state]++;
  return { ...site, rooms: roomList.length, occupancy, roomList };
}

/**
 * Creates rooms from…to of one type, all free, in one transaction with one audit entry
 * (`quarantine.rooms_create`). A number the site already has refuses the whole batch.
 */
export async function createRooms(
  db: Db,
  ctx: RequestContext,
  siteId: string,
  input: { from: number; to: number; prefix?: string | null | undefined; type: string },
): Promise<RoomRow[]> {
  return db.transaction(async (tx) => {
    const site = await findSite(tx, siteId, true);
    if (!site) throw notFound(SITE);
    access(ctx, "regions.write", [site.regionCode]);
    const v = validateRoomRange(input);
    if (!v.ok) throw invalid(v.errors);
    const taken = await existingNumbers(tx, siteId, v.value.numbers);
    if (taken.length)
      throw invalid([
        {
          field: "from",
          code: "room.number_taken",
          message: {
            zh: `该场所已有房间：${taken.slice(0, 20).join("、")}${taken.length > 20 ? ` 等 ${taken.length} 间` : ""}`,
            en: `The site already has room(s) ${taken.slice(0, 20).join(", ")}${taken.length > 20 ? ` and more (${taken.length})` : ""}`,
          },
        },
      ]);
    const rows: RoomRow[] = v.value.numbers.map((number) => ({
      siteId,
      id: uuidv7(),
      number,
      type: v.value.type,
      state: "free",
      stateReason: null,
      stateChangedAt: ctx.now,
      createdAt: ctx.now,
    }));
    await insertRooms(tx, rows);
    await recordAudit(tx, ctx, {
      action: "quarantine.rooms_create",
      entityType: "quarantine_site",
      entityId: siteId,
      regionCode: site.regionCode,
      after: {
        count: rows.length,
        first: rows[0]!.number,
        last: rows.at(-1)!.number,
        type: v.value.type,
      },
    });
    return rows;
  });
}

/**
 * Moves a room to another state along the allowed transitions (site staff and the command,
 * `quarantine.rooms`); audited `quarantine.room_state`. Taking a room out of service needs a reason.
 * A room with people placed in it is occupied by them and cannot be changed by hand; the room is
 * locked first, so that a placement into it cannot slip in between the check and the change.
 */
export async function changeRoomState(
  db: Db,
  ctx: RequestContext,
  siteId: string,
  roomId: string,
  input: { to: string; reason?: string | null | undefined },
): Promise<RoomRow> {
  return db.transaction(async (tx) => {
    const site = await findSite(tx, siteId);
    if (!site) throw notFound(SITE);
    access(ctx, "quarantine.rooms", [site.regionCode]);
    const before = await findRoom(tx, siteId, roomId, true);
    if (!before) throw notFound(ROOM);
    const placed = await roomOccupants(tx, siteId, roomId);
    const v = validateRoomChange({ state: before.state, placed }, input.to);
    if (!v.ok) throw invalid(v.errors);
    const reason = input.reason?.trim() || null;
    if (v.value === "out_of_service" && !reason)
      throw invalid([
        {
          field: "reason",
          code: "room.reason_required",
          message: { zh: "停用房间须说明原因", en: "Taking a room out of service needs a reason" },
        },
      ]);
    await setRoomState(tx, siteId, roomId, v.value, reason, ctx.now);
    await recordAudit(tx, ctx, {
      action: "quarantine.room_state",
      entityType: "quarantine_room",
      entityId: roomId,
      regionCode: site.regionCode,
      before: { number: before.number, state: before.state },
      after: { number: before.number, state: v.value, reason },
    });
    return (await findRoom(tx, siteId, roomId))!;
  });
}

export interface CountyCapacityView {
  regionCode: string;
  name: string;
  population: number | null;
  populationSource: "census2020" | "estimate" | null;
  populationNote: string | null;
  /** Sites registered in Cordon for this county (0: none registered yet, so no rooms are counted). */
  sites: number;
  /** In-service rooms (not out of service) of centralized sites in use. */
  rooms: number;
  /** In-service rooms of centralized reserve sites (备用隔离场所). */
  reserveRooms: number;
  /** Out-of-service rooms of centralized sites (not counted above). */
  outOfService: number;
  /** Rooms that do not count toward the standard: designated hospitals and home quarantine. */
  otherRooms: number;
  required: number | null;
  shortfall: number | null;
  shortfallWithReserve: number | null;
  perTenThousand: number | null;
  perTenThousandWithReserve: number | null;
  message: Message;
}

const NO_POPULATION: Message = {
  zh: "无该县（区）人口数据，无法按标准计算所需房间数",
  en: "No population figure for this county: rooms required cannot be computed",
};

/**
 * Isolation-room capacity per county against the standard (seed 000: at least 20 rooms per 10,000
 * population, per county): the region's counties, or the county containing a region below it.
 */
export async function capacityByCounty(
  db: Db,
  ctx: RequestContext,
  q: { regionCode?: string | undefined; roomsPer10000?: number | undefined },
): Promise<{ regionCode: string; roomsPer10000: number; counties: CountyCapacityView[] }> {
  const actor = requireActor(ctx);
  const code = q.regionCode ?? actor.jurisdiction;
  access(ctx, "regions.read", [code]);
  const standard = q.roomsPer10000 ?? ROOMS_PER_10000;
  if (!Number.isFinite(standard) || standard <= 0 || standard > 10_000)
    throw invalid([
      {
        field: "roomsPer10000",
        code: "capacity.invalid_standard",
        message: {
          zh: `标准应为大于0且不超过10000的每万人房间数，收到 ${standard}`,
          en: `The standard is rooms per 10,000 people, above 0 and at most 10,000; got ${standard}`,
        },
      },
    ]);
  const level = regionLevel(code);
  if (level === "township" || level === "community" || level === "grid")
    throw invalid([
      {
        field: "regionCode",
        code: "capacity.below_county",
        message: {
          zh: "隔离房间标准以县（区）为单元计算：请选择县级或以上区划",
          en: "The standard is counted per county: choose a county or a region above it",
        },
      },
    ]);
  if (!(await findRegion(db, code))) throw notFound({ zh: "区划", en: "Region" });
  const prefix = subtreePrefix(code);
  const [counties, counts, siteCounts] = await Promise.all([
    countiesUnder(db, code, prefix),
    roomCountsByCounty(db, prefix),
    siteCountsByCounty(db, prefix),
  ]);
  const tally = new Map<
    string,
    { rooms: number; reserveRooms: number; outOfService: number; otherRooms: number }
  >();
  for (const c of counts) {
    const t = tally.get(c.countyCode) ?? { rooms: 0, reserveRooms: 0, outOfService: 0, otherRooms: 0 };
    if (countsTowardCapacity(c.kind, c.state as RoomState)) {
      if (c.reserve) t.reserveRooms += c.n;
      else t.rooms += c.n;
    } else if (c.kind === "centralized") t.outOfService += c.n;
    else t.otherRooms += c.n;
    tally.set(c.countyCode, t);
  }
  return {
    regionCode: code,
    roomsPer10000: standard,
    counties: counties.map((c) => {
      const t = tally.get(c.code) ?? { rooms: 0, reserveRooms: 0, outOfService: 0, otherRooms: 0 };
      const base = {
        regionCode: c.code,
        name: c.name,
        population: c.population,
        populationSource: c.populationSource,
        populationNote: c.populationNote,
        sites: siteCounts.get(c.code) ?? 0,
        ...t,
      };
      if (c.population === null)
        return {
          ...base,
          required: null,
          shortfall: null,
          shortfallWithReserve: null,
          perTenThousand: null,
          perTenThousandWithReserve: null,
          message: NO_POPULATION,
        };
      const v = countyCapacity(
        { regionCode: c.code, population: c.population, rooms: t.rooms, reserveRooms: t.reserveRooms },
        standard,
      );
      if (!v.ok) throw invalid(v.errors);
      return {
        ...base,
        required: v.value.required,
        shortfall: v.value.shortfall,
        shortfallWithReserve: v.value.shortfallWithReserve,
        perTenThousand: v.value.perTenThousand,
        perTenThousandWithReserve: v.value.perTenThousandWithReserve,
        message: v.value.message,
      };
    }),
  };
}
