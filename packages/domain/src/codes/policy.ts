/**
 * The numbers and rules of health codes (健康码, issue 7) that a policy pack carries: how long a signed
 * code is valid, what a gate admits, how long venue scans are kept, the co-presence (时空伴随) search
 * numbers, how long a manual override may last, and the colour rules — which fact makes a code red or
 * yellow and what turns it green again, as data. Every number has its source beside it; where
 * protocols.md gives none, the comment says "⚠ not in the sources" and why the value was chosen. The
 * functions of this folder take a `HealthCodePolicy` (usually `DEFAULT_HEALTH_CODE_POLICY` or a pack's
 * `healthCode` block parsed by `healthCodePolicySchema`), never a number of their own. Rules and
 * sources: docs/capabilities/health-code-rules.md.
 */
import { z } from "zod";
import type { PhaseKind } from "../quarantine/schedule.ts";
import type { SiteKind } from "../quarantine/sites.ts";
import type { CaseClassification } from "../tracing/cases.ts";
import { AREA_KINDS, type AreaKind } from "../zones/area.ts";

// Listed here rather than imported: the pack schema imports this file, and the quarantine modules
// import the pack schema (a cycle at load time).
const SITE_KINDS = ["centralized", "designated_hospital", "home"] as const satisfies readonly SiteKind[];
const PHASE_KINDS = [
  "centralized_quarantine",
  "quarantine",
  "home_quarantine",
  "home_health_monitoring",
] as const satisfies readonly PhaseKind[];

/** The colour of a health code; grey = no such registered person (unknown). */
export type CodeColour = "green" | "yellow" | "red" | "grey";

export const CODE_COLOURS: readonly CodeColour[] = ["grey", "green", "yellow", "red"];

/** Severity, least to most restrictive: grey < green < yellow < red. */
export const COLOUR_RANK: Record<CodeColour, number> = { grey: 0, green: 1, yellow: 2, red: 3 };

/** The more restrictive of two colours. */
export function worseColour(a: CodeColour, b: CodeColour): CodeColour {
  return COLOUR_RANK[b] > COLOUR_RANK[a] ? b : a;
}

/**
 * A downgrade: a change to a more restrictive colour (green→yellow, green→red, yellow→red,
 * grey→yellow/red). A code issued before a downgrade is revoked.
 */
export function isDowngrade(from: CodeColour, to: CodeColour): boolean {
  return COLOUR_RANK[to] > COLOUR_RANK[from] && (to === "yellow" || to === "red");
}

/** The colour a rule gives: red or yellow; null = the rule is off in this pack. */
export type RuleColour = "red" | "yellow" | null;

/**
 * "N negative tests in D days, at least H hours apart" (3天2检): `count` negative results sampled after
 * the fact that made the code yellow, each at least `minHoursApart` after the previous one counted, all
 * within any window of `withinDays` days (null = no window).
 */
export interface NegativeTests {
  count: number;
  withinDays: number | null;
  minHoursApart: number;
  /** Only single-tube (单管) results count; pooled negatives do not. */
  singleTubeOnly: boolean;
}

export interface ColourRules {
  /** Infections (确诊、疑似、无症状): red until released from the isolation that follows the report. */
  cases: {
    colour: RuleColour;
    /** The case classifications that count (packages/domain/src/tracing/cases.ts). */
    classifications: string[];
    /**
     * "released": the colour holds until a quarantine placement released after the report (discharge,
     * release from isolation); "closed": only while the case's investigation is open.
     */
    until: "released" | "closed";
  };
  /** Close contacts (密接): until released from a placement released after their classification. */
  closeContacts: { colour: RuleColour };
  /** Secondary contacts (次密接), the same way; off where the pack no longer identifies them. */
  secondaryContacts: { colour: RuleColour };
  /** General contacts (一般接触者). */
  generalContacts: { colour: RuleColour };
  /** People in a quarantine placement. */
  placements: {
    /** While placed at a site of this kind. */
    sites: Record<SiteKind, RuleColour>;
    /**
     * During a phase of the course (Beijing dates, inclusive): isolation phases while placed, home
     * health monitoring also after release, until the phase's last day ends.
     */
    phases: Record<PhaseKind, RuleColour>;
  };
  /** Residents of a risk area or zone in force now, by its kind; absent or null = no colour. */
  areas: Partial<Record<AreaKind, RuleColour>>;
  /** Positive pool (混管阳性) recalled for a single-tube retest: until a negative single-tube result. */
  poolRecall: { colour: RuleColour; retestPositive: RuleColour };
  /**
   * A positive single-tube result (or positive retest), for `days` days after sampling, unless a case
   * record reported within `days` of it, either side, takes over (the case rule then decides).
   */
  positiveTest: { colour: RuleColour; days: number };
  /** Co-presence contacts (时空伴随者) confirmed by an investigator. */
  coPresence: {
    colour: RuleColour;
    /** Whole days after the overlap ended before the colour can clear (self-monitoring); 0 = none. */
    monitorDays: number;
    /** The negative tests, sampled after the overlap ended, that clear it. */
    clearedBy: NegativeTests;
  };
  /** Routine screening (常态化核酸): no sampling in the last `everyDays` days → the colour. */
  routineTest: { everyDays: number | null; colour: RuleColour };
}

