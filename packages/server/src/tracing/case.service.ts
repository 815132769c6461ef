/**
 * Cases and their investigations (issue 6, items 1 and 2): a case made by hand or from a positive single
 * tube (`nat_case_candidates`, taken once), checked by `checkNewCase`; its investigation opened with it,
 * whose clocks (`investigationClocks`) come from the policy in force at the case's region when it was
 * reported (`tracingPolicyAt`); milestones recorded in order (`checkMilestone`); overdue milestones and
 * contact loops raised to the command (`escalations`, `loopStatus`). Access over the case's region:
 * `tracing.investigate` to write, `tracing.view` to read. Every change is audited in its transaction.
 */
import { decideAccess, type Permission } from "@cordon/domain/accounts/roles";
import type { LoadedPack } from "@cordon/domain/policies/pack-schema";
import { subtreePrefix } from "@cordon/domain/regions/region-code";
import { type FieldError, fieldError, type Message } from "@cordon/domain/shared/result";
import { shanghaiDateOf } from "@cordon/domain/shared/shanghai-time";
import { checkNewCase, type NewCaseInput, lookBackWindow } from "@cordon/domain/tracing/cases";
import {
  type LoopStatus,
  type LoopSummary,
  LOOP_STEPS,
  type LoopTimes,
  loopStatus,
  loopSummary,
} from "@cordon/domain/tracing/contact-loop";
import {
  checkMilestone,
  type Clock,
  type Escalation,
  escalations,
  investigationClocks,
  type InvestigationTimes,
  type Milestone,
  MILESTONES,
} from "@cordon/domain/tracing/investigation";
import type { TracingPolicy } from "@cordon/domain/tracing/policy";
import { v7 as uuidv7 } from "uuid";
import { recordAudit } from "../audit/audit.service.ts";
import type { Db, Queryable } from "../db/db.ts";
import { type RequestContext, requireActor } from "../http/context.ts";
import { AppError, forbidden, invalid, notFound } from "../http/errors.ts";
import {
  type CandidateRow,
  type CaseListRow,
  type CaseRow,
  type CaseStatus,
  type ContactRow,
  casesOfPeople,
  contactRecordsOfPerson,
  contactsOf,
  contactsOfCases,
  findCandidate,
  findCase,
  findCaseOfPerson,
  findInvestigation,
  insertCase,
  insertInvestigation,
  type InvestigationRow,
  investigationsOf,
  lastNegativeSampling,
  listCases,
  openCandidates,
  peopleBrief,
  setMilestone,
  updateCase,
} from "./tracing.repository.ts";
import { tracingPolicyAt, type TracingPolicyInForce } from "./tracing-policy.ts";

export const CASE: Message = { zh: "病例", en: "Case" };
export const CANDIDATE: Message = { zh: "待流调阳性人员", en: "Case candidate" };

export function access(ctx: RequestContext, permission: Permission, codes: readonly string[]): void {
  const d = decideAccess(requireActor(ctx), permission, codes);
  if (!d.allowed) throw forbidden(d.reason);
}

/** A case, with access checked over its region. */
export async function caseFor(
  q: Queryable,
  ctx: RequestContext,
  id: string,
  permission: Permission,
  forUpdate = false,
): Promise<CaseRow> {
  const c = await findCase(q, id, forUpdate);
  if (!c) throw notFound(CASE);
  access(ctx, permission, [c.regionCode]);
  return c;
}

/** The policy a case is investigated under: the pack in force at its region when it was reported. */
export function policyOfCase(packs: readonly LoadedPack[], c: CaseRow): TracingPolicyInForce {
  return tracingPolicyAt(packs, c.regionCode, c.reportedAt);
}

export function investigationTimes(c: CaseRow, i: InvestigationRow | null): InvestigationTimes {
  const done: InvestigationTimes["done"] = {};
  if (i) for (const m of MILESTONES) done[m] = i[`${m}At`];
  return { reportedAt: c.reportedAt, done };
}

