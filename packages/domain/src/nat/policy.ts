/**
 * The numbers of nucleic acid testing (核酸检测) that a policy pack carries: pool sizes by zone, Ct
 * bounds, the lab turnaround target, the recall deadline, campaign deadlines and round frequencies, and
 * the reference round the planner's ratios come from. Every number has its source beside it; the
 * defaults are the national guidelines' figures as quoted in protocols.md §3.2. The functions of this
 * folder take a `NatPolicy` (usually `DEFAULT_NAT_POLICY` or a pack's `nat` block parsed by
 * `natPolicySchema`), never a number of their own.
 */
import { z } from "zod";
import { AREA_KINDS, type AreaKind } from "../zones/area.ts";

/** Pool sizes the guidelines allow: single tube, 5合1, 10合1, 20合1 (protocols.md §3.2, 2022-04 national capacity). */
export type PoolSize = 1 | 5 | 10 | 20;
export const POOL_SIZES: readonly PoolSize[] = [1, 5, 10, 20];

/**
 * How people of one zone are sampled: `{ kind: "pool", size }` (size 1 = 单采单检), or
 * `{ kind: "household" }` — one tube per household ("封控区: single-sample or 1 tube per household").
 */
export type PoolRule = { kind: "pool"; size: PoolSize } | { kind: "household" };

/** A real screening round whose figures the planner's ratios are derived from. */
export interface ReferenceRound {
  name: { zh: string; en: string };
  people: number;
  hours: number;
  samplingPoints: number;
  desks: number;
  samplers: number;
  supportStaff: number;
  labTubesPerDay: number;
  /** Where the figures are quoted (protocols.md section and its source). */
  source: string;
}

export interface NatPolicy {
  pooling: {
    /** Sizes a tube may have. */
    allowedSizes: PoolSize[];
    /** Per zone or risk-area kind; kinds absent here fall back to `elsewhere`. */
    byArea: Partial<Record<AreaKind, PoolRule>>;
    /** People living outside every designated zone. */
    elsewhere: PoolRule;
    /** Isolation sites and key groups (重点人群). */
    keyGroups: PoolRule;
  };
  lab: {
    /** The largest Ct value a lab may report. */
    ctMax: number;
    /** Sampling → result target, hours. */
    turnaroundTargetHours: number;
  };
  recall: {
    /** Hours from a positive pool's result by which its members must be retested (single tube). */
    deadlineHours: number;
  };
  campaign: {
    /** A designated area (区域核酸), however big. */
    designatedAreaHours: number;
    wholePopulation: {
      /** Population at or above which the longer deadline applies. */
      thresholdPopulation: number;
      hoursBelow: number;
      hoursAtOrAbove: number;
    };
    /** Rounds at least, when the source of infection is unclear. */
    minimumRounds: number;
    frequency: {
      /** A case in the last N rounds → `intervalDaysRecentCase`. */
      recentRounds: number;
      intervalDaysRecentCase: number;
      /** A case within N days → `intervalDaysCaseWithin`. */
      caseWithinDays: number;
      intervalDaysCaseWithin: number;
      /** Otherwise. */
      intervalDaysQuiet: number;
    };
  };
  planner: {
    reference: ReferenceRound;
  };
}

/**
 * The national figures (protocols.md §3.2):
 * - pooling by zone, Langfang 2022: "封控区: single-sample or 1 tube per household; 管控区: 10合1;
 *   防范区 and others: 20合1"; isolation sites and key people single-sample, single-test. Elsewhere 10:
 *   Guideline v1 "first round may be all 10-in-1", v2 "others 5混1/10混1" (Langfang's pack sets 20).
 * - Ct: 40 cycles, the usual run of an RT-PCR kit (⚠ not quoted in protocols.md; a pack may change it).
 * - turnaround: 2022-04 national capacity, "results generally in ≤6 h".
 * - recall: ⚠ no source gives a retest deadline; 2 h by analogy with protocols.md §2.5 ("land and check
 *   people in 2 h after coordination information arrives").
 * - campaigns: Guideline v3 "finished within 24 h" for a designated area; Guideline v2 "<5 M people →
 *   2 days, >5 M → 3 days", "at least 3 rounds when the source is unclear", "places with cases in the
 *   last 3 rounds test daily; cases within 14 days → every other day; no case in 14 days → every 5 days".
 * - planner: the Xi'an round of 2021-12-27 12:00 → 12-28 12:00.
 */
