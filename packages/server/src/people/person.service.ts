import { decideAccess, type Permission } from "@cordon/domain/accounts/roles";
import { maskIdNumber, maskPhone } from "@cordon/domain/people/masking";
import { nameInitials, namePinyin } from "@cordon/domain/people/name-index";
import { type PersonFacts, type PersonInput, validatePerson } from "@cordon/domain/people/person";
import { isWithin, subtreePrefix } from "@cordon/domain/regions/region-code";
import type { FieldError } from "@cordon/domain/shared/result";
import { v7 as uuidv7 } from "uuid";
import { changedFields, recordAudit } from "../audit/audit.service.ts";
import { type Db, type Queryable, sqlState } from "../db/db.ts";
import { type RequestContext, requireActor } from "../http/context.ts";
import { AppError, forbidden, invalid, notFound } from "../http/errors.ts";
import { localDate } from "../http/time.ts";
import { ancestors, findRegions, type RegionRow } from "../regions/region.repository.ts";
import {
  findHousehold,
  findPerson,
  findPersonIdByDocument,
  householdMembers,
  insertHousehold,
  insertPerson,
  type PersonRow,
  type PersonSort,
  searchPersons,
  updatePerson,
} from "./person.repository.ts";

const PERSON = { zh: "人员", en: "Person" };

export interface PersonSummary {
  id: string;
  name: string;
  documentType: PersonRow["documentType"];
  documentNumberMasked: string;
  phoneMasked: string;
  sex: PersonRow["sex"];
  birthDate: string;
  currentRegionCode: string;
  currentAddress: string;
  householdId: string | null;
}

export function summarize(p: PersonRow): PersonSummary {
  return {
    id: p.id,
    name: p.name,
    documentType: p.documentType,
    documentNumberMasked: maskIdNumber(p.documentNumber),
    phoneMasked: maskPhone(p.phone),
    sex: p.sex,
    birthDate: p.birthDate,
    currentRegionCode: p.currentRegionCode,
    currentAddress: p.currentAddress,
    householdId: p.householdId,
  };
}

function access(ctx: RequestContext, permission: Permission, regionCodes: string[]) {
  const actor = requireActor(ctx);
  // A citizen reads their own record through the self routes; here it is the registry.
  const d = decideAccess(actor, permission, regionCodes);
  if (!d.allowed) throw forbidden(d.reason);
  return actor;
}

/** Checks that the regions exist and that a current region is a community or grid (where people live). */
async function checkRegions(q: Queryable, facts: PersonFacts): Promise<FieldError[]> {
  const codes = [facts.currentRegionCode, ...(facts.householdRegionCode ? [facts.householdRegionCode] : [])];
  const found = new Map((await findRegions(q, codes)).map((r) => [r.code, r]));
  const errors: FieldError[] = [];
  const cur = found.get(facts.currentRegionCode);
  if (!cur) {
    errors.push({
      field: "currentRegionCode",
      code: "region.unknown",
      message: {
        zh: `区划代码 ${facts.currentRegionCode} 不存在`,
        en: `Region ${facts.currentRegionCode} does not exist`,
      },
    });
  } else if (cur.level !== "community" && cur.level !== "grid") {
    errors.push({
      field: "currentRegionCode",
      code: "region.level",
      message: {
        zh: "现住地应选到社区（村）或网格",
        en: "The current region must be a community/village or a grid",
      },
    });
  }
  return errors;
}

export interface PersonWrite extends PersonInput {
  householdId?: string | null;
  householdRelation?: string | null;
}

function toRow(
  facts: PersonFacts,
  id: string,
  now: Date,
  w: PersonWrite,
  version: number,
  createdAt: Date,
): PersonRow {
  return {
    id,
    ...facts,
    nameInitials: nameInitials(facts.name),
    namePinyin: namePinyin(facts.name),
    householdId: w.householdId ?? null,
    householdRelation: w.householdId ? (w.householdRelation ?? null) : null,
    createdAt,
    updatedAt: now,
    version,
  };
}

async function checkHousehold(
  q: Queryable,
  ctx: RequestContext,
  householdId: string | null | undefined,
): Promise<FieldError[]> {
  if (!householdId) return [];
  const h = await findHousehold(q, householdId);
  if (!h || !isWithin(requireActor(ctx).jurisdiction, h.regionCode)) {
    return [
      {
        field: "householdId",
        code: "household.unknown",
        message: {
          zh: "家庭户不存在或不在管辖范围内",
          en: "The household does not exist or is outside your jurisdiction",
        },
      },
    ];
  }
  return [];
}

function duplicateDocument(
  existingId: string | null,
  ctx: RequestContext,
  existingRegion: string | null,
): AppError {
  const visible = existingRegion !== null && isWithin(requireActor(ctx).jurisdiction, existingRegion);
  return new AppError(
    409,
    "person.duplicate_document",
    {
      zh: visible ? "该证件号已登记，同一证件号只能对应一人" : "该证件号已在其他辖区登记",
      en: visible
        ? "This document number is already registered: one number, one person"
        : "This document number is registered in another jurisdiction",
    },
    [
      {
        field: "documentNumber",
        code: visible ? `person.exists:${existingId}` : "person.exists",
        message: { zh: "证件号已登记", en: "Document number already registered" },
      },
    ],
  );
}

