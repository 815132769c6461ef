/**
 * Exposures and contacts (issue 6, items 4 and 7): an exposure is recorded against a case, its source
 * being the case's person or one of its close contacts, checked by `checkExposure` (refused: 422 with
 * bilingual field errors; kept with its flags: before the look-back window, after the source's
 * isolation). Classifying the case runs `classifyContacts` over the case's exposures and
 * `secondaryContacts` over its close contacts' exposures and stores each person once, in their highest
 * category, with the rule and the reason; a contact outside the caller's jurisdiction is marked for an
 * assist request. Each close or secondary contact goes through 核 verify → 转 transfer → 检 test → 隔
 * isolate (`checkLoopStep`); the isolate step links the person's quarantine placement. Access over the
 * case's region (`tracing.investigate`); every change audited in its transaction.
 */
import type { LoadedPack } from "@cordon/domain/policies/pack-schema";
import { regionLevel } from "@cordon/domain/regions/region-code";
import { type FieldError, fieldError, type Message } from "@cordon/domain/shared/result";
import {
  checkLoopStep,
  loopLimitHours,
  type LoopStatus,
  type LoopStep,
  loopStatus,
} from "@cordon/domain/tracing/contact-loop";
import {
  CONTACT_CATEGORY_LABELS,
  type CloseContactForSecondary,
  type ContactFinding,
  checkExposure,
  classifyContacts,
  type ExposureFlag,
  type ExposureInput,
  exposureEnd,
  type TraceWindow,
  secondaryContacts,
} from "@cordon/domain/tracing/exposures";
import type { TracingPolicy } from "@cordon/domain/tracing/policy";
import { v7 as uuidv7 } from "uuid";
import { sendCaseAssistList } from "../assist/assist.service.ts";
import { recordAudit } from "../audit/audit.service.ts";
import type { Db, Queryable } from "../db/db.ts";
import { type RequestContext, requireActor } from "../http/context.ts";
import { AppError, invalid, notFound } from "../http/errors.ts";
import {
  caseFor,
  caseWindow,
  contactViews,
  type ContactView,
  loopTimes,
  policyOfCase,
} from "./case.service.ts";
import { knownRegions } from "./stay.repository.ts";
import {
  type CaseRow,
  type ContactForward,
  type ContactRow,
  casesOfPeople,
  contactsOf,
  currentPlacementOf,
  type ExposureRow,
  exposuresOf,
  findContact,
  forwardsOf,
  insertExposure,
  peopleBrief,
  placementOwner,
  setForward,
  setStep,
  upsertContact,
} from "./tracing.repository.ts";

export const CONTACT: Message = { zh: "接触者", en: "Contact" };

export interface ExposureBody {
  sourcePersonId?: string | undefined;
  exposedPersonId: string;
  at: string;
  durationMinutes?: number | null | undefined;
  setting: string;
  proximity: string;
  enclosed?: boolean | null | undefined;
  protected?: boolean | undefined;
  judgedClose?: boolean | undefined;
  exposedRegionCode?: string | null | undefined;
  place?: string | undefined;
}

/** The case's look-back window as the exposure checks take it. */
function caseTraceWindow(
  c: CaseRow,
  policy: Parameters<typeof caseWindow>[1],
  now: Date,
): TraceWindow | null {
  const w = caseWindow(c, policy, now);
  return w ? { start: w.start.startsAt, end: w.end } : null;
}

const inputOf = (e: ExposureRow): ExposureInput => ({
  id: e.id,
  sourcePersonId: e.sourcePersonId,
  exposedPersonId: e.exposedPersonId,
  at: e.at,
  durationMinutes: e.durationMinutes,
  setting: e.setting,
  proximity: e.proximity,
  enclosed: e.enclosed,
  protected: e.protected,
  judgedClose: e.judgedClose,
  exposedRegionCode: e.exposedRegionCode,
});

/**
 * Records one exposure of a case. The source is the case's person unless another is named, who must
 * then be a close contact of the case (their exposures make secondary contacts, counted from their
 * first exposure to the case until their isolation). Refused with 422 and nothing stored: a case (or
 * anyone) infecting itself, a time in the future, an unknown person, setting or proximity. Kept with
 * flags: an exposure outside the source's window. Audited `tracing.exposure`.
 */
