/**
 * A case's itinerary (行程, issue 6 item 3): stays recorded against the case, checked by
 * `checkItinerary` against its look-back window (refused: 422 with bilingual field errors, nothing
 * stored; outside the window: kept with a flag); a mistaken stay deleted; and the risk-area or zone
 * proposals `proposeAreas` makes from the stays inside the window, in the scheme of the policy in force
 * (risk areas or zones). An investigator submits chosen proposals; the command confirms one (the zones
 * capability's `designateArea` opens the designation, in the same transaction) or rejects it, from the
 * risk-area page. Access over the case's region; every change audited in its transaction.
 */
import { decideAccess } from "@cordon/domain/accounts/roles";
import type { LoadedPack } from "@cordon/domain/policies/pack-schema";
import { isWithin, subtreePrefix } from "@cordon/domain/regions/region-code";
import { fieldError, type Message } from "@cordon/domain/shared/result";
import {
  type AreaProposal,
  type AreaScheme,
  checkItinerary,
  proposeAreas,
  type Stay,
  type StayKind,
} from "@cordon/domain/tracing/itinerary";
import { isRiskLevel } from "@cordon/domain/zones/area";
import { v7 as uuidv7 } from "uuid";
import { recordAudit } from "../audit/audit.service.ts";
import type { Db, Queryable } from "../db/db.ts";
import { type RequestContext, requireActor } from "../http/context.ts";
import { AppError, forbidden, invalid, notFound } from "../http/errors.ts";
import { designateArea } from "../zones/area.service.ts";
import { caseFor, caseWindow, policyOfCase } from "./case.service.ts";
import {
  type AreaProposalRow,
  areaProposalsOf,
  decideAreaProposal,
  deleteStay,
  findAreaProposal,
  findStay,
  insertAreaProposal,
  insertStay,
  knownRegions,
  type StayFlag,
  type StayRow,
  staysOf,
  type SubmittedProposalRow,
  submittedProposals,
} from "./stay.repository.ts";
import type { CaseRow } from "./tracing.repository.ts";

export const STAY: Message = { zh: "行程停留记录", en: "Stay" };
export const AREA_PROPOSAL: Message = { zh: "风险区划定建议", en: "Area proposal" };

export interface StayBody {
  kind: string;
  regionCode: string;
  placeName?: string | null | undefined;
  from: string;
  to: string;
  frequentHigherRisk?: boolean | undefined;
}

/** The case's look-back window as the itinerary check takes it; 409 without an onset or sampling date. */
function windowOf(c: CaseRow, packs: readonly LoadedPack[], now: Date) {
  const w = caseWindow(c, policyOfCase(packs, c).policy, now);
  if (!w)
    throw new AppError(409, "case.no_window", {
      zh: "病例没有发病日期或采样日期，无法确定追溯期",
      en: "The case has neither onset nor sampling date: no look-back window",
    });
  return { start: w.start.startsAt, end: w.end };
}

const stayOf = (s: StayRow): Stay => ({
  id: s.id,
  kind: s.kind,
  regionCode: s.regionCode,
  placeName: s.placeName,
  venueId: null,
  from: s.from,
  to: s.to,
  frequentHigherRisk: s.frequentHigherRisk,
});

const blank = (s: string | null | undefined) => !s?.trim();

/**
 * Records one stay of the case's itinerary. Refused with 422 and nothing stored: an unknown kind, a
 * region that is not a code or not in the region tree, a stay ending before it starts or starting in
 * the future. Kept with the flag `stay.outside_window`: a stay wholly outside the look-back window (no
 * area is proposed from it). Audited `tracing.stay`.
 */
