/**
 * Venues (场所) with their venue codes (场所码) and gate devices: registration and changes by venue
 * managers and the command within their jurisdiction (permission `venues.manage`, audited), and the
 * reads a citizen's check-in page needs.
 */
import { VENUE_KINDS, type VenueKind } from "@cordon/domain/venues/venue-kinds";
import { decideAccess } from "@cordon/domain/accounts/roles";
import { isWithin, subtreePrefix } from "@cordon/domain/regions/region-code";
import { type FieldError, fieldError, type Message } from "@cordon/domain/shared/result";
import { v7 as uuidv7 } from "uuid";
import { recordAudit } from "../audit/audit.service.ts";
import type { Db, Queryable } from "../db/db.ts";
import { conflict, type RequestContext, requireActor } from "../http/context.ts";
import { forbidden, invalid, notFound } from "../http/errors.ts";
import { findRegion } from "../regions/region.repository.ts";
import { issueDeviceToken } from "./device-token.ts";
import {
  countVenueScans,
  type DeviceRow,
  findDevice,
  findVenue,
  insertDevice,
  insertVenue,
  listDevices,
  listVenues,
  listVenueScans,
  revokeDevice,
  type ScanRow,
  updateVenue,
  type VenueListRow,
  type VenueRow,
} from "./venue.repository.ts";

export const VENUE: Message = { zh: "场所", en: "Venue" };
export const DEVICE: Message = { zh: "扫码设备", en: "Gate device" };

export { VENUE_KINDS, type VenueKind };

export interface VenueInput {
  name: string;
  kind: string;
  regionCode: string;
  address: string;
  capacity?: number | null | undefined;
  lat?: number | null | undefined;
  lon?: number | null | undefined;
}

export interface VenuePatch extends Partial<VenueInput> {
  active?: boolean | undefined;
  version: number;
}

function validateVenue(v: VenueInput): FieldError[] {
  const errors: FieldError[] = [];
  const name = v.name.trim();
  if (!name)
    errors.push(fieldError("name", "venue.name_required", "请填写场所名称", "Enter the venue's name"));
  else if (name.length > 200)
    errors.push(
      fieldError(
        "name",
        "venue.name_too_long",
        "场所名称不超过200字",
        "A venue name has at most 200 characters",
      ),
    );
  if (!(VENUE_KINDS as readonly string[]).includes(v.kind))
    errors.push(
      fieldError(
        "kind",
        "venue.kind_unknown",
        `没有此场所类型：${v.kind}`,
        `No such kind of venue: ${v.kind}`,
      ),
    );
  const address = v.address.trim();
  if (!address)
    errors.push(
      fieldError("address", "venue.address_required", "请填写场所地址", "Enter the venue's address"),
    );
  else if (address.length > 500)
    errors.push(
      fieldError(
        "address",
        "venue.address_too_long",
        "地址不超过500字",
        "An address has at most 500 characters",
      ),
    );
  if (v.capacity != null && (!Number.isInteger(v.capacity) || v.capacity < 1 || v.capacity > 1_000_000))
    errors.push(
      fieldError(
        "capacity",
        "venue.capacity_invalid",
        "容量应为1至1,000,000之间的整数（人）",
        "Capacity is a whole number of people from 1 to 1,000,000",
      ),
    );
  const hasLat = v.lat != null;
  const hasLon = v.lon != null;
  if (hasLat !== hasLon)
    errors.push(
      fieldError(
        hasLat ? "lon" : "lat",
        "venue.coordinates_partial",
        "经纬度须同时填写或同时留空",
        "Give both latitude and longitude, or neither",
      ),
    );
  if (hasLat && (v.lat! < -90 || v.lat! > 90))
    errors.push(
      fieldError("lat", "venue.lat_range", "纬度应在−90至90之间", "Latitude lies between −90 and 90"),
    );
  if (hasLon && (v.lon! < -180 || v.lon! > 180))
    errors.push(
      fieldError("lon", "venue.lon_range", "经度应在−180至180之间", "Longitude lies between −180 and 180"),
    );
  return errors;
}

async function checkRegion(q: Queryable, regionCode: string): Promise<void> {
  if (!(await findRegion(q, regionCode)))
    throw invalid([
      fieldError(
        "regionCode",
        "region.unknown",
        `没有此区划：${regionCode}`,
        `No such region: ${regionCode}`,
      ),
    ]);
}

