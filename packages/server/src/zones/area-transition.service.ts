import { decideAccess } from "@cordon/domain/accounts/roles";
import type { LoadedPack } from "@cordon/domain/policies/pack-schema";
import { isWithin, subtreePrefix } from "@cordon/domain/regions/region-code";
import { fieldError, type FieldError } from "@cordon/domain/shared/result";
import {
  type AreaKind,
  checkLinkedCase,
  isAreaKind,
  validateDesignation,
  validateEnd,
} from "@cordon/domain/zones/area";
import {
  type AreaEventKind,
  type Proposal,
  proposeTransition,
  transitionLabel,
} from "@cordon/domain/zones/transitions";
import { v7 as uuidv7 } from "uuid";
import { recordAudit } from "../audit/audit.service.ts";
import type { Db, Queryable } from "../db/db.ts";
import { conflict, type RequestContext, requireActor } from "../http/context.ts";
import { AppError, forbidden, invalid, notFound } from "../http/errors.ts";
import { type AreaEventRow, eventsOf, insertAreaEvent, previousKinds } from "./area-event.repository.ts";
import {
  type AreaInForceRow,
  type AreaRow,
  areasInForceAt,
  endArea,
  findArea,
  insertArea,
} from "./area.repository.ts";
import { AREA } from "./area.service.ts";

export interface AreaEventInput {
  kind: AreaEventKind;
  at: string;
  result?: "negative" | "positive" | null | undefined;
  note?: string | null | undefined;
  linkedCase?: string | null | undefined;
}

const blank = (s: string | null | undefined) => !s?.trim();

/**
 * Staff record a fact on a designation: a new infection, an area-wide screening round (negative or
 * positive) or the release of the last close contact. It cannot be dated before the designation,
 * after its end, or in the future. Audited `area.event`.
 */
export async function recordAreaEvent(
  db: Db,
  ctx: RequestContext,
  id: string,
  input: AreaEventInput,
): Promise<AreaEventRow> {
  const actor = requireActor(ctx);
  return db.transaction(async (tx) => {
    const area = await findArea(tx, id, true);
    if (!area) throw notFound(AREA);
    const d = decideAccess(actor, "areas.write", [area.regionCode]);
    if (!d.allowed) throw forbidden(d.reason);
    const at = new Date(input.at);
    const errors: FieldError[] = [];
    if (Number.isNaN(at.getTime()) || at.getTime() < area.from.getTime())
      errors.push(
        fieldError(
          "at",
          "at.before_from",
          "时间不能早于区域划定时间",
          "It cannot be before the designation started",
        ),
      );
    else if (area.to && at.getTime() >= area.to.getTime())
      errors.push(
        fieldError(
          "at",
          "at.after_end",
          "时间不能晚于区域解除时间",
          "It cannot be after the designation ended",
        ),
      );
    else if (at.getTime() > ctx.now.getTime())
      errors.push(
        fieldError(
          "at",
          "at.future",
          "不能登记尚未发生的情况",
          "A fact cannot be recorded before it happened",
        ),
      );
    const result = input.result ?? null;
    if (input.kind === "screening_round" && result === null)
      errors.push(
        fieldError(
          "result",
          "result.required",
          "请填写筛查结果（阴性/阳性）",
          "A screening round needs its result (negative or positive)",
        ),
      );
    if (input.kind !== "screening_round" && result !== null)
      errors.push(
        fieldError(
          "result",
          "result.not_applicable",
          "只有筛查轮次有结果",
          "Only a screening round has a result",
        ),
      );
    if (!blank(input.note) && input.note!.trim().length > 500)
      errors.push(
        fieldError("note", "note.length", "说明最多500个字符", "A note has at most 500 characters"),
      );
    const linkedCase = checkLinkedCase(input.linkedCase, errors);
    if (errors.length) throw invalid(errors);
    const row: AreaEventRow = {
      id: uuidv7(),
      designationId: area.id,
      kind: input.kind,
      at,
      result,
      note: blank(input.note) ? null : input.note!.trim(),
      linkedCase,
      createdBy: actor.userId,
      createdAt: ctx.now,
    };
    await insertAreaEvent(tx, row);
    await recordAudit(tx, ctx, {
      action: "area.event",
      entityType: "area",
      entityId: area.id,
      regionCode: area.regionCode,
      after: row,
    });
    return row;
  });
}

/** The facts recorded on a designation, oldest first; any logged-in user whose jurisdiction covers it. */
export async function listAreaEvents(db: Db, ctx: RequestContext, id: string): Promise<AreaEventRow[]> {
  const actor = requireActor(ctx);
  const area = await findArea(db, id);
  if (!area) throw notFound(AREA);
  if (!isWithin(actor.jurisdiction, area.regionCode)) throw forbidden("jurisdiction");
  return eventsOf(db, [id]);
}

/** The proposal for designations, with their events and how they came about loaded in two queries. */
async function proposalsFor(
  q: Queryable,
  packs: readonly LoadedPack[],
  areas: readonly AreaRow[],
  at: Date,
): Promise<Map<string, Proposal>> {
  const events = await eventsOf(
    q,
    areas.map((a) => a.id),
  );
  const prev = await previousKinds(
    q,
    areas.flatMap((a) => (a.previousId ? [a.previousId] : [])),
  );
  const out = new Map<string, Proposal>();
  for (const a of areas) {
    const previousKind = a.previousId ? prev.get(a.previousId) : undefined;
    const p = proposeTransition({
      designation: {
        id: a.id,
        regionCode: a.regionCode,
        kind: a.kind,
        from: a.from,
        to: a.to,
        previousKind: previousKind && isAreaKind(previousKind) ? previousKind : null,
      },
      events: events.filter((e) => e.designationId === a.id),
      packs,
      at,
    });
    if (p) out.set(a.id, p);
  }
  return out;
}

