/**
 * Sampling (采样): sampling points, and at a desk: opening a tube for the first person scanned, adding
 * swabs, sealing. The rules are the domain's (`poolRuleFor`, `openTube`, `addSwab`, `sealTube`) with the
 * policy in force at the sampling point (`natPolicyAt`); a refused scan changes nothing.
 */
import { decideAccess, type Permission } from "@cordon/domain/accounts/roles";
import {
  type PoolDecision,
  addSwab,
  householdTubeSizes,
  openTube,
  poolRuleFor,
  sealTube,
} from "@cordon/domain/nat/pooling";
import type { NatPolicy } from "@cordon/domain/nat/policy";
import type { DocumentType } from "@cordon/domain/people/person";
import type { LoadedPack } from "@cordon/domain/policies/pack-schema";
import { structuralAncestors } from "@cordon/domain/regions/region-code";
import type { FieldError } from "@cordon/domain/shared/result";
import { areaOf, isAreaKind, type AreaKind } from "@cordon/domain/zones/area";
import { v7 as uuidv7 } from "uuid";
import { recordAudit } from "../audit/audit.service.ts";
import type { Db, Queryable } from "../db/db.ts";
import { conflict, type RequestContext, requireActor } from "../http/context.ts";
import { AppError, forbidden, invalid, notFound } from "../http/errors.ts";
import { findPerson, findPersonIdByDocument } from "../people/person.repository.ts";
import { findRegion } from "../regions/region.repository.ts";
import { natPolicyAt } from "./nat-policy.ts";
import {
  designationsOver,
  findRound,
  findSamplingPoint,
  findTubes,
  hasOpenRecall,
  householdSize,
  insertSamplingPoint,
  insertSwab,
  insertTube,
  isPlaced,
  listSamplingPoints,
  type SamplingPointRow,
  sealTubeRow,
  setTubeHousehold,
  type SwabRow,
  swabsInTubes,
  toTube,
  tubeOfPerson,
  type TubeRow,
} from "./nat.repository.ts";

export const POINT = { zh: "核酸采样点", en: "Sampling point" };
export const TUBE = { zh: "采样管", en: "Tube" };
export const ROUND = { zh: "检测轮次", en: "Screening round" };
export const PERSON = { zh: "人员", en: "Person" };

export function access(ctx: RequestContext, permission: Permission, codes: readonly string[]) {
  const d = decideAccess(requireActor(ctx), permission, codes);
  if (!d.allowed) throw forbidden(d.reason);
}

export interface SamplingPointInput {
  name: string;
  address: string;
  regionCode: string;
  hours: string;
  desks: number;
  capacityPerHour: number;
}

/** Registers a sampling point (`nat.manage` over its region); audited `nat.sampling_point_create`. */
export async function createSamplingPoint(
  db: Db,
  ctx: RequestContext,
  input: SamplingPointInput,
): Promise<SamplingPointRow> {
  const actor = requireActor(ctx);
  access(ctx, "nat.manage", [input.regionCode]);
  const errors: FieldError[] = [];
  const text = (field: "name" | "address" | "hours", zh: string, en: string) => {
    if (!input[field].trim())
      errors.push({
        field,
        code: `${field}.required`,
        message: { zh: `请填写${zh}`, en: `The ${en} is required` },
      });
  };
  text("name", "采样点名称", "name");
  text("address", "地址", "address");
  text("hours", "开放时间", "opening hours");
  if (errors.length) throw invalid(errors);
  if (!(await findRegion(db, input.regionCode)))
    throw invalid([
      { field: "regionCode", code: "region.unknown", message: { zh: "没有此区划", en: "No such region" } },
    ]);
  const row: SamplingPointRow = {
    id: uuidv7(),
    name: input.name.trim(),
    address: input.address.trim(),
    regionCode: input.regionCode,
    hours: input.hours.trim(),
    desks: input.desks,
    capacityPerHour: input.capacityPerHour,
    createdBy: actor.userId,
    createdAt: ctx.now,
  };
  await db.transaction(async (tx) => {
    await insertSamplingPoint(tx, row);
    await recordAudit(tx, ctx, {
      action: "nat.sampling_point_create",
      entityType: "nat_sampling_point",
      entityId: row.id,
      regionCode: row.regionCode,
      after: row,
    });
  });
  return row;
}

