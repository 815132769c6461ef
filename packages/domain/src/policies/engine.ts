/**
 * The policy engine: which pack is in force for a person, which of its rules match, what measures
 * follow, and why. Pure: time, risk areas and packs are parameters.
 *
 * Precedence and combination (documented in docs/capabilities/policies.md):
 * 1. Pack: among packs whose jurisdiction contains the destination and whose [from, to) covers
 *    arrivalAt, the one with the most specific jurisdiction. None → an explicit "no_pack" result.
 * 2. Rules: within a category, rules are tried in file order and the first match applies (so a
 *    specific rule goes before a general one). Across categories, every matching rule applies.
 * 3. Measures: per kind, the strictest — most days, most negative tests, shortest pre-arrival
 *    window; test blocks are all kept; phases run centralized → home quarantine → home monitoring.
 */
import type { Message } from "../shared/result.ts";
import { isWithin, REGION_LEVELS, regionLevel } from "../regions/region-code.ts";
import {
  type Category,
  type LoadedPack,
  type Measures,
  type Occupation,
  parseInstant,
  type Rule,
  type TestBlock,
} from "./pack-schema.ts";

const DAY = 86_400_000;

export interface Stay {
  regionCode: string;
  from: string;
  to: string;
}

export type ContactKind = "close" | "secondary" | "co_presence";

/** What is known about the person; every field is optional evidence. */
export interface PersonFacts {
  /** Domestic stays (GB/T 2260 codes), most recent 14 days at least. */
  travelHistory?: Stay[];
  /** Arrived from abroad on this trip. */
  inboundOverseas?: boolean;
  contacts?: { kind: ContactKind; lastExposureAt: string; linkedCaseOrContact?: string }[];
  zoneResidence?: "sealed" | "controlled" | "precaution" | null;
  occupation?: Occupation | null;
  /** The worker is leaving a closed-loop workplace (二十条, high-risk posts). */
  leftClosedLoop?: boolean;
  festivalReturnee?: boolean;
  releasedFromQuarantineElsewhere?: boolean;
}

export type RiskLevel = "high" | "medium" | "low";

export interface RiskArea {
  regionCode: string;
  level: RiskLevel;
  from: string;
  /** Exclusive; null = still in force. */
  to: string | null;
}

export interface DecisionInput {
  facts: PersonFacts;
  /** Arrival time, or the time of classification for a person already here. */
  arrivalAt: string;
  destinationRegion: string;
  riskAreas: readonly RiskArea[];
  packs: readonly LoadedPack[];
}

export interface MatchedFact {
  /** Path into the facts, e.g. "travelHistory[0]". */
  fact: string;
  description: Message;
  /** When the qualifying stay or exposure ended, if dated. */
  endedAt?: string;
}

export interface RuleExplanation {
  packId: string;
  ruleId: string;
  category: Category;
  source: { quote: string; en: string };
  note?: Message;
  measures: Measures;
  matchedFacts: MatchedFact[];
}

export type CombinedTestBlock = TestBlock & { ruleId: string };
export type CombinedMeasures = Omit<Measures, "tests"> & { tests?: CombinedTestBlock[] };
export type MeasureKind = keyof Measures;

export type Decision =
  | {
      status: "decided";
      pack: { id: string; title: Message; jurisdiction: string; file: string };
      measures: CombinedMeasures;
      /** Which rules gave each measure kind. */
      measureSources: Partial<Record<MeasureKind, string[]>>;
      explanation: RuleExplanation[];
    }
  | {
      status: "no_rule_matched";
      pack: { id: string; title: Message; jurisdiction: string; file: string };
      measures: Record<string, never>;
      explanation: [];
      reason: Message;
    }
  | { status: "no_pack"; reason: Message; invalidInput?: boolean };

const LEVEL_OF: Record<Category, RiskLevel | null> = {
  from_high_risk_area: "high",
  from_medium_risk_area: "medium",
  from_low_risk_area: "low",
  inbound_overseas: null,
  close_contact: null,
  secondary_contact: null,
  sealed_zone_resident: null,
  controlled_zone_resident: null,
  co_presence_contact: null,
  festival_returnee: null,
  high_risk_occupation: null,
  other_province_history: null,
  released_from_quarantine_elsewhere: null,
};

