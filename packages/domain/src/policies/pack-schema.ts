/**
 * The policy-pack format: one YAML file per pack (see docs/capabilities/policies.md). The schema is
 * strict everywhere, so a misspelt field is an error rather than a silently ignored rule.
 */
import { z } from "zod";
import { healthCodePolicySchema } from "../codes/policy.ts";
import { natPolicySchema } from "../nat/policy.ts";
import { regionLevel } from "../regions/region-code.ts";
import { tracingPolicySchema } from "../tracing/policy.ts";
import { AREA_KINDS, type AreaKind } from "../zones/area.ts";

export type Category =
  | "inbound_overseas"
  | "from_high_risk_area"
  | "from_medium_risk_area"
  | "from_low_risk_area"
  | "close_contact"
  | "secondary_contact"
  | "sealed_zone_resident"
  | "controlled_zone_resident"
  | "co_presence_contact"
  | "festival_returnee"
  | "high_risk_occupation"
  | "other_province_history"
  | "released_from_quarantine_elsewhere";

export const CATEGORIES = [
  "inbound_overseas",
  "from_high_risk_area",
  "from_medium_risk_area",
  "from_low_risk_area",
  "close_contact",
  "secondary_contact",
  "sealed_zone_resident",
  "controlled_zone_resident",
  "co_presence_contact",
  "festival_returnee",
  "high_risk_occupation",
  "other_province_history",
  "released_from_quarantine_elsewhere",
] as const satisfies readonly Category[];

/** Categories whose facts are dated stays, so they need a look-back window. */
export const TRAVEL_CATEGORIES: readonly Category[] = [
  "from_high_risk_area",
  "from_medium_risk_area",
  "from_low_risk_area",
  "other_province_history",
];

/** Categories whose facts carry a date (end of stay or last exposure), so `exposureSince` can apply. */
export const DATED_CATEGORIES: readonly Category[] = [
  ...TRAVEL_CATEGORIES,
  "close_contact",
  "secondary_contact",
  "co_presence_contact",
];

export type Occupation = "cold_chain" | "quarantine_site" | "fever_clinic";
export const OCCUPATIONS = [
  "cold_chain",
  "quarantine_site",
  "fever_clinic",
] as const satisfies readonly Occupation[];

export const SEED_FILES = [
  "000_9ee1762a5fafba5d.txt",
  "001_e67f7d573b66ce85.txt",
  "002_c12351eb2658916b.txt",
  "003_87e2a61b6a1b3807.txt",
  "004_dd37a1c1e350bae8.txt",
] as const;

/** "2021-12-07", "2021-12-07T08:00", "2021-12-07T08:00:00+08:00"; without an offset, Asia/Shanghai. */
const INSTANT = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})?)?$/;

/**
 * Recently parsed dates and times: a batch of arrivals repeats the same few hundred stay dates, a lab's
 * result file the same few testing times, a day's sampling records at most 86,400 different seconds
 * (bounded; cleared when full).
 */
const parsedInstants = new Map<string, number | null>();
const CACHED_INSTANTS = 1 << 17;

/** Days in a month (1–12) of the Gregorian calendar. */
const daysIn = (year: number, month: number) =>
  month === 2
    ? year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)
      ? 29
      : 28
    : month === 4 || month === 6 || month === 9 || month === 11
      ? 30
      : 31;

function parseUncached(s: string): number | null {
  if (!INSTANT.test(s)) return null;
  // Date.parse rolls "2022-02-30" over to 2 March; a day the month does not have is not a date.
  const month = Number(s.slice(5, 7));
  const day = Number(s.slice(8, 10));
  if (month < 1 || month > 12 || day < 1 || day > daysIn(Number(s.slice(0, 4)), month)) return null;
  const full = s.length === 10 ? `${s}T00:00:00+08:00` : /(Z|[+-]\d{2}:\d{2})$/.test(s) ? s : `${s}+08:00`;
  const ms = Date.parse(full);
  return Number.isNaN(ms) ? null : ms;
}