/** Sampling points inside a region (default: the caller's jurisdiction). */
export async function samplingPoints(
  db: Db,
  ctx: RequestContext,
  regionCode: string | undefined,
): Promise<SamplingPointRow[]> {
  const scope = regionCode ?? requireActor(ctx).jurisdiction;
  access(ctx, "regions.read", [scope]);
  return listSamplingPoints(db, scope);
}

export interface PersonRef {
  personId?: string | undefined;
  documentType?: DocumentType | undefined;
  documentNumber?: string | undefined;
}

interface SampledPerson {
  id: string;
  regionCode: string;
  householdId: string | null;
  pool: PoolDecision;
}

/** The person scanned at the desk (by id, or by document number from their code), with their pool rule. */
async function scannedPerson(
  q: Queryable,
  ref: PersonRef,
  policy: NatPolicy,
  at: Date,
): Promise<SampledPerson> {
  let id = ref.personId ?? null;
  if (!id && ref.documentNumber)
    id = await findPersonIdByDocument(
      q,
      ref.documentType ?? "resident_id",
      ref.documentNumber.trim().toUpperCase(),
    );
  const person = id ? await findPerson(q, id) : null;
  if (!person)
    throw new AppError(
      404,
      "nat.person_unknown",
      ref.personId
        ? { zh: `人员库中没有此人（${ref.personId}）`, en: `No person ${ref.personId} in the registry` }
        : {
            zh: `人员库中没有证件号为 ${ref.documentNumber ?? ""} 的人员，请先登记`,
            en: `No person with document number ${ref.documentNumber ?? ""} in the registry: register them first`,
          },
    );
  const designations = (await designationsOver(q, structuralAncestors(person.currentRegionCode), at)).map(
    (d) => ({
      ...d,
      from: new Date(d.from),
      to: d.to ? new Date(d.to) : null,
    }),
  );
  const areaKinds = [
    ...new Set(
      areaOf(person.currentRegionCode, designations, at)
        .map((d) => d.kind)
        .filter((k): k is AreaKind => isAreaKind(k)),
    ),
  ];
  const pool = poolRuleFor({ areaKinds, keyGroup: await isPlaced(q, person.id) }, policy);
  return { id: person.id, regionCode: person.currentRegionCode, householdId: person.householdId, pool };
}

export interface TubeView extends TubeRow {
  members: { personId: string; sampledAt: Date; result: SwabRow["result"] }[];
  full: boolean;
}

const view = (t: TubeRow, swabs: readonly SwabRow[]): TubeView => ({
  ...t,
  members: swabs.map((s) => ({ personId: s.personId, sampledAt: s.sampledAt, result: s.result })),
  full: swabs.length >= t.size,
});

async function tubeForUpdate(
  q: Queryable,
  barcode: string,
): Promise<{ row: TubeRow; swabs: SwabRow[] } | null> {
  const row = (await findTubes(q, [barcode], true))[0];
  if (!row) return null;
  return { row, swabs: await swabsInTubes(q, [barcode]) };
}

const refused = (errors: FieldError[]) => invalid(errors);

/** The unique key of a person's swab in a round, hit by two desks at once: said as the domain says it. */
async function insertSwabChecked(q: Queryable, s: SwabRow): Promise<void> {
  try {
    await insertSwab(q, s);
  } catch (e) {
    if ((e as { code?: string }).code === "23505")
      throw conflict(
        "此人本轮已在另一采样台采样，不能重复采样",
        "this person was sampled at another desk this round at the same moment; they cannot be sampled twice",
      );
    throw e;
  }
}

export interface OpenTubeInput {
  barcode: string;
  roundId: string;
  samplingPointId: string;
  /** The first person scanned into the tube. */
  person: PersonRef;
  /** A smaller tube than the person's rule allows; default: the rule's size (household: the household's). */
  size?: number | undefined;
  /**
   * A single-tube retest (单管复核) for a member of a positive pool of this round: allowed although
   * they were sampled this round, once, and only while their recall is open.
   */
  retest?: boolean | undefined;
}

/**
 * Opens a tube at a desk with its first swab (`nat.sample` over the sampling point): the size is the
 * first person's pool rule (`poolRuleFor` for the zones in force at their home and whether they are at
 * an isolation site), a household tube sized for their household (`householdTubeSizes`). Scanning the
 * barcode of a tube still open in the round resumes it and adds the person. Audited `nat.tube_open`.
 */