export async function recordStay(
  db: Db,
  ctx: RequestContext,
  packs: readonly LoadedPack[],
  caseId: string,
  body: StayBody,
): Promise<StayRow> {
  const actor = requireActor(ctx);
  return db.transaction(async (tx) => {
    const c = await caseFor(tx, ctx, caseId, "tracing.investigate", true);
    const window = windowOf(c, packs, ctx.now);
    const stay: Stay = {
      id: uuidv7(),
      kind: body.kind as StayKind,
      regionCode: body.regionCode,
      placeName: blank(body.placeName) ? null : body.placeName!.trim(),
      venueId: null,
      from: new Date(body.from),
      to: new Date(body.to),
      frequentHigherRisk: body.frequentHigherRisk ?? false,
    };
    const checked = checkItinerary([stay], window, ctx.now);
    const errors = checked.refused.flatMap((r) => r.errors);
    if (!errors.some((e) => e.field === "regionCode") && !(await knownRegions(tx, [stay.regionCode])).size)
      errors.push(
        fieldError(
          "regionCode",
          "stay.region_unknown",
          `区划库中没有「${stay.regionCode}」`,
          `"${stay.regionCode}" is not in the region tree`,
        ),
      );
    if (errors.length) throw invalid(errors);
    const flags: StayFlag[] = checked.outsideWindow.map((o) => ({
      code: "stay.outside_window",
      message: o.message,
    }));
    const row: StayRow = {
      caseId: c.id,
      id: stay.id,
      kind: stay.kind,
      regionCode: stay.regionCode,
      placeName: stay.placeName,
      from: stay.from,
      to: stay.to,
      frequentHigherRisk: stay.frequentHigherRisk,
      flags,
      recordedBy: actor.userId,
      recordedAt: ctx.now,
    };
    await insertStay(tx, row);
    await recordAudit(tx, ctx, {
      action: "tracing.stay",
      entityType: "tracing_case",
      entityId: c.id,
      regionCode: c.regionCode,
      after: {
        stayId: row.id,
        kind: row.kind,
        regionCode: row.regionCode,
        placeName: row.placeName,
        from: row.from,
        to: row.to,
        frequentHigherRisk: row.frequentHigherRisk,
        flags: flags.map((f) => f.code),
      },
    });
    return row;
  });
}

export interface StayView extends StayRow {
  /** Overlaps the case's look-back window as it stands now (the window moves with isolation, onset…). */
  inWindow: boolean;
}

/** The case's stays in time order, each marked inside or outside the window as it stands now. */
export async function listStays(
  db: Db,
  ctx: RequestContext,
  packs: readonly LoadedPack[],
  caseId: string,
): Promise<StayView[]> {
  const c = await caseFor(db, ctx, caseId, "tracing.view");
  const rows = await staysOf(db, c.id);
  const w = caseWindow(c, policyOfCase(packs, c).policy, ctx.now);
  const inside = w
    ? new Set(
        checkItinerary(rows.map(stayOf), { start: w.start.startsAt, end: w.end }, ctx.now).inWindow.map(
          (s) => s.id,
        ),
      )
    : new Set<string>();
  return rows.map((s) => ({ ...s, inWindow: inside.has(s.id) }));
}

/** Deletes a stay recorded by mistake; what it was is kept on the audit record `tracing.stay_delete`. */
export async function removeStay(db: Db, ctx: RequestContext, caseId: string, stayId: string): Promise<void> {
  await db.transaction(async (tx) => {
    const c = await caseFor(tx, ctx, caseId, "tracing.investigate", true);
    const s = await findStay(tx, c.id, stayId);
    if (!s) throw notFound(STAY);
    await deleteStay(tx, c.id, s.id);
    await recordAudit(tx, ctx, {
      action: "tracing.stay_delete",
      entityType: "tracing_case",
      entityId: c.id,
      regionCode: c.regionCode,
      before: {
        stayId: s.id,
        kind: s.kind,
        regionCode: s.regionCode,
        placeName: s.placeName,
        from: s.from,
        to: s.to,
        frequentHigherRisk: s.frequentHigherRisk,
      },
      after: { deleted: true },
    });
  });
}

/** The scheme a pack's downgrades and lifts, or else its rules, name; null when it names neither. */
function schemeOfPack(pack: LoadedPack["pack"]): AreaScheme | null {
  if (pack.zoning?.length) return isRiskLevel(pack.zoning[0]!.from) ? "risk_areas" : "zones";
  const cats = new Set(pack.rules.map((r) => r.category));
  if (cats.has("sealed_zone_resident") || cats.has("controlled_zone_resident")) return "zones";
  if (cats.has("from_high_risk_area") || cats.has("from_medium_risk_area")) return "risk_areas";
  return null;
}

/**
 * Whether the packs in force in a region at a time designate risk areas (high/medium/low, 9th edition
 * and after) or zones (封控区/管控区/防范区, 2021 – mid 2022): the most specific pack in force that names
 * a scheme, by the kinds its downgrades and lifts name, else by its rules for people from risk areas or
 * zone residents (a provincial pack silent on it leaves the national edition's). Risk areas when none
 * does (the national scheme since the 9th edition).
 */
