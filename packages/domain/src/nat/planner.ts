/**
 * The screening-round planner (issue 5, Deliver 4): "From population, deadline, pool sizes and hours:
 * sampling desks, samplers, support staff and lab tubes/day needed, against the resources registered;
 * based on the ratios in protocols.md … and stated as such." Every ratio is derived from the policy's
 * reference round (`planner.reference`, by default Xi'an 2021-12-27, protocols.md §3.2: "12.317 M
 * people sampled in 24 h, 5,077 sampling points, 11,669 sampling desks, 31k+ samplers, 132.9k support
 * staff, lab capacity 1.6 M tubes/day"), and every figure says which ratio it came from.
 */
import type { FieldError, Message, Validated } from "../shared/result.ts";
import { fieldError } from "../shared/result.ts";
import type { NatPolicy, PoolSize, ReferenceRound } from "./policy.ts";

export type ResourceKind = "samplingPoints" | "desks" | "samplers" | "supportStaff" | "labTubesPerDay";
export const RESOURCE_KINDS: readonly ResourceKind[] = [
  "samplingPoints",
  "desks",
  "samplers",
  "supportStaff",
  "labTubesPerDay",
];

export const RESOURCE_LABELS: Record<ResourceKind, Message> = {
  samplingPoints: { zh: "采样点", en: "sampling points" },
  desks: { zh: "采样台", en: "sampling desks" },
  samplers: { zh: "采样人员", en: "samplers" },
  supportStaff: { zh: "保障人员", en: "support staff" },
  labTubesPerDay: { zh: "实验室日检测管数", en: "lab tubes per day" },
};

export interface PoolShare {
  size: PoolSize;
  /** The share of the population sampled in tubes of this size, 0–1; the shares add up to 1. */
  share: number;
}

export interface PlanInput {
  population: number;
  deadlineHours: number;
  /** Hours a desk samples each day (24 = round the clock, as Xi'an did). */
  workingHoursPerDay: number;
  poolMix: readonly PoolShare[];
}

export interface PlanFigure {
  kind: ResourceKind;
  value: number;
  /** The ratio used, in units of the figure per unit of its base (e.g. samplers per desk). */
  ratio: number;
  basis: Message;
}

export interface Plan {
  /** Desk-hours available before the deadline: whole days × working hours + the rest, capped at working hours. */
  samplingHours: number;
  /** People one desk samples in an hour at the reference rate. */
  peoplePerDeskHour: number;
  tubes: number;
  figures: Record<ResourceKind, PlanFigure>;
}

const round1 = (x: number) => Math.round(x * 10) / 10;
const round2 = (x: number) => Math.round(x * 100) / 100;
const fmt = (x: number) => x.toLocaleString("en-US");

/** People a desk samples per hour in the reference round: people / (desks × hours); Xi'an ≈ 44. */
export function peoplePerDeskHour(ref: ReferenceRound): number {
  return ref.people / (ref.desks * ref.hours);
}

function checkInput(input: PlanInput, policy: NatPolicy): FieldError[] {
  const errors: FieldError[] = [];
  if (!Number.isInteger(input.population) || input.population < 0)
    errors.push(
      fieldError(
        "population",
        "nat.not_a_count",
        `人口须为非负整数，收到 ${input.population}`,
        `the population must be a whole number ≥ 0, got ${input.population}`,
      ),
    );
  if (!Number.isFinite(input.deadlineHours) || input.deadlineHours <= 0)
    errors.push(
      fieldError(
        "deadlineHours",
        "nat.invalid_hours",
        `时限须为正的小时数，收到 ${input.deadlineHours}`,
        `the deadline must be a positive number of hours, got ${input.deadlineHours}`,
      ),
    );
  if (
    !Number.isFinite(input.workingHoursPerDay) ||
    input.workingHoursPerDay <= 0 ||
    input.workingHoursPerDay > 24
  )
    errors.push(
      fieldError(
        "workingHoursPerDay",
        "nat.invalid_hours",
        `每日采样时长须在 0～24 小时之间，收到 ${input.workingHoursPerDay}`,
        `working hours per day must be above 0 and at most 24, got ${input.workingHoursPerDay}`,
      ),
    );
  if (!input.poolMix.length)
    errors.push(fieldError("poolMix", "nat.pool_mix_empty", "须给出混采比例", "a pool-size mix is required"));
  let total = 0;
  input.poolMix.forEach((p, i) => {
    if (!(policy.pooling.allowedSizes as number[]).includes(p.size))
      errors.push(
        fieldError(
          `poolMix[${i}].size`,
          "nat.pool_size_not_allowed",
          `试管规格 ${p.size} 不在规则允许之内`,
          `a tube of ${p.size} is not allowed by the policy`,
        ),
      );
    if (!Number.isFinite(p.share) || p.share < 0 || p.share > 1)
      errors.push(
        fieldError(
          `poolMix[${i}].share`,
          "nat.invalid_share",
          `比例须在 0～1 之间，收到 ${p.share}`,
          `a share must be between 0 and 1, got ${p.share}`,
        ),
      );
    total += p.share;
  });
  if (input.poolMix.length && Math.abs(total - 1) > 1e-9)
    errors.push(
      fieldError(
        "poolMix",
        "nat.pool_mix_total",
        `混采比例之和须为 1，现为 ${round2(total)}`,
        `the shares must add up to 1, they add up to ${round2(total)}`,
      ),
    );
  return errors;
}