export async function openTubeAtDesk(
  db: Db,
  ctx: RequestContext,
  packs: readonly LoadedPack[],
  input: OpenTubeInput,
): Promise<{ tube: TubeView; resumed: boolean; pool: PoolDecision }> {
  const actor = requireActor(ctx);
  const point = await findSamplingPoint(db, input.samplingPointId);
  if (!point) throw notFound(POINT);
  access(ctx, "nat.sample", [point.regionCode]);
  const round = await findRound(db, input.roundId);
  if (!round) throw notFound(ROUND);
  const { policy } = natPolicyAt(packs, point.regionCode, ctx.now);
  return db.transaction(async (tx) => {
    const person = await scannedPerson(tx, input.person, policy, ctx.now);
    const existing = await tubeForUpdate(tx, input.barcode);
    const retest = existing ? existing.row.purpose === "retest" : input.retest === true;
    if (retest && !(await hasOpenRecall(tx, person.id, round.id)))
      throw invalid([
        {
          field: "retest",
          code: "nat.no_open_recall",
          message: {
            zh: "此人不在本轮待单管复核名单上（或复核结果已出），不能单管复核采样",
            en: "this person is not on the round's recall list (or their retest is back): no retest tube for them",
          },
        },
      ]);
    let mode: "pool" | "household";
    let size: number;
    if (retest) {
      mode = "pool";
      size = 1;
    } else if (existing) {
      mode = existing.row.mode;
      size = input.size ?? existing.row.size;
    } else if (person.pool.rule.kind === "household") {
      mode = "household";
      const members = person.householdId ? await householdSize(tx, person.householdId) : 1;
      size = input.size ?? householdTubeSizes(members, policy.pooling.allowedSizes)[0] ?? 1;
      if (size === 1) mode = "pool";
    } else {
      mode = "pool";
      size = input.size ?? person.pool.rule.size;
    }
    const opened = openTube(
      { barcode: input.barcode, roundId: round.id, size, mode },
      existing ? toTube(existing.row, existing.swabs) : undefined,
      policy,
    );
    if (!opened.ok) throw refused(opened.errors);
    const added = addSwab(opened.value.tube, {
      personId: person.id,
      householdId: person.householdId,
      pool: person.pool,
      tubeThisRound: await tubeOfPerson(tx, person.id, round.id, retest),
      at: ctx.now,
    });
    if (!added.ok) throw refused(added.errors);
    let row: TubeRow;
    if (existing) {
      row = existing.row;
      if (row.householdKey !== added.value.tube.householdId) {
        row = { ...row, householdKey: added.value.tube.householdId };
        await setTubeHousehold(tx, row.barcode, row.householdKey);
      }
    } else {
      row = {
        barcode: input.barcode,
        roundId: round.id,
        samplingPointId: point.id,
        regionCode: point.regionCode,
        size: opened.value.tube.size,
        mode: opened.value.tube.mode,
        purpose: retest ? "retest" : "screening",
        householdKey: added.value.tube.householdId,
        openedAt: ctx.now,
        openedBy: actor.userId,
        sealedAt: null,
        sealedBy: null,
      };
      try {
        await insertTube(tx, row);
      } catch (e) {
        if ((e as { code?: string }).code === "23505")
          throw conflict(
            `试管 ${row.barcode} 刚被另一采样台开管，请重新扫码`,
            `tube ${row.barcode} was just opened at another desk; scan it again`,
          );
        throw e;
      }
      await recordAudit(tx, ctx, {
        action: "nat.tube_open",
        entityType: "nat_tube",
        entityId: row.barcode,
        regionCode: point.regionCode,
        after: {
          barcode: row.barcode,
          roundId: row.roundId,
          size: row.size,
          mode: row.mode,
          purpose: row.purpose,
          pool: person.pool,
        },
      });
    }
    const swab = await recordSwab(tx, ctx, actor.userId, person, {
      roundId: round.id,
      barcode: row.barcode,
      retest: row.purpose === "retest",
      regionCode: point.regionCode,
    });
    return {
      tube: view(row, [...(existing?.swabs ?? []), swab]),
      resumed: opened.value.resumed,
      pool: person.pool,
    };
  });
}