export async function recordExposure(
  db: Db,
  ctx: RequestContext,
  packs: readonly LoadedPack[],
  caseId: string,
  body: ExposureBody,
): Promise<{ exposure: ExposureRow; flags: ExposureFlag[] }> {
  const actor = requireActor(ctx);
  return db.transaction(async (tx) => {
    const c = await caseFor(tx, ctx, caseId, "tracing.investigate", true);
    const { policy } = policyOfCase(packs, c);
    const errors: FieldError[] = [];
    const source = body.sourcePersonId ?? c.personId;
    const people = await peopleBrief(tx, [source, body.exposedPersonId]);
    const exposed = people.get(body.exposedPersonId);
    if (!exposed)
      errors.push(
        fieldError(
          "exposedPersonId",
          "exposure.person_unknown",
          "人员库中没有该暴露者：请先登记人员",
          "The exposed person is not in the registry: register them first",
        ),
      );
    let window: TraceWindow | null = null;
    if (source === c.personId) window = caseTraceWindow(c, policy, ctx.now);
    else {
      const cc = (await contactsOf(tx, c.id)).find((t) => t.personId === source && t.kind === "close");
      if (!cc)
        errors.push(
          fieldError(
            "sourcePersonId",
            "exposure.source_not_close_contact",
            "传染源须为本病例本人或其已判定的密切接触者",
            "The source must be the case's person or one of its classified close contacts",
          ),
        );
      else
        window = {
          start: policy.secondary.from === "first_exposure" ? cc.firstExposureAt : cc.lastExposureAt,
          end: cc.isolateAt ?? ctx.now,
        };
    }
    const input: ExposureInput = {
      id: uuidv7(),
      sourcePersonId: source,
      exposedPersonId: body.exposedPersonId,
      at: new Date(body.at),
      durationMinutes: body.durationMinutes ?? null,
      setting: body.setting,
      proximity: body.proximity,
      enclosed: body.enclosed ?? null,
      protected: body.protected ?? false,
      judgedClose: body.judgedClose ?? false,
      exposedRegionCode:
        body.exposedRegionCode === undefined ? (exposed?.regionCode ?? null) : body.exposedRegionCode,
    };
    const checked = checkExposure(input, window, ctx.now);
    if (!checked.ok) errors.push(...checked.errors);
    if (errors.length || !checked.ok) throw invalid(errors);
    const row: ExposureRow = {
      caseId: c.id,
      ...checked.value,
      until: exposureEnd(checked.value),
      place: body.place ?? "",
      flags: checked.flags,
      recordedBy: actor.userId,
      recordedAt: ctx.now,
    };
    await insertExposure(tx, row);
    await recordAudit(tx, ctx, {
      action: "tracing.exposure",
      entityType: "tracing_case",
      entityId: c.id,
      regionCode: c.regionCode,
      after: {
        exposureId: row.id,
        sourcePersonId: row.sourcePersonId,
        exposedPersonId: row.exposedPersonId,
        at: row.at,
        setting: row.setting,
        proximity: row.proximity,
        flags: row.flags.map((f) => f.code),
      },
    });
    return { exposure: row, flags: checked.flags };
  });
}

export interface Classification {
  contacts: ContactView[];
  counts: { close: number; secondary: number; general: number; assist: number };
  flags: ExposureFlag[];
  refused: { exposureId: string; errors: FieldError[] }[];
  /** People exposed to a close contact who are not secondary contacts, and why. */
  notCounted: { personId: string; viaPersonId: string; exposureIds: string[]; why: Message }[];
  /** Contacts stored by an earlier classification that this one no longer finds (kept, with their steps). */
  noLongerFound: string[];
  secondaryEnabled: boolean;
  /** Contacts forwarded as assist requests by this classification (each contact once, ever). */
  forwarded: ContactForward[];
}

const HOUR = 3_600_000;

/**
 * The region an assist request about someone living in `regionCode` is addressed to: the county (区县)
 * responsible for it, else the nearest level above that exists in the region tree.
 */