export interface HealthCodePolicy {
  code: {
    /** A signed code's life, seconds from issue to expiry. */
    validitySeconds: number;
    /** Clock difference tolerated between the scanner and the issuer, seconds. */
    skewSeconds: number;
    /** How often a scanner fetches the list of codes downgraded since issue, seconds. */
    revocationPollSeconds: number;
  };
  gate: {
    /** A temperature at or above this is fever, °C. */
    feverCelsius: number;
    /** Colours a gate lets in. */
    admit: CodeColour[];
  };
  scans: {
    /** Venue scans are purged after this many days. */
    retentionDays: number;
  };
  coPresence: {
    /** A case's visit is widened by this many minutes on each side. */
    bufferMinutes: number;
    /** A venue scan is a check-in; the stay is assumed to last this long. */
    assumedStayMinutes: number;
    /** Side of a square grid cell, metres. */
    gridCellMeters: number;
    /** Together in one cell for more than this many minutes. */
    minMinutes: number;
    /** Either phone spent more than this many hours in the cell over `lookbackDays` (0 = no such condition). */
    minCellHours: number;
    /** How far back the search looks, days. */
    lookbackDays: number;
  };
  override: {
    /** The longest a manual override may last, hours. */
    maxHours: number;
  };
  colours: ColourRules;
}

const CASE_CLASSES = [
  "suspected",
  "confirmed_mild",
  "confirmed_moderate",
  "confirmed_severe",
  "confirmed_critical",
  "asymptomatic",
] as const satisfies readonly CaseClassification[];

/**
 * The defaults (docs/capabilities/health-code-rules.md):
 * - code.validitySeconds 300: ⚠ not in the sources (Beijing's 健康宝 results lasted until 24:00,
 *   protocols.md §1.3); the issue asks for a short expiry so that a downgrade reaches offline scanners
 *   through expiry as well as through the revocation list — 5 minutes, refreshed by the phone.
 * - code.skewSeconds 120: ⚠ not in the sources; phones and gate devices set their clocks from the
 *   network, 2 minutes covers one that has drifted or is on a different NTP source.
 * - code.revocationPollSeconds 60: issue 7, "a list of codes downgraded since issue, fetched every minute".
 * - gate.feverCelsius 37.3: protocols.md §5.1 "a temperature ≥37.3 °C reported by an administrator"
 *   and glossary 测温 "≥ 37.3 °C counts as fever".
 * - gate.admit green: protocols.md §5.2, Guiyang "场所码 in every public place; only green codes may enter".
 * - scans.retentionDays 30: issue 7, "purged after a retention period (default 30 days, configurable)".
 * - coPresence: protocols.md §3.3 (Chengdu, Nov 2021) "same 800 m × 800 m grid together for more than
 *   10 minutes, and either number spent more than 30 hours there in total over the last 14 days".
 *   ⚠ Not in the sources: bufferMinutes 30 and assumedStayMinutes 60 — a venue code records an
 *   arrival, never a departure; an hour's stay and half an hour either side cover a meal or a
 *   shopping trip, and an investigator confirms every candidate.
 * - override.maxHours 72: ⚠ not in the sources; long enough for a 3天2检 round (protocols.md §3.3) to
 *   come back, short enough that a colour set by hand is looked at again.
 * - colours: see `DEFAULT_COLOUR_RULES`.
 */
export const DEFAULT_HEALTH_CODE_POLICY: HealthCodePolicy = {
  code: { validitySeconds: 300, skewSeconds: 120, revocationPollSeconds: 60 },
  gate: { feverCelsius: 37.3, admit: ["green"] },
  scans: { retentionDays: 30 },
  coPresence: {
    bufferMinutes: 30,
    assumedStayMinutes: 60,
    gridCellMeters: 800,
    minMinutes: 10,
    minCellHours: 30,
    lookbackDays: 14,
  },
  override: { maxHours: 72 },
  colours: {
    // protocols.md §5.1, typical red list item 1 "confirmed, suspected, asymptomatic and re-positive
    // cases"; Suqian: red "in hospital / observation, and in centralized isolation after discharge".
    cases: { colour: "red", classifications: [...CASE_CLASSES], until: "released" },
    // Typical red list item 2 "their close and secondary contacts"; Suqian: close and secondary
    // contacts red in centralized quarantine.
    closeContacts: { colour: "red" },
    secondaryContacts: { colour: "red" },
    // ⚠ Not in the sources: no colour practice names general contacts; they get none.
    generalContacts: { colour: null },
    placements: {
      // Typical red list item 3 "everyone in centralized or home isolation"; designated hospitals
      // hold cases (Suqian "in hospital … red").
      sites: { centralized: "red", designated_hospital: "red", home: "red" },
      // Isolation phases red (item 3); home health monitoring yellow (Suqian "home monitoring after
      // release: yellow"; Beijing 居家观察 yellow, §1.3).
      phases: {
        centralized_quarantine: "red",
        quarantine: "red",
        home_quarantine: "red",
        home_health_monitoring: "yellow",
      },
    },
    // Suqian: "Resident staying inside a medium/high-risk area of the same city: red while the area is
    // in force"; issue 7 "red for … sealed zones". ⚠ Controlled zone yellow is not in the sources:
    // people there stay in the zone (人不出区) but are not isolated — Beijing's yellow "居家隔离" code
    // for people still in such areas (§5.1) is the nearest practice.
    areas: { high: "red", medium: "red", sealed: "red", controlled: "yellow" },
    // §5.1 "mixed-tube positive → yellow for all tube members"; issue 7 "green after a negative
    // single-tube retest". ⚠ A positive retest red: not in the sources in these words — the person is
    // then a positive awaiting review (national platform: red = "confirmed or suspected", §1.2).
    poolRecall: { colour: "yellow", retestPositive: "red" },
    // ⚠ 14 days: not in the sources; the 14-day quarantine of the 14+7 era (§5.1). The case record,
    // once opened, holds the colour for as long as it applies.
    positiveTest: { colour: "red", days: 14 },
    // §3.3 Chengdu: "2 tests in 3 days, ≥24 h apart … the health code turns yellow"; "2 negative
    // tests ≥24 h apart within the first 3 days → auto green".
    coPresence: {
      colour: "yellow",
      monitorDays: 0,
      clearedBy: { count: 2, withinDays: 3, minHoursApart: 24, singleTubeOnly: false },
    },
    // Off by default; Guiyang turns it on "if no test in 5 days" (§5.1, everyDays: 5).
    routineTest: { everyDays: null, colour: "yellow" },
  },
};