/** The case's look-back window at `now` (null without an onset or sampling date). */
export function caseWindow(c: CaseRow, policy: TracingPolicy, now: Date) {
  return lookBackWindow(c, policy, now);
}

export const loopTimes = (t: ContactRow): LoopTimes =>
  Object.fromEntries(LOOP_STEPS.map((s) => [s, t[`${s}At`]])) as LoopTimes;

/** Close and secondary contacts go through the loop (seed 000: "对密接、次密接人员核一个、转一个…"). */
export const inLoop = (t: Pick<ContactRow, "kind">) => t.kind !== "general";

const isConfirmed = (c: Pick<CaseRow, "classification">) => c.classification !== "suspected";

/** A case as the API takes it: `NewCaseInput` with its times as ISO strings (reported: now if absent). */
export interface CaseInput extends Omit<NewCaseInput, "reportedAt" | "confirmedAt" | "isolatedAt"> {
  reportedAt?: string | undefined;
  confirmedAt?: string | null | undefined;
  isolatedAt?: string | null | undefined;
  majorOutbreak?: boolean | undefined;
}

const toDate = (s: string | null | undefined): Date | null | undefined =>
  s === undefined ? undefined : s === null ? null : new Date(s);

/** `checkNewCase`, plus what only the database knows: the person, their other case, the linked case. */
async function checkCase(
  q: Queryable,
  ctx: RequestContext,
  input: NewCaseInput,
): Promise<{ value: ReturnType<typeof checkNewCase> & { ok: true }; regionCode: string }> {
  const errors: FieldError[] = [];
  const person = (await peopleBrief(q, [input.personId])).get(input.personId);
  if (!person)
    errors.push(
      fieldError(
        "personId",
        "case.person_unknown",
        "人员库中没有此人：请先登记人员",
        "No such person in the registry: register the person first",
      ),
    );
  const checked = checkNewCase(input, ctx.now);
  if (!checked.ok) errors.push(...checked.errors);
  if (input.linkedCaseId && !errors.some((e) => e.field === "linkedCaseId")) {
    const linked = await findCase(q, input.linkedCaseId);
    if (!linked)
      errors.push(
        fieldError(
          "linkedCaseId",
          "case.linked_case_unknown",
          "所关联的病例不存在",
          "The case it is linked to does not exist",
        ),
      );
    else if (linked.personId === input.personId)
      errors.push(
        fieldError(
          "linkedCaseId",
          "case.linked_to_itself",
          "病例不能关联到其本人",
          "A case cannot be linked to itself",
        ),
      );
  }
  if (errors.length || !checked.ok || !person) throw invalid(errors);
  access(ctx, "tracing.investigate", [person.regionCode]);
  const existing = await findCaseOfPerson(q, input.personId);
  if (existing)
    throw new AppError(409, "case.exists", {
      zh: `此人已是病例（${existing.id}），请在原病例上订正分类`,
      en: `This person is already a case (${existing.id}); change that case's classification instead`,
    });
  return { value: checked, regionCode: person.regionCode };
}

async function storeCase(
  tx: Queryable,
  ctx: RequestContext,
  packs: readonly LoadedPack[],
  checked: CaseRow,
  action: "tracing.case_create" | "tracing.case_from_candidate",
): Promise<CaseRow> {
  const actor = requireActor(ctx);
  await insertCase(tx, checked);
  const { packId } = policyOfCase(packs, checked);
  await insertInvestigation(tx, {
    personId: checked.personId,
    caseId: checked.id,
    packId,
    openedAt: ctx.now,
    openedBy: actor.userId,
  });
  await recordAudit(tx, ctx, {
    action,
    entityType: "tracing_case",
    entityId: checked.id,
    regionCode: checked.regionCode,
    after: {
      personId: checked.personId,
      classification: checked.classification,
      foundBy: checked.foundBy,
      source: checked.source,
      candidateId: checked.candidateId,
      reportedAt: checked.reportedAt,
      confirmedAt: checked.confirmedAt,
      packId,
    },
  });
  return checked;
}

