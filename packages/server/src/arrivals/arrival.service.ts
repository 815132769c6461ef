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
import type { Decision, PersonFacts, Stay } from "@cordon/domain/policies/engine";
import type { LoadedPack } from "@cordon/domain/policies/pack-schema";
import type { Message } from "@cordon/domain/shared/result";
import { isWithin, subtreePrefix } from "@cordon/domain/regions/region-code";
import { v7 as uuidv7 } from "uuid";
import { recordAudit } from "../audit/audit.service.ts";
import { deadlineFor } from "../deadlines/deadline.service.ts";
import type { Db } from "../db/db.ts";
import { conflict, type RequestContext, requireActor } from "../http/context.ts";
import { forbidden, invalid, notFound } from "../http/errors.ts";
import { findPerson } from "../people/person.repository.ts";
import { explainPolicy } from "../policies/policy.service.ts";
import { childRegions, findRegion } from "../regions/region.repository.ts";
import {
  type ArrivalRow,
  countsByChild,
  findTask,
  insertArrival,
  insertTask,
  listTasks,
  type RegionCountRow,
  type TaskRow,
  updateTask,
  type TaskListRow,
} from "./arrival.repository.ts";

const PERSON = { zh: "人员", en: "Person" };
const TASK = { zh: "管控任务", en: "Control task" };

export interface RegisterArrivalInput {
  personId: string;
  arrivalAt: string;
  destinationRegionCode: string;
  originRegionCode?: string | null | undefined;
  route?: string | null | undefined;
  travelHistory: Stay[];
  facts: Omit<PersonFacts, "travelHistory">;
}

export interface RegisteredArrival {
  arrival: ArrivalRow;
  task: TaskRow | null;
}

/**
 * A grid worker registers an arrival for a person in the registry, inside their jurisdiction. The
 * policy engine classifies it under the pack in force and the recorded risk areas; a decision with
 * measures opens a control task for the destination community/grid, due 24 hours later. Audited
 * `arrival.register`.
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
    throw invalid([
      {
        field: "destinationRegionCode",
        code: "region.unknown",
        message: { zh: "没有此区划", en: "No such region" },
      },
    ]);
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
    personId: person.id,
    originRegionCode: input.originRegionCode ?? null,
    route: input.route ?? null,
    arrivalAt: new Date(input.arrivalAt),
    destinationRegionCode: input.destinationRegionCode,
    travelHistory: input.travelHistory,
    facts,
    reportedBy: "grid_worker",
    decision,
    createdBy: actor.userId,
    createdAt: ctx.now,
  };
  const hasMeasures = decision.status === "decided" && Object.keys(decision.measures).length > 0;
  const task: TaskRow | null = hasMeasures
    ? {
        id: uuidv7(),
        arrivalId: arrival.id,
        personId: person.id,
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
      action: "arrival.register",
      entityType: "arrival",
      entityId: arrival.id,
      regionCode: arrival.destinationRegionCode,
      after: {
        personId: arrival.personId,
        arrivalAt: arrival.arrivalAt,
        destinationRegionCode: arrival.destinationRegionCode,
        decision: decision.status,
        pack: decision.status === "no_pack" ? null : decision.pack.id,
        taskId: task?.id ?? null,
      },
    });
  });
  return { arrival, task };
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
  arrivalAt: Date;
  status: TaskStatus;
  statusLabel: Message;
  dueAt: Date;
  overdue: boolean;
  packId: string | null;
  measures: string[];
  steps: StepRecord[];
  version: number;
}

/** The measure kinds of a decision, e.g. ["centralizedQuarantine 14d", "release 3 negatives"]. */
function measuresSummary(decision: Decision): string[] {
  if (decision.status !== "decided") return [];
  const m = decision.measures;
  const out: string[] = [];
  for (const [kind, value] of Object.entries(m)) {
    if (kind === "tests") out.push(`tests ×${Array.isArray(value) ? value.length : 0}`);
    else if (kind === "release" && value && typeof value === "object" && "negativeTests" in value)
      out.push(`release ${String(value.negativeTests)} negatives`);
    else if (value && typeof value === "object" && "days" in value && value.days !== undefined)
      out.push(`${kind} ${String(value.days)}d`);
    else out.push(kind);
  }
  return out;
}

/** Control tasks inside the caller's jurisdiction (or a region in it), with overdue flags. */
export async function listControlTasks(
  db: Db,
  ctx: RequestContext,
  f: { regionCode?: string | undefined; overdue?: boolean | undefined },
): Promise<TaskListItem[]> {
  const actor = requireActor(ctx);
  const scope = f.regionCode ?? actor.jurisdiction;
  const d = decideAccess(actor, "people.read", [scope]);
  if (!d.allowed) throw forbidden(d.reason);
  const rows = await listTasks(db, { regionPrefix: subtreePrefix(scope), overdue: f.overdue, now: ctx.now });
  return rows.map((r: TaskListRow) => ({
    id: r.id,
    arrivalId: r.arrivalId,
    personId: r.personId,
    personName: r.personName,
    documentNumberMasked: maskIdNumber(r.documentNumber),
    regionCode: r.regionCode,
    arrivalAt: r.arrivalAt,
    status: r.status,
    statusLabel: STEP_LABELS[r.status],
    dueAt: r.dueAt,
    overdue: isOverdue(r, ctx.now),
    packId: r.decision.status === "no_pack" ? null : r.decision.pack.id,
    measures: measuresSummary(r.decision),
    steps: r.steps,
    version: r.version,
  }));
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