const ruleColour = z.enum(["red", "yellow"]).nullable();
const positiveInt = z.int().min(1);
const seconds = z.int().min(1);

const negativeTests = z.strictObject({
  count: positiveInt,
  withinDays: positiveInt.nullable(),
  minHoursApart: z.number().min(0),
  singleTubeOnly: z.boolean(),
});

const colourRulesSchema = z.strictObject({
  cases: z.strictObject({
    colour: ruleColour,
    classifications: z.array(z.enum(CASE_CLASSES)),
    until: z.enum(["released", "closed"]),
  }),
  closeContacts: z.strictObject({ colour: ruleColour }),
  secondaryContacts: z.strictObject({ colour: ruleColour }),
  generalContacts: z.strictObject({ colour: ruleColour }),
  placements: z.strictObject({
    sites: z.strictObject(
      Object.fromEntries(SITE_KINDS.map((k) => [k, ruleColour])) as Record<SiteKind, typeof ruleColour>,
    ),
    phases: z.strictObject(
      Object.fromEntries(PHASE_KINDS.map((k) => [k, ruleColour])) as Record<PhaseKind, typeof ruleColour>,
    ),
  }),
  areas: z.partialRecord(z.enum(AREA_KINDS as [AreaKind, ...AreaKind[]]), ruleColour),
  poolRecall: z.strictObject({ colour: ruleColour, retestPositive: ruleColour }),
  positiveTest: z.strictObject({ colour: ruleColour, days: positiveInt }),
  coPresence: z.strictObject({
    colour: ruleColour,
    monitorDays: z.int().min(0),
    clearedBy: negativeTests,
  }),
  routineTest: z.strictObject({ everyDays: positiveInt.nullable(), colour: ruleColour }),
});

const colour = z.enum(["green", "yellow", "red", "grey"]);

/** The pack's `healthCode` block: the same shape as `HealthCodePolicy`, strict, every number checked. */
export const healthCodePolicySchema = z
  .strictObject({
    code: z.strictObject({
      validitySeconds: seconds,
      skewSeconds: z.int().min(0),
      revocationPollSeconds: seconds,
    }),
    gate: z.strictObject({
      feverCelsius: z.number().min(35).max(42),
      admit: z.array(colour).min(1),
    }),
    scans: z.strictObject({ retentionDays: positiveInt }),
    coPresence: z.strictObject({
      bufferMinutes: z.number().min(0),
      assumedStayMinutes: z.number().positive(),
      gridCellMeters: z.number().positive(),
      minMinutes: z.number().min(0),
      minCellHours: z.number().min(0),
      lookbackDays: positiveInt,
    }),
    override: z.strictObject({ maxHours: z.number().positive() }),
    colours: colourRulesSchema,
  })
  .superRefine((p, ctx) => {
    if (p.code.revocationPollSeconds >= p.code.validitySeconds + p.code.skewSeconds)
      ctx.addIssue({
        code: "custom",
        path: ["code", "revocationPollSeconds"],
        message: "the revocation list must be fetched more often than a code lives",
      });
    if (p.gate.admit.includes("red"))
      ctx.addIssue({ code: "custom", path: ["gate", "admit"], message: "a gate never admits a red code" });
    if (p.colours.routineTest.everyDays !== null && p.colours.routineTest.colour === null)
      ctx.addIssue({
        code: "custom",
        path: ["colours", "routineTest", "colour"],
        message: "a routine test interval needs the colour an overdue test gives",
      });
  }) satisfies z.ZodType<HealthCodePolicy>;