function rowOf(
  ctx: RequestContext,
  v: ReturnType<typeof checkNewCase> & { ok: true },
  regionCode: string,
  extra: Partial<CaseRow>,
): CaseRow {
  return {
    ...v.value,
    id: uuidv7(),
    regionCode,
    major: false,
    candidateId: null,
    barcode: null,
    resultId: null,
    status: "investigating",
    createdBy: requireActor(ctx).userId,
    createdAt: ctx.now,
    updatedAt: ctx.now,
    version: 1,
    ...extra,
  };
}

const newCaseInput = (input: CaseInput, now: Date): NewCaseInput => ({
  personId: input.personId,
  classification: input.classification,
  foundBy: input.foundBy,
  source: input.source,
  linkedCaseId: input.linkedCaseId,
  onsetDate: input.onsetDate,
  samplingDate: input.samplingDate,
  lastNegativeSamplingDate: input.lastNegativeSamplingDate,
  reportedAt: toDate(input.reportedAt) ?? now,
  confirmedAt: toDate(input.confirmedAt),
  isolatedAt: toDate(input.isolatedAt),
});

/** A case entered by hand (a fever clinic's report, an arrival found positive elsewhere…). Audited `tracing.case_create`. */
export async function createCase(
  db: Db,
  ctx: RequestContext,
  packs: readonly LoadedPack[],
  input: CaseInput,
): Promise<CaseRow> {
  access(ctx, "tracing.investigate", []);
  return db.transaction(async (tx) => {
    const { value, regionCode } = await checkCase(tx, ctx, newCaseInput(input, ctx.now));
    return storeCase(
      tx,
      ctx,
      packs,
      rowOf(ctx, value, regionCode, { major: input.majorOutbreak ?? false }),
      "tracing.case_create",
    );
  });
}

export type FromCandidateInput = Omit<CaseInput, "personId" | "foundBy" | "samplingDate"> & {
  foundBy?: string | undefined;
};

/**
 * A case from a positive single tube: the person, the sampling date of the swab and the last negative
 * sampling before it come from the testing records (the caller may give the last negative); how found
 * defaults to screening. The candidate is taken once (409 after). Audited `tracing.case_from_candidate`.
 */
export async function createCaseFromCandidate(
  db: Db,
  ctx: RequestContext,
  packs: readonly LoadedPack[],
  candidateId: string,
  input: FromCandidateInput,
): Promise<CaseRow> {
  access(ctx, "tracing.investigate", []);
  return db.transaction(async (tx) => {
    const k = await findCandidate(tx, candidateId, true);
    if (!k) throw notFound(CANDIDATE);
    access(ctx, "tracing.investigate", [k.regionCode]);
    if (k.caseId)
      throw new AppError(409, "case.candidate_taken", {
        zh: `该阳性结果已转为病例（${k.caseId}）`,
        en: `This positive result is already a case (${k.caseId})`,
      });
    const sampled = k.sampledAt ?? k.testedAt ?? k.createdAt;
    const samplingDate = shanghaiDateOf(sampled.getTime());
    let lastNegative = input.lastNegativeSamplingDate;
    if (lastNegative === undefined) {
      const ln = await lastNegativeSampling(tx, k.personId, sampled);
      const d = ln ? shanghaiDateOf(ln.getTime()) : null;
      lastNegative = d !== null && d < samplingDate ? d : null;
    }
    const { value, regionCode } = await checkCase(
      tx,
      ctx,
      newCaseInput(
        {
          ...input,
          personId: k.personId,
          foundBy: input.foundBy ?? "screening",
          samplingDate,
          lastNegativeSamplingDate: lastNegative,
        },
        ctx.now,
      ),
    );
    return storeCase(
      tx,
      ctx,
      packs,
      rowOf(ctx, value, regionCode, {
        major: input.majorOutbreak ?? false,
        candidateId: k.id,
        barcode: k.barcode,
        resultId: k.resultId,
      }),
      "tracing.case_from_candidate",
    );
  });
}

