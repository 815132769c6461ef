/**
 * The numbers and rules of case investigation and contact tracing (流调与密接追踪, issue 6) that a
 * policy pack carries: the investigation clocks, the contacts' closed-loop limits, the look-back
 * window, which exposures make a close contact (rules as data, each with the sentence behind it), the
 * secondary-contact rule and the super-spreader threshold. Every number has its source beside it; where
 * protocols.md gives none, the comment says "⚠ not in the sources". The functions of this folder take a
 * `TracingPolicy` (usually `DEFAULT_TRACING_POLICY` or a pack's `tracing` block parsed by
 * `tracingPolicySchema`), never a number of their own. Rules and sources: docs/capabilities/tracing-rules.md.
 */
import { z } from "zod";
import type { Message } from "../shared/result.ts";

/**
 * Where an exposure happened, after the close-contact judgment principles quoted in protocols.md §2.1
 * (co-residents; carers and clinicians; visitors; aerosol-generating procedures; office/workshop/class/
 * dorm; toilet or elevator; dining; entertainment in closed places; vehicles; contaminated environment).
 */
export type ExposureSetting =
  | "household"
  | "care"
  | "visit"
  | "aerosol_procedure"
  | "work_class"
  | "shared_facility"
  | "dining"
  | "venue"
  | "vehicle"
  | "environment"
  | "other";

export const EXPOSURE_SETTINGS: readonly ExposureSetting[] = [
  "household",
  "care",
  "visit",
  "aerosol_procedure",
  "work_class",
  "shared_facility",
  "dining",
  "venue",
  "vehicle",
  "environment",
  "other",
];

export const EXPOSURE_SETTING_LABELS: Record<ExposureSetting, Message> = {
  household: { zh: "同住", en: "Household (co-resident)" },
  care: { zh: "照护或诊疗", en: "Care or clinical care" },
  visit: { zh: "探视", en: "Visit" },
  aerosol_procedure: { zh: "气溶胶操作", en: "Aerosol-generating procedure" },
  work_class: { zh: "同办公室/车间/班级/宿舍", en: "Same office, workshop, class or dorm" },
  shared_facility: { zh: "共用卫生间或电梯", en: "Shared toilet or elevator" },
  dining: { zh: "聚餐或同餐", en: "Dining" },
  venue: { zh: "场所（娱乐、购物等）", en: "Venue (entertainment, shopping…)" },
  vehicle: { zh: "同乘交通工具", en: "Same vehicle" },
  environment: { zh: "接触污染环境", en: "Contaminated environment" },
  other: { zh: "其他", en: "Other" },
};

/**
 * How near the exposed person was, from nearest to farthest. A rule names the farthest proximity that
 * still qualifies; `unknown` qualifies only for rules that accept any proximity.
 */
export type Proximity = "within_1m" | "same_or_next_table" | "same_room" | "same_venue" | "unknown";

export const PROXIMITIES: readonly Proximity[] = [
  "within_1m",
  "same_or_next_table",
  "same_room",
  "same_venue",
  "unknown",
];

export const PROXIMITY_LABELS: Record<Proximity, Message> = {
  within_1m: { zh: "1 米以内", en: "Within 1 m" },
  same_or_next_table: { zh: "同桌或邻桌", en: "Same or next table" },
  same_room: { zh: "同一室内空间", en: "Same room or enclosed space" },
  same_venue: { zh: "同一场所", en: "Same venue" },
  unknown: { zh: "不详", en: "Unknown" },
};

/** One way of becoming a close contact: a setting, how near, how long, and the sentence behind it. */
export interface CloseContactRule {
  /** Stable id, stored with each classification ("household"). */
  id: string;
  settings: ExposureSetting[];
  /** The farthest proximity that qualifies; null = any proximity, even unknown. */
  maxProximity: Exclude<Proximity, "unknown"> | null;
  /** The shortest exposure that qualifies, minutes; null = any duration. */
  minDurationMinutes: number | null;
  /** Only when the place was closed or poorly ventilated (密闭或通风不良). */
  enclosedOnly: boolean;
  /** What the investigator reads: "同住家庭成员 / household member". */
  label: Message;
  /** Where the rule comes from. */
  source: string;
}

