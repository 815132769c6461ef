import {
  decideMeasures,
  type Decision,
  type PersonFacts,
  type RiskArea,
} from "@cordon/domain/policies/engine";
import type { LoadedPack, Pack, Rule } from "@cordon/domain/policies/pack-schema";
import type { Db, Queryable } from "../db/db.ts";
import { type RequestContext, requireActor } from "../http/context.ts";
import { notFound } from "../http/errors.ts";
import { findRegions } from "../regions/region.repository.ts";

const PACK = { zh: "防控政策规则包", en: "Policy pack" };

export interface PackSummary {
  id: string;
  file: string;
  title: Pack["title"];
  issuer: Pack["issuer"];
  jurisdiction: string;
  jurisdictionName: string | null;
  effectiveFrom: string;
  effectiveTo: string | null;
  validityNote: NonNullable<Pack["validityNote"]> | null;
  source: Pack["source"];
  ruleCount: number;
}

export interface PackDetail extends PackSummary {
  rules: Rule[];
}

async function regionNames(db: Db, codes: readonly string[]): Promise<Map<string, string>> {
  const rows = await findRegions(db, [...new Set(codes)]);
  return new Map(rows.map((r) => [r.code, r.name]));
}

function summary(p: LoadedPack, names: Map<string, string>): PackSummary {
  const { pack } = p;
  return {
    id: pack.id,
    file: p.file,
    title: pack.title,
    issuer: pack.issuer,
    jurisdiction: pack.jurisdiction,
    jurisdictionName: names.get(pack.jurisdiction) ?? null,
    effectiveFrom: pack.effectiveFrom,
    effectiveTo: pack.effectiveTo ?? null,
    validityNote: pack.validityNote ?? null,
    source: pack.source,
    ruleCount: pack.rules.length,
  };
}

/** Every shipped pack, newest in force first; any logged-in user may read them. */
export async function listPacks(
  db: Db,
  ctx: RequestContext,
  packs: readonly LoadedPack[],
): Promise<PackSummary[]> {
  requireActor(ctx);
  const names = await regionNames(
    db,
    packs.map((p) => p.pack.jurisdiction),
  );
  return [...packs]
    .sort((a, b) => b.from - a.from || a.pack.id.localeCompare(b.pack.id))
    .map((p) => summary(p, names));
}

/** One pack with its rules, each with the quoted source sentence and its English gloss. */
export async function getPack(
  db: Db,
  ctx: RequestContext,
  packs: readonly LoadedPack[],
  id: string,
): Promise<PackDetail> {
  requireActor(ctx);
  const p = packs.find((x) => x.pack.id === id);
  if (!p) throw notFound(PACK);
  const names = await regionNames(db, [p.pack.jurisdiction]);
  return { ...summary(p, names), rules: p.pack.rules };
}

export interface ExplainInput {
  at: string;
  regionCode: string;
  facts: PersonFacts;
  /** Extra risk areas to assume on top of the designations recorded in Cordon. */
  riskAreas?: RiskArea[] | undefined;
}

/**
 * High/medium/low-risk designations recorded in Cordon, with their history, as the engine's risk
 * areas. A designation of a named place inside a community is left out: the engine works on region
 * codes, and a whole community is not a risk area because one compound in it is. With a `span`, only
 * the designations that overlap it (a batch of arrivals loads them once for its whole time span).
 */
export async function recordedRiskAreas(q: Queryable, span?: { from: Date; to: Date }): Promise<RiskArea[]> {
  const rows = (
    await q.query<{ regionCode: string; level: RiskArea["level"]; from: Date; to: Date | null }>(
      `SELECT region_code AS "regionCode", kind AS level, valid_from AS "from", valid_to AS "to"
       FROM area_designations WHERE kind IN ('high', 'medium', 'low') AND place_name IS NULL
       ${span ? "AND valid_from <= $2 AND (valid_to IS NULL OR valid_to > $1)" : ""}
       ORDER BY valid_from, id LIMIT 20000`,
      span ? [span.from, span.to] : [],
    )
  ).rows;
  return rows.map((r) => ({
    regionCode: r.regionCode,
    level: r.level,
    from: new Date(r.from).toISOString(),
    to: r.to ? new Date(r.to).toISOString() : null,
  }));
}

/** The engine's decision for a person arriving at a region at a time, with the rules and quotes behind it. */
export async function explainPolicy(
  db: Db,
  ctx: RequestContext,
  packs: readonly LoadedPack[],
  input: ExplainInput,
): Promise<Decision> {
  requireActor(ctx);
  const riskAreas = [...(await recordedRiskAreas(db)), ...(input.riskAreas ?? [])];
  return decideMeasures({
    facts: input.facts,
    riskAreas,
    arrivalAt: input.at,
    destinationRegion: input.regionCode,
    packs,
  });
}