export interface ClassifyInput {
  classification: string;
  confirmedAt?: string | null | undefined;
  onsetDate?: string | null | undefined;
  isolatedAt?: string | null | undefined;
  majorOutbreak?: boolean | undefined;
  reason: string;
}

/**
 * Changes a case's classification (suspected → confirmed, mild → severe, asymptomatic → confirmed with
 * an onset date…), its confirmation, onset or isolation: the whole case is checked again
 * (`checkNewCase`). Audited `tracing.case_classify` with before and after.
 */
export async function changeClassification(
  db: Db,
  ctx: RequestContext,
  id: string,
  input: ClassifyInput,
): Promise<CaseRow> {
  return db.transaction(async (tx) => {
    const c = await caseFor(tx, ctx, id, "tracing.investigate", true);
    const merged: NewCaseInput = {
      personId: c.personId,
      classification: input.classification,
      foundBy: c.foundBy,
      source: c.source,
      linkedCaseId: c.linkedCaseId,
      onsetDate: input.onsetDate === undefined ? c.onsetDate : input.onsetDate,
      samplingDate: c.samplingDate,
      lastNegativeSamplingDate: c.lastNegativeSamplingDate,
      reportedAt: c.reportedAt,
      confirmedAt: input.confirmedAt === undefined ? c.confirmedAt : toDate(input.confirmedAt),
      isolatedAt: input.isolatedAt === undefined ? c.isolatedAt : toDate(input.isolatedAt),
    };
    const checked = checkNewCase(merged, ctx.now);
    if (!checked.ok) throw invalid(checked.errors);
    const next: CaseRow = {
      ...c,
      classification: checked.value.classification,
      onsetDate: checked.value.onsetDate,
      confirmedAt: checked.value.confirmedAt,
      isolatedAt: checked.value.isolatedAt,
      major: input.majorOutbreak ?? c.major,
      updatedAt: ctx.now,
      version: c.version + 1,
    };
    await updateCase(tx, next);
    const pick = (r: CaseRow) => ({
      classification: r.classification,
      onsetDate: r.onsetDate,
      confirmedAt: r.confirmedAt,
      isolatedAt: r.isolatedAt,
      major: r.major,
    });
    await recordAudit(tx, ctx, {
      action: "tracing.case_classify",
      entityType: "tracing_case",
      entityId: c.id,
      regionCode: c.regionCode,
      before: pick(c),
      after: { ...pick(next), reason: input.reason },
    });
    return next;
  });
}

/**
 * Records a milestone of the investigation (direct report, on site, preliminary judgment, closed) at
 * `at` (now by default), checked by `checkMilestone`; closing it closes the case's investigation.
 * Audited `tracing.milestone`.
 */
export async function recordMilestone(
  db: Db,
  ctx: RequestContext,
  id: string,
  input: { milestone: Milestone; at?: string | undefined },
): Promise<void> {
  const actor = requireActor(ctx);
  await db.transaction(async (tx) => {
    const c = await caseFor(tx, ctx, id, "tracing.investigate", true);
    const inv = await findInvestigation(tx, c.id);
    const at = input.at ? new Date(input.at) : ctx.now;
    const errors = checkMilestone(investigationTimes(c, inv), input.milestone, at, ctx.now);
    if (errors.length) throw invalid(errors);
    await setMilestone(tx, c.id, input.milestone, at, actor.userId);
    if (input.milestone === "closed") await updateCase(tx, { ...c, status: "closed", updatedAt: ctx.now });
    await recordAudit(tx, ctx, {
      action: "tracing.milestone",
      entityType: "tracing_case",
      entityId: c.id,
      regionCode: c.regionCode,
      after: { milestone: input.milestone, at },
    });
  });
}

