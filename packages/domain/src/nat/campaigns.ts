/**
 * Area-wide screening campaigns (全员核酸 / 区域核酸): a round's deadline, how often rounds repeat, the
 * round windows, coverage by region, who has not been sampled per grid, and lab turnaround. Pure: the
 * counts, the people and the times are parameters; every number is the policy's (`NatPolicy.campaign`,
 * `NatPolicy.lab`), its source in policy.ts.
 */
import type { FieldError, Message, Validated } from "../shared/result.ts";
import { fieldError } from "../shared/result.ts";
import { regionLevel, structuralAncestors, type RegionLevel } from "../regions/region-code.ts";
import { addDays, daysBetween, isDate } from "../shared/shanghai-time.ts";
import type { NatPolicy } from "./policy.ts";

const HOUR = 3_600_000;

export type CampaignScope = "designated_area" | "whole_population";

export interface CampaignDeadline {
  hours: number;
  deadline: Date;
  reason: Message;
}

/**
 * A round's deadline. Guideline v3 (2022-03-22, protocols.md §3.2): the designated area, "including
 * ≥10 M megacities, is to be finished within 24 h"; Guideline v2 (2021-09): "<5 M people → 2 days,
 * >5 M → 3 days". A population of exactly the threshold is not "under" it: the longer deadline. Seed
 * 002's "5天内能够完成全员核酸检测任务" is a pack that sets both to 120 h.
 */
export function campaignDeadline(
  scope: CampaignScope,
  population: number,
  start: Date,
  policy: NatPolicy,
): CampaignDeadline {
  const c = policy.campaign;
  const w = c.wholePopulation;
  let hours: number;
  let reason: Message;
  if (scope === "designated_area") {
    hours = c.designatedAreaHours;
    reason = { zh: `区域核酸 ${hours} 小时内完成`, en: `designated area: within ${hours} h` };
  } else if (population < w.thresholdPopulation) {
    hours = w.hoursBelow;
    reason = {
      zh: `全员核酸，人口 ${population} 不足 ${w.thresholdPopulation}：${hours} 小时内完成`,
      en: `whole population of ${population}, under ${w.thresholdPopulation}: within ${hours} h`,
    };
  } else {
    hours = w.hoursAtOrAbove;
    reason = {
      zh: `全员核酸，人口 ${population} 达到 ${w.thresholdPopulation} 以上：${hours} 小时内完成`,
      en: `whole population of ${population}, ${w.thresholdPopulation} or more: within ${hours} h`,
    };
  }
  return { hours, deadline: new Date(start.getTime() + hours * HOUR), reason };
}

export interface OutbreakState {
  /** Whether any of the last rounds (the policy's `recentRounds`) found a case. */
  caseInRecentRounds: boolean;
  /** Whole days since the last case in the area; null = none. */
  daysSinceLastCase: number | null;
}

/**
 * Days between rounds. Guideline v2 (protocols.md §3.2): "places with cases in the last 3 rounds test
 * daily; cases within 14 days → every other day; no case in 14 days → every 5 days".
 */
export function roundIntervalDays(
  state: OutbreakState,
  policy: NatPolicy,
): { days: number; reason: Message } {
  const f = policy.campaign.frequency;
  if (state.caseInRecentRounds) {
    return {
      days: f.intervalDaysRecentCase,
      reason: {
        zh: `近 ${f.recentRounds} 轮检出病例：每 ${f.intervalDaysRecentCase} 天一轮`,
        en: `a case in the last ${f.recentRounds} rounds: a round every ${f.intervalDaysRecentCase} day(s)`,
      },
    };
  }
  if (state.daysSinceLastCase !== null && state.daysSinceLastCase <= f.caseWithinDays) {
    return {
      days: f.intervalDaysCaseWithin,
      reason: {
        zh: `${f.caseWithinDays} 天内有病例：每 ${f.intervalDaysCaseWithin} 天一轮`,
        en: `a case within ${f.caseWithinDays} days: a round every ${f.intervalDaysCaseWithin} days`,
      },
    };
  }
  return {
    days: f.intervalDaysQuiet,
    reason: {
      zh: `${f.caseWithinDays} 天内无病例：每 ${f.intervalDaysQuiet} 天一轮`,
      en: `no case within ${f.caseWithinDays} days: a round every ${f.intervalDaysQuiet} days`,
    },
  };
}

export interface RoundWindow {
  /** 1 for the first round. */
  round: number;
  /** Beijing calendar dates, both inclusive. */
  from: string;
  to: string;
}