/** Stores a person's swab in a tube (checked: once per round), audited `nat.swab_add` in the tube's region. */
async function recordSwab(
  tx: Queryable,
  ctx: RequestContext,
  by: string,
  person: { id: string; householdId: SwabRow["householdId"]; regionCode: string },
  at: { roundId: string; barcode: string; retest: boolean; regionCode: string },
): Promise<SwabRow> {
  const swab: SwabRow = {
    personId: person.id,
    roundId: at.roundId,
    tubeBarcode: at.barcode,
    householdId: person.householdId,
    regionCode: person.regionCode,
    sampledAt: ctx.now,
    sampledBy: by,
    result: null,
    closedAt: null,
    retest: at.retest,
  };
  await insertSwabChecked(tx, swab);
  await recordAudit(tx, ctx, {
    action: "nat.swab_add",
    entityType: "nat_tube",
    entityId: at.barcode,
    regionCode: at.regionCode,
    after: { barcode: at.barcode, personId: person.id },
  });
  return swab;
}

/** Adds a person's swab to an open tube (`nat.sample`); audited `nat.swab_add`. */
export async function addSwabToTube(
  db: Db,
  ctx: RequestContext,
  packs: readonly LoadedPack[],
  barcode: string,
  ref: PersonRef,
): Promise<{ tube: TubeView; pool: PoolDecision }> {
  const actor = requireActor(ctx);
  return db.transaction(async (tx) => {
    const existing = await tubeForUpdate(tx, barcode);
    if (!existing)
      throw new AppError(404, "nat.tube_unknown", {
        zh: `没有条码为 ${barcode} 的试管，请先开管`,
        en: `no tube has the barcode ${barcode}: open it first`,
      });
    access(ctx, "nat.sample", [existing.row.regionCode]);
    const { policy } = natPolicyAt(packs, existing.row.regionCode, ctx.now);
    const person = await scannedPerson(tx, ref, policy, ctx.now);
    const added = addSwab(toTube(existing.row, existing.swabs), {
      personId: person.id,
      householdId: person.householdId,
      pool: person.pool,
      tubeThisRound: await tubeOfPerson(
        tx,
        person.id,
        existing.row.roundId,
        existing.row.purpose === "retest",
      ),
      at: ctx.now,
    });
    if (!added.ok) throw refused(added.errors);
    let row = existing.row;
    if (row.householdKey !== added.value.tube.householdId) {
      row = { ...row, householdKey: added.value.tube.householdId };
      await setTubeHousehold(tx, barcode, row.householdKey);
    }
    const swab = await recordSwab(tx, ctx, actor.userId, person, {
      roundId: row.roundId,
      barcode,
      retest: row.purpose === "retest",
      regionCode: row.regionCode,
    });
    return { tube: view(row, [...existing.swabs, swab]), pool: person.pool };
  });
}

/** Seals a tube (`nat.sample`): once, with at least one swab; audited `nat.tube_seal`. */
export async function sealTubeAtDesk(db: Db, ctx: RequestContext, barcode: string): Promise<TubeView> {
  const actor = requireActor(ctx);
  return db.transaction(async (tx) => {
    const existing = await tubeForUpdate(tx, barcode);
    if (!existing) throw notFound(TUBE);
    access(ctx, "nat.sample", [existing.row.regionCode]);
    const sealed = sealTube(toTube(existing.row, existing.swabs), ctx.now);
    if (!sealed.ok) throw refused(sealed.errors);
    await sealTubeRow(tx, barcode, ctx.now, actor.userId);
    await recordAudit(tx, ctx, {
      action: "nat.tube_seal",
      entityType: "nat_tube",
      entityId: barcode,
      regionCode: existing.row.regionCode,
      after: { barcode, members: existing.swabs.length },
    });
    return view({ ...existing.row, sealedAt: ctx.now, sealedBy: actor.userId }, existing.swabs);
  });
}

/** One tube with its members (`nat.sample` or `nat.lab` or `nat.manage` over its sampling point). */
export async function tubeDetail(db: Db, ctx: RequestContext, barcode: string): Promise<TubeView> {
  const row = (await findTubes(db, [barcode]))[0];
  if (!row) throw notFound(TUBE);
  const actor = requireActor(ctx);
  const allowed = (["nat.sample", "nat.lab", "nat.manage"] as const).map((p) =>
    decideAccess(actor, p, [row.regionCode]),
  );
  if (!allowed.some((d) => d.allowed))
    throw forbidden(
      allowed.some((d) => !d.allowed && d.reason === "jurisdiction") ? "jurisdiction" : "permission",
    );
  return view(row, await swabsInTubes(db, [barcode]));
}
