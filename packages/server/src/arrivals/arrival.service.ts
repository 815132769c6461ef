import { decideAccess } from "@cordon/domain/accounts/roles";
import {
  advance,
  type ControlStep,
  isOverdue,
  STEP_LABELS,
  type StepRecord,
  type TaskStatus,
} from "@cordon/domain/arrivals/control-task";
import { maskIdNumber } from "@cordon/domain/people/masking";
import type { CombinedMeasures, Decision, PersonFacts, Stay } from "@cordon/domain/policies/engine";
import { type ReadDecision, readDecision, storedDecision } from "@cordon/domain/policies/stored-decision";
import type { LoadedPack } from "@cordon/domain/policies/pack-schema";
import type { FieldError, Message } from "@cordon/domain/shared/result";
import { isWithin, subtreePrefix } from "@cordon/domain/regions/region-code";
import { v7 as uuidv7 } from "uuid";
import { recordAudit } from "../audit/audit.service.ts";
import { deadlineFor } from "../deadlines/deadline.service.ts";
import type { Db } from "../db/db.ts";
import { conflict, type RequestContext, requireActor } from "../http/context.ts";
import { AppError, forbidden, invalid, notFound } from "../http/errors.ts";
import { findPerson } from "../people/person.repository.ts";
import { explainPolicy } from "../policies/policy.service.ts";
import { childRegions, findRegion, type RegionRow, searchRegions } from "../regions/region.repository.ts";
import {
  accountNames,
  type ArrivalRow,
  countsByChild,
  findTask,
  insertArrival,
  insertTask,
  listTasks,
  type MyArrivalRow,
  myArrivals,
  type RegionCountRow,
  type TaskRow,
  updateTask,
  type TaskListRow,
} from "./arrival.repository.ts";

const PERSON = { zh: "人员", en: "Person" };
const TASK = { zh: "管控任务", en: "Control task" };

/** What is stated about an arrival, by a grid worker or by the citizen themself. */
export interface ArrivalReport {
  arrivalAt: string;
  destinationRegionCode: string;
  originRegionCode?: string | null | undefined;
  route?: string | null | undefined;
  travelHistory: Stay[];
  facts: Omit<PersonFacts, "travelHistory">;
}

export interface RegisterArrivalInput extends ArrivalReport {
  personId: string;
}

export interface RegisteredArrival {
  arrival: ArrivalRow;
  /** The engine's decision in full (the arrival holds its stored form). */
  decision: Decision;
  task: TaskRow | null;
}

const NO_REGION = { zh: "没有此区划", en: "No such region" };

/**
 * A grid worker registers an arrival for a person in the registry, inside their jurisdiction. The
 * policy engine classifies it under the pack in force and the recorded risk areas; a decision with
 * measures opens a control task for the destination community/grid, due when the jurisdiction's
 * deadline says. Audited `arrival.register`.
 */
export async function registerArrival(
  db: Db,
  ctx: RequestContext,
  packs: readonly LoadedPack[],
  input: RegisterArrivalInput,
): Promise<RegisteredArrival> {
  const actor = requireActor(ctx);
  const d = decideAccess(actor, "people.write", [input.destinationRegionCode]);
  if (!d.allowed) throw forbidden(d.reason);
  const person = await findPerson(db, input.personId);
  if (!person) throw notFound(PERSON);
  if (!(await findRegion(db, input.destinationRegionCode)))
    throw invalid([{ field: "destinationRegionCode", code: "region.unknown", message: NO_REGION }]);
  return recordArrival(db, ctx, packs, person.id, input, "grid_worker");
}

export const NO_LINKED_PERSON = () =>
  new AppError(403, "no_linked_person", {
    zh: "您的账号尚未关联居民档案，无法自行报备；请联系所在社区",
    en: "Your account is not linked to a resident record, so you cannot report for yourself; contact your community",
  });

/** The citizen's account and the person record it is linked to; 403 when there is none. */
async function ownPerson(db: Db, ctx: RequestContext): Promise<string> {
  const actor = requireActor(ctx);
  if (!actor.personId) throw NO_LINKED_PERSON();
  const person = await findPerson(db, actor.personId);
  if (!person) throw NO_LINKED_PERSON();
  return person.id;
}

/**
 * A citizen reports their own arrival (来返报备) from their phone: the person is the one their
 * account is linked to, the destination a community or grid anywhere in the country (they report to
 * where they arrive). Classified and tasked exactly as a grid worker's registration; audited
 * `arrival.self_report`.
 */