export interface ContactView {
  contact: ContactRow;
  personName: string;
  loop: LoopStatus | null;
  /** The contact's own case, when they became one. */
  ownCaseId: string | null;
}

export interface CaseDetail {
  case: CaseRow;
  personName: string;
  policy: TracingPolicyInForce;
  investigation: InvestigationRow | null;
  clocks: Clock[];
  escalations: Escalation[];
  window: ReturnType<typeof lookBackWindow>;
  contacts: ContactView[];
  loop: LoopSummary;
  /** The person's records as a contact of other cases (a contact who became a case). */
  asContact: { caseId: string; kind: string; classifiedAt: Date; isolatedAt: Date | null }[];
}

export function contactViews(
  c: CaseRow,
  contacts: readonly ContactRow[],
  names: Map<string, { name: string }>,
  ownCases: Map<string, string>,
  policy: TracingPolicy,
  now: Date,
): ContactView[] {
  return contacts.map((t) => ({
    contact: t,
    personName: names.get(t.personId)?.name ?? "",
    loop: inLoop(t)
      ? loopStatus({ personId: t.personId, times: loopTimes(t) }, confirmedAtOf(c), policy, {
          now,
          major: c.major,
        })
      : null,
    ownCaseId: ownCases.get(t.personId) ?? null,
  }));
}

const confirmedAtOf = (c: CaseRow) => (isConfirmed(c) ? c.confirmedAt : null);

export function caseLoop(c: CaseRow, contacts: readonly ContactRow[], policy: TracingPolicy, now: Date) {
  return loopSummary(
    contacts.filter(inLoop).map((t) => ({ personId: t.personId, times: loopTimes(t) })),
    confirmedAtOf(c),
    policy,
    { now, major: c.major },
  );
}

/** A case with its investigation's clocks, its window, its contacts with their loops, and the loop summary. */
export async function caseDetail(
  db: Db,
  ctx: RequestContext,
  packs: readonly LoadedPack[],
  id: string,
): Promise<CaseDetail> {
  const c = await caseFor(db, ctx, id, "tracing.view");
  const inv = await findInvestigation(db, c.id);
  const p = policyOfCase(packs, c);
  const clocks = investigationClocks(investigationTimes(c, inv), p.policy, ctx.now);
  const contacts = await contactsOf(db, c.id);
  const names = await peopleBrief(db, [c.personId, ...contacts.map((t) => t.personId)]);
  const ownCases = await casesOfPeople(
    db,
    contacts.map((t) => t.personId),
  );
  const asContact = (await contactRecordsOfPerson(db, c.personId)).map((t) => ({
    caseId: t.caseId,
    kind: t.kind,
    classifiedAt: t.classifiedAt,
    isolatedAt: t.isolateAt,
  }));
  return {
    case: c,
    personName: names.get(c.personId)?.name ?? "",
    policy: p,
    investigation: inv,
    clocks,
    escalations: c.status === "closed" ? [] : escalations(clocks),
    window: caseWindow(c, p.policy, ctx.now),
    contacts: contactViews(c, contacts, names, ownCases, p.policy, ctx.now),
    loop: caseLoop(c, contacts, p.policy, ctx.now),
    asContact,
  };
}

export interface CaseSummary {
  case: CaseListRow;
  clocks: Clock[];
  overdue: boolean;
  loop: LoopSummary;
}