/**
 * The rounds between two Beijing dates (both inclusive), one every `intervalDays` days from the start;
 * each window runs until the day before the next round, the last one ends on `end`. Guideline v2 asks
 * for "at least 3 rounds when the source is unclear": fewer windows than the policy's `minimumRounds`
 * come with a note.
 */
export function roundWindows(
  start: string,
  end: string,
  intervalDays: number,
  policy: NatPolicy,
): Validated<{ windows: RoundWindow[]; notes: Message[] }> {
  const errors: FieldError[] = [];
  if (!isDate(start))
    errors.push(
      fieldError("start", "nat.invalid_date", `${start} 不是有效日期`, `${start} is not a valid date`),
    );
  if (!isDate(end))
    errors.push(fieldError("end", "nat.invalid_date", `${end} 不是有效日期`, `${end} is not a valid date`));
  if (!Number.isInteger(intervalDays) || intervalDays < 1)
    errors.push(
      fieldError(
        "intervalDays",
        "nat.invalid_interval",
        `轮次间隔须为正整数天，收到 ${intervalDays}`,
        `the interval must be a whole number of days ≥ 1, got ${intervalDays}`,
      ),
    );
  if (!errors.length && end < start)
    errors.push(
      fieldError(
        "end",
        "nat.end_before_start",
        `结束日期 ${end} 早于开始日期 ${start}`,
        `end ${end} is before start ${start}`,
      ),
    );
  if (errors.length) return { ok: false, errors };
  const windows: RoundWindow[] = [];
  const span = daysBetween(start, end);
  for (let d = 0, round = 1; d <= span; d += intervalDays, round++) {
    const from = addDays(start, d);
    const next = addDays(start, d + intervalDays - 1);
    windows.push({ round, from, to: next < end ? next : end });
  }
  const notes: Message[] = [];
  const min = policy.campaign.minimumRounds;
  if (windows.length < min) {
    notes.push({
      zh: `${start}～${end} 只能安排 ${windows.length} 轮，少于传播源不明时要求的至少 ${min} 轮`,
      en: `${start} to ${end} fits only ${windows.length} round(s), fewer than the ${min} asked for when the source is unclear`,
    });
  }
  return { ok: true, value: { windows, notes } };
}

export interface CoverageRow {
  code: string;
  level: RegionLevel;
  target: number;
  sampled: number;
  /** sampled / target; null when the target is 0 or unknown below the level targets are given at. */
  coverage: number | null;
  /** target − sampled, at least 0. */
  remaining: number;
}

/**
 * Coverage by region (issue 5: "Coverage by region in real time (sampled / target population)"):
 * target populations and sampled counts given at any level (a community, a grid) are summed up the
 * region tree by code (a grid counts in its community, township, county, … — region-code.ts). Target
 * codes may not lie inside one another (they would count twice). Rows for every region on the way up
 * to `root` (the campaign's region), root first, then by code.
 */
export function coverageByRegion(
  root: string,
  targets: ReadonlyMap<string, number>,
  sampled: ReadonlyMap<string, number>,
): Validated<CoverageRow[]> {
  const errors: FieldError[] = [];
  if (regionLevel(root) === null)
    errors.push(
      fieldError("root", "nat.invalid_region", `${root} 不是行政区划代码`, `${root} is not a region code`),
    );
  const check = (field: string, m: ReadonlyMap<string, number>) => {
    for (const [code, n] of m) {
      if (regionLevel(code) === null)
        errors.push(
          fieldError(
            `${field}.${code}`,
            "nat.invalid_region",
            `${code} 不是行政区划代码`,
            `${code} is not a region code`,
          ),
        );
      else if (!Number.isInteger(n) || n < 0)
        errors.push(
          fieldError(
            `${field}.${code}`,
            "nat.not_a_count",
            `${code} 的人数须为非负整数，收到 ${n}`,
            `${code}: a count must be a whole number ≥ 0, got ${n}`,
          ),
        );
    }
  };
  check("targets", targets);
  check("sampled", sampled);
  const targetCodes = [...targets.keys()];
  const targetSet = new Set(targetCodes);
  for (const c of targetCodes) {
    const outer = structuralAncestors(c)
      .slice(0, -1)
      .find((a) => targetSet.has(a));
    if (outer)
      errors.push(
        fieldError(
          `targets.${c}`,
          "nat.target_nested",
          `${c} 的目标人口已计入 ${outer}，不能重复给出`,
          `${c}'s target population is already counted in ${outer}`,
        ),
      );
  }
  if (errors.length) return { ok: false, errors };
  const rows = new Map<string, { target: number; sampled: number; targetKnown: boolean }>();
  const rootPath = structuralAncestors(root);
  const up = (code: string, add: (r: { target: number; sampled: number; targetKnown: boolean }) => void) => {
    const path = structuralAncestors(code);
    if (!path.includes(root)) return;
    for (const a of path.slice(rootPath.length - 1)) {
      let r = rows.get(a);
      if (!r) rows.set(a, (r = { target: 0, sampled: 0, targetKnown: false }));
      add(r);
    }
  };
  for (const [c, n] of targets)
    up(c, (r) => {
      r.target += n;
      r.targetKnown = true;
    });
  for (const [c, n] of sampled) up(c, (r) => (r.sampled += n));
  if (!rows.has(root)) rows.set(root, { target: 0, sampled: 0, targetKnown: false });
  return {
    ok: true,
    value: [...rows.entries()]
      .sort(([a], [b]) => (a === root ? -1 : b === root ? 1 : a.localeCompare(b)))
      .map(([code, r]) => ({
        code,
        level: regionLevel(code) as RegionLevel,
        target: r.target,
        sampled: r.sampled,
        coverage: r.targetKnown && r.target > 0 ? r.sampled / r.target : null,
        remaining: Math.max(0, r.target - r.sampled),
      })),
  };
}