function responsibleRegions(regionCode: string): string[] {
  const level = regionLevel(regionCode);
  if (level === null) return [];
  const county =
    level === "township" || level === "community" || level === "grid" ? regionCode.slice(0, 6) : regionCode;
  const up = [county];
  if (regionLevel(county) === "county") up.push(`${county.slice(0, 4)}00`);
  if (regionLevel(up[up.length - 1]!) === "city") up.push(`${county.slice(0, 2)}0000`);
  return up;
}

const beijing = (d: Date) => new Date(d.getTime() + 8 * HOUR).toISOString().slice(0, 16).replace("T", " ");

/**
 * Forwards the contacts living outside the classifier's jurisdiction as assist requests (协查): one
 * assist list per responsible county, one row per contact, the case as the source, due when the
 * contacts' loop is (the case's confirmation + the policy's 48 h, 72 h in a major outbreak; from now while
 * the case is suspected). A contact is forwarded once: re-classifying sends nothing again. In the
 * caller's transaction.
 */
async function forwardAssistRequests(
  tx: Queryable,
  ctx: RequestContext,
  c: CaseRow,
  policy: TracingPolicy,
  contacts: readonly ContactRow[],
): Promise<{ forwarded: ContactForward[]; flags: ExposureFlag[] }> {
  const already = new Set((await forwardsOf(tx, c.id)).map((f) => f.contactId));
  const todo = contacts.filter((t) => t.assist && t.regionCode !== null && !already.has(t.id));
  const flags: ExposureFlag[] = [];
  const forwarded: ContactForward[] = [];
  if (!todo.length) return { forwarded, flags };
  const known = await knownRegions(
    tx,
    todo.flatMap((t) => responsibleRegions(t.regionCode!)),
  );
  const byRegion = new Map<string, ContactRow[]>();
  for (const t of todo) {
    const target = responsibleRegions(t.regionCode!).find((r) => known.has(r));
    if (!target) {
      flags.push({
        code: "contact.assist_region_unknown",
        exposureId: null,
        personId: t.personId,
        message: {
          zh: `接触者所在地区「${t.regionCode}」不在区划库中：无法发出协查，请核实其所在地区`,
          en: `The contact's region "${t.regionCode}" is not in the region tree: no assist request could be sent; check where they live`,
        },
      });
      continue;
    }
    byRegion.set(target, [...(byRegion.get(target) ?? []), t]);
  }
  const confirmed = c.classification !== "suspected" && c.confirmedAt ? c.confirmedAt : null;
  const deadlineAt = new Date((confirmed ?? ctx.now).getTime() + loopLimitHours(policy, c.major) * HOUR);
  for (const [regionCode, list] of byRegion) {
    const { list: sent, rowIds } = await sendCaseAssistList(tx, ctx, {
      name: `流调协查：病例 ${c.id.slice(0, 8)} 的接触者（${list.length} 人）`,
      source: `${c.regionCode} 流调（病例 ${c.id}）`,
      regionCode,
      deadlineAt,
      rows: list.map((t) => ({
        personId: t.personId,
        regionCode: t.regionCode,
        reason: `${t.explanation.zh}；末次暴露 ${beijing(t.lastExposureAt)}`,
        extra: {
          病例: c.id,
          接触者类别: CONTACT_CATEGORY_LABELS[t.kind].zh,
          首次暴露: beijing(t.firstExposureAt),
        },
      })),
      audit: { caseId: c.id, contactIds: list.map((t) => t.id) },
    });
    for (const t of list) {
      const f = {
        contactId: t.id,
        listId: sent.id,
        rowId: rowIds.get(t.personId)!,
        regionCode,
        sentAt: ctx.now,
      };
      if (await setForward(tx, c.id, f)) forwarded.push({ ...f, personId: t.personId });
    }
  }
  return { forwarded, flags };
}

/**
 * Classifies the case's contacts from its exposures under the policy in force: close and general from
 * the case's exposures inside its look-back window, secondary from the close contacts' exposures. Each
 * person is stored once, in the highest category (close > secondary > general), with the rule and the
 * reason; re-running updates the classification and keeps each contact's steps. Contacts outside the
 * caller's jurisdiction are marked for assist. Audited `tracing.contacts_classify`.
 */
