/**
 * Deadlines that a jurisdiction may set for itself: how long a grid has to bring an arrival under
 * control, and by when every row of an assist list (协查) must end in a known state. The notices say
 * "追踪管控不过夜" and "当日清零": the defaults are 24 hours from registration for an arrival and
 * midnight (Asia/Shanghai) of the day an assist list is received. A setting on a region applies to its
 * whole subtree unless a region below sets its own. Pure: time is a parameter.
 */
import { endOfShanghaiDay } from "../shared/shanghai-time.ts";
import { structuralAncestors } from "../regions/region-code.ts";

/** A deadline: a number of hours after receipt, or the end of the (Shanghai) day of receipt. */
export type DeadlineRule = { kind: "hours"; hours: number } | { kind: "end_of_day" };

export type DeadlineKind = "arrivalTask" | "assistList";
export const DEADLINE_KINDS: readonly DeadlineKind[] = ["arrivalTask", "assistList"];

export const DEFAULT_DEADLINES: Record<DeadlineKind, DeadlineRule> = {
  arrivalTask: { kind: "hours", hours: 24 },
  assistList: { kind: "end_of_day" },
};

/** The longest deadline a jurisdiction may set: seven days. */
export const MAX_DEADLINE_HOURS = 168;

const HOUR = 3_600_000;

/** When something received at `receivedAt` is due under `rule`. */
export function deadlineFrom(rule: DeadlineRule, receivedAt: Date): Date {
  return rule.kind === "end_of_day"
    ? endOfShanghaiDay(receivedAt)
    : new Date(receivedAt.getTime() + rule.hours * HOUR);
}

/** A stored setting: a region's own rule for one or both kinds. */
export interface DeadlineSetting {
  regionCode: string;
  arrivalTask: DeadlineRule | null;
  assistList: DeadlineRule | null;
}

export interface EffectiveDeadline {
  rule: DeadlineRule;
  /** The region whose setting applies, or null for the platform default. */
  setBy: string | null;
}

/**
 * The rule in force for `regionCode`: the setting of the nearest region on its path (itself first,
 * then up to the country), else the default.
 */
export function effectiveDeadline(
  settings: ReadonlyMap<string, DeadlineSetting>,
  regionCode: string,
  kind: DeadlineKind,
): EffectiveDeadline {
  const path = structuralAncestors(regionCode);
  for (let i = path.length - 1; i >= 0; i--) {
    const rule = settings.get(path[i]!)?.[kind];
    if (rule) return { rule, setBy: path[i]! };
  }
  return { rule: DEFAULT_DEADLINES[kind], setBy: null };
}