export interface TargetPerson {
  personId: string;
  /** The grid (15 digits) of the person's address; a community code when no grid is known. */
  gridCode: string;
}

export interface UnsampledGrid {
  gridCode: string;
  personIds: string[];
}

/**
 * "The list of people not yet sampled per grid for door-to-door follow-up" (issue 5): the target people
 * not in `sampled`, by grid, the grid with the most people first.
 */
export function unsampledByGrid(
  people: readonly TargetPerson[],
  sampled: ReadonlySet<string>,
): UnsampledGrid[] {
  const byGrid = new Map<string, string[]>();
  for (const p of people) {
    if (sampled.has(p.personId)) continue;
    const list = byGrid.get(p.gridCode);
    if (list) list.push(p.personId);
    else byGrid.set(p.gridCode, [p.personId]);
  }
  return [...byGrid.entries()]
    .map(([gridCode, personIds]) => ({ gridCode, personIds: personIds.sort() }))
    .sort((a, b) => b.personIds.length - a.personIds.length || a.gridCode.localeCompare(b.gridCode));
}

export interface TurnaroundSample {
  lab: string;
  sampledAt: Date;
  /** null while the result is pending. */
  resultAt: Date | null;
}

export interface LabTurnaround {
  lab: string;
  /** Tubes with a result. */
  n: number;
  /** Hours, sampling → result; null when n is 0. */
  median: number | null;
  p90: number | null;
  /** Share of results within the target (≤ target hours; exactly at the target counts as within). */
  withinTarget: number | null;
  /** Tubes still without a result, and those of them already older than the target at `now`. */
  pending: number;
  overdue: number;
}

/** The p-th percentile by the nearest-rank method (the smallest value with at least p% at or below it). */
function nearestRank(sorted: readonly number[], p: number): number {
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

/**
 * Turnaround per lab, sampling → result (issue 5: "turnaround (sampling → result; target ≤ 6 h) per
 * lab"; protocols.md §3.2, 2022-04: "results generally in ≤6 h"), the target being the policy's
 * `lab.turnaroundTargetHours`. Median: the middle value (mean of the two middle ones for an even n);
 * p90: nearest rank. Labs in name order.
 */
export function labTurnaround(
  samples: readonly TurnaroundSample[],
  now: Date,
  policy: NatPolicy,
): LabTurnaround[] {
  const target = policy.lab.turnaroundTargetHours;
  const byLab = new Map<string, { hours: number[]; pending: number; overdue: number }>();
  for (const s of samples) {
    let r = byLab.get(s.lab);
    if (!r) byLab.set(s.lab, (r = { hours: [], pending: 0, overdue: 0 }));
    if (s.resultAt === null) {
      r.pending++;
      if ((now.getTime() - s.sampledAt.getTime()) / HOUR > target) r.overdue++;
    } else {
      r.hours.push((s.resultAt.getTime() - s.sampledAt.getTime()) / HOUR);
    }
  }
  return [...byLab.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([lab, r]) => {
      const h = r.hours.sort((a, b) => a - b);
      const n = h.length;
      const mid = Math.floor(n / 2);
      return {
        lab,
        n,
        median:
          n === 0 ? null : n % 2 ? (h[mid] as number) : ((h[mid - 1] as number) + (h[mid] as number)) / 2,
        p90: n === 0 ? null : nearestRank(h, 90),
        withinTarget: n === 0 ? null : h.filter((x) => x <= target).length / n,
        pending: r.pending,
        overdue: r.overdue,
      };
    });
}