export async function classifyCase(
  db: Db,
  ctx: RequestContext,
  packs: readonly LoadedPack[],
  caseId: string,
): Promise<Classification> {
  const actor = requireActor(ctx);
  return db.transaction(async (tx) => {
    const c = await caseFor(tx, ctx, caseId, "tracing.investigate", true);
    const { policy } = policyOfCase(packs, c);
    const window = caseTraceWindow(c, policy, ctx.now);
    if (!window)
      throw new AppError(409, "case.no_window", {
        zh: "病例没有发病日期或采样日期，无法确定追溯期",
        en: "The case has neither onset nor sampling date: no look-back window",
      });
    const exposures = (await exposuresOf(tx, c.id)).map(inputOf);
    const before = await contactsOf(tx, c.id);
    const existing = new Map(before.map((t) => [t.personId, t]));
    const options = { now: ctx.now, jurisdiction: actor.jurisdiction };
    const first = classifyContacts(
      { personId: c.personId, window },
      exposures.filter((e) => e.sourcePersonId === c.personId),
      policy,
      options,
    );
    const close: CloseContactForSecondary[] = first.close.map((f) => ({
      personId: f.personId,
      firstExposureAt: f.firstExposureAt,
      lastExposureAt: f.lastExposureAt,
      isolatedAt: existing.get(f.personId)?.isolateAt ?? null,
    }));
    const second = secondaryContacts(
      close,
      exposures.filter((e) => e.sourcePersonId !== c.personId),
      policy,
      { ...options, casePersonId: c.personId },
    );
    const secondaryIds = new Set(second.secondary.map((f) => f.personId));
    const findings: ContactFinding[] = [
      ...first.close,
      ...second.secondary,
      ...first.general.filter((f) => !secondaryIds.has(f.personId)),
    ];
    for (const f of findings) {
      const prev = existing.get(f.personId);
      const row: ContactRow = {
        caseId: c.id,
        id: prev?.id ?? uuidv7(),
        personId: f.personId,
        kind: f.category,
        ruleId: f.rule?.id ?? null,
        rule: f.rule,
        explanation: f.explanation,
        viaPersonId: f.viaPersonId,
        exposureIds: f.exposureIds,
        firstExposureAt: f.firstExposureAt,
        lastExposureAt: f.lastExposureAt,
        regionCode: f.regionCode,
        assist: f.outOfJurisdiction,
        jurisdiction: actor.jurisdiction,
        classifiedAt: ctx.now,
        classifiedBy: actor.userId,
        verifyAt: prev?.verifyAt ?? null,
        verifyBy: prev?.verifyBy ?? null,
        transferAt: prev?.transferAt ?? null,
        transferBy: prev?.transferBy ?? null,
        testAt: prev?.testAt ?? null,
        testBy: prev?.testBy ?? null,
        isolateAt: prev?.isolateAt ?? null,
        isolateBy: prev?.isolateBy ?? null,
        placementId: prev?.placementId ?? null,
        updatedAt: ctx.now,
        version: (prev?.version ?? 0) + 1,
      };
      await upsertContact(tx, row);
    }
    const found = new Set(findings.map((f) => f.personId));
    const stored = await contactsOf(tx, c.id);
    const assist = await forwardAssistRequests(
      tx,
      ctx,
      c,
      policy,
      stored.filter((t) => found.has(t.personId)),
    );
    const names = await peopleBrief(tx, [c.personId, ...stored.map((t) => t.personId)]);
    const ownCases = await casesOfPeople(
      tx,
      stored.map((t) => t.personId),
    );
    const counts = {
      close: first.close.length,
      secondary: second.secondary.length,
      general: findings.length - first.close.length - second.secondary.length,
      assist: findings.filter((f) => f.outOfJurisdiction).length,
    };
    await recordAudit(tx, ctx, {
      action: "tracing.contacts_classify",
      entityType: "tracing_case",
      entityId: c.id,
      regionCode: c.regionCode,
      before: { contacts: before.map((t) => ({ personId: t.personId, kind: t.kind })) },
      after: {
        ...counts,
        contacts: findings.map((f) => ({ personId: f.personId, kind: f.category })),
        forwarded: assist.forwarded.map((f) => ({
          contactId: f.contactId,
          listId: f.listId,
          regionCode: f.regionCode,
        })),
      },
    });
    return {
      contacts: contactViews(c, stored, names, ownCases, policy, ctx.now),
      counts,
      flags: [...first.flags, ...second.flags, ...assist.flags],
      refused: [...first.refused, ...second.refused],
      notCounted: second.notCounted,
      noLongerFound: before.filter((t) => !found.has(t.personId)).map((t) => t.id),
      secondaryEnabled: second.enabled,
      forwarded: assist.forwarded,
    };
  });
}

