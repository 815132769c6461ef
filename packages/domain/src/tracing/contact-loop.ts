/**
 * The contacts' closed loop (issue 6, item 4): "对密接、次密接人员核一个、转一个、检一个、隔一个，一般疫情48小时、
 * 重大疫情72小时实现隔离管控闭环" (seed 000). Each contact goes through four steps in order — 核 verify,
 * 转 transfer, 检 test, 隔 isolate — each with its time; the loop time runs from the case's confirmation
 * to the isolate step and is measured against the policy's limit (48 h, 72 h in a major outbreak). Pure:
 * `now` is a parameter.
 */
import { type FieldError, fieldError, type Message } from "../shared/result.ts";
import type { TracingPolicy } from "./policy.ts";

export type LoopStep = "verify" | "transfer" | "test" | "isolate";

/** In the order they are done. */
export const LOOP_STEPS: readonly LoopStep[] = ["verify", "transfer", "test", "isolate"];

export const LOOP_STEP_LABELS: Record<LoopStep, Message> = {
  verify: { zh: "核（核实身份与接触情况）", en: "Verify" },
  transfer: { zh: "转（转运至隔离场所）", en: "Transfer" },
  test: { zh: "检（核酸检测）", en: "Test" },
  isolate: { zh: "隔（隔离管控）", en: "Isolate" },
};

export type LoopTimes = Partial<Record<LoopStep, Date | null>>;

/** The next step to do, or null once isolated. */
export function nextStep(times: LoopTimes): LoopStep | null {
  return LOOP_STEPS.find((s) => !times[s]) ?? null;
}

/**
 * Whether `step` may be recorded at `at`: steps are done in order (the previous one recorded first), a
 * step's time is not before the previous step's, not in the future, and a step is recorded once.
 */
export function checkLoopStep(times: LoopTimes, step: LoopStep, at: Date, now: Date): FieldError[] {
  const field = `steps.${step}`;
  const label = LOOP_STEP_LABELS[step];
  if (Number.isNaN(at.getTime()))
    return [
      fieldError(field, "loop.invalid_time", `${label.zh}时间无效`, `The ${label.en} time is not valid`),
    ];
  const errors: FieldError[] = [];
  const already = times[step];
  if (already)
    errors.push(
      fieldError(
        field,
        "loop.already_done",
        `${label.zh}已于 ${already.toISOString()} 记录`,
        `${label.en} was already recorded at ${already.toISOString()}`,
      ),
    );
  const i = LOOP_STEPS.indexOf(step);
  if (i > 0) {
    const prev = LOOP_STEPS[i - 1]!;
    const prevAt = times[prev];
    const pl = LOOP_STEP_LABELS[prev];
    if (!prevAt)
      errors.push(
        fieldError(
          field,
          "loop.out_of_order",
          `须先完成${pl.zh}，才能记录${label.zh}`,
          `${pl.en} must be recorded before ${label.en}`,
        ),
      );
    else if (at.getTime() < prevAt.getTime())
      errors.push(
        fieldError(
          field,
          "loop.before_previous",
          `${label.zh}时间 ${at.toISOString()} 早于${pl.zh}时间 ${prevAt.toISOString()}`,
          `The ${label.en} time ${at.toISOString()} is before ${pl.en} at ${prevAt.toISOString()}`,
        ),
      );
  }
  if (at.getTime() > now.getTime())
    errors.push(
      fieldError(
        field,
        "loop.future_time",
        `${label.zh}时间 ${at.toISOString()} 晚于当前时间`,
        `The ${label.en} time ${at.toISOString()} is in the future`,
      ),
    );
  return errors;
}

/**
 * `not_started`: the case is not confirmed yet, so the loop clock has not started; `on_time`: isolated
 * within the limit; `late`: isolated after it; `open`: not isolated, still within it; `overdue`: not
 * isolated and past it at `now`.
 */
export type LoopState = "not_started" | "on_time" | "late" | "open" | "overdue";

export interface LoopStatus {
  personId: string;
  state: LoopState;
  limitHours: number;
  /** Confirmation + limit; null before confirmation. */
  dueAt: Date | null;
  nextStep: LoopStep | null;
  /** Confirmation → isolation, ms (0 when isolated before the case was confirmed); null while open. */
  loopMs: number | null;
  /** Time left (open) for the countdown. */
  remainingMs: number | null;
  /** Past the due time: at isolation (late) or at `now` (overdue). */
  lateByMs: number | null;
}

