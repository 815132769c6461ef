/**
 * A decision as stored with an arrival: everything that was decided about the person (measures,
 * which rules gave them, the facts each rule matched, the pack and rule ids, and the digest of the
 * pack file that decided), without the text that is the pack's own (titles, quoted sentences, notes,
 * each rule's measures), which is put back from the pack on reading. A stored decision is a third of
 * the full one's size, which is what a batch of 100,000 arrivals costs the database to write.
 *
 * A pack's id names one version of it; should the file of that id have changed since (another
 * digest), or be gone, the decision read back says so (`packChanged` / `packMissing`) and keeps what
 * was decided.
 */
import {
  type CombinedMeasures,
  type Decision,
  type MatchedFact,
  type MeasureKind,
  noRuleMatchedReason,
} from "./engine.ts";
import type { Category, LoadedPack } from "./pack-schema.ts";

export type StoredDecision =
  | {
      status: "decided";
      pack: { id: string; digest: string | null };
      measures: CombinedMeasures;
      measureSources: Partial<Record<MeasureKind, string[]>>;
      explanation: { ruleId: string; category: Category; matchedFacts: MatchedFact[] }[];
    }
  | { status: "no_rule_matched"; pack: { id: string; digest: string | null }; at: string }
  | Extract<Decision, { status: "no_pack" }>;

/** A decision read back: the engine's shape, and whether the pack that decided is still the same. */
export type ReadDecision = Decision & { packChanged?: true; packMissing?: true };

/** The stored form of a decision; `at` is the arrival time the engine was given. */
export function storedDecision(d: Decision, at: string, packs: readonly LoadedPack[]): StoredDecision {
  if (d.status === "no_pack") return d;
  const digest = packs.find((p) => p.pack.id === d.pack.id)?.digest ?? null;
  if (d.status === "no_rule_matched") return { status: d.status, pack: { id: d.pack.id, digest }, at };
  return {
    status: "decided",
    pack: { id: d.pack.id, digest },
    measures: d.measures,
    measureSources: d.measureSources,
    explanation: d.explanation.map((e) => ({
      ruleId: e.ruleId,
      category: e.category,
      matchedFacts: e.matchedFacts,
    })),
  };
}

const MISSING = {
  zh: "规则包已不在平台中，原文无法显示",
  en: "The pack is no longer on the platform; its text cannot be shown",
};

/** The full decision back from its stored form, with the pack's text from the packs loaded now. */
export function readDecision(s: StoredDecision, packs: readonly LoadedPack[]): ReadDecision {
  if (s.status === "no_pack") return s;
  const loaded = packs.find((p) => p.pack.id === s.pack.id);
  const flags = {
    ...(!loaded ? { packMissing: true as const } : {}),
    ...(loaded && s.pack.digest !== null && loaded.digest !== s.pack.digest
      ? { packChanged: true as const }
      : {}),
  };
  const pack = loaded
    ? {
        id: s.pack.id,
        title: loaded.pack.title,
        jurisdiction: loaded.pack.jurisdiction,
        file: loaded.file,
      }
    : { id: s.pack.id, title: { zh: s.pack.id, en: s.pack.id }, jurisdiction: "", file: "" };
  if (s.status === "no_rule_matched") {
    return {
      status: "no_rule_matched",
      pack,
      measures: {},
      explanation: [],
      reason: noRuleMatchedReason(s.pack.id, s.at),
      ...flags,
    };
  }
  return {
    status: "decided",
    pack,
    measures: s.measures,
    measureSources: s.measureSources,
    explanation: s.explanation.map((e) => {
      const rule = loaded?.pack.rules.find((r) => r.id === e.ruleId);
      return {
        packId: s.pack.id,
        ruleId: e.ruleId,
        category: e.category,
        source: rule?.source ?? { quote: MISSING.zh, en: MISSING.en },
        ...(rule?.note ? { note: rule.note } : {}),
        measures: rule?.measures ?? {},
        matchedFacts: e.matchedFacts,
      };
    }),
    ...flags,
  };
}