function access(ctx: RequestContext, regionCodes: string[]) {
  const actor = requireActor(ctx);
  const d = decideAccess(actor, "venues.manage", regionCodes);
  if (!d.allowed) throw forbidden(d.reason);
  return actor;
}

/** Registers a venue; audited `venue.create`. */
export async function createVenue(db: Db, ctx: RequestContext, input: VenueInput): Promise<VenueRow> {
  const actor = access(ctx, [input.regionCode]);
  const errors = validateVenue(input);
  if (errors.length) throw invalid(errors);
  await checkRegion(db, input.regionCode);
  const row: VenueRow = {
    id: uuidv7(),
    name: input.name.trim(),
    kind: input.kind,
    regionCode: input.regionCode,
    address: input.address.trim(),
    capacity: input.capacity ?? null,
    lat: input.lat ?? null,
    lon: input.lon ?? null,
    active: true,
    createdBy: actor.userId,
    createdAt: ctx.now,
    updatedAt: ctx.now,
    version: 1,
  };
  await db.transaction(async (tx) => {
    await insertVenue(tx, row);
    await recordAudit(tx, ctx, {
      action: "venue.create",
      entityType: "venue",
      entityId: row.id,
      regionCode: row.regionCode,
      after: row,
    });
  });
  return row;
}

/** Changes a venue (optimistic: the version read must still be current); audited `venue.update`. */
export async function changeVenue(
  db: Db,
  ctx: RequestContext,
  id: string,
  patch: VenuePatch,
): Promise<VenueRow> {
  return db.transaction(async (tx) => {
    const before = await findVenue(tx, id, true);
    if (!before) throw notFound(VENUE);
    access(ctx, [before.regionCode, ...(patch.regionCode ? [patch.regionCode] : [])]);
    if (patch.version !== before.version)
      throw conflict(
        `该场所已被他人修改（当前版本 ${before.version}），请刷新后再改`,
        `This venue was changed by someone else (now version ${before.version}); reload and try again`,
      );
    const next: VenueRow = {
      ...before,
      name: patch.name ?? before.name,
      kind: patch.kind ?? before.kind,
      regionCode: patch.regionCode ?? before.regionCode,
      address: patch.address ?? before.address,
      capacity: patch.capacity === undefined ? before.capacity : patch.capacity,
      lat: patch.lat === undefined ? before.lat : patch.lat,
      lon: patch.lon === undefined ? before.lon : patch.lon,
      active: patch.active ?? before.active,
      updatedAt: ctx.now,
      version: before.version + 1,
    };
    const errors = validateVenue(next);
    if (errors.length) throw invalid(errors);
    next.name = next.name.trim();
    next.address = next.address.trim();
    if (next.regionCode !== before.regionCode) await checkRegion(tx, next.regionCode);
    await updateVenue(tx, next);
    const changed = (Object.keys(next) as (keyof VenueRow)[]).filter(
      (k) => k !== "updatedAt" && k !== "version" && next[k] !== before[k],
    );
    await recordAudit(tx, ctx, {
      action: "venue.update",
      entityType: "venue",
      entityId: id,
      regionCode: next.regionCode,
      before: Object.fromEntries(changed.map((k) => [k, before[k]])),
      after: Object.fromEntries(changed.map((k) => [k, next[k]])),
    });
    return next;
  });
}

/** One venue, for its managers. */
export async function getVenue(db: Db, ctx: RequestContext, id: string): Promise<VenueRow> {
  const v = await findVenue(db, id);
  if (!v) throw notFound(VENUE);
  access(ctx, [v.regionCode]);
  return v;
}

/** Venues inside the caller's jurisdiction (or a region of it). */
export async function findVenues(
  db: Db,
  ctx: RequestContext,
  f: {
    regionCode?: string | undefined;
    q?: string | undefined;
    kind?: string | undefined;
    active?: boolean | undefined;
    page: number;
    pageSize: number;
  },
): Promise<{ items: VenueListRow[]; total: number }> {
  const actor = access(ctx, f.regionCode ? [f.regionCode] : []);
  const scope = f.regionCode ?? actor.jurisdiction;
  if (!isWithin(actor.jurisdiction, scope)) throw forbidden("jurisdiction");
  return listVenues(db, {
    regionPrefix: subtreePrefix(scope),
    q: f.q?.trim() || undefined,
    kind: f.kind,
    active: f.active,
    limit: f.pageSize,
    offset: (f.page - 1) * f.pageSize,
  });
}