export const DEFAULT_NAT_POLICY: NatPolicy = {
  pooling: {
    allowedSizes: [1, 5, 10, 20],
    byArea: {
      sealed: { kind: "household" },
      controlled: { kind: "pool", size: 10 },
      precaution: { kind: "pool", size: 20 },
    },
    elsewhere: { kind: "pool", size: 10 },
    keyGroups: { kind: "pool", size: 1 },
  },
  lab: { ctMax: 40, turnaroundTargetHours: 6 },
  recall: { deadlineHours: 2 },
  campaign: {
    designatedAreaHours: 24,
    wholePopulation: { thresholdPopulation: 5_000_000, hoursBelow: 48, hoursAtOrAbove: 72 },
    minimumRounds: 3,
    frequency: {
      recentRounds: 3,
      intervalDaysRecentCase: 1,
      caseWithinDays: 14,
      intervalDaysCaseWithin: 2,
      intervalDaysQuiet: 5,
    },
  },
  planner: {
    reference: {
      name: { zh: "西安 2021-12-27 全员核酸", en: "Xi'an round of 2021-12-27" },
      people: 12_317_000,
      hours: 24,
      samplingPoints: 5_077,
      desks: 11_669,
      samplers: 31_000,
      supportStaff: 132_900,
      labTubesPerDay: 1_600_000,
      source: "protocols.md §3.2 (mkcnfr.com/c/2021-12-28/3013626.shtml)",
    },
  },
};

const poolSize = z.union([z.literal(1), z.literal(5), z.literal(10), z.literal(20)]);
const poolRule = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("pool"), size: poolSize }),
  z.strictObject({ kind: z.literal("household") }),
]);
const hours = z.number().positive();
const positiveInt = z.int().min(1);

/** The pack's `nat` block: the same shape as `NatPolicy`, strict, every number checked. */
export const natPolicySchema = z.strictObject({
  pooling: z.strictObject({
    allowedSizes: z.array(poolSize).min(1),
    byArea: z.partialRecord(z.enum(AREA_KINDS as [AreaKind, ...AreaKind[]]), poolRule),
    elsewhere: poolRule,
    keyGroups: poolRule,
  }),
  lab: z.strictObject({ ctMax: z.number().positive(), turnaroundTargetHours: hours }),
  recall: z.strictObject({ deadlineHours: hours }),
  campaign: z.strictObject({
    designatedAreaHours: hours,
    wholePopulation: z.strictObject({
      thresholdPopulation: positiveInt,
      hoursBelow: hours,
      hoursAtOrAbove: hours,
    }),
    minimumRounds: positiveInt,
    frequency: z.strictObject({
      recentRounds: positiveInt,
      intervalDaysRecentCase: positiveInt,
      caseWithinDays: positiveInt,
      intervalDaysCaseWithin: positiveInt,
      intervalDaysQuiet: positiveInt,
    }),
  }),
  planner: z.strictObject({
    reference: z.strictObject({
      name: z.strictObject({ zh: z.string().min(1), en: z.string().min(1) }),
      people: positiveInt,
      hours: hours,
      samplingPoints: positiveInt,
      desks: positiveInt,
      samplers: positiveInt,
      supportStaff: z.int().min(0),
      labTubesPerDay: positiveInt,
      source: z.string().min(1),
    }),
  }),
}) satisfies z.ZodType<NatPolicy>;