const CONTACT_OF: Partial<Record<Category, ContactKind>> = {
  close_contact: "close",
  secondary_contact: "secondary",
  co_presence_contact: "co_presence",
};

function depth(code: string): number {
  const level = regionLevel(code);
  return level ? REGION_LEVELS.indexOf(level) : -1;
}

/**
 * The packs covering each destination, deepest jurisdiction first (ties in load order), per list of
 * packs: a bulk placement asks for the pack in force once per person, for a few hundred destinations.
 */
const coveringCache = new WeakMap<readonly LoadedPack[], Map<string, readonly LoadedPack[]>>();

function packsCovering(packs: readonly LoadedPack[], destination: string): readonly LoadedPack[] {
  let byDestination = coveringCache.get(packs);
  if (!byDestination) {
    byDestination = new Map();
    coveringCache.set(packs, byDestination);
  }
  let covering = byDestination.get(destination);
  if (!covering) {
    // A stable sort: packs of one depth keep their load order.
    covering = packs
      .filter((p) => isWithin(p.pack.jurisdiction, destination))
      .sort((a, b) => depth(b.pack.jurisdiction) - depth(a.pack.jurisdiction));
    if (byDestination.size >= 100_000) byDestination.clear();
    byDestination.set(destination, covering);
  }
  return covering;
}

/** The pack in force for a destination at a time: the most specific jurisdiction wins. */
export function packInForce(
  packs: readonly LoadedPack[],
  destination: string,
  at: number,
): LoadedPack | null {
  // The first of the deepest in force: ties keep load order.
  for (const p of packsCovering(packs, destination))
    if (p.from <= at && (p.to === null || at < p.to)) return p;
  return null;
}

const iso = (t: number) => new Date(t).toISOString();

