/**
 * An arrival's control task (管控任务): the person moves through verify (核) → transfer (转) →
 * test (检) → control (隔离/健康监测) → released, each step timestamped and attributed, no step
 * skipped and none taken back. The task is due a number of hours after registration ("追踪管控不过夜").
 * Pure: time is a parameter.
 */
import type { Message, Validated } from "../shared/result.ts";
import { fieldError } from "../shared/result.ts";

export type ControlStep = "verify" | "transfer" | "test" | "control" | "released";

/** The steps in order; a task's status is the last step taken, or "pending" before the first. */
export const CONTROL_STEPS: readonly ControlStep[] = ["verify", "transfer", "test", "control", "released"];

export type TaskStatus = "pending" | ControlStep;

export const STEP_LABELS: Record<TaskStatus, Message> = {
  pending: { zh: "待核实", en: "Pending" },
  verify: { zh: "已核实", en: "Verified" },
  transfer: { zh: "已转运", en: "Transferred" },
  test: { zh: "已检测", en: "Tested" },
  control: { zh: "已管控", en: "Under control" },
  released: { zh: "已解除", en: "Released" },
};

export interface StepRecord {
  step: ControlStep;
  at: Date;
  by: string;
}

export interface ControlTask {
  status: TaskStatus;
  createdAt: Date;
  dueAt: Date;
  steps: StepRecord[];
}

export const DEFAULT_DEADLINE_HOURS = 24;
const HOUR = 3_600_000;

/** Due time: registration time plus a deadline in hours (24 by default). */
export function dueAt(registeredAt: Date, hours: number = DEFAULT_DEADLINE_HOURS): Date {
  return new Date(registeredAt.getTime() + hours * HOUR);
}

/** A new task for an arrival registered at `registeredAt`. */
export function newTask(registeredAt: Date, hours: number = DEFAULT_DEADLINE_HOURS): ControlTask {
  return { status: "pending", createdAt: registeredAt, dueAt: dueAt(registeredAt, hours), steps: [] };
}

/** The one step that may be taken next, or null once released. */
export function nextStep(status: TaskStatus): ControlStep | null {
  if (status === "pending") return CONTROL_STEPS[0]!;
  return CONTROL_STEPS[CONTROL_STEPS.indexOf(status) + 1] ?? null;
}

/** Takes the next step; refuses a skipped, repeated or backward step, and a time before the last one. */
export function advance(
  task: ControlTask,
  step: ControlStep,
  at: Date,
  actor: string,
): Validated<ControlTask> {
  const expected = nextStep(task.status);
  if (expected === null) {
    return {
      ok: false,
      errors: [
        fieldError(
          "step",
          "task.already_released",
          "该人员已解除管控，任务已结束",
          "The task is finished: the person has been released",
        ),
      ],
    };
  }
  if (step !== expected) {
    const backward = CONTROL_STEPS.indexOf(step) < CONTROL_STEPS.indexOf(expected);
    return {
      ok: false,
      errors: [
        backward
          ? fieldError(
              "step",
              "task.step_backward",
              `不能退回到“${STEP_LABELS[step].zh}”：当前为“${STEP_LABELS[task.status].zh}”`,
              `Cannot go back to "${STEP_LABELS[step].en}": the task is already "${STEP_LABELS[task.status].en}"`,
            )
          : fieldError(
              "step",
              "task.step_skipped",
              `不能跳过步骤：下一步应为“${STEP_LABELS[expected].zh}”`,
              `Cannot skip a step: the next step is "${STEP_LABELS[expected].en}"`,
            ),
      ],
    };
  }
  if (Number.isNaN(at.getTime())) {
    return { ok: false, errors: [fieldError("at", "task.at_invalid", "时间无效", "Invalid time")] };
  }
  const last = task.steps[task.steps.length - 1];
  const floor = last ? last.at : task.createdAt;
  if (at.getTime() < floor.getTime()) {
    return {
      ok: false,
      errors: [
        fieldError(
          "at",
          "task.at_before_previous",
          "步骤时间不能早于上一步（或登记时间）",
          "A step cannot be earlier than the previous step (or the registration)",
        ),
      ],
    };
  }
  return { ok: true, value: { ...task, status: step, steps: [...task.steps, { step, at, by: actor }] } };
}

/** Overdue: not yet under control (or released) when the due time has passed. */
export function isOverdue(task: Pick<ControlTask, "status" | "dueAt">, now: Date): boolean {
  if (task.status === "control" || task.status === "released") return false;
  return now.getTime() > task.dueAt.getTime();
}
