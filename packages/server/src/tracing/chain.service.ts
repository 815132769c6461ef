/**
 * Transmission chains over the database's cases (issue 6, item 5): the links between cases (a case's
 * linked case, and the exposures a case's own person caused to people who are cases), analysed by the
 * domain's `analyzeChains` (clusters, generations, secondary cases, cycles), stored by a recompute and
 * read back by index: the cluster list, a cluster's graph, and the analysis of the caller's
 * jurisdiction. The super-spreader threshold and the look-back come from the policy in force at the
 * caller's jurisdiction. Access: `tracing.view` to read (over the jurisdiction's cases),
 * `tracing.investigate` to recompute (the whole database, one at a time, audited). Rules:
 * docs/capabilities/tracing-rules.md "Chains over the database".
 */
import type { LoadedPack } from "@cordon/domain/policies/pack-schema";
import { subtreePrefix } from "@cordon/domain/regions/region-code";
import type { Message } from "@cordon/domain/shared/result";
import { analyzeChains, type ChainAnalysis } from "@cordon/domain/tracing/chains";
import type { CaseRecord, TracingIssue } from "@cordon/domain/tracing/line-list";
import type { TransmissionLink } from "@cordon/domain/tracing/pairs";
import { v7 as uuidv7 } from "uuid";
import { recordAudit } from "../audit/audit.service.ts";
import type { Db } from "../db/db.ts";
import { type RequestContext, requireActor } from "../http/context.ts";
import { AppError, forbidden, notFound } from "../http/errors.ts";
import { access } from "./case.service.ts";
import {
  allChainCases,
  caseNames,
  type ChainRunRow,
  clusterDetails,
  clusterLinks,
  clusterNodes,
  clustersOfCases,
  exposuresToCases,
  insertChainRun,
  isUuid,
  lastChainRun,
  listStoredClusters,
  replaceChains,
  sourceMarks,
  type StoredCluster,
  storedCasesIn,
  type StoredLink,
  storedLinksInto,
  tryChainLock,
} from "./chain.repository.ts";
import { tracingPolicyAt } from "./tracing-policy.ts";

export const CLUSTER: Message = { zh: "传播链聚集", en: "Cluster" };

const record = (caseId: string, onsetDate: string | null): CaseRecord => ({
  caseId,
  infectorId: null,
  onsetDate,
  reportDate: null,
  sex: null,
  age: null,
  regionCode: null,
  exposureSetting: null,
});

/** The policy's numbers the chains use, at the caller's jurisdiction now. */
function chainPolicy(packs: readonly LoadedPack[], ctx: RequestContext) {
  const { policy } = tracingPolicyAt(packs, requireActor(ctx).jurisdiction, ctx.now);
  return { superspreaderThreshold: policy.superSpreaderThreshold, lookBackDays: policy.lookBack.days };
}

export interface ChainFreshness {
  /** When the stored chains were computed; null: never. */
  computedAt: Date | null;
  /** A case or an exposure was created or changed after the last recompute (or there is none yet). */
  stale: boolean;
}

/**
 * Whether the stored chains are stale: another newest case (a case was made), or a case changed or an
 * exposure recorded later than the newest the recompute saw (three reads by index).
 */
async function freshness(db: Db, run: ChainRunRow | null): Promise<ChainFreshness> {
  const now = await sourceMarks(db);
  if (!run) return { computedAt: null, stale: now.casesMaxId !== null };
  const later = (a: Date | null, b: Date | null) => a !== null && (b === null || a > b);
  return {
    computedAt: run.computedAt,
    stale:
      now.casesMaxId !== run.casesMaxId ||
      later(now.casesMaxUpdatedAt, run.casesMaxUpdatedAt) ||
      later(now.exposuresMaxRecordedAt, run.exposuresMaxRecordedAt),
  };
}

/** Where a recompute's time went (the benchmark reads it). */
export interface RecomputeTimings {
  readMs: number;
  analyzeMs: number;
  writeMs: number;
}

export interface RecomputeResult {
  cases: number;
  links: number;
  clusters: number;
  isolatedCases: number;
  computedAt: Date;
  durationMs: number;
}

/**
 * Recomputes every case's cluster, generation and secondary cases over the whole database and stores
 * them (the previous chains are replaced in the same transaction). One recompute at a time: a second
 * one while the first runs is refused (409). Audited `tracing.chains_recompute`.
 */
