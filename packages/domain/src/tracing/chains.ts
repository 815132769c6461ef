/**
 * Transmission chains over plain records (issue 6, item 5): clusters (connected components of the
 * infector → infectee graph), generations from index cases, the largest clusters, super-spreaders and the
 * empirical serial interval. Pure and iterative (union-find with path halving, Kahn's topological order):
 * no recursion, so 200,000 cases in one chain of depth 200,000 are fine; cycles are found and reported,
 * never followed forever. Definitions and sources: docs/capabilities/tracing.md.
 */
import { dayDiff, issue, type CaseRecord, type TracingIssue } from "./line-list.ts";
import type { TransmissionLink } from "./pairs.ts";

export interface ChainOptions {
  /** A super-spreader infected at least this many distinct cases (issue 6: default 5). */
  superspreaderThreshold?: number;
  /**
   * Close-contact look-back before the source's onset, in days (protocols.md: 2 or 4 by edition; default
   * 4). An infectee whose onset is more than this many days before the infector's was exposed before the
   * source's look-back window: flagged, kept.
   */
  lookBackDays?: number;
  /** How many of the largest clusters to describe (default 5). */
  largestClusters?: number;
  /** Serial intervals only for pairs whose infector's onset lies in [from, to] (dates, inclusive). */
  infectorOnsetFrom?: string;
  infectorOnsetTo?: string;
  /**
   * Also describe every case (`caseChains`): its cluster, generation, secondary cases and whether it lies
   * on or downstream of a cycle. Off by default (the line-list analysis does not need it).
   */
  perCase?: boolean;
}

export const DEFAULT_SUPERSPREADER_THRESHOLD = 5;
export const DEFAULT_LOOK_BACK_DAYS = 4;
export const DEFAULT_LARGEST_CLUSTERS = 5;

export interface ClusterSummary {
  size: number;
  /** Cases of the cluster with no known infector in it (generation 0), sorted. */
  indexCases: string[];
  /** The highest generation reached in the cluster (0 for a cluster of index cases only). */
  generations: number;
  /** Every case of the cluster, sorted. */
  caseIds: string[];
}

export interface SerialIntervalSummary {
  /** Pairs with both onset dates (within the infector-onset window, if one was given). */
  n: number;
  mean: number | null;
  /** Sample standard deviation (n − 1); null below two pairs. */
  sd: number | null;
  /** Share of pairs where the infectee fell ill before the infector. */
  negativeShare: number | null;
}

export interface ChainAnalysis {
  cases: number;
  /** Distinct infector → infectee pairs between cases of the list. */
  pairs: number;
  clusters: {
    /** Connected components of two or more cases. */
    count: number;
    /** Cases with no link to any other case of the list. */
    isolatedCases: number;
    largest: ClusterSummary[];
    /** How many clusters have each size, by size ascending. */
    sizes: { size: number; clusters: number }[];
  };
  generations: {
    /** Cases per generation; generation 0 = index cases (no known infector in the list). */
    counts: { generation: number; cases: number }[];
    max: number;
    /**
     * Cases on a cycle of infector links or downstream of one (reported as `infector_cycle`). Those
     * reachable from an index case still get a generation (the shortest path), the others get none.
     */
    inCycles: number;
    /** Cases with no generation: every path to them comes only from a cycle. */
    withoutGeneration: number;
  };
  superspreaders: { caseId: string; secondaryCases: number }[];
  serialInterval: SerialIntervalSummary;
  issues: TracingIssue[];
  /** With `perCase`: one entry per analysed case, in the order of `cases` (repeated ids once). */
  caseChains?: CaseChain[];
}

/** One case's place in the chains (`perCase`). */
export interface CaseChain {
  caseId: string;
  /**
   * The cluster's id: the smallest case id of its connected component (the order `largest` breaks ties
   * by), so the same cluster keeps its id while no case with a smaller id joins it. A case with no link
   * is a cluster of one, with its own id.
   */
  clusterId: string;
  clusterSize: number;
  /** Distance from the nearest index case; null when only a cycle reaches it. */
  generation: number | null;
  /** Distinct cases it infected (its out-degree over the deduplicated links). */
  secondaryCases: number;
  /** On a cycle of infector links or downstream of one (counted in `generations.inCycles`). */
  inCycle: boolean;
}