export async function selfReportArrival(
  db: Db,
  ctx: RequestContext,
  packs: readonly LoadedPack[],
  input: ArrivalReport,
): Promise<RegisteredArrival> {
  const personId = await ownPerson(db, ctx);
  const errors: FieldError[] = [];
  const destination = await findRegion(db, input.destinationRegionCode);
  if (!destination)
    errors.push({ field: "destinationRegionCode", code: "region.unknown", message: NO_REGION });
  else if (destination.level !== "community" && destination.level !== "grid")
    errors.push({
      field: "destinationRegionCode",
      code: "arrival.destination_level",
      message: {
        zh: "请选择到达的社区（村）或网格，以便社区联系您",
        en: "Choose the community (village) or grid you arrive in, so that it can contact you",
      },
    });
  if (input.originRegionCode && !(await findRegion(db, input.originRegionCode)))
    errors.push({ field: "originRegionCode", code: "region.unknown", message: NO_REGION });
  const arrival = Date.parse(input.arrivalAt);
  if (arrival > ctx.now.getTime() + SELF_REPORT_AHEAD_DAYS * DAY)
    errors.push({
      field: "arrivalAt",
      code: "arrival.too_far_ahead",
      message: {
        zh: `到达时间最多可提前 ${SELF_REPORT_AHEAD_DAYS} 天报备`,
        en: `An arrival can be reported at most ${SELF_REPORT_AHEAD_DAYS} days ahead`,
      },
    });
  input.travelHistory.forEach((s, i) => {
    if (s.from > s.to)
      errors.push({
        field: `travelHistory.${i}.to`,
        code: "travel.range",
        message: { zh: "离开日期不能早于到达日期", en: "The end date cannot be before the start date" },
      });
  });
  if (errors.length) throw invalid(errors);
  return recordArrival(db, ctx, packs, personId, input, "citizen");
}

const DAY = 86_400_000;
/** Citizens may report ahead of travel (提前报备), but not further ahead than this. */
export const SELF_REPORT_AHEAD_DAYS = 14;

/** Classifies an arrival, stores it with its decision, and opens its control task when there are measures. */
async function recordArrival(
  db: Db,
  ctx: RequestContext,
  packs: readonly LoadedPack[],
  personId: string,
  input: ArrivalReport,
  reportedBy: ArrivalRow["reportedBy"],
): Promise<RegisteredArrival> {
  const actor = requireActor(ctx);
  const facts: PersonFacts = { ...input.facts, travelHistory: input.travelHistory };
  const decision = await explainPolicy(db, ctx, packs, {
    at: input.arrivalAt,
    regionCode: input.destinationRegionCode,
    facts,
  });
  if (decision.status === "no_pack" && decision.invalidInput) {
    throw invalid([{ field: "arrivalAt", code: "arrival.invalid", message: decision.reason }]);
  }
  const arrival: ArrivalRow = {
    id: uuidv7(),
    personId,
    originRegionCode: input.originRegionCode ?? null,
    route: input.route ?? null,
    arrivalAt: new Date(input.arrivalAt),
    destinationRegionCode: input.destinationRegionCode,
    travelHistory: input.travelHistory,
    facts: input.facts,
    reportedBy,
    decision: storedDecision(decision, input.arrivalAt, packs),
    createdBy: actor.userId,
    createdAt: ctx.now,
  };
  const hasMeasures = decision.status === "decided" && Object.keys(decision.measures).length > 0;
  const task: TaskRow | null = hasMeasures
    ? {
        id: uuidv7(),
        arrivalId: arrival.id,
        personId,
        regionCode: input.destinationRegionCode,
        status: "pending",
        createdAt: ctx.now,
        dueAt: await deadlineFor(db, input.destinationRegionCode, "arrivalTask", ctx.now),
        steps: [],
        updatedAt: ctx.now,
        version: 1,
      }
    : null;
  await db.transaction(async (tx) => {
    await insertArrival(tx, arrival);
    if (task) await insertTask(tx, task);
    await recordAudit(tx, ctx, {
      action: reportedBy === "citizen" ? "arrival.self_report" : "arrival.register",
      entityType: "arrival",
      entityId: arrival.id,
      regionCode: arrival.destinationRegionCode,
      after: {
        personId: arrival.personId,
        arrivalAt: arrival.arrivalAt,
        destinationRegionCode: arrival.destinationRegionCode,
        reportedBy,
        decision: decision.status,
        pack: decision.status === "no_pack" ? null : decision.pack.id,
        taskId: task?.id ?? null,
      },
    });
  });
  return { arrival, decision, task };
}

/**
 * Places a citizen can name on the self-report (where they arrive, where they come from, where they
 * stayed): the country's region names are public (GB/T 2260), so any logged-in account may search them
 * here, though citizens have no `regions.read` for the registry's region pages.
 */
export async function findPlaces(
  db: Db,
  ctx: RequestContext,
  q: string,
  limit: number,
): Promise<RegionRow[]> {
  requireActor(ctx);
  return searchRegions(db, "", q.trim(), limit);
}

/** A citizen's own arrival reports, newest first, with the decision and where the task stands. */
export async function listMyArrivals(
  db: Db,
  ctx: RequestContext,
  packs: readonly LoadedPack[],
): Promise<(Omit<MyArrivalRow, "decision"> & { decision: ReadDecision })[]> {
  const personId = await ownPerson(db, ctx);
  return (await myArrivals(db, personId)).map((a) => ({ ...a, decision: readDecision(a.decision, packs) }));
}