/** Facts that put the person in the rule's category, or null when the rule does not match. */
function match(
  rule: Rule,
  facts: PersonFacts,
  arrival: number,
  destination: string,
  areas: readonly RiskArea[],
) {
  const since = rule.conditions?.exposureSince ? (parseInstant(rule.conditions.exposureSince) ?? 0) : null;
  const found: MatchedFact[] = [];
  const level = LEVEL_OF[rule.category];
  const windowStart = arrival - (rule.lookbackDays ?? 0) * DAY;

  if (level || rule.category === "other_province_history") {
    (facts.travelHistory ?? []).forEach((stay, i) => {
      const sFrom = parseInstant(stay.from);
      const sTo = parseInstant(stay.to);
      if (sFrom === null || sTo === null) return;
      const stayEnd = Math.min(sTo, arrival);
      if (stayEnd < windowStart || sFrom > arrival) return;
      if (rule.category === "other_province_history") {
        if (stay.regionCode.slice(0, 2) === destination.slice(0, 2)) return;
        if (since !== null && stayEnd < since) return;
        found.push({
          fact: `travelHistory[${i}]`,
          description: {
            zh: `${stay.from} 至 ${stay.to} 在外省区 ${stay.regionCode} 旅居，在到达前 ${rule.lookbackDays} 天内`,
            en: `stayed in ${stay.regionCode}, another province, ${stay.from} to ${stay.to}, within ${rule.lookbackDays} days before arrival`,
          },
          endedAt: iso(stayEnd),
        });
        return;
      }
      for (const area of areas) {
        if (area.level !== level || !isWithin(area.regionCode, stay.regionCode)) continue;
        const aFrom = parseInstant(area.from);
        const aTo = area.to === null ? Infinity : (parseInstant(area.to) ?? -Infinity);
        if (aFrom === null) continue;
        // The stay, the designation and the look-back window must share a moment.
        const start = Math.max(sFrom, aFrom, windowStart);
        const end = Math.min(stayEnd, aTo);
        if (start > end) continue;
        if (since !== null && end < since) continue;
        found.push({
          fact: `travelHistory[${i}]`,
          description: {
            zh: `${stay.from} 至 ${stay.to} 在 ${stay.regionCode} 旅居，该地 ${area.from} 起为${{ high: "高", medium: "中", low: "低" }[level]}风险地区（${area.regionCode}），在到达前 ${rule.lookbackDays} 天内`,
            en: `stayed in ${stay.regionCode} ${stay.from} to ${stay.to}, inside ${level}-risk area ${area.regionCode} (from ${area.from}), within ${rule.lookbackDays} days before arrival`,
          },
          endedAt: iso(end),
        });
        break;
      }
    });
    return found.length ? found : null;
  }

  const contactKind = CONTACT_OF[rule.category];
  if (contactKind) {
    (facts.contacts ?? []).forEach((c, i) => {
      const last = parseInstant(c.lastExposureAt);
      if (c.kind !== contactKind || last === null || last > arrival) return;
      if (since !== null && last < since) return;
      found.push({
        fact: `contacts[${i}]`,
        description: {
          zh: `${{ close: "密切接触者", secondary: "密接的密接", co_presence: "时空伴随者" }[contactKind]}，末次暴露 ${c.lastExposureAt}`,
          en: `${{ close: "close contact", secondary: "secondary contact", co_presence: "co-presence contact" }[contactKind]}, last exposure ${c.lastExposureAt}`,
        },
        endedAt: iso(last),
      });
    });
    return found.length ? found : null;
  }

  switch (rule.category) {
    case "inbound_overseas":
      return facts.inboundOverseas
        ? [{ fact: "inboundOverseas", description: { zh: "境外入境人员", en: "arrived from abroad" } }]
        : null;
    case "sealed_zone_resident":
    case "controlled_zone_resident": {
      const zone = rule.category === "sealed_zone_resident" ? "sealed" : "controlled";
      return facts.zoneResidence === zone
        ? [
            {
              fact: "zoneResidence",
              description:
                zone === "sealed"
                  ? { zh: "封控区居民", en: "lives in a sealed zone" }
                  : { zh: "管控区居民", en: "lives in a controlled zone" },
            },
          ]
        : null;
    }
    case "festival_returnee":
      return facts.festivalReturnee
        ? [{ fact: "festivalReturnee", description: { zh: "春节返乡人员", en: "festival returnee" } }]
        : null;
    case "released_from_quarantine_elsewhere":
      return facts.releasedFromQuarantineElsewhere
        ? [
            {
              fact: "releasedFromQuarantineElsewhere",
              description: { zh: "外地隔离期满解除隔离人员", en: "released from quarantine elsewhere" },
            },
          ]
        : null;
    case "high_risk_occupation": {
      if (!facts.occupation || !(rule.occupations ?? []).includes(facts.occupation)) return null;
      if (
        rule.conditions?.leftClosedLoop !== undefined &&
        Boolean(facts.leftClosedLoop) !== rule.conditions.leftClosedLoop
      ) {
        return null;
      }
      const out: MatchedFact[] = [
        {
          fact: "occupation",
          description: {
            zh: `高风险岗位：${facts.occupation}`,
            en: `high-risk occupation: ${facts.occupation}`,
          },
        },
      ];
      if (facts.leftClosedLoop) {
        out.push({
          fact: "leftClosedLoop",
          description: { zh: "离开闭环管理", en: "leaving closed-loop work" },
        });
      }
      return out;
    }
    default:
      return null;
  }
}

const maxOpt = (a: number | undefined, b: number | undefined) =>
  a === undefined ? b : b === undefined ? a : Math.max(a, b);
const minOpt = (a: number | undefined, b: number | undefined) =>
  a === undefined ? b : b === undefined ? a : Math.min(a, b);