export interface TracingPolicy {
  /** SLA clocks of an investigation, hours after the case was reported (流调时限). */
  investigation: {
    onSiteHours: number;
    preliminaryHours: number;
    closedHours: number;
    directReportHours: number;
  };
  /** Hours from the case's confirmation to the contact isolated (核转检隔 closed loop). */
  loop: { generalHours: number; majorHours: number };
  lookBack: {
    /** Days before onset (symptomatic) or sampling (asymptomatic) the window opens. */
    days: number;
    /** For a case found by routine screening, the window opens at the last negative sampling if that is later. */
    fromLastNegativeForScreening: boolean;
  };
  closeContact: {
    rules: CloseContactRule[];
    /** False: an exposure with effective protection (有效防护) makes no close contact, only a general one. */
    protectedCounts: boolean;
  };
  secondary: {
    /** Secondary contacts are identified at all (they were dropped in 2022-11, protocols.md §2.4). */
    enabled: boolean;
    /** Their window opens at the close contact's first or last exposure to the case, and runs to the close contact's isolation. */
    from: "first_exposure" | "last_exposure";
    /** The settings that count (shared living, meals, work/study, entertainment). */
    settings: ExposureSetting[];
  };
  /** A case with at least this many distinct secondary cases is a super-spreader (超级传播者). */
  superSpreaderThreshold: number;
}

const ANNEX = "protocols.md §2.1, close-contact judgment principles";

/**
 * The defaults (docs/capabilities/tracing-rules.md):
 * - investigation: seed 000 "确保突发疫情2小时到达现场，4小时初步完成流调判断，24小时实现流调闭环";
 *   direct report: protocols.md §2.5 "reported through the network direct-reporting system within 2 h".
 * - loop: seed 000 "对密接、次密接人员核一个、转一个、检一个、隔一个，一般疫情48小时、重大疫情72小时实现隔离管控闭环".
 * - look-back 2 days: protocols.md §2.1, 9th-edition Annex 4 (English translation) "2 days before
 *   onset/sampling", and 7th-edition pages; ⚠ many 2022 pages say 4 days ("症状出现前4天") — a pack may
 *   set 4. Screening-found cases: Annex 4 "from the last negative sampling to isolation".
 * - close-contact rules: protocols.md §2.1's list. Its only number is the vehicle's 1 m. ⚠ Not in the
 *   sources: any minimum duration (none is set: every rule takes any duration), and the proximity of
 *   the office/class rule (set to the same room, the literal "same office/workshop/class/dorm").
 * - protection: the 4-day definition's "与其有近距离接触但未采取有效防护的人员" (protocols.md §2.1).
 * - secondary: protocols.md §2.1 "Secondary contact = contact with the close contact between the close
 *   contact's first contact with the case … and the close contact's isolation"; "people who shared
 *   living, meals, work/study or entertainment at length with higher-risk close contacts".
 * - super-spreader 5: issue 6; Xu et al. (docs/capabilities/tracing.md) count 34 cases with ≥ 5.
 */