/** What a citizen's phone shows after scanning a venue code: no managers' details. */
export async function venueForCheckin(
  db: Db,
  ctx: RequestContext,
  id: string,
): Promise<{ id: string; name: string; address: string; kind: string; active: boolean }> {
  requireActor(ctx);
  const v = await findVenue(db, id);
  if (!v) throw notFound(VENUE);
  return { id: v.id, name: v.name, address: v.address, kind: v.kind, active: v.active };
}

/**
 * Registers a gate device at a venue; audited `venue.device_register`. The token is returned once and
 * never stored: it is recomputed from the device id and the installation's secret when checked.
 */
export async function registerDevice(
  db: Db,
  ctx: RequestContext,
  secret: Buffer,
  venueId: string,
  input: { name: string },
): Promise<{ device: DeviceRow; token: string }> {
  return db.transaction(async (tx) => {
    const venue = await findVenue(tx, venueId);
    if (!venue) throw notFound(VENUE);
    const actor = access(ctx, [venue.regionCode]);
    const name = input.name.trim();
    if (!name || name.length > 100)
      throw invalid([
        fieldError(
          "name",
          "device.name_invalid",
          "请填写设备名称（不超过100字），如“东门1号机”",
          "Name the device (at most 100 characters), e.g. “East gate 1”",
        ),
      ]);
    if (!venue.active)
      throw conflict("场所已停用，不能登记扫码设备", "The venue is inactive: no devices can be registered");
    const device: DeviceRow = {
      id: uuidv7(),
      venueId,
      name,
      createdBy: actor.userId,
      createdAt: ctx.now,
      revokedBy: null,
      revokedAt: null,
    };
    await insertDevice(tx, device);
    await recordAudit(tx, ctx, {
      action: "venue.device_register",
      entityType: "venue_device",
      entityId: device.id,
      regionCode: venue.regionCode,
      after: device,
    });
    return { device, token: issueDeviceToken(secret, device.id) };
  });
}

export async function venueDevices(db: Db, ctx: RequestContext, venueId: string): Promise<DeviceRow[]> {
  await getVenue(db, ctx, venueId);
  return listDevices(db, venueId);
}

/** Revokes a device: its uploads are refused from now on; audited `venue.device_revoke`. */
export async function revokeVenueDevice(
  db: Db,
  ctx: RequestContext,
  venueId: string,
  deviceId: string,
): Promise<DeviceRow> {
  return db.transaction(async (tx) => {
    const venue = await findVenue(tx, venueId);
    if (!venue) throw notFound(VENUE);
    const actor = access(ctx, [venue.regionCode]);
    const before = await findDevice(tx, deviceId, true);
    if (!before || before.venueId !== venueId) throw notFound(DEVICE);
    if (before.revokedAt) throw conflict("该设备已注销", "This device is already revoked");
    await revokeDevice(tx, deviceId, actor.userId, ctx.now);
    await recordAudit(tx, ctx, {
      action: "venue.device_revoke",
      entityType: "venue_device",
      entityId: deviceId,
      regionCode: venue.regionCode,
      before: { revokedAt: null },
      after: { revokedAt: ctx.now },
    });
    return { ...before, revokedBy: actor.userId, revokedAt: ctx.now };
  });
}

/** A venue's recent check-ins (the last `hours`), with counts: for its managers. */
export async function venueScans(
  db: Db,
  ctx: RequestContext,
  venueId: string,
  hours: number,
): Promise<{ from: Date; to: Date; admitted: number; refused: number; items: ScanRow[] }> {
  await getVenue(db, ctx, venueId);
  const to = new Date(ctx.now.getTime() + 60_000);
  const from = new Date(ctx.now.getTime() - hours * 3_600_000);
  const counts = await countVenueScans(db, venueId, from, to);
  return { from, to, ...counts, items: await listVenueScans(db, venueId, from, to, 200) };
}