/** Folds one rule's measures into the running combination: the strictest of each kind. */
function combine(acc: CombinedMeasures, m: Measures, ruleId: string): CombinedMeasures {
  const out: CombinedMeasures = { ...acc };
  for (const kind of [
    "centralizedQuarantine",
    "homeQuarantine",
    "homeHealthMonitoring",
    "quarantine",
    "gatheringBan",
  ] as const) {
    const next = m[kind];
    if (!next) continue;
    const days = maxOpt(out[kind]?.days, next.days);
    out[kind] = days === undefined ? {} : { days };
  }
  if (m.tests) out.tests = [...(out.tests ?? []), ...m.tests.map((t) => ({ ...t, ruleId }))];
  if (m.release) {
    const a = out.release ?? {};
    const r = m.release;
    out.release = Object.fromEntries(
      Object.entries({
        negativeTests: maxOpt(a.negativeTests, r.negativeTests),
        daysSinceLastExposure: maxOpt(a.daysSinceLastExposure, r.daysSinceLastExposure),
        linkedCloseContactNegativeTests: maxOpt(
          a.linkedCloseContactNegativeTests,
          r.linkedCloseContactNegativeTests,
        ),
        upgradeToCloseContactIfLinkedPositive:
          a.upgradeToCloseContactIfLinkedPositive || r.upgradeToCloseContactIfLinkedPositive || undefined,
      }).filter(([, v]) => v !== undefined),
    );
  }
  if (m.preArrivalTest) {
    out.preArrivalTest = {
      withinHours:
        minOpt(out.preArrivalTest?.withinHours, m.preArrivalTest.withinHours) ?? m.preArrivalTest.withinHours,
    };
  }
  if (m.closedLoopTransfer) {
    // To a centralized site is stricter than home.
    const to =
      out.closedLoopTransfer?.to === "centralized_quarantine_site"
        ? "centralized_quarantine_site"
        : m.closedLoopTransfer.to;
    out.closedLoopTransfer = { to };
  }
  if (m.reportingDuty) {
    out.reportingDuty = { to: [...new Set([...(out.reportingDuty?.to ?? []), ...m.reportingDuty.to])] };
  }
  return out;
}

/** The reason given when a pack is in force but the person is in none of its categories. */
export function noRuleMatchedReason(packId: string, at: string): Message {
  return {
    zh: `规则包 ${packId} 在 ${at} 有效，但此人不属于其中任何一类人员`,
    en: `pack ${packId} is in force at ${at}, but the person falls in none of its categories`,
  };
}

/** Decides a person's measures under the pack in force, with the rules and facts behind them. */
export function decideMeasures(input: DecisionInput): Decision {
  const arrival = parseInstant(input.arrivalAt);
  if (arrival === null || regionLevel(input.destinationRegion) === null) {
    return {
      status: "no_pack",
      invalidInput: true,
      reason: {
        zh: `到达时间 ${input.arrivalAt} 或目的地代码 ${input.destinationRegion} 无效`,
        en: `arrival time ${input.arrivalAt} or destination code ${input.destinationRegion} is invalid`,
      },
    };
  }
  const inForce = packInForce(input.packs, input.destinationRegion, arrival);
  if (!inForce) {
    return {
      status: "no_pack",
      reason: {
        zh: `${input.arrivalAt} 时没有覆盖 ${input.destinationRegion} 的有效规则包（已检查 ${input.packs.length} 个）`,
        en: `no pack covering ${input.destinationRegion} is in force at ${input.arrivalAt} (${input.packs.length} packs checked)`,
      },
    };
  }
  const { pack } = inForce;
  const packRef = { id: pack.id, title: pack.title, jurisdiction: pack.jurisdiction, file: inForce.file };
  const explanation: RuleExplanation[] = [];
  const decidedCategories = new Set<Category>();
  let measures: CombinedMeasures = {};
  const measureSources: Partial<Record<MeasureKind, string[]>> = {};
  for (const rule of pack.rules) {
    if (decidedCategories.has(rule.category)) continue;
    const facts = match(rule, input.facts, arrival, input.destinationRegion, input.riskAreas);
    if (!facts) continue;
    decidedCategories.add(rule.category);
    measures = combine(measures, rule.measures, rule.id);
    for (const kind of Object.keys(rule.measures) as MeasureKind[]) {
      (measureSources[kind] ??= []).push(rule.id);
    }
    explanation.push({
      packId: pack.id,
      ruleId: rule.id,
      category: rule.category,
      source: rule.source,
      ...(rule.note ? { note: rule.note } : {}),
      measures: rule.measures,
      matchedFacts: facts,
    });
  }
  if (!explanation.length) {
    return {
      status: "no_rule_matched",
      pack: packRef,
      measures: {},
      explanation: [],
      reason: noRuleMatchedReason(pack.id, input.arrivalAt),
    };
  }
  return { status: "decided", pack: packRef, measures, measureSources, explanation };
}