export interface AreaProposal {
  area: AreaInForceRow;
  proposal: Proposal;
}

/**
 * Downgrades and lifts the packs in force propose at `at` for the designations in force in the caller's
 * jurisdiction (or a region in it): ready ones first, then pending ones with their unmet conditions.
 */
export async function listProposals(
  db: Db,
  ctx: RequestContext,
  packs: readonly LoadedPack[],
  f: { at?: string | undefined; regionCode?: string | undefined },
): Promise<{ at: Date; items: AreaProposal[] }> {
  const actor = requireActor(ctx);
  if (f.regionCode && !isWithin(actor.jurisdiction, f.regionCode)) throw forbidden("jurisdiction");
  const at = f.at ? new Date(f.at) : ctx.now;
  const areas = await areasInForceAt(db, {
    at,
    regionPrefix: subtreePrefix(f.regionCode ?? actor.jurisdiction),
  });
  const proposals = await proposalsFor(db, packs, areas, at);
  const items = areas.flatMap((area) => {
    const proposal = proposals.get(area.id);
    return proposal ? [{ area, proposal }] : [];
  });
  items.sort(
    (a, b) =>
      Number(b.proposal.status === "ready") - Number(a.proposal.status === "ready") ||
      a.proposal.daysMetAt.localeCompare(b.proposal.daysMetAt),
  );
  return { at, items };
}

export interface TransitionInput {
  /** The lower kind; null = lift. */
  to: AreaKind | null;
  at: string;
  reason: string;
  /** The proposal's fingerprint as the person saw it. */
  fingerprint: string;
}

export interface TransitionResult {
  ended: AreaRow;
  opened: AreaRow | null;
  proposal: Proposal;
}

/**
 * A person confirms a proposed downgrade or lift. In one transaction the designation ends at `at` and,
 * for a downgrade, a designation of the lower kind opens at `at` for the same region and place, linked
 * by `previousId`. Refused (422) when the pack in force proposes no such transition or its conditions do
 * not hold at `at`, and (409) when the facts or the pack changed since the person saw the proposal.
 * Audited `area.transition`.
 */
export async function confirmTransition(
  db: Db,
  ctx: RequestContext,
  packs: readonly LoadedPack[],
  id: string,
  input: TransitionInput,
): Promise<TransitionResult> {
  const actor = requireActor(ctx);
  return db.transaction(async (tx) => {
    const before = await findArea(tx, id, true);
    if (!before) throw notFound(AREA);
    const d = decideAccess(actor, "areas.write", [before.regionCode]);
    if (!d.allowed) throw forbidden(d.reason);
    const at = new Date(input.at);
    const end = validateEnd(before, at, input.reason);
    if (!end.ok) throw invalid(end.errors);
    if (at.getTime() > ctx.now.getTime())
      throw invalid([
        fieldError(
          "at",
          "at.future",
          "不能确认尚未到来的时间",
          "A transition cannot be confirmed for a time still to come",
        ),
      ]);
    const proposal = (await proposalsFor(tx, packs, [before], at)).get(id);
    if (!proposal || proposal.toKind !== input.to) {
      const wanted = transitionLabel({ fromKind: before.kind, toKind: input.to });
      throw new AppError(422, "transition.not_proposed", {
        zh: `此时生效的规则包未提出“${wanted.zh}”`,
        en: `The pack in force at that time proposes no “${wanted.en}”`,
      });
    }
    if (proposal.status !== "ready") {
      const unmet = proposal.conditions.filter((c) => !c.met);
      throw new AppError(
        422,
        "transition.conditions_unmet",
        {
          zh: `条件尚未满足（${unmet.length} 项）：${unmet.map((c) => c.message.zh).join("；")}`,
          en: `Conditions not met (${unmet.length}): ${unmet.map((c) => c.message.en).join("; ")}`,
        },
        unmet.map((c) => ({ field: c.code, code: `condition.${c.code}`, message: c.message })),
      );
    }
    if (proposal.fingerprint !== input.fingerprint) {
      throw conflict(
        "该区域的情况或规则包在您查看后已有变化，请刷新后重新确认",
        "The area's facts or the pack changed since you looked; reload and confirm again",
      );
    }
    await endArea(tx, id, { at, reason: end.value.reason, by: actor.userId, recordedAt: ctx.now });
    const ended = (await findArea(tx, id))!;
    let opened: AreaRow | null = null;
    if (input.to !== null) {
      const v = validateDesignation({
        regionCode: before.regionCode,
        placeName: before.placeName,
        kind: input.to,
        from: at,
        to: null,
        reason: end.value.reason,
        linkedCase: before.linkedCase,
      });
      if (!v.ok) throw invalid(v.errors);
      opened = {
        id: uuidv7(),
        ...v.value,
        createdBy: actor.userId,
        createdAt: ctx.now,
        endedBy: null,
        endedAt: null,
        endReason: null,
        previousId: before.id,
      };
      await insertArea(tx, opened);
    }
    await recordAudit(tx, ctx, {
      action: "area.transition",
      entityType: "area",
      entityId: id,
      regionCode: before.regionCode,
      before: { kind: before.kind, to: before.to },
      after: {
        to: at,
        endReason: end.value.reason,
        openedId: opened?.id ?? null,
        openedKind: opened?.kind ?? null,
        packId: proposal.packId,
        transitionId: proposal.transitionId,
        conditions: proposal.conditions.map((c) => ({ code: c.code, met: c.met, dates: c.dates })),
      },
    });
    return { ended, opened, proposal };
  });
}