export interface StepInput {
  step: ControlStep;
  at: string;
  /** The version the caller saw; a different stored version is a 409. */
  version?: number | undefined;
}

/** Takes the task's next step (核 → 转 → 检 → 隔 → 解除); audited `task.step`. */
export async function takeStep(db: Db, ctx: RequestContext, id: string, input: StepInput): Promise<TaskRow> {
  const actor = requireActor(ctx);
  return db.transaction(async (tx) => {
    const before = await findTask(tx, id, true);
    if (!before) throw notFound(TASK);
    const d = decideAccess(actor, "people.write", [before.regionCode]);
    if (!d.allowed) throw forbidden(d.reason);
    if (input.version !== undefined && input.version !== before.version) {
      throw conflict("该任务已被他人更新，请刷新后重试", "Someone else updated this task; reload and retry");
    }
    const r = advance(before, input.step, new Date(input.at), actor.userId);
    if (!r.ok) throw invalid(r.errors);
    const next = { ...before, status: r.value.status, steps: r.value.steps, updatedAt: ctx.now };
    if (!(await updateTask(tx, next, before.version))) {
      throw conflict("该任务已被他人更新，请刷新后重试", "Someone else updated this task; reload and retry");
    }
    await recordAudit(tx, ctx, {
      action: "task.step",
      entityType: "control_task",
      entityId: id,
      regionCode: before.regionCode,
      before: { status: before.status },
      after: { status: next.status, step: input.step, at: new Date(input.at) },
    });
    return { ...next, version: before.version + 1 };
  });
}

export interface TaskListItem {
  id: string;
  arrivalId: string;
  personId: string;
  personName: string;
  documentNumberMasked: string;
  regionCode: string;
  regionName: string;
  arrivalAt: Date;
  reportedBy: ArrivalRow["reportedBy"];
  originRegionCode: string | null;
  originRegionName: string | null;
  route: string | null;
  status: TaskStatus;
  statusLabel: Message;
  dueAt: Date;
  overdue: boolean;
  packId: string | null;
  packTitle: Message | null;
  /** The decision's combined measures, for the page to say in words. */
  decidedMeasures: CombinedMeasures | null;
  steps: (StepRecord & { byName: string | null })[];
  version: number;
}

/** Control tasks inside the caller's jurisdiction (or a region in it), with overdue flags. */
export async function listControlTasks(
  db: Db,
  ctx: RequestContext,
  packs: readonly LoadedPack[],
  f: { regionCode?: string | undefined; overdue?: boolean | undefined },
): Promise<TaskListItem[]> {
  const actor = requireActor(ctx);
  const scope = f.regionCode ?? actor.jurisdiction;
  const d = decideAccess(actor, "people.read", [scope]);
  if (!d.allowed) throw forbidden(d.reason);
  const rows = await listTasks(db, { regionPrefix: subtreePrefix(scope), overdue: f.overdue, now: ctx.now });
  const names = await accountNames(
    db,
    rows.flatMap((r) => r.steps.map((s) => s.by)),
  );
  return rows.map((row: TaskListRow) => {
    const r = { ...row, decision: readDecision(row.decision, packs) };
    return {
      id: r.id,
      arrivalId: r.arrivalId,
      personId: r.personId,
      personName: r.personName,
      documentNumberMasked: maskIdNumber(r.documentNumber),
      regionCode: r.regionCode,
      regionName: r.regionName,
      arrivalAt: r.arrivalAt,
      reportedBy: r.reportedBy,
      originRegionCode: r.originRegionCode,
      originRegionName: r.originRegionName,
      route: r.route,
      status: r.status,
      statusLabel: STEP_LABELS[r.status],
      dueAt: r.dueAt,
      overdue: isOverdue(r, ctx.now),
      packId: r.decision.status === "no_pack" ? null : r.decision.pack.id,
      packTitle: r.decision.status === "no_pack" ? null : r.decision.pack.title,
      decidedMeasures: r.decision.status === "decided" ? r.decision.measures : null,
      steps: r.steps.map((s) => ({ ...s, byName: names.get(s.by) ?? null })),
      version: r.version,
    };
  });
}

/** Daily-report roll-up: per child region of `regionCode`, arrivals registered, tasks overdue and released. */
export async function arrivalCounts(
  db: Db,
  ctx: RequestContext,
  regionCode: string | undefined,
): Promise<{ regionCode: string; items: RegionCountRow[] }> {
  const actor = requireActor(ctx);
  const scope = regionCode ?? actor.jurisdiction;
  const d = decideAccess(actor, "people.read", [scope]);
  if (!d.allowed) throw forbidden(d.reason);
  if (!isWithin(actor.jurisdiction, scope)) throw forbidden("jurisdiction");
  const children = await childRegions(db, scope, false);
  return {
    regionCode: scope,
    items: await countsByChild(
      db,
      children.map((c) => ({ code: c.code, prefix: subtreePrefix(c.code) })),
      ctx.now,
    ),
  };
}