const HOUR = 3_600_000;

/** The loop's limit: the general outbreak's, or the major outbreak's when `major`. */
export function loopLimitHours(policy: TracingPolicy, major: boolean): number {
  return major ? policy.loop.majorHours : policy.loop.generalHours;
}

/** One contact's loop at `now`, from the case's confirmation (null while the case is suspected). */
export function loopStatus(
  contact: { personId: string; times: LoopTimes },
  confirmedAt: Date | null,
  policy: TracingPolicy,
  options: { now: Date; major: boolean },
): LoopStatus {
  const limitHours = loopLimitHours(policy, options.major);
  const next = nextStep(contact.times);
  const base = { personId: contact.personId, limitHours, nextStep: next };
  if (!confirmedAt)
    return { ...base, state: "not_started", dueAt: null, loopMs: null, remainingMs: null, lateByMs: null };
  const due = confirmedAt.getTime() + limitHours * HOUR;
  const isolatedAt = contact.times.isolate ?? null;
  if (isolatedAt) {
    const t = isolatedAt.getTime();
    const late = t > due;
    return {
      ...base,
      state: late ? "late" : "on_time",
      dueAt: new Date(due),
      loopMs: Math.max(0, t - confirmedAt.getTime()),
      remainingMs: null,
      lateByMs: late ? t - due : null,
    };
  }
  const n = options.now.getTime();
  const overdue = n > due;
  return {
    ...base,
    state: overdue ? "overdue" : "open",
    dueAt: new Date(due),
    loopMs: null,
    remainingMs: overdue ? null : due - n,
    lateByMs: overdue ? n - due : null,
  };
}

export interface LoopSummary {
  limitHours: number;
  contacts: number;
  byState: Record<LoopState, number>;
  /** How many contacts wait at each step (isolated ones are not counted). */
  atStep: Record<LoopStep, number>;
  /** Open contacts past the limit, for escalation. */
  overdue: string[];
  /** The isolated contact whose loop took longest. */
  slowest: { personId: string; loopMs: number; state: "on_time" | "late" } | null;
  /**
   * The case's loop is closed (闭环) when every contact is isolated: when the last one was, and whether
   * that was within the limit. Null while a contact is still open or the case is unconfirmed.
   */
  closed: { at: Date; withinLimit: boolean } | null;
}

/** The loop of all of a case's contacts. */
export function loopSummary(
  contacts: readonly { personId: string; times: LoopTimes }[],
  confirmedAt: Date | null,
  policy: TracingPolicy,
  options: { now: Date; major: boolean },
): LoopSummary {
  const statuses = contacts.map((c) => loopStatus(c, confirmedAt, policy, options));
  const byState: Record<LoopState, number> = { not_started: 0, on_time: 0, late: 0, open: 0, overdue: 0 };
  const atStep: Record<LoopStep, number> = { verify: 0, transfer: 0, test: 0, isolate: 0 };
  let slowest: LoopSummary["slowest"] = null;
  for (const s of statuses) {
    byState[s.state]++;
    if (s.nextStep) atStep[s.nextStep]++;
    if (
      (s.state === "on_time" || s.state === "late") &&
      (slowest === null || (s.loopMs as number) > slowest.loopMs)
    )
      slowest = { personId: s.personId, loopMs: s.loopMs as number, state: s.state };
  }
  let closed: LoopSummary["closed"] = null;
  if (confirmedAt && contacts.length > 0 && contacts.every((c) => c.times.isolate)) {
    const at = new Date(Math.max(...contacts.map((c) => (c.times.isolate as Date).getTime())));
    closed = {
      at,
      withinLimit: at.getTime() <= confirmedAt.getTime() + loopLimitHours(policy, options.major) * HOUR,
    };
  }
  return {
    limitHours: loopLimitHours(policy, options.major),
    contacts: contacts.length,
    byState,
    atStep,
    overdue: statuses.filter((s) => s.state === "overdue").map((s) => s.personId),
    slowest,
    closed,
  };
}