export function areaSchemeAt(
  packs: readonly LoadedPack[],
  regionCode: string,
  at: Date,
): { scheme: AreaScheme; packId: string | null; basis: Message } {
  const t = at.getTime();
  const inForce = packs
    .filter((p) => isWithin(p.pack.jurisdiction, regionCode) && p.from <= t && (p.to === null || t < p.to))
    .sort((a, b) => subtreePrefix(b.pack.jurisdiction).length - subtreePrefix(a.pack.jurisdiction).length);
  for (const p of inForce) {
    const scheme = schemeOfPack(p.pack);
    if (!scheme) continue;
    const label: Message =
      scheme === "zones"
        ? { zh: "封控区/管控区/防范区", en: "sealed, controlled and precaution zones" }
        : { zh: "高/中/低风险区", en: "high-, medium- and low-risk areas" };
    return {
      scheme,
      packId: p.pack.id,
      basis: {
        zh: `规则包 ${p.pack.id}（${p.pack.title.zh}）采用${label.zh}`,
        en: `pack ${p.pack.id} (${p.pack.title.en}) uses ${label.en}`,
      },
    };
  }
  return {
    scheme: "risk_areas",
    packId: null,
    basis: {
      zh: "当时当地生效的规则包均未规定区域划分方式，按第九版方案划定高/中/低风险区",
      en: "no pack in force there and then names a scheme: high-, medium- and low-risk areas, as in the 9th edition",
    },
  };
}

/** A proposal's key: what the investigator picks and what makes a submission idempotent. */
export const proposalKey = (p: { regionCode: string; placeName: string | null; kind: string }) =>
  `${p.regionCode}|${p.placeName ?? ""}|${p.kind}`;

export interface ProposalView {
  key: string;
  proposal: AreaProposal;
  /** The latest submission of this place and kind, if any. */
  submitted: AreaProposalRow | null;
}

export interface ProposalsOfCase {
  scheme: AreaScheme;
  packId: string | null;
  basis: Message;
  items: ProposalView[];
  /** Stays kept but outside the window: no area is proposed from them. */
  outsideWindow: { stayId: string; message: Message }[];
}

async function computeProposals(
  q: Queryable,
  packs: readonly LoadedPack[],
  c: CaseRow,
  now: Date,
): Promise<ProposalsOfCase> {
  const window = windowOf(c, packs, now);
  const checked = checkItinerary((await staysOf(q, c.id)).map(stayOf), window, now);
  const s = areaSchemeAt(packs, c.regionCode, now);
  const submitted = await areaProposalsOf(q, c.id);
  const latest = new Map<string, AreaProposalRow>();
  for (const p of submitted) latest.set(proposalKey(p), p);
  return {
    ...s,
    items: proposeAreas(c.id, checked.inWindow, s.scheme, now).map((p) => {
      const key = proposalKey({
        regionCode: p.designation.regionCode,
        placeName: p.designation.placeName ?? null,
        kind: p.kind,
      });
      return { key, proposal: p, submitted: latest.get(key) ?? null };
    }),
    outsideWindow: checked.outsideWindow.map((o) => ({ stayId: o.stay.id, message: o.message })),
  };
}

/** The risk-area or zone proposals from the case's stays inside its window, with what was submitted. */
export async function proposalsOfCase(
  db: Db,
  ctx: RequestContext,
  packs: readonly LoadedPack[],
  caseId: string,
): Promise<ProposalsOfCase> {
  const c = await caseFor(db, ctx, caseId, "tracing.view");
  return computeProposals(db, packs, c, ctx.now);
}

/**
 * Submits the chosen proposals (by key) to the command. A key the itinerary no longer proposes is
 * refused (422, nothing submitted); a place already waiting for the command is not submitted twice.
 * Audited `tracing.area_propose`.
 */
export async function submitProposals(
  db: Db,
  ctx: RequestContext,
  packs: readonly LoadedPack[],
  caseId: string,
  keys: readonly string[],
): Promise<{ submitted: AreaProposalRow[]; alreadyWaiting: string[] }> {
  const actor = requireActor(ctx);
  return db.transaction(async (tx) => {
    const c = await caseFor(tx, ctx, caseId, "tracing.investigate", true);
    const current = await computeProposals(tx, packs, c, ctx.now);
    const byKey = new Map(current.items.map((i) => [i.key, i]));
    const unknown = keys.filter((k) => !byKey.has(k));
    if (unknown.length)
      throw invalid(
        unknown.map((k) =>
          fieldError(
            "keys",
            "proposal.not_proposed",
            `行程已不再建议「${k}」：请刷新后重新选择`,
            `The itinerary no longer proposes "${k}": reload and choose again`,
          ),
        ),
      );
    const submitted: AreaProposalRow[] = [];
    const alreadyWaiting: string[] = [];
    for (const key of new Set(keys)) {
      const item = byKey.get(key)!;
      if (item.submitted?.status === "submitted") {
        alreadyWaiting.push(key);
        continue;
      }
      const d = item.proposal.designation;
      const row: AreaProposalRow = {
        caseId: c.id,
        id: uuidv7(),
        regionCode: d.regionCode,
        placeName: d.placeName ?? null,
        kind: item.proposal.kind,
        reason: d.reason,
        explanation: item.proposal.explanation,
        stayIds: item.proposal.stayIds,
        status: "submitted",
        submittedBy: actor.userId,
        submittedAt: ctx.now,
        decidedBy: null,
        decidedAt: null,
        decisionReason: null,
        designationId: null,
      };
      await insertAreaProposal(tx, row);
      submitted.push(row);
    }
    if (submitted.length)
      await recordAudit(tx, ctx, {
        action: "tracing.area_propose",
        entityType: "tracing_case",
        entityId: c.id,
        regionCode: c.regionCode,
        after: {
          scheme: current.scheme,
          packId: current.packId,
          proposals: submitted.map((p) => ({
            id: p.id,
            regionCode: p.regionCode,
            placeName: p.placeName,
            kind: p.kind,
            stayIds: p.stayIds,
          })),
        },
      });
    return { submitted, alreadyWaiting };
  });
}