/** Epoch milliseconds of an ISO date or datetime; dates and offset-less times are Beijing time. */
export function parseInstant(s: string): number | null {
  const seen = parsedInstants.get(s);
  if (seen !== undefined) return seen;
  const t = parseUncached(s);
  if (parsedInstants.size >= CACHED_INSTANTS) parsedInstants.clear();
  parsedInstants.set(s, t);
  return t;
}

const instant = z.string().refine((s) => parseInstant(s) !== null, {
  message: "expected an ISO date or datetime",
});
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "expected an ISO date (YYYY-MM-DD)");
const message = z.strictObject({ zh: z.string().min(1), en: z.string().min(1) });
const days = z.int().min(1);
const duration = z.strictObject({ days: days.optional() });

export const testBlockSchema = z.strictObject({
  /** When in the person's course the tests fall. */
  phase: z.enum([
    "before_arrival",
    "on_arrival",
    "centralized_quarantine",
    "home_quarantine",
    "home_health_monitoring",
    "quarantine",
    "after_release",
  ]),
  /** Day numbers within the phase (day 1 = first day), when the source lists them. */
  days: z.array(z.int().min(0)).min(1).optional(),
  /** Number of tests, when the source gives a count but not the days. */
  count: z.int().min(1).optional(),
  /** A test every N days during the phase. */
  everyDays: days.optional(),
  /** All `count` tests within N days ("3天2检"). */
  withinDays: days.optional(),
  sample: z.enum(["nasopharyngeal", "oropharyngeal", "unspecified"]),
  countedFrom: z.enum(["arrival", "last_exposure", "phase_start"]),
  doubleSampling: z.boolean().optional(),
});

export const measuresSchema = z.strictObject({
  centralizedQuarantine: duration.optional(),
  homeQuarantine: duration.optional(),
  homeHealthMonitoring: duration.optional(),
  /** Isolation whose place (centralized or home) the source does not state. */
  quarantine: duration.optional(),
  tests: z.array(testBlockSchema).min(1).optional(),
  release: z
    .strictObject({
      negativeTests: z.int().min(1).optional(),
      daysSinceLastExposure: days.optional(),
      /** The linked close contact's first N tests must be negative (9th edition, secondary contacts). */
      linkedCloseContactNegativeTests: z.int().min(1).optional(),
      upgradeToCloseContactIfLinkedPositive: z.boolean().optional(),
    })
    .optional(),
  preArrivalTest: z.strictObject({ withinHours: z.int().min(1) }).optional(),
  closedLoopTransfer: z.strictObject({ to: z.enum(["centralized_quarantine_site", "home"]) }).optional(),
  gatheringBan: duration.optional(),
  reportingDuty: z.strictObject({ to: z.array(z.enum(["community", "employer"])).min(1) }).optional(),
});

export const ruleSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, "expected a kebab-case id"),
  category: z.enum(CATEGORIES),
  /** For travel categories: the stay must overlap the last N days before arrival. */
  lookbackDays: z.int().min(0).optional(),
  /** For high_risk_occupation: which occupations. */
  occupations: z.array(z.enum(OCCUPATIONS)).min(1).optional(),
  conditions: z
    .strictObject({
      /** The stay or exposure must have lasted until this date or later ("8月27日以来"). */
      exposureSince: instant.optional(),
      /** For high_risk_occupation: the worker is leaving a closed-loop workplace. */
      leftClosedLoop: z.boolean().optional(),
    })
    .optional(),
  measures: measuresSchema,
  /** The sentence the rule implements, verbatim from the source, and an English gloss. */
  source: z.strictObject({ quote: z.string().min(1), en: z.string().min(1) }),
  /** Where the source is silent (a number, a window), what the rule assumes and why. */
  note: message.optional(),
});