export const DEFAULT_TRACING_POLICY: TracingPolicy = {
  investigation: { onSiteHours: 2, preliminaryHours: 4, closedHours: 24, directReportHours: 2 },
  loop: { generalHours: 48, majorHours: 72 },
  lookBack: { days: 2, fromLastNegativeForScreening: true },
  closeContact: {
    protectedCounts: false,
    rules: [
      {
        id: "household",
        settings: ["household"],
        maxProximity: null,
        minDurationMinutes: null,
        enclosedOnly: false,
        label: { zh: "同住家庭成员", en: "household member" },
        source: `${ANNEX}: "co-residents"`,
      },
      {
        id: "care",
        settings: ["care"],
        maxProximity: null,
        minDurationMinutes: null,
        enclosedOnly: false,
        label: { zh: "直接照护或诊疗人员", en: "direct carer or clinician" },
        source: `${ANNEX}: "direct carers or clinicians"`,
      },
      {
        id: "visit",
        settings: ["visit"],
        maxProximity: null,
        minDurationMinutes: null,
        enclosedOnly: false,
        label: { zh: "探视人员", en: "visitor" },
        source: `${ANNEX}: "visitors"`,
      },
      {
        id: "aerosol_procedure",
        settings: ["aerosol_procedure"],
        maxProximity: "same_room",
        minDurationMinutes: null,
        enclosedOnly: false,
        label: {
          zh: "同一空间内实施可能产生气溶胶操作的医护人员",
          en: "staff doing an aerosol-generating procedure in the same space",
        },
        source: `${ANNEX}: "staff doing aerosol-generating procedures in the same space"`,
      },
      {
        id: "work_class",
        settings: ["work_class"],
        maxProximity: "same_room",
        minDurationMinutes: null,
        enclosedOnly: false,
        label: {
          zh: "同一办公室、车间、班级或宿舍近距离接触",
          en: "close contact in the same office, workshop, class or dorm",
        },
        source: `${ANNEX}: "people in the same office/workshop/class/dorm with close contact" (⚠ no distance or duration in the sources)`,
      },
      {
        id: "shared_facility",
        settings: ["shared_facility"],
        maxProximity: "same_room",
        minDurationMinutes: null,
        enclosedOnly: false,
        label: { zh: "共用卫生间或同乘电梯", en: "shared a toilet or elevator" },
        source: `${ANNEX}: "people sharing a toilet or elevator"`,
      },
      {
        id: "dining",
        settings: ["dining"],
        maxProximity: "same_or_next_table",
        minDurationMinutes: null,
        enclosedOnly: false,
        label: { zh: "同桌或邻桌就餐", en: "dined at the same or the next table" },
        source: `${ANNEX}: "dining (same or neighbouring table)"`,
      },
      {
        id: "enclosed_venue",
        settings: ["venue"],
        maxProximity: "same_room",
        minDurationMinutes: null,
        enclosedOnly: true,
        label: {
          zh: "在密闭或通风不良场所共同娱乐",
          en: "shared entertainment in a closed or poorly ventilated place",
        },
        source: `${ANNEX}: "entertaining in closed or poorly ventilated places"`,
      },
      {
        id: "vehicle",
        settings: ["vehicle"],
        maxProximity: "within_1m",
        minDurationMinutes: null,
        enclosedOnly: false,
        label: { zh: "同乘交通工具且 1 米内近距离接触", en: "in the same vehicle within 1 m" },
        source: `${ANNEX}: "people in the same vehicle with close contact (within 1 m)"`,
      },
      {
        id: "environment",
        settings: ["environment"],
        maxProximity: null,
        minDurationMinutes: null,
        enclosedOnly: false,
        label: { zh: "暴露于被污染的环境", en: "exposed to a contaminated environment" },
        source: `${ANNEX}: "people exposed to a contaminated environment"`,
      },
    ],
  },
  secondary: {
    enabled: true,
    from: "first_exposure",
    settings: ["household", "dining", "work_class", "venue"],
  },
  superSpreaderThreshold: 5,
};

const hours = z.number().positive();
const message = z.strictObject({ zh: z.string().min(1), en: z.string().min(1) });
const setting = z.enum(EXPOSURE_SETTINGS as [ExposureSetting, ...ExposureSetting[]]);
const farProximity = z.enum(["within_1m", "same_or_next_table", "same_room", "same_venue"]);

const ruleSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, "expected a lower-case id"),
  settings: z.array(setting).min(1),
  maxProximity: farProximity.nullable(),
  minDurationMinutes: z.number().min(0).nullable(),
  enclosedOnly: z.boolean(),
  label: message,
  source: z.string().min(1),
});

/** The pack's `tracing` block: the same shape as `TracingPolicy`, strict, every number checked. */
export const tracingPolicySchema = z
  .strictObject({
    investigation: z.strictObject({
      onSiteHours: hours,
      preliminaryHours: hours,
      closedHours: hours,
      directReportHours: hours,
    }),
    loop: z.strictObject({ generalHours: hours, majorHours: hours }),
    lookBack: z.strictObject({
      days: z.int().min(0).max(21),
      fromLastNegativeForScreening: z.boolean(),
    }),
    closeContact: z.strictObject({
      rules: z.array(ruleSchema).min(1),
      protectedCounts: z.boolean(),
    }),
    secondary: z.strictObject({
      enabled: z.boolean(),
      from: z.enum(["first_exposure", "last_exposure"]),
      settings: z.array(setting),
    }),
    superSpreaderThreshold: z.int().min(2),
  })
  .superRefine((p, ctx) => {
    const ids = new Set<string>();
    p.closeContact.rules.forEach((r, i) => {
      if (ids.has(r.id))
        ctx.addIssue({
          code: "custom",
          path: ["closeContact", "rules", i, "id"],
          message: `duplicate rule id "${r.id}"`,
        });
      ids.add(r.id);
    });
    if (p.loop.majorHours < p.loop.generalHours)
      ctx.addIssue({
        code: "custom",
        path: ["loop", "majorHours"],
        message: "a major outbreak's limit cannot be shorter than a general one's",
      });
    const i = p.investigation;
    if (!(i.onSiteHours <= i.preliminaryHours && i.preliminaryHours <= i.closedHours))
      ctx.addIssue({
        code: "custom",
        path: ["investigation"],
        message: "expected on site ≤ preliminary judgment ≤ closed",
      });
  }) satisfies z.ZodType<TracingPolicy>;