/** The links a line list states: each case's infector. */
export function linksOfLineList(cases: readonly CaseRecord[]): TransmissionLink[] {
  const links: TransmissionLink[] = [];
  for (const c of cases)
    if (c.infectorId !== null) links.push({ infectorId: c.infectorId, infecteeId: c.caseId });
  return links;
}

/** Mean, sample SD and negative share of serial intervals (days). */
export function summariseSerialIntervals(intervals: readonly number[]): SerialIntervalSummary {
  const n = intervals.length;
  if (n === 0) return { n, mean: null, sd: null, negativeShare: null };
  let sum = 0;
  let negative = 0;
  for (const x of intervals) {
    sum += x;
    if (x < 0) negative++;
  }
  const mean = sum / n;
  let ss = 0;
  for (const x of intervals) ss += (x - mean) ** 2;
  return { n, mean, sd: n > 1 ? Math.sqrt(ss / (n - 1)) : null, negativeShare: negative / n };
}

/**
 * Analyse the transmission chains of `cases`. `links` defaults to the cases' own `infectorId`s; pass the
 * pairs of a pairs table to count infectees with several infectors once per infector. Links to a case not
 * in the list, self-links and repeated links are reported and left out; cycles are reported.
 */
export function analyzeChains(
  cases: readonly CaseRecord[],
  options: ChainOptions = {},
  links: readonly TransmissionLink[] = linksOfLineList(cases),
): ChainAnalysis {
  const threshold = options.superspreaderThreshold ?? DEFAULT_SUPERSPREADER_THRESHOLD;
  const lookBack = options.lookBackDays ?? DEFAULT_LOOK_BACK_DAYS;
  const topK = options.largestClusters ?? DEFAULT_LARGEST_CLUSTERS;
  const issues: TracingIssue[] = [];

  const index = new Map<string, number>();
  const ids: string[] = [];
  const onset: (string | null)[] = [];
  for (const c of cases) {
    if (index.has(c.caseId)) {
      issues.push(
        issue(
          "error",
          "duplicate_case_id",
          { caseId: c.caseId, field: "case_id" },
          `病例编号「${c.caseId}」重复，只分析第一条`,
          `case_id "${c.caseId}" occurs more than once; only the first is analysed`,
        ),
      );
      continue;
    }
    index.set(c.caseId, ids.length);
    ids.push(c.caseId);
    onset.push(c.onsetDate);
  }
  const n = ids.length;

  // Edges as parallel arrays, deduplicated.
  const from: number[] = [];
  const to: number[] = [];
  const seen = new Set<string>();
  for (const l of links) {
    const a = index.get(l.infectorId);
    const b = index.get(l.infecteeId);
    if (b === undefined) {
      issues.push(
        issue(
          "flag",
          "infectee_not_in_list",
          { caseId: l.infecteeId, field: "case_id" },
          `被传染者「${l.infecteeId}」不在名单中，此传播关系不计入`,
          `infectee "${l.infecteeId}" is not in the list; the link is left out`,
        ),
      );
      continue;
    }
    if (a === undefined) {
      issues.push(
        issue(
          "flag",
          "infector_not_in_list",
          { caseId: l.infecteeId, field: "infector_id" },
          `传染源「${l.infectorId}」不在名单中，此传播关系不计入传播链分析`,
          `infector "${l.infectorId}" is not in the list; the link is left out of the chain analysis`,
        ),
      );
      continue;
    }
    if (a === b) {
      issues.push(
        issue(
          "error",
          "self_infection",
          { caseId: l.infecteeId, field: "infector_id" },
          `病例「${l.infecteeId}」被登记为自己的传染源，此关系不计入`,
          `case "${l.infecteeId}" is named as its own infector; the link is left out`,
        ),
      );
      continue;
    }
    const key = `${a},${b}`;
    if (seen.has(key)) continue;
    seen.add(key);
    from.push(a);
    to.push(b);
  }
  const m = from.length;

  // Clusters: union-find over the undirected edges.
  const parent = new Int32Array(n);
  const rank = new Uint8Array(n);
  for (let i = 0; i < n; i++) parent[i] = i;
  const find = (x: number): number => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]!]!;
      x = parent[x]!;
    }
    return x;
  };
  for (let e = 0; e < m; e++) {
    let ra = find(from[e]!);
    let rb = find(to[e]!);
    if (ra === rb) continue;
    if (rank[ra]! < rank[rb]!) [ra, rb] = [rb, ra];
    parent[rb] = ra;
    if (rank[ra]! === rank[rb]!) rank[ra] = rank[ra]! + 1;
  }

  // Adjacency (CSR) for out-edges; in-degrees.
  const outStart = new Int32Array(n + 1);
  const inDegree = new Int32Array(n);
  for (let e = 0; e < m; e++) {
    outStart[from[e]! + 1] = outStart[from[e]! + 1]! + 1;
    inDegree[to[e]!] = inDegree[to[e]!]! + 1;
  }
  for (let i = 0; i < n; i++) outStart[i + 1] = outStart[i + 1]! + outStart[i]!;
  const outEdges = new Int32Array(m);
  const fill = outStart.slice(0, n);
  for (let e = 0; e < m; e++) {
    const slot = fill[from[e]!]!;
    fill[from[e]!] = slot + 1;
    outEdges[slot] = to[e]!;
  }

  // Generations: breadth-first from index cases = shortest distance from any root (Kahn order, so a case
  // with several infectors gets the generation of its nearest index case). Cases never reached lie in or
  // downstream of a cycle.
  const generation = new Int32Array(n).fill(-1);
  const queue = new Int32Array(n);
  let head = 0;
  let tail = 0;
  for (let i = 0; i < n; i++)
    if (inDegree[i]! === 0) {
      generation[i] = 0;
      queue[tail++] = i;
    }
  while (head < tail) {
    const v = queue[head++]!;
    for (let k = outStart[v]!; k < outStart[v + 1]!; k++) {
      const w = outEdges[k]!;
      if (generation[w]! === -1) {
        generation[w] = generation[v]! + 1;
        queue[tail++] = w;
      }
    }
  }
  // Cycles: Kahn's algorithm peels off cases whose infectors are all peeled; what remains lies on a cycle
  // or downstream of one, and every remaining case has a remaining infector, so walking infectors from
  // one must come back to a case already on the walk.
  const pending = inDegree.slice();
  const peeled = new Uint8Array(n);
  head = 0;
  tail = 0;
  for (let i = 0; i < n; i++) if (pending[i]! === 0) queue[tail++] = i;
  while (head < tail) {
    const v = queue[head++]!;
    peeled[v] = 1;
    for (let k = outStart[v]!; k < outStart[v + 1]!; k++)
      if (--pending[outEdges[k]!]! === 0) queue[tail++] = outEdges[k]!;
  }
  const unreached: number[] = [];
  for (let i = 0; i < n; i++) if (!peeled[i]!) unreached.push(i);
  if (unreached.length) {
    const inStart = new Int32Array(n + 1);
    for (let e = 0; e < m; e++) inStart[to[e]! + 1] = inStart[to[e]! + 1]! + 1;
    for (let i = 0; i < n; i++) inStart[i + 1] = inStart[i + 1]! + inStart[i]!;
    const inEdges = new Int32Array(m);
    const f2 = inStart.slice(0, n);
    for (let e = 0; e < m; e++) {
      const slot = f2[to[e]!]!;
      f2[to[e]!] = slot + 1;
      inEdges[slot] = from[e]!;
    }
    const mark = new Int32Array(n); // 0 new, k = visited on walk k, -1 = done
    let walk = 0;
    for (const start of unreached) {
      if (mark[start] !== 0) continue;
      walk++;
      const path: number[] = [];
      let v = start;
      while (mark[v]! === 0) {
        mark[v] = walk;
        path.push(v);
        let next = -1;
        for (let k = inStart[v]!; k < inStart[v + 1]!; k++)
          if (!peeled[inEdges[k]!]!) {
            next = inEdges[k]!;
            break;
          }
        v = next; // never -1: a case left by Kahn's algorithm has an infector left too
      }
      if (mark[v]! === walk) {
        const cycle = path.slice(path.indexOf(v)).map((i) => ids[i]!);
        cycle.reverse(); // infector order: a → b → … → a
        const shown = [...cycle, cycle[0]].join(" → ");
        issues.push(
          issue(
            "error",
            "infector_cycle",
            { caseId: cycle[0], field: "infector_id" },
            `传染源关系成环：${shown}；环上及其下游病例的代际不可靠，请核实`,
            `infector links form a cycle: ${shown}; generations on it and downstream of it are unreliable, check the links`,
          ),
        );
      }
      for (const p of path) mark[p] = -1;
    }
  }

  // Cluster summaries.
  const members = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const r = find(i);
    const list = members.get(r);
    if (list) list.push(i);
    else members.set(r, [i]);
  }
  const sizeCount = new Map<number, number>();
  let isolatedCases = 0;
  const clusters: number[][] = [];
  for (const list of members.values()) {
    if (list.length === 1) {
      isolatedCases++;
      continue;
    }
    clusters.push(list);
    sizeCount.set(list.length, (sizeCount.get(list.length) ?? 0) + 1);
  }
  const firstId = (list: number[]) => list.reduce((a, i) => (ids[i]! < a ? ids[i]! : a), ids[list[0]!]!);
  const heads = clusters.map((list) => ({ list, size: list.length, first: firstId(list) }));
  heads.sort((a, b) => b.size - a.size || (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
  const largest: ClusterSummary[] = heads.slice(0, topK).map(({ list }) => {
    let depth = 0;
    for (const i of list) if (generation[i]! > depth) depth = generation[i]!;
    return {
      size: list.length,
      indexCases: list
        .filter((i) => generation[i]! === 0)
        .map((i) => ids[i]!)
        .sort(),
      generations: depth,
      caseIds: list.map((i) => ids[i]!).sort(),
    };
  });

  const genCounts: number[] = [];
  let withoutGeneration = 0;
  for (let i = 0; i < n; i++) {
    const g = generation[i]!;
    if (g < 0) withoutGeneration++;
    else genCounts[g] = (genCounts[g]! ?? 0) + 1;
  }

  const superspreaders: { caseId: string; secondaryCases: number }[] = [];
  for (let i = 0; i < n; i++) {
    const out = outStart[i + 1]! - outStart[i]!;
    if (out >= threshold) superspreaders.push({ caseId: ids[i]!, secondaryCases: out });
  }
  superspreaders.sort(
    (a, b) => b.secondaryCases - a.secondaryCases || (a.caseId < b.caseId ? -1 : a.caseId > b.caseId ? 1 : 0),
  );

  // Serial intervals and the look-back check, per pair with both onsets.
  const intervals: number[] = [];
  for (let e = 0; e < m; e++) {
    const a = onset[from[e]!]!;
    const b = onset[to[e]!]!;
    if (a === null || b === null) continue;
    const si = dayDiff(a, b);
    if (si < -lookBack)
      issues.push(
        issue(
          "flag",
          "exposure_before_lookback",
          { caseId: ids[to[e]!]!, field: "onset_date" },
          `「${ids[to[e]!]!}」发病（${b}）早于传染源「${ids[from[e]!]!}」发病（${a}）前 ${lookBack} 天：暴露在传染源的追溯期之前，请核实`,
          `"${ids[to[e]!]!}" fell ill (${b}) more than ${lookBack} days before the infector "${ids[from[e]!]!}" (${a}): the exposure lies before the source's look-back window; check the link`,
        ),
      );
    if (options.infectorOnsetFrom !== undefined && a < options.infectorOnsetFrom) continue;
    if (options.infectorOnsetTo !== undefined && a > options.infectorOnsetTo) continue;
    intervals.push(si);
  }

  let caseChains: CaseChain[] | undefined;
  if (options.perCase) {
    const clusterOf = new Array<{ id: string; size: number }>(n);
    for (const list of members.values()) {
      const c = { id: firstId(list), size: list.length };
      for (const i of list) clusterOf[i] = c;
    }
    caseChains = new Array<CaseChain>(n);
    for (let i = 0; i < n; i++) {
      const c = clusterOf[i]!;
      caseChains[i] = {
        caseId: ids[i]!,
        clusterId: c.id,
        clusterSize: c.size,
        generation: generation[i]! < 0 ? null : generation[i]!,
        secondaryCases: outStart[i + 1]! - outStart[i]!,
        inCycle: !peeled[i]!,
      };
    }
  }

  return {
    cases: n,
    pairs: m,
    clusters: {
      count: clusters.length,
      isolatedCases,
      largest,
      sizes: [...sizeCount.entries()].sort((a, b) => a[0] - b[0]).map(([size, c]) => ({ size, clusters: c })),
    },
    generations: {
      counts: genCounts.map((cases, generation) => ({ generation, cases })),
      max: Math.max(0, genCounts.length - 1),
      inCycles: unreached.length,
      withoutGeneration,
    },
    superspreaders,
    serialInterval: summariseSerialIntervals(intervals),
    issues,
    ...(caseChains ? { caseChains } : {}),
  };
}