/** Submitted proposals waiting for the command in the caller's jurisdiction (those who may designate areas). */
export async function waitingProposals(db: Db, ctx: RequestContext): Promise<SubmittedProposalRow[]> {
  const actor = requireActor(ctx);
  const d = decideAccess(actor, "areas.write", []);
  if (!d.allowed) throw forbidden(d.reason);
  return submittedProposals(db, subtreePrefix(actor.jurisdiction), 500);
}

/** The zones service's `designateArea`, run inside this transaction (it opens its own on a `Db`). */
const inTransaction = (db: Db, tx: Queryable): Db => ({
  ...tx,
  engine: db.engine,
  transaction: (fn) => fn(tx),
  close: async () => {},
});

const alreadyDecided = (p: AreaProposalRow) =>
  new AppError(409, "proposal.decided", {
    zh: `该建议已${p.status === "confirmed" ? "确认" : "驳回"}`,
    en: `This proposal was already ${p.status}`,
  });

/**
 * The command confirms a submitted proposal: the designation opens from `from` (now by default) through
 * the zones capability (`designateArea`: its checks, its audit `area.designate`), linked to the case,
 * and the proposal is marked confirmed, in one transaction. Audited `tracing.area_confirm`.
 */
export async function confirmProposal(
  db: Db,
  ctx: RequestContext,
  id: string,
  body: { from?: string | undefined; reason?: string | undefined },
): Promise<AreaProposalRow> {
  const actor = requireActor(ctx);
  return db.transaction(async (tx) => {
    const p = await findAreaProposal(tx, id);
    if (!p) throw notFound(AREA_PROPOSAL);
    const d = decideAccess(actor, "areas.write", [p.regionCode]);
    if (!d.allowed) throw forbidden(d.reason);
    if (p.status !== "submitted") throw alreadyDecided(p);
    const area = await designateArea(inTransaction(db, tx), ctx, {
      regionCode: p.regionCode,
      placeName: p.placeName,
      kind: p.kind,
      from: body.from ?? ctx.now.toISOString(),
      to: null,
      reason: blank(body.reason) ? p.reason : body.reason!.trim(),
      linkedCase: p.caseId,
    });
    const next: AreaProposalRow = {
      ...p,
      status: "confirmed",
      decidedBy: actor.userId,
      decidedAt: ctx.now,
      decisionReason: blank(body.reason) ? null : body.reason!.trim(),
      designationId: area.id,
    };
    await decideAreaProposal(tx, next);
    await recordAudit(tx, ctx, {
      action: "tracing.area_confirm",
      entityType: "tracing_case",
      entityId: p.caseId,
      regionCode: p.regionCode,
      after: { proposalId: p.id, designationId: area.id, kind: p.kind, from: area.from },
    });
    return next;
  });
}

/** The command rejects a submitted proposal, with a reason. Audited `tracing.area_reject`. */
export async function rejectProposal(
  db: Db,
  ctx: RequestContext,
  id: string,
  reason: string,
): Promise<AreaProposalRow> {
  const actor = requireActor(ctx);
  return db.transaction(async (tx) => {
    const p = await findAreaProposal(tx, id);
    if (!p) throw notFound(AREA_PROPOSAL);
    const d = decideAccess(actor, "areas.write", [p.regionCode]);
    if (!d.allowed) throw forbidden(d.reason);
    if (p.status !== "submitted") throw alreadyDecided(p);
    if (blank(reason))
      throw invalid([
        fieldError("reason", "reason.required", "请填写驳回理由", "Give the reason for rejecting it"),
      ]);
    const next: AreaProposalRow = {
      ...p,
      status: "rejected",
      decidedBy: actor.userId,
      decidedAt: ctx.now,
      decisionReason: reason.trim(),
      designationId: null,
    };
    await decideAreaProposal(tx, next);
    await recordAudit(tx, ctx, {
      action: "tracing.area_reject",
      entityType: "tracing_case",
      entityId: p.caseId,
      regionCode: p.regionCode,
      after: { proposalId: p.id, reason: next.decisionReason },
    });
    return next;
  });
}
