import { decideAccess } from "@cordon/domain/accounts/roles";
import { isWithin, structuralAncestors, subtreePrefix } from "@cordon/domain/regions/region-code";
import { type AreaKind, validateDesignation, validateEnd } from "@cordon/domain/zones/area";
import { v7 as uuidv7 } from "uuid";
import { recordAudit } from "../audit/audit.service.ts";
import type { Db } from "../db/db.ts";
import { type RequestContext, requireActor } from "../http/context.ts";
import { forbidden, invalid, notFound } from "../http/errors.ts";
import { findRegion, findRegions } from "../regions/region.repository.ts";
import {
  type AreaInForceRow,
  type AreaRow,
  areasInForceAt,
  endArea,
  findArea,
  insertArea,
} from "./area.repository.ts";

export const AREA = { zh: "风险区/管控区域", en: "Area designation" };

export interface DesignateInput {
  regionCode: string;
  placeName?: string | null | undefined;
  kind: string;
  from: string;
  to?: string | null | undefined;
  reason: string;
  linkedCase?: string | null | undefined;
}

/** Designates a region (or a named place inside a community) as a risk area or zone; audited `area.designate`. */
export async function designateArea(db: Db, ctx: RequestContext, input: DesignateInput): Promise<AreaRow> {
  const actor = requireActor(ctx);
  const d = decideAccess(actor, "areas.write", [input.regionCode]);
  if (!d.allowed) throw forbidden(d.reason);
  const v = validateDesignation({
    ...input,
    from: new Date(input.from),
    to: input.to ? new Date(input.to) : null,
  });
  if (!v.ok) throw invalid(v.errors);
  if (!(await findRegion(db, v.value.regionCode)))
    throw invalid([
      {
        field: "regionCode",
        code: "region.unknown",
        message: { zh: "没有此区划", en: "No such region" },
      },
    ]);
  const row: AreaRow = {
    id: uuidv7(),
    ...v.value,
    createdBy: actor.userId,
    createdAt: ctx.now,
    endedBy: null,
    endedAt: null,
    endReason: null,
    previousId: null,
  };
  await db.transaction(async (tx) => {
    await insertArea(tx, row);
    await recordAudit(tx, ctx, {
      action: "area.designate",
      entityType: "area",
      entityId: row.id,
      regionCode: row.regionCode,
      after: row,
    });
  });
  return row;
}

/** Ends a designation at `at` (its history stays); refuses an end before the start or a second end. */
export async function endDesignation(
  db: Db,
  ctx: RequestContext,
  id: string,
  input: { at: string; reason: string },
): Promise<AreaRow> {
  const actor = requireActor(ctx);
  return db.transaction(async (tx) => {
    const before = await findArea(tx, id, true);
    if (!before) throw notFound(AREA);
    const d = decideAccess(actor, "areas.write", [before.regionCode]);
    if (!d.allowed) throw forbidden(d.reason);
    const v = validateEnd(before, new Date(input.at), input.reason);
    if (!v.ok) throw invalid(v.errors);
    await endArea(tx, id, { at: v.value.at, reason: v.value.reason, by: actor.userId, recordedAt: ctx.now });
    const after = (await findArea(tx, id))!;
    await recordAudit(tx, ctx, {
      action: "area.end",
      entityType: "area",
      entityId: id,
      regionCode: before.regionCode,
      before: { to: before.to },
      after: { to: after.to, endReason: after.endReason },
    });
    return after;
  });
}

/** Designations in force at `at` inside the caller's jurisdiction (any logged-in user may read them). */
export async function listAreas(
  db: Db,
  ctx: RequestContext,
  f: { at?: string | undefined; kind?: AreaKind | undefined; regionCode?: string | undefined },
): Promise<AreaInForceRow[]> {
  const actor = requireActor(ctx);
  const scope = f.regionCode ?? actor.jurisdiction;
  // Reading areas needs no permission beyond a session; the region asked for must be in the jurisdiction.
  if (f.regionCode && !isWithin(actor.jurisdiction, f.regionCode)) throw forbidden("jurisdiction");
  return areasInForceAt(db, {
    at: f.at ? new Date(f.at) : ctx.now,
    regionPrefix: subtreePrefix(scope),
    kind: f.kind,
  });
}

export interface PublicArea {
  regionCode: string;
  regionName: string;
  path: { code: string; name: string }[];
  placeName: string | null;
  kind: AreaKind;
  from: Date;
  to: Date | null;
}

/** The public list: areas in force anywhere at `at`, with region names and paths; no case ids, no people. */
export async function publicAreas(
  db: Db,
  ctx: RequestContext,
  at: string | undefined,
): Promise<PublicArea[]> {
  const rows = await areasInForceAt(db, { at: at ? new Date(at) : ctx.now, regionPrefix: "" });
  const codes = new Set<string>();
  for (const r of rows) for (const c of structuralAncestors(r.regionCode)) codes.add(c);
  const names = new Map((await findRegions(db, [...codes])).map((r) => [r.code, r.name]));
  return rows.map((r) => ({
    regionCode: r.regionCode,
    regionName: r.regionName,
    path: structuralAncestors(r.regionCode)
      .filter((c) => names.has(c))
      .map((c) => ({ code: c, name: names.get(c)! })),
    placeName: r.placeName,
    kind: r.kind,
    from: r.from,
    to: r.to,
  }));
}