/**
 * Desks, samplers, support staff, sampling points and lab tubes per day for a round, at the reference
 * round's ratios (protocols.md §3.2; derived note 5, "the 24 h target for 10 M+ cities implies about
 * 1.2 M people/h"): desks = population ÷ (people per desk-hour × sampling hours); samplers, support
 * staff and points per desk as in the reference; tubes = Σ population × share ÷ pool size (full tubes);
 * lab tubes per day = tubes ÷ the deadline in days (at least one day). All rounded up.
 */
export function planRound(input: PlanInput, policy: NatPolicy): Validated<Plan> {
  const errors = checkInput(input, policy);
  if (errors.length) return { ok: false, errors };
  const ref = policy.planner.reference;
  const name = ref.name;
  const days = Math.floor(input.deadlineHours / 24);
  const samplingHours =
    days * input.workingHoursPerDay + Math.min(input.deadlineHours - days * 24, input.workingHoursPerDay);
  const rate = peoplePerDeskHour(ref);
  const desks = Math.ceil(input.population / (rate * samplingHours));
  const perDesk = (n: number) => n / ref.desks;
  const tubes = input.poolMix.reduce((sum, p) => sum + Math.ceil((input.population * p.share) / p.size), 0);
  const deadlineDays = Math.max(1, input.deadlineHours / 24);
  const src = { zh: `（${name.zh}，${ref.source}）`, en: ` (${name.en}, ${ref.source})` };
  const staffing = (kind: "samplers" | "supportStaff" | "samplingPoints"): PlanFigure => {
    const ratio = perDesk(ref[kind]);
    const label = RESOURCE_LABELS[kind];
    return {
      kind,
      value: Math.ceil(desks * ratio),
      ratio,
      basis: {
        zh: `每个采样台 ${round2(ratio)} 名${label.zh}：${fmt(ref[kind])} ÷ ${fmt(ref.desks)} 个采样台${src.zh}`,
        en: `${round2(ratio)} ${label.en} per desk: ${fmt(ref[kind])} ÷ ${fmt(ref.desks)} desks${src.en}`,
      },
    };
  };
  const mix = input.poolMix.map((p) => `${p.size}:${round2(p.share)}`).join(", ");
  return {
    ok: true,
    value: {
      samplingHours,
      peoplePerDeskHour: rate,
      tubes,
      figures: {
        desks: {
          kind: "desks",
          value: desks,
          ratio: rate,
          basis: {
            zh: `每台每小时采样 ${round1(rate)} 人：${fmt(ref.people)} 人 ÷（${fmt(ref.desks)} 台 × ${ref.hours} 小时）${src.zh}；可用采样时长 ${samplingHours} 小时`,
            en: `${round1(rate)} people per desk-hour: ${fmt(ref.people)} people ÷ (${fmt(ref.desks)} desks × ${ref.hours} h)${src.en}; ${samplingHours} sampling hours available`,
          },
        },
        samplers: staffing("samplers"),
        supportStaff: staffing("supportStaff"),
        samplingPoints: staffing("samplingPoints"),
        labTubesPerDay: {
          kind: "labTubesPerDay",
          value: Math.ceil(tubes / deadlineDays),
          ratio: input.population / tubes || 0,
          basis: {
            zh: `${fmt(tubes)} 管（混采比例 ${mix}，满管计）÷ ${round2(deadlineDays)} 天；参考：${name.zh}实验室日检测能力 ${fmt(ref.labTubesPerDay)} 管`,
            en: `${fmt(tubes)} tubes (pool mix ${mix}, full tubes) ÷ ${round2(deadlineDays)} day(s); for reference, ${name.en} had lab capacity of ${fmt(ref.labTubesPerDay)} tubes/day`,
          },
        },
      },
    },
  };
}

export interface ResourceGap {
  kind: ResourceKind;
  needed: number;
  registered: number;
  /** needed − registered, at least 0. */
  shortfall: number;
  message: Message;
}

/** The plan against the resources registered: the shortfall per kind (a kind not registered counts as 0). */
export function compareResources(
  plan: Plan,
  registered: Partial<Record<ResourceKind, number>>,
): ResourceGap[] {
  return RESOURCE_KINDS.map((kind) => {
    const needed = plan.figures[kind].value;
    const have = registered[kind] ?? 0;
    const shortfall = Math.max(0, needed - have);
    const label = RESOURCE_LABELS[kind];
    return {
      kind,
      needed,
      registered: have,
      shortfall,
      message: shortfall
        ? {
            zh: `${label.zh}需 ${fmt(needed)}，已登记 ${fmt(have)}，缺 ${fmt(shortfall)}`,
            en: `${label.en}: ${fmt(needed)} needed, ${fmt(have)} registered, ${fmt(shortfall)} short`,
          }
        : {
            zh: `${label.zh}需 ${fmt(needed)}，已登记 ${fmt(have)}，足够`,
            en: `${label.en}: ${fmt(needed)} needed, ${fmt(have)} registered, enough`,
          },
    };
  });
}