/**
 * A downgrade or lift of a risk area or zone that the pack proposes (a person confirms). Conditions are
 * data: each one present must hold. See docs/capabilities/zones.md.
 */
export const zoningTransitionSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, "expected a kebab-case id"),
  /** The kind of designation the transition applies to. */
  from: z.enum(AREA_KINDS as [AreaKind, ...AreaKind[]]),
  /** The lower kind it becomes; null = the designation is lifted. */
  to: z.enum(AREA_KINDS as [AreaKind, ...AreaKind[]]).nullable(),
  /** Only for a designation opened by downgrading one of this kind ("the medium area that results"). */
  downgradedFrom: z.enum(AREA_KINDS as [AreaKind, ...AreaKind[]]).optional(),
  conditions: z.strictObject({
    /** Whole days (Beijing calendar) since the designation or the last new infection, whichever is later. */
    daysWithoutNewInfection: days,
    /** An area-wide screening round, all negative: on day N of that count, or within N days before the transition. */
    screeningNegative: z
      .strictObject({ onDay: days.optional(), withinDaysBefore: days.optional() })
      .optional(),
    /** The last close contact linked to the area has been released. */
    lastContactReleased: z.literal(true).optional(),
  }),
  /** The sentence the transition implements, verbatim from the source, and an English gloss. */
  source: z.strictObject({ quote: z.string().min(1), en: z.string().min(1) }),
  note: message.optional(),
});

export const packSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, "expected a kebab-case id"),
  title: message,
  issuer: message,
  jurisdiction: z
    .string()
    .refine((c) => regionLevel(c) !== null, { message: "expected a GB/T 2260 region code" }),
  effectiveFrom: instant,
  /** Exclusive; null or absent = open-ended. */
  effectiveTo: instant.nullable().optional(),
  validityNote: message.optional(),
  source: z.strictObject({
    title: z.string().min(1),
    number: z.string().min(1).nullable().optional(),
    date: isoDate,
    seedFile: z.enum(SEED_FILES).optional(),
    /** Where the quotes come from when it is not a seed file (e.g. "protocols.md §2.1"). */
    quotedFrom: z.string().min(1).optional(),
  }),
  rules: z.array(ruleSchema).min(1),
  /** Downgrades and lifts of risk areas and zones the pack proposes; absent when the source says nothing. */
  zoning: z.array(zoningTransitionSchema).min(1).optional(),
  /**
   * The nucleic acid testing numbers the pack sets (docs/capabilities/nat.md); absent = the national
   * figures, `DEFAULT_NAT_POLICY` in packages/domain/src/nat/policy.ts.
   */
  nat: natPolicySchema.optional(),
  /**
   * The case investigation and contact tracing numbers and rules the pack sets (docs/capabilities/tracing-rules.md);
   * absent = the national figures, `DEFAULT_TRACING_POLICY` in packages/domain/src/tracing/policy.ts.
   */
  tracing: tracingPolicySchema.optional(),
  /**
   * The health-code numbers and colour rules the pack sets (docs/capabilities/health-code-rules.md);
   * absent = the defaults, `DEFAULT_HEALTH_CODE_POLICY` in packages/domain/src/codes/policy.ts.
   */
  healthCode: healthCodePolicySchema.optional(),
});

export type Pack = z.infer<typeof packSchema>;
export type Rule = z.infer<typeof ruleSchema>;
export type ZoningTransition = z.infer<typeof zoningTransitionSchema>;
export type Measures = z.infer<typeof measuresSchema>;
export type TestBlock = z.infer<typeof testBlockSchema>;

/** A pack as loaded: the parsed data, where it came from, and its validity in epoch ms. */
export interface LoadedPack {
  pack: Pack;
  file: string;
  /**
   * The first 16 hex digits of the SHA-256 of the file's text, set by the server's loader: which
   * version of the pack decided (stored with every decision, so kept short).
   */
  digest?: string;
  from: number;
  /** Exclusive; null = open-ended. */
  to: number | null;
}