export async function recomputeChains(
  db: Db,
  ctx: RequestContext,
  packs: readonly LoadedPack[],
  timings?: RecomputeTimings,
): Promise<RecomputeResult> {
  const actor = requireActor(ctx);
  access(ctx, "tracing.investigate", []);
  const { superspreaderThreshold, lookBackDays } = chainPolicy(packs, ctx);
  const t0 = performance.now();
  return db.transaction(async (tx) => {
    if (!(await tryChainLock(tx)))
      throw new AppError(409, "chains.recompute_running", {
        zh: "另一次传播链重新计算正在进行，请稍后再试",
        en: "Another recompute of the transmission chains is running; try again shortly",
      });
    const marks = await sourceMarks(tx);
    const cases = await allChainCases(tx);
    const exposures = await exposuresToCases(tx);
    const t1 = performance.now();
    // One link per ordered pair (cases by their index in `cases`; a pair's key is a number): the earliest
    // exposure's setting and time when an exposure by the case's own person shows it, and whether the
    // infectee's linked case names it too.
    const index = new Map<string, number>();
    for (let i = 0; i < cases.length; i++) index.set(cases[i]!.id, i);
    const SHIFT = 2 ** 26; // > any case count: from * SHIFT + to is exact below 2^53
    interface Pair {
      from: number;
      to: number;
      linked: boolean;
      setting: string | null;
      at: Date | null;
      exposureId: string;
    }
    const pairs = new Map<number, Pair>();
    for (const e of exposures) {
      const from = index.get(e.caseId);
      const to = index.get(e.to);
      if (from === undefined || to === undefined || from === to) continue;
      if (cases[from]!.personId !== e.sourcePersonId) continue;
      const key = from * SHIFT + to;
      const known = pairs.get(key);
      if (
        known &&
        (known.at!.getTime() < e.at.getTime() ||
          (known.at!.getTime() === e.at.getTime() && known.exposureId < e.id))
      )
        continue;
      pairs.set(key, { from, to, linked: false, setting: e.setting, at: e.at, exposureId: e.id });
    }
    for (let to = 0; to < cases.length; to++) {
      const linkedTo = cases[to]!.linkedCaseId;
      const from = linkedTo === null ? undefined : index.get(linkedTo);
      if (from === undefined || from === to) continue;
      const known = pairs.get(from * SHIFT + to);
      if (known) known.linked = true;
      else pairs.set(from * SHIFT + to, { from, to, linked: true, setting: null, at: null, exposureId: "" });
    }
    const links: TransmissionLink[] = [];
    for (const l of pairs.values())
      links.push({ infectorId: cases[l.from]!.id, infecteeId: cases[l.to]!.id });
    const a = analyzeChains(
      cases.map((c) => record(c.id, c.onsetDate)),
      { superspreaderThreshold, lookBackDays, largestClusters: 0, perCase: true },
      links,
    );
    // Case ids are unique, so the analysis describes the cases in their order.
    const chains = a.caseChains!;
    const clusters = new Map<string, StoredCluster>();
    for (const c of chains) {
      // A case with no link is no cluster: it has its row in tracing_case_chains (its own cluster id, for
      // the analysis and its graph of one) but none in tracing_chain_clusters.
      if (c.clusterSize < 2) continue;
      let k = clusters.get(c.clusterId);
      if (!k) {
        k = { clusterId: c.clusterId, size: c.clusterSize, generations: 0, indexCases: 0 };
        clusters.set(c.clusterId, k);
      }
      if (c.generation !== null && c.generation > k.generations) k.generations = c.generation;
      if (c.generation === 0) k.indexCases++;
    }
    const stored: StoredLink[] = [];
    for (const l of pairs.values())
      stored.push({
        // A link's two cases are in one cluster, by definition.
        clusterId: chains[l.to]!.clusterId,
        from: cases[l.from]!.id,
        to: cases[l.to]!.id,
        kind: l.setting === null ? "linked" : "exposure",
        linked: l.linked,
        setting: l.setting,
        at: l.at,
      });
    const t2 = performance.now();
    await replaceChains(tx, chains, stored, [...clusters.values()]);
    const durationMs = Math.round(performance.now() - t0);
    if (timings) {
      timings.readMs = t1 - t0;
      timings.analyzeMs = t2 - t1;
      timings.writeMs = performance.now() - t2;
    }
    const run: ChainRunRow = {
      id: uuidv7(),
      computedAt: ctx.now,
      computedBy: actor.userId,
      cases: a.cases,
      links: a.pairs,
      clusters: a.clusters.count,
      isolatedCases: a.clusters.isolatedCases,
      durationMs,
      casesMaxId: marks.casesMaxId,
      casesMaxUpdatedAt: marks.casesMaxUpdatedAt,
      exposuresMaxRecordedAt: marks.exposuresMaxRecordedAt,
    };
    await insertChainRun(tx, run);
    await recordAudit(tx, ctx, {
      action: "tracing.chains_recompute",
      entityType: "tracing_chains",
      entityId: run.id,
      regionCode: actor.jurisdiction,
      after: {
        cases: run.cases,
        links: run.links,
        clusters: run.clusters,
        isolatedCases: run.isolatedCases,
        cycles: a.issues.filter((i) => i.code === "infector_cycle").length,
        durationMs,
      },
    });
    return {
      cases: run.cases,
      links: run.links,
      clusters: run.clusters,
      isolatedCases: run.isolatedCases,
      computedAt: run.computedAt,
      durationMs,
    };
  });
}