/** The caller's jurisdiction's cases with their clocks and loop; `overdue` keeps those with something overdue. */
export async function listCasesWithClocks(
  db: Db,
  ctx: RequestContext,
  packs: readonly LoadedPack[],
  f: { status?: CaseStatus | undefined; overdue?: boolean | undefined; limit: number },
): Promise<CaseSummary[]> {
  const actor = requireActor(ctx);
  access(ctx, "tracing.view", []);
  const rows = await listCases(db, subtreePrefix(actor.jurisdiction), {
    status: f.status,
    limit: f.overdue ? 10_000 : f.limit,
  });
  const invs = await investigationsOf(
    db,
    rows.map((c) => c.id),
  );
  const contacts = await contactsOfCases(
    db,
    rows.map((c) => c.id),
  );
  const byCase = new Map<string, ContactRow[]>();
  for (const t of contacts) byCase.set(t.caseId, [...(byCase.get(t.caseId) ?? []), t]);
  const out: CaseSummary[] = [];
  for (const c of rows) {
    const { policy } = policyOfCase(packs, c);
    const clocks = investigationClocks(investigationTimes(c, invs.get(c.id) ?? null), policy, ctx.now);
    const loop = caseLoop(c, byCase.get(c.id) ?? [], policy, ctx.now);
    const overdue =
      (c.status !== "closed" && clocks.some((k) => k.state === "overdue")) || loop.overdue.length > 0;
    if (f.overdue && !overdue) continue;
    out.push({ case: c, clocks, overdue, loop });
    if (out.length >= f.limit) break;
  }
  return out;
}

export interface EscalationItem {
  caseId: string;
  personName: string;
  regionCode: string;
  kind: "milestone" | "contact_loop";
  milestone: Milestone | null;
  contactId: string | null;
  contactPersonId: string | null;
  dueAt: Date;
  overdueByMs: number;
  message: Message;
}

const hours = (ms: number) => (Math.round((ms / 3_600_000) * 10) / 10).toString();

/**
 * What the command must see: every overdue milestone of an open investigation and every contact whose
 * loop is past its limit, in the caller's jurisdiction, most overdue first.
 */
export async function escalationsOf(
  db: Db,
  ctx: RequestContext,
  packs: readonly LoadedPack[],
): Promise<EscalationItem[]> {
  const summaries = await listCasesWithClocks(db, ctx, packs, { overdue: true, limit: 10_000 });
  const contacts = await contactsOfCases(
    db,
    summaries.map((s) => s.case.id),
  );
  const items: EscalationItem[] = [];
  for (const s of summaries) {
    const c = s.case;
    const base = { caseId: c.id, personName: c.personName, regionCode: c.regionCode };
    if (c.status !== "closed")
      for (const e of escalations(s.clocks))
        items.push({
          ...base,
          kind: "milestone",
          milestone: e.milestone,
          contactId: null,
          contactPersonId: null,
          dueAt: e.dueAt,
          overdueByMs: e.overdueByMs,
          message: e.message,
        });
    const { policy } = policyOfCase(packs, c);
    for (const t of contacts.filter((t) => t.caseId === c.id && inLoop(t))) {
      const st = loopStatus({ personId: t.personId, times: loopTimes(t) }, confirmedAtOf(c), policy, {
        now: ctx.now,
        major: c.major,
      });
      if (st.state !== "overdue") continue;
      items.push({
        ...base,
        kind: "contact_loop",
        milestone: null,
        contactId: t.id,
        contactPersonId: t.personId,
        dueAt: st.dueAt as Date,
        overdueByMs: st.lateByMs as number,
        message: {
          zh: `密接闭环超时 ${hours(st.lateByMs as number)} 小时（时限 ${st.limitHours} 小时，自病例确诊起），已上报指挥部`,
          en: `The contact's loop is ${hours(st.lateByMs as number)} h past its ${st.limitHours} h limit (from the case's confirmation): raised to the command`,
        },
      });
    }
  }
  return items.sort((a, b) => b.overdueByMs - a.overdueByMs);
}

/** Positive single tubes of the caller's jurisdiction not yet made a case. */
export async function listCandidates(db: Db, ctx: RequestContext, limit: number): Promise<CandidateRow[]> {
  const actor = requireActor(ctx);
  access(ctx, "tracing.view", []);
  return openCandidates(db, subtreePrefix(actor.jurisdiction), limit);
}
