/**
 * The clocks of a case investigation (issue 6, item 2): each case opens an investigation whose
 * milestones are due a number of hours after the case was reported, from the policy in force (defaults
 * seed 000: "确保突发疫情2小时到达现场，4小时初步完成流调判断，24小时实现流调闭环", and the network direct
 * report within 2 h, protocols.md §2.5). For each milestone: its due time, its state at `now`, the time
 * left for a countdown, and the overdue ones to escalate to the command. Pure: `now` is a parameter.
 */
import { type FieldError, fieldError, type Message } from "../shared/result.ts";
import type { TracingPolicy } from "./policy.ts";

export type Milestone = "directReport" | "onSite" | "preliminary" | "closed";

/** In the order they fall due. */
export const MILESTONES: readonly Milestone[] = ["directReport", "onSite", "preliminary", "closed"];

export const MILESTONE_LABELS: Record<Milestone, Message> = {
  directReport: { zh: "网络直报", en: "Direct report" },
  onSite: { zh: "到达现场", en: "On site" },
  preliminary: { zh: "初步完成流调判断", en: "Preliminary judgment" },
  closed: { zh: "流调闭环", en: "Investigation closed" },
};

/** The policy's hours for a milestone. */
export function milestoneHours(m: Milestone, policy: TracingPolicy): number {
  const i = policy.investigation;
  return m === "directReport"
    ? i.directReportHours
    : m === "onSite"
      ? i.onSiteHours
      : m === "preliminary"
        ? i.preliminaryHours
        : i.closedHours;
}

/** What the investigation has recorded: the report, and each milestone's time once done. */
export interface InvestigationTimes {
  reportedAt: Date;
  done: Partial<Record<Milestone, Date | null>>;
}

/**
 * `pending`: not done, still in time; `done_on_time`: done by the due time (the due minute itself is on
 * time); `done_late`: done after it; `overdue`: not done and the due time has passed at `now`.
 */
export type ClockState = "pending" | "done_on_time" | "done_late" | "overdue";

export interface Clock {
  milestone: Milestone;
  label: Message;
  limitHours: number;
  dueAt: Date;
  doneAt: Date | null;
  state: ClockState;
  /** Milliseconds left before the due time (pending only), for the countdown. */
  remainingMs: number | null;
  /** Milliseconds past the due time: at `now` when overdue, at completion when done late. */
  lateByMs: number | null;
}

/** An overdue milestone, raised to the command (指挥部). */
export interface Escalation {
  milestone: Milestone;
  dueAt: Date;
  overdueByMs: number;
  to: "command";
  message: Message;
}

const HOUR = 3_600_000;

function hoursText(ms: number): string {
  return (Math.round((ms / HOUR) * 10) / 10).toString();
}

/** Every milestone's clock at `now`, in due order. */
export function investigationClocks(times: InvestigationTimes, policy: TracingPolicy, now: Date): Clock[] {
  const from = times.reportedAt.getTime();
  return MILESTONES.map((m) => {
    const limitHours = milestoneHours(m, policy);
    const due = from + limitHours * HOUR;
    const doneAt = times.done[m] ?? null;
    const t = now.getTime();
    let state: ClockState;
    if (doneAt) state = doneAt.getTime() <= due ? "done_on_time" : "done_late";
    else state = t > due ? "overdue" : "pending";
    return {
      milestone: m,
      label: MILESTONE_LABELS[m],
      limitHours,
      dueAt: new Date(due),
      doneAt,
      state,
      remainingMs: state === "pending" ? due - t : null,
      lateByMs:
        state === "overdue" ? t - due : state === "done_late" ? (doneAt as Date).getTime() - due : null,
    };
  });
}

/** The overdue milestones to raise to the command, most overdue first. */
export function escalations(clocks: readonly Clock[]): Escalation[] {
  return clocks
    .filter((c) => c.state === "overdue")
    .map((c) => ({
      milestone: c.milestone,
      dueAt: c.dueAt,
      overdueByMs: c.lateByMs as number,
      to: "command" as const,
      message: {
        zh: `${c.label.zh}超时 ${hoursText(c.lateByMs as number)} 小时（时限 ${c.limitHours} 小时），已上报指挥部`,
        en: `${c.label.en} is ${hoursText(c.lateByMs as number)} h overdue (limit ${c.limitHours} h): raised to the command`,
      },
    }))
    .sort((a, b) => b.overdueByMs - a.overdueByMs);
}

/** Milestones that must be done before this one: on site before the judgment, both before closing. */
const PREREQUISITES: Record<Milestone, Milestone[]> = {
  directReport: [],
  onSite: [],
  preliminary: ["onSite"],
  closed: ["onSite", "preliminary"],
};

/**
 * Whether a milestone may be recorded as done at `at`: not twice, not before the case was reported,
 * not in the future, not before the milestones it follows (on site → judgment → closed).
 */
export function checkMilestone(times: InvestigationTimes, m: Milestone, at: Date, now: Date): FieldError[] {
  const label = MILESTONE_LABELS[m];
  const field = `milestones.${m}`;
  if (Number.isNaN(at.getTime()))
    return [
      fieldError(
        field,
        "investigation.invalid_time",
        `${label.zh}时间无效`,
        `The ${label.en} time is not valid`,
      ),
    ];
  const errors: FieldError[] = [];
  const already = times.done[m];
  if (already)
    errors.push(
      fieldError(
        field,
        "investigation.already_done",
        `${label.zh}已于 ${already.toISOString()} 记录`,
        `${label.en} was already recorded at ${already.toISOString()}`,
      ),
    );
  if (at.getTime() > now.getTime())
    errors.push(
      fieldError(
        field,
        "investigation.future_time",
        `${label.zh}时间 ${at.toISOString()} 晚于当前时间`,
        `The ${label.en} time ${at.toISOString()} is in the future`,
      ),
    );
  if (at.getTime() < times.reportedAt.getTime())
    errors.push(
      fieldError(
        field,
        "investigation.before_report",
        `${label.zh}时间 ${at.toISOString()} 早于病例报告时间 ${times.reportedAt.toISOString()}`,
        `The ${label.en} time ${at.toISOString()} is before the case was reported at ${times.reportedAt.toISOString()}`,
      ),
    );
  for (const p of PREREQUISITES[m]) {
    const pAt = times.done[p];
    const pl = MILESTONE_LABELS[p];
    if (!pAt)
      errors.push(
        fieldError(
          field,
          "investigation.out_of_order",
          `须先记录${pl.zh}，才能记录${label.zh}`,
          `${pl.en} must be recorded before ${label.en}`,
        ),
      );
    else if (at.getTime() < pAt.getTime())
      errors.push(
        fieldError(
          field,
          "investigation.before_previous",
          `${label.zh}时间早于${pl.zh}时间 ${pAt.toISOString()}`,
          `The ${label.en} time is before ${pl.en} at ${pAt.toISOString()}`,
        ),
      );
  }
  return errors;
}