export interface CaseRef {
  caseId: string;
  personName: string;
}

export interface AnalysisView extends ChainFreshness {
  cases: number;
  pairs: number;
  clusters: {
    count: number;
    isolatedCases: number;
    largest: {
      clusterId: string;
      size: number;
      generations: number;
      indexCases: CaseRef[];
      indexCaseCount: number;
    }[];
    sizes: { size: number; clusters: number }[];
  };
  generations: ChainAnalysis["generations"];
  superspreaders: { caseId: string; personName: string; secondaryCases: number }[];
  superspreaderThreshold: number;
  serialInterval: ChainAnalysis["serialInterval"];
  issues: TracingIssue[];
  issuesTotal: number;
}

const MAX_ISSUES = 200;

/**
 * The chain analysis of the caller's jurisdiction, as `cordon tracing analyze` gives it for a line list
 * of the jurisdiction's cases: over the cases and links of the last recompute whose infectee is a case of
 * the jurisdiction (an infector outside it is reported as not in the list, as the command reports it).
 */
/**
 * The analysis's figures as the API gives them, for the stored cases and for an uploaded line list
 * alike: the largest clusters with their first three index cases (`ref` names them), super-spreaders
 * named. `clusterIdOf` maps a cluster's smallest case id to its id.
 */
export function analysisFigures(
  a: ChainAnalysis,
  ref: (caseId: string) => CaseRef,
  clusterIdOf: (smallestCaseId: string) => string,
) {
  return {
    cases: a.cases,
    pairs: a.pairs,
    clusters: {
      count: a.clusters.count,
      isolatedCases: a.clusters.isolatedCases,
      largest: a.clusters.largest.map((k) => ({
        clusterId: clusterIdOf(k.caseIds[0]!),
        size: k.size,
        generations: k.generations,
        indexCases: k.indexCases.slice(0, 3).map(ref),
        indexCaseCount: k.indexCases.length,
      })),
      sizes: a.clusters.sizes,
    },
    generations: a.generations,
    superspreaders: a.superspreaders.map((s) => ({ ...ref(s.caseId), secondaryCases: s.secondaryCases })),
    serialInterval: a.serialInterval,
  };
}

export async function chainAnalysis(
  db: Db,
  ctx: RequestContext,
  packs: readonly LoadedPack[],
  opts: { largest: number },
): Promise<AnalysisView> {
  const actor = requireActor(ctx);
  access(ctx, "tracing.view", []);
  const policy = chainPolicy(packs, ctx);
  const prefix = subtreePrefix(actor.jurisdiction);
  const run = await lastChainRun(db);
  const fresh = await freshness(db, run);
  const cases = await storedCasesIn(db, prefix);
  const links = await storedLinksInto(db, prefix);
  const a = analyzeChains(
    cases.map((c) => record(c.id, c.onsetDate)),
    { ...policy, largestClusters: opts.largest },
    links.map((l) => ({ infectorId: l.from, infecteeId: l.to })),
  );
  const largest = a.clusters.largest;
  const clusterIds = await clustersOfCases(
    db,
    largest.map((k) => k.caseIds[0]!),
  );
  const names = await caseNames(db, [
    ...largest.flatMap((k) => k.indexCases.slice(0, 3)),
    ...a.superspreaders.map((s) => s.caseId),
  ]);
  const ref = (caseId: string): CaseRef => ({ caseId, personName: names.get(caseId) ?? "" });
  return {
    ...fresh,
    ...analysisFigures(a, ref, (k) => clusterIds.get(k) ?? k),
    superspreaderThreshold: policy.superspreaderThreshold,
    issues: a.issues.slice(0, MAX_ISSUES),
    issuesTotal: a.issues.length,
  };
}

