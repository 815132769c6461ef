import { decideAccess, type Permission } from "@cordon/domain/accounts/roles";
import { validateMobile } from "@cordon/domain/people/phone";
import { v7 as uuidv7 } from "uuid";
import { recordAudit } from "../audit/audit.service.ts";
import type { Db } from "../db/db.ts";
import { type RequestContext, requireActor } from "../http/context.ts";
import { forbidden, invalid, notFound } from "../http/errors.ts";
import {
  ancestors,
  childRegions,
  countPersonsUnder,
  deleteResponsible,
  findRegion,
  insertRegion,
  insertResponsible,
  type RegionRow,
  responsiblesOf,
  searchRegions,
} from "./region.repository.ts";

const REGION = { zh: "区划", en: "Region" };

function access(ctx: RequestContext, permission: Permission, code: string) {
  const d = decideAccess(requireActor(ctx), permission, [code]);
  if (!d.allowed) throw forbidden(d.reason);
}

/** A region with its path from the root, its children, its registered people and who answers for it. */
export async function regionOverview(db: Db, ctx: RequestContext, code: string) {
  access(ctx, "regions.read", code);
  const region = await findRegion(db, code);
  if (!region) throw notFound(REGION);
  const canCountPeople = decideAccess(requireActor(ctx), "people.read", [code]).allowed;
  const [path, children, responsibles, personCount] = await Promise.all([
    ancestors(db, code),
    childRegions(db, code, canCountPeople && region.level !== "country" && region.level !== "province"),
    responsiblesOf(db, code),
    canCountPeople && region.level !== "country" ? countPersonsUnder(db, code) : Promise.resolve(null),
  ]);
  return { region, path, children, responsibles, personCount };
}

/**
 * Region lookup by name or code over the whole country: GB/T 2260 names and codes are public, and forms
 * need regions outside one's jurisdiction (a household registration elsewhere, an origin).
 */
export async function findRegionsByName(
  db: Db,
  ctx: RequestContext,
  term: string,
  limit: number,
): Promise<RegionRow[]> {
  const actor = requireActor(ctx);
  access(ctx, "regions.read", actor.jurisdiction);
  return searchRegions(db, "", term.trim(), limit);
}

export async function addResponsible(
  db: Db,
  ctx: RequestContext,
  code: string,
  input: { name: string; title: string; phone: string },
) {
  access(ctx, "regions.write", code);
  if (!(await findRegion(db, code))) throw notFound(REGION);
  const phone = validateMobile(input.phone);
  if (!phone.ok) throw invalid(phone.errors);
  const errors = [];
  if (!input.name.trim())
    errors.push({
      field: "name",
      code: "name.required",
      message: { zh: "请填写姓名", en: "Name is required" },
    });
  if (!input.title.trim())
    errors.push({
      field: "title",
      code: "title.required",
      message: { zh: "请填写职务", en: "Title is required" },
    });
  if (errors.length) throw invalid(errors);
  const row = {
    id: uuidv7(),
    regionCode: code,
    name: input.name.trim(),
    title: input.title.trim(),
    phone: phone.value,
    createdAt: ctx.now,
  };
  await db.transaction(async (tx) => {
    await insertResponsible(tx, row);
    await recordAudit(tx, ctx, {
      action: "region.responsible_add",
      entityType: "region",
      entityId: code,
      regionCode: code,
      after: row,
    });
  });
  return row;
}

export async function removeResponsible(db: Db, ctx: RequestContext, id: string) {
  const actor = requireActor(ctx);
  await db.transaction(async (tx) => {
    const row = await deleteResponsible(tx, id);
    if (!row) throw notFound({ zh: "责任人", en: "Responsible person" });
    const d = decideAccess(actor, "regions.write", [row.regionCode]);
    if (!d.allowed) throw forbidden(d.reason);
    await recordAudit(tx, ctx, {
      action: "region.responsible_remove",
      entityType: "region",
      entityId: row.regionCode,
      regionCode: row.regionCode,
      before: row,
    });
  });
}

/** Draws a new grid inside a community: its code is the community's and the next free 3-digit number. */
export async function createGrid(db: Db, ctx: RequestContext, communityCode: string, name: string) {
  access(ctx, "regions.write", communityCode);
  const community = await findRegion(db, communityCode);
  if (!community) throw notFound(REGION);
  if (community.level !== "community") {
    throw invalid([
      {
        field: "communityCode",
        code: "region.level",
        message: { zh: "网格只能设在社区（村）之下", en: "Grids are drawn inside a community or village" },
      },
    ]);
  }
  const trimmed = name.trim();
  if (!trimmed || trimmed.length > 50) {
    throw invalid([
      {
        field: "name",
        code: "name.length",
        message: { zh: "网格名称应为1-50个字符", en: "A grid name has 1 to 50 characters" },
      },
    ]);
  }
  return db.transaction(async (tx) => {
    const max = (
      await tx.query<{ m: string | null }>(
        "SELECT max(code) AS m FROM regions WHERE parent_code = $1 AND level = 'grid'",
        [communityCode],
      )
    ).rows[0]!.m;
    const next = max ? Number(max.slice(12)) + 1 : 1;
    if (next > 999)
      throw invalid([
        {
          field: "communityCode",
          code: "grid.full",
          message: { zh: "该社区网格数已达上限999", en: "This community already has 999 grids" },
        },
      ]);
    const grid: RegionRow = {
      code: `${communityCode}${String(next).padStart(3, "0")}`,
      parentCode: communityCode,
      level: "grid",
      name: trimmed,
      population: null,
      populationSource: null,
      populationNote: null,
      source: "cordon",
    };
    await insertRegion(tx, grid);
    await recordAudit(tx, ctx, {
      action: "region.grid_create",
      entityType: "region",
      entityId: grid.code,
      regionCode: grid.code,
      after: grid,
    });
    return grid;
  });
}