export async function createPerson(db: Db, ctx: RequestContext, w: PersonWrite): Promise<PersonRow> {
  access(ctx, "people.write", [w.currentRegionCode]);
  const v = validatePerson(w, localDate(ctx.now));
  if (!v.ok) throw invalid(v.errors);
  const errors = [...(await checkRegions(db, v.value)), ...(await checkHousehold(db, ctx, w.householdId))];
  if (errors.length) throw invalid(errors);
  const row = toRow(v.value, uuidv7(), ctx.now, w, 1, ctx.now);
  try {
    await db.transaction(async (tx) => {
      await insertPerson(tx, row);
      await recordAudit(tx, ctx, {
        action: "person.create",
        entityType: "person",
        entityId: row.id,
        regionCode: row.currentRegionCode,
        after: row,
      });
    });
  } catch (e) {
    if (sqlState(e) === "23505") {
      const existing = await findPersonIdByDocument(db, row.documentType, row.documentNumber);
      const ex = existing ? await findPerson(db, existing) : null;
      throw duplicateDocument(existing, ctx, ex?.currentRegionCode ?? null);
    }
    throw e;
  }
  return row;
}

export async function updatePersonRecord(
  db: Db,
  ctx: RequestContext,
  id: string,
  version: number,
  w: PersonWrite,
): Promise<PersonRow> {
  const before = await findPerson(db, id);
  if (!before) throw notFound(PERSON);
  access(ctx, "people.write", [before.currentRegionCode, w.currentRegionCode]);
  const v = validatePerson(w, localDate(ctx.now));
  if (!v.ok) throw invalid(v.errors);
  const errors = [...(await checkRegions(db, v.value)), ...(await checkHousehold(db, ctx, w.householdId))];
  if (errors.length) throw invalid(errors);
  const after = toRow(v.value, id, ctx.now, w, before.version + 1, before.createdAt);
  const documentChanged =
    after.documentNumber !== before.documentNumber || after.documentType !== before.documentType;
  try {
    await db.transaction(async (tx) => {
      const ok = await updatePerson(tx, after, version, documentChanged);
      if (!ok) {
        throw new AppError(409, "person.stale", {
          zh: "该记录已被他人修改，请刷新后重试",
          en: "Someone else changed this record; reload and try again",
        });
      }
      const { updatedAt: _a, version: _va, ...a } = after;
      const { updatedAt: _b, version: _vb, ...b } = before;
      const diff = changedFields(b, a);
      await recordAudit(tx, ctx, {
        action: "person.update",
        entityType: "person",
        entityId: id,
        regionCode: after.currentRegionCode,
        before: diff?.before ?? {},
        after: diff?.after ?? {},
      });
    });
  } catch (e) {
    if (sqlState(e) === "23505") {
      const existing = await findPersonIdByDocument(db, after.documentType, after.documentNumber);
      const ex = existing ? await findPerson(db, existing) : null;
      throw duplicateDocument(existing, ctx, ex?.currentRegionCode ?? null);
    }
    throw e;
  }
  return after;
}

export interface PersonDetail {
  person: PersonRow;
  regionPath: RegionRow[];
  household: { id: string; address: string; regionCode: string; members: PersonSummary[] } | null;
}

/** The full record, identifiers unmasked. Every such read is audited. */
export async function readPerson(db: Db, ctx: RequestContext, id: string): Promise<PersonDetail> {
  const person = await findPerson(db, id);
  if (!person) throw notFound(PERSON);
  const actor = requireActor(ctx);
  if (!(actor.role === "citizen" && actor.personId === id))
    access(ctx, "people.pii", [person.currentRegionCode]);
  const regionPath = await ancestors(db, person.currentRegionCode);
  let household: PersonDetail["household"] = null;
  if (person.householdId) {
    const h = await findHousehold(db, person.householdId);
    if (h) {
      const members = (await householdMembers(db, h.id)).map(summarize);
      household = { id: h.id, address: h.address, regionCode: h.regionCode, members };
    }
  }
  await recordAudit(db, ctx, {
    action: "person.pii_read",
    entityType: "person",
    entityId: id,
    regionCode: person.currentRegionCode,
  });
  return { person, regionPath, household };
}

export interface PersonQuery {
  q?: string | undefined;
  regionCode?: string | undefined;
  sort?: PersonSort | undefined;
  order?: "asc" | "desc" | undefined;
  page: number;
  pageSize: number;
}

/** Lists people inside the caller's jurisdiction (or a region inside it), identifiers masked. */
export async function listPersons(db: Db, ctx: RequestContext, query: PersonQuery) {
  const actor = requireActor(ctx);
  const region = query.regionCode ?? actor.jurisdiction;
  access(ctx, "people.read", [region]);
  const r = await searchPersons(db, {
    regionPrefix: subtreePrefix(region),
    q: query.q ?? "",
    sort: query.sort ?? "name",
    order: query.order ?? "asc",
    limit: query.pageSize,
    offset: (query.page - 1) * query.pageSize,
  });
  return {
    items: r.rows.map(summarize),
    total: r.total,
    totalIsLowerBound: r.capped,
    page: query.page,
    pageSize: query.pageSize,
  };
}

export async function createHousehold(db: Db, ctx: RequestContext, regionCode: string, address: string) {
  access(ctx, "people.write", [regionCode]);
  const [region] = await findRegions(db, [regionCode]);
  if (!region || (region.level !== "community" && region.level !== "grid")) {
    throw invalid([
      {
        field: "regionCode",
        code: "region.level",
        message: {
          zh: "家庭户应属于社区（村）或网格",
          en: "A household belongs to a community/village or a grid",
        },
      },
    ]);
  }
  const h = { id: uuidv7(), regionCode, address: address.trim(), createdAt: ctx.now };
  if (h.address.length < 2) {
    throw invalid([
      {
        field: "address",
        code: "address.length",
        message: { zh: "地址至少2个字符", en: "The address has at least 2 characters" },
      },
    ]);
  }
  await db.transaction(async (tx) => {
    await insertHousehold(tx, h);
    await recordAudit(tx, ctx, {
      action: "household.create",
      entityType: "household",
      entityId: h.id,
      regionCode,
      after: h,
    });
  });
  return h;
}