/**
 * Records a step of a contact's loop at `at` (now by default), in order, not in the future, once
 * (`checkLoopStep`). The isolate step links the person's quarantine placement: the one given (it must be
 * this person's), or the one they are placed in now. A general contact has no loop (409). Audited
 * `tracing.contact_step`.
 */
export async function recordStep(
  db: Db,
  ctx: RequestContext,
  packs: readonly LoadedPack[],
  contactId: string,
  body: { step: LoopStep; at?: string | undefined; placementId?: string | undefined },
): Promise<{ contact: ContactRow; loop: LoopStatus; personName: string; ownCaseId: string | null }> {
  const actor = requireActor(ctx);
  return db.transaction(async (tx) => {
    const t = await findContact(tx, contactId, true);
    if (!t) throw notFound(CONTACT);
    const c = await caseFor(tx, ctx, t.caseId, "tracing.investigate");
    if (t.kind === "general")
      throw new AppError(409, "contact.general_no_loop", {
        zh: "一般接触者不纳入“核、转、检、隔”闭环管理",
        en: "A general contact does not go through the verify–transfer–test–isolate loop",
      });
    const at = body.at ? new Date(body.at) : ctx.now;
    const errors = checkLoopStep(loopTimes(t), body.step, at, ctx.now);
    let placementId: string | null = null;
    if (body.placementId !== undefined && body.step !== "isolate")
      errors.push(
        fieldError(
          "placementId",
          "contact.placement_only_on_isolate",
          "隔离安置记录只能在“隔”这一步关联",
          "A quarantine placement is linked at the isolate step only",
        ),
      );
    else if (body.placementId !== undefined) {
      const owner = await placementOwner(tx, body.placementId);
      if (!owner)
        errors.push(
          fieldError(
            "placementId",
            "contact.placement_unknown",
            "没有此隔离安置记录",
            "No such quarantine placement",
          ),
        );
      else if (owner.personId !== t.personId)
        errors.push(
          fieldError(
            "placementId",
            "contact.placement_other_person",
            "该隔离安置记录属于另一人",
            "This quarantine placement is another person's",
          ),
        );
      else placementId = body.placementId;
    } else if (body.step === "isolate") placementId = await currentPlacementOf(tx, t.personId);
    if (errors.length) throw invalid(errors);
    await setStep(tx, t.id, body.step, at, actor.userId, placementId, ctx.now);
    await recordAudit(tx, ctx, {
      action: "tracing.contact_step",
      entityType: "tracing_contact",
      entityId: t.id,
      regionCode: c.regionCode,
      after: { caseId: c.id, personId: t.personId, step: body.step, at, placementId },
    });
    const next = (await findContact(tx, t.id))!;
    const { policy } = policyOfCase(packs, c);
    return {
      contact: next,
      personName: (await peopleBrief(tx, [next.personId])).get(next.personId)?.name ?? "",
      ownCaseId: (await casesOfPeople(tx, [next.personId])).get(next.personId) ?? null,
      loop: loopStatus(
        { personId: next.personId, times: loopTimes(next) },
        c.classification === "suspected" ? null : c.confirmedAt,
        policy,
        { now: ctx.now, major: c.major },
      ),
    };
  });
}

/** The case's contacts forwarded as assist requests (协查已发): to which region, in which list, when. */
export async function assistRequestsOf(
  db: Db,
  ctx: RequestContext,
  caseId: string,
): Promise<(ContactForward & { regionName: string | null })[]> {
  const c = await caseFor(db, ctx, caseId, "tracing.view");
  return forwardsOf(db, c.id);
}