export interface ClusterListItem {
  clusterId: string;
  size: number;
  generations: number;
  indexCases: CaseRef[];
  superspreaders: number;
  regions: string[];
  firstOnset: string | null;
  lastOnset: string | null;
  lastReportedAt: Date | null;
}

/**
 * The stored clusters with a case in the caller's jurisdiction, largest first; `q` keeps those with a
 * case of the jurisdiction whose id is `q` or whose person's name contains it.
 */
export async function listClusters(
  db: Db,
  ctx: RequestContext,
  packs: readonly LoadedPack[],
  f: { minSize: number; q?: string | undefined; page: number; pageSize: number },
): Promise<ChainFreshness & { total: number; superspreaderThreshold: number; items: ClusterListItem[] }> {
  const actor = requireActor(ctx);
  access(ctx, "tracing.view", []);
  const { superspreaderThreshold } = chainPolicy(packs, ctx);
  const run = await lastChainRun(db);
  const fresh = await freshness(db, run);
  const q = f.q?.trim() ? f.q.trim() : null;
  const { total, items } = await listStoredClusters(db, {
    regionPrefix: subtreePrefix(actor.jurisdiction),
    minSize: f.minSize,
    q,
    offset: (f.page - 1) * f.pageSize,
    limit: f.pageSize,
  });
  const details = await clusterDetails(
    db,
    items.map((k) => k.clusterId),
    superspreaderThreshold,
  );
  const names = await caseNames(
    db,
    [...details.values()].flatMap((d) => d.indexCaseIds),
  );
  return {
    ...fresh,
    total,
    superspreaderThreshold,
    items: items.map((k) => {
      const d = details.get(k.clusterId);
      return {
        clusterId: k.clusterId,
        size: k.size,
        generations: k.generations,
        indexCases: (d?.indexCaseIds ?? []).map((caseId) => ({
          caseId,
          personName: names.get(caseId) ?? "",
        })),
        superspreaders: d?.superspreaders ?? 0,
        regions: d?.regions ?? [],
        firstOnset: d?.firstOnset ?? null,
        lastOnset: d?.lastOnset ?? null,
        lastReportedAt: d?.lastReportedAt ?? null,
      };
    }),
  };
}

export interface GraphNode {
  caseId: string;
  personId: string;
  name: string;
  classification: string;
  generation: number | null;
  onsetDate: string | null;
  reportedAt: Date;
  regionCode: string;
  secondaryCases: number;
  index: boolean;
  superspreader: boolean;
  inCycle: boolean;
  /** The case lies outside the caller's jurisdiction: shown in the chain, its person's name withheld. */
  outsideJurisdiction: boolean;
}

export interface ClusterGraph extends ChainFreshness {
  clusterId: string;
  superspreaderThreshold: number;
  nodes: GraphNode[];
  edges: StoredLink[];
}

/**
 * A stored cluster's cases and links (two reads by the cluster's index). Open to a caller with at least
 * one of its cases in their jurisdiction; the cases outside it are shown without the person's name.
 */
export async function clusterGraph(
  db: Db,
  ctx: RequestContext,
  packs: readonly LoadedPack[],
  clusterId: string,
): Promise<ClusterGraph> {
  const actor = requireActor(ctx);
  access(ctx, "tracing.view", []);
  if (!isUuid(clusterId)) throw notFound(CLUSTER);
  const { superspreaderThreshold } = chainPolicy(packs, ctx);
  const rows = await clusterNodes(db, clusterId.toLowerCase());
  if (!rows.length) throw notFound(CLUSTER);
  const prefix = subtreePrefix(actor.jurisdiction);
  const inside = (code: string) => code.startsWith(prefix);
  if (!rows.some((r) => inside(r.regionCode))) throw forbidden("jurisdiction");
  const edges = await clusterLinks(db, clusterId.toLowerCase());
  const run = await lastChainRun(db);
  const fresh = await freshness(db, run);
  return {
    ...fresh,
    clusterId: clusterId.toLowerCase(),
    superspreaderThreshold,
    nodes: rows.map((r) => ({
      ...r,
      name: inside(r.regionCode) ? r.name : "",
      index: r.generation === 0,
      superspreader: r.secondaryCases >= superspreaderThreshold,
      outsideJurisdiction: !inside(r.regionCode),
    })),
    edges,
  };
}
