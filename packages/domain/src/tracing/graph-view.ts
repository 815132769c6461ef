/**
 * What the graph of one transmission cluster shows (issue 6, item 5: "a graph view that stays usable for
 * a cluster of thousands of people (filter, collapse, search)"). The infector → infectee graph is
 * reduced to a spanning forest: every case hangs under one infector on a shortest path from an index
 * case, so its depth is its generation. The forest gives a deterministic layered layout (generation →
 * column, each subtree on consecutive rows, a parent level with the middle of its children), collapsing
 * (a collapsed case hides its descendants and says how many), filters and search. Pure and iterative: no
 * recursion, and cycles of infector links are visited once, never followed forever.
 */
import { isWithin } from "../regions/region-code.ts";

/** A case of the cluster, as the graph needs it. */
export interface ChainNode {
  caseId: string;
  name: string;
  /** Distance from an index case; null when only a cycle of infector links leads to the case. */
  generation: number | null;
  classification: string;
  regionCode: string | null;
  superspreader: boolean;
}

/** Infector (`from`) → infectee (`to`). */
export interface ChainEdge {
  from: string;
  to: string;
}

/** The spanning forest of a cluster's graph, nodes by their position in the input. */
export interface ChainForest {
  size: number;
  index: ReadonlyMap<string, number>;
  /** Spanning-tree parent (the infector the case hangs under), −1 for a root. */
  parent: Int32Array;
  /** Distance from the case's root: its column. */
  depth: Int32Array;
  /** Index cases first (no infector in the cluster), then one case per tangle only cycles lead to. */
  roots: number[];
  /** Depth-first preorder: every subtree is one contiguous run. */
  preorder: Int32Array;
  /** Children of node i: childList[childStart[i] … childStart[i + 1]). */
  childStart: Int32Array;
  childList: Int32Array;
  /** Distinct infectors of node i: infectorList[infectorStart[i] … infectorStart[i + 1]). */
  infectorStart: Int32Array;
  infectorList: Int32Array;
  /** Spanning-tree descendants of each node. */
  descendants: Int32Array;
  /** The deepest column. */
  maxDepth: number;
}

/** Compressed adjacency (CSR) of `pairs`, each list in the pairs' order, duplicates dropped. */
function adjacency(n: number, pairs: readonly [number, number][]): { start: Int32Array; list: Int32Array } {
  const start = new Int32Array(n + 1);
  for (const [a] of pairs) start[a + 1]!++;
  for (let i = 0; i < n; i++) start[i + 1]! += start[i]!;
  const fill = start.slice(0, n);
  const list = new Int32Array(pairs.length);
  for (const [a, b] of pairs) list[fill[a]!++] = b;
  // Drop repeated neighbours (a case linked and exposed to the same infector): compact each list.
  const seen = new Int32Array(n).fill(-1);
  const outStart = new Int32Array(n + 1);
  let w = 0;
  for (let i = 0; i < n; i++) {
    outStart[i] = w;
    for (let k = start[i]!; k < start[i + 1]!; k++) {
      const b = list[k]!;
      if (seen[b] === i) continue;
      seen[b] = i;
      list[w++] = b;
    }
  }
  outStart[n] = w;
  return { start: outStart, list: list.slice(0, w) };
}

/**
 * The spanning forest: a breadth-first search from every index case (a case no edge of the cluster
 * points to) gives each case its nearest infector as parent, in the order the edges are given. Cases
 * that only a cycle reaches are searched from one case of that cycle, found by walking up infectors.
 * Edges naming a case not in `nodes`, and self-links, are left out.
 */
export function buildForest(nodes: readonly ChainNode[], edges: readonly ChainEdge[]): ChainForest {
  const n = nodes.length;
  const index = new Map<string, number>();
  nodes.forEach((node, i) => {
    if (!index.has(node.caseId)) index.set(node.caseId, i);
  });
  const pairs: [number, number][] = [];
  for (const e of edges) {
    const a = index.get(e.from);
    const b = index.get(e.to);
    if (a === undefined || b === undefined || a === b) continue;
    pairs.push([a, b]);
  }
  const out = adjacency(n, pairs);
  const inc = adjacency(
    n,
    pairs.map(([a, b]) => [b, a]),
  );

  const parent = new Int32Array(n).fill(-1);
  const depth = new Int32Array(n).fill(-1);
  const queue = new Int32Array(n);
  let head = 0;
  let tail = 0;
  const roots: number[] = [];
  const search = () => {
    while (head < tail) {
      const u = queue[head++]!;
      for (let k = out.start[u]!; k < out.start[u + 1]!; k++) {
        const v = out.list[k]!;
        if (depth[v] !== -1) continue;
        depth[v] = depth[u]! + 1;
        parent[v] = u;
        queue[tail++] = v;
      }
    }
  };
  for (let i = 0; i < n; i++) {
    if (inc.start[i] === inc.start[i + 1]) {
      depth[i] = 0;
      roots.push(i);
      queue[tail++] = i;
    }
  }
  search();
  // What is left hangs below a cycle no index case reaches: walk up first infectors until a case
  // repeats (it is on the cycle) and search from there. Each case is walked at most once.
  const walked = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    if (depth[i] !== -1) continue;
    let cur = i;
    while (!walked[cur]) {
      walked[cur] = 1;
      let up = -1;
      for (let k = inc.start[cur]!; k < inc.start[cur + 1]!; k++) {
        if (depth[inc.list[k]!] === -1) {
          up = inc.list[k]!;
          break;
        }
      }
      if (up === -1) break;
      cur = up;
    }
    depth[cur] = 0;
    roots.push(cur);
    queue[tail++] = cur;
    search();
  }

  // Children in the order the search found them (queue order), so the layout follows the edges' order.
  const childStart = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) if (parent[i]! >= 0) childStart[parent[i]! + 1]!++;
  for (let i = 0; i < n; i++) childStart[i + 1]! += childStart[i]!;
  const fill = childStart.slice(0, n);
  const childList = new Int32Array(Math.max(0, n - roots.length));
  for (let q = 0; q < tail; q++) {
    const v = queue[q]!;
    if (parent[v]! >= 0) childList[fill[parent[v]!]!++] = v;
  }

  const preorder = new Int32Array(n);
  const stack: number[] = [];
  for (let r = roots.length - 1; r >= 0; r--) stack.push(roots[r]!);
  let p = 0;
  while (stack.length > 0) {
    const u = stack.pop()!;
    preorder[p++] = u;
    for (let k = childStart[u + 1]! - 1; k >= childStart[u]!; k--) stack.push(childList[k]!);
  }
  const descendants = new Int32Array(n);
  let maxDepth = 0;
  for (let k = n - 1; k >= 0; k--) {
    const u = preorder[k]!;
    if (depth[u]! > maxDepth) maxDepth = depth[u]!;
    if (parent[u]! >= 0) descendants[parent[u]!]! += descendants[u]! + 1;
  }
  return {
    size: n,
    index,
    parent,
    depth,
    roots,
    preorder,
    childStart,
    childList,
    infectorStart: inc.start,
    infectorList: inc.list,
    descendants,
    maxDepth,
  };
}

/** What the user narrowed the graph to; every part is optional. */
export interface ChainFilter {
  /** Only generations in [from, to]; a case without a generation is shown only when neither is set. */
  generationFrom?: number | null;
  generationTo?: number | null;
  /** Only these classifications (empty or absent: all). */
  classifications?: readonly string[];
  /** Only cases whose region lies within this one (a GB/T 2260 code or a township/community code). */
  region?: string | null;
  /** Only super-spreaders and the cases they infected. */
  superspreadersOnly?: boolean;
}

/** Which cases are collapsed: by depth, then case by case. */
export interface CollapseState {
  /** Cases at this depth or deeper are collapsed (null: none is). */
  collapseDepth: number | null;
  /** Cases whose state is the opposite of what `collapseDepth` says (expanded below it, or collapsed above). */
  toggled: ReadonlySet<string>;
}

export const NOTHING_COLLAPSED: CollapseState = { collapseDepth: null, toggled: new Set() };

/** True when the case (by its position) is collapsed: it has descendants and they are hidden. */
export function isCollapsed(
  forest: ChainForest,
  nodes: readonly ChainNode[],
  state: CollapseState,
  i: number,
): boolean {
  if (forest.childStart[i] === forest.childStart[i + 1]) return false;
  const byDepth = state.collapseDepth !== null && forest.depth[i]! >= state.collapseDepth;
  return byDepth !== state.toggled.has(nodes[i]!.caseId);
}

/** Cases passing the filter, one flag per node. */
export function matchFilter(
  forest: ChainForest,
  nodes: readonly ChainNode[],
  filter: ChainFilter,
): Uint8Array {
  const from = filter.generationFrom ?? null;
  const to = filter.generationTo ?? null;
  const classes = filter.classifications?.length ? new Set(filter.classifications) : null;
  const region = filter.region || null;
  const pass = new Uint8Array(nodes.length);
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i]!;
    if (from !== null || to !== null) {
      if (node.generation === null) continue;
      if (from !== null && node.generation < from) continue;
      if (to !== null && node.generation > to) continue;
    }
    if (classes && !classes.has(node.classification)) continue;
    if (region && !(node.regionCode && isWithin(region, node.regionCode))) continue;
    if (filter.superspreadersOnly && !node.superspreader) {
      let infectedBySpreader = false;
      for (let k = forest.infectorStart[i]!; k < forest.infectorStart[i + 1]!; k++) {
        if (nodes[forest.infectorList[k]!]!.superspreader) {
          infectedBySpreader = true;
          break;
        }
      }
      if (!infectedBySpreader) continue;
    }
    pass[i] = 1;
  }
  return pass;
}

/** What is on screen. */
export interface GraphView {
  /** Visible cases in preorder (a subtree's visible cases are consecutive). */
  visible: number[];
  /** 1 for a visible case. */
  shown: Uint8Array;
  /** A case's nearest visible spanning-tree ancestor (−1: none): where a filtered-out infector's cases hang. */
  shownParent: Int32Array;
  /** 1 for a case that is collapsed (has descendants and hides them). */
  collapsed: Uint8Array;
  /** For a visible collapsed case, how many cases passing the filter it hides ("+N"); 0 otherwise. */
  hiddenBelow: Int32Array;
  /** Cases passing the filter (shown or hidden by collapsing). */
  matching: number;
}

/** The visible cases: those passing the filter that no collapsed ancestor hides. */
export function computeView(
  forest: ChainForest,
  nodes: readonly ChainNode[],
  filter: ChainFilter,
  state: CollapseState,
): GraphView {
  const n = forest.size;
  const pass = matchFilter(forest, nodes, filter);
  const collapsed = new Uint8Array(n);
  const hiddenByCollapse = new Uint8Array(n);
  const shown = new Uint8Array(n);
  const shownParent = new Int32Array(n).fill(-1);
  const visible: number[] = [];
  let matching = 0;
  for (let k = 0; k < n; k++) {
    const i = forest.preorder[k]!;
    if (isCollapsed(forest, nodes, state, i)) collapsed[i] = 1;
    const p = forest.parent[i]!;
    if (p >= 0) {
      hiddenByCollapse[i] = hiddenByCollapse[p]! || collapsed[p]!;
      shownParent[i] = shown[p] ? p : shownParent[p]!;
    }
    if (pass[i]) matching++;
    if (pass[i] && !hiddenByCollapse[i]) {
      shown[i] = 1;
      visible.push(i);
    }
  }
  const passingBelow = new Int32Array(n);
  for (let k = n - 1; k >= 0; k--) {
    const i = forest.preorder[k]!;
    const p = forest.parent[i]!;
    if (p >= 0) passingBelow[p]! += passingBelow[i]! + pass[i]!;
  }
  const hiddenBelow = new Int32Array(n);
  for (const i of visible) if (collapsed[i]) hiddenBelow[i] = passingBelow[i]!;
  return { visible, shown, shownParent, collapsed, hiddenBelow, matching };
}

/**
 * The collapse depth that keeps a cluster's first view under `limit` cases: the deepest generation G
 * such that the cases passing the filter at depth ≤ G number at most `limit`, but not above the first
 * generation with a case passing it (those are shown even when they are more); null when everything fits.
 */
export function autoCollapseDepth(
  forest: ChainForest,
  nodes: readonly ChainNode[],
  filter: ChainFilter,
  limit: number,
): number | null {
  const pass = matchFilter(forest, nodes, filter);
  const perDepth = new Int32Array(forest.maxDepth + 1);
  let total = 0;
  for (let i = 0; i < forest.size; i++) {
    if (!pass[i]) continue;
    perDepth[forest.depth[i]!]!++;
    total++;
  }
  if (total <= limit) return null;
  let sum = 0;
  let first = -1;
  for (let d = 0; d <= forest.maxDepth; d++) {
    if (first === -1 && perDepth[d]! > 0) first = d;
    sum += perDepth[d]!;
    // Never above the first generation with a case to show: collapsing there would hide them all.
    if (sum > limit) return Math.max(d - 1, first);
  }
  return null;
}

/** The state with one case's collapsed state flipped. */
export function toggleCase(state: CollapseState, caseId: string): CollapseState {
  const toggled = new Set(state.toggled);
  if (!toggled.delete(caseId)) toggled.add(caseId);
  return { collapseDepth: state.collapseDepth, toggled };
}

/** The state with every collapsed ancestor of a case expanded, so that collapsing does not hide it. */
export function revealCase(
  forest: ChainForest,
  nodes: readonly ChainNode[],
  state: CollapseState,
  caseId: string,
): CollapseState {
  const i = forest.index.get(caseId);
  if (i === undefined) return state;
  let toggled: Set<string> | null = null;
  for (let a = forest.parent[i]!; a >= 0; a = forest.parent[a]!) {
    if (!isCollapsed(forest, nodes, state, a)) continue;
    toggled ??= new Set(state.toggled);
    const id = nodes[a]!.caseId;
    if (!toggled.delete(id)) toggled.add(id);
  }
  return toggled ? { collapseDepth: state.collapseDepth, toggled } : state;
}

export interface LayoutOptions {
  /** Distance between generations (columns). */
  columnGap: number;
  /** Distance between rows. */
  rowGap: number;
}

/** Positions of the visible cases (NaN for hidden ones), and the extent. */
export interface GraphLayout {
  x: Float64Array;
  y: Float64Array;
  width: number;
  height: number;
}

/**
 * The layered layout: x = depth × columnGap; each visible case without visible children takes the next
 * row in preorder, so a subtree's cases lie on consecutive rows, and a case with visible children sits
 * level with the middle of its first and last child. Separate trees are half a row apart.
 */
export function layoutView(forest: ChainForest, view: GraphView, options: LayoutOptions): GraphLayout {
  const n = forest.size;
  const x = new Float64Array(n).fill(Number.NaN);
  const y = new Float64Array(n).fill(Number.NaN);
  const hasChild = new Uint8Array(n);
  for (const i of view.visible) if (view.shownParent[i]! >= 0) hasChild[view.shownParent[i]!] = 1;
  let row = 0;
  let first = true;
  for (const i of view.visible) {
    if (view.shownParent[i] === -1 && !first) row += 0.5;
    first = false;
    x[i] = forest.depth[i]! * options.columnGap;
    if (!hasChild[i]) y[i] = row++ * options.rowGap;
  }
  const lo = new Float64Array(n).fill(Number.POSITIVE_INFINITY);
  const hi = new Float64Array(n).fill(Number.NEGATIVE_INFINITY);
  let maxDepth = 0;
  for (let k = view.visible.length - 1; k >= 0; k--) {
    const i = view.visible[k]!;
    if (hasChild[i]) y[i] = (lo[i]! + hi[i]!) / 2;
    if (forest.depth[i]! > maxDepth) maxDepth = forest.depth[i]!;
    const p = view.shownParent[i]!;
    if (p >= 0) {
      if (y[i]! < lo[p]!) lo[p] = y[i]!;
      if (y[i]! > hi[p]!) hi[p] = y[i]!;
    }
  }
  return {
    x,
    y,
    width: maxDepth * options.columnGap,
    height: Math.max(0, Math.ceil(row) - 1) * options.rowGap,
  };
}

/**
 * Cases whose name contains the query or whose case id starts with it (case-insensitive), best first:
 * an exact case id, an exact name, a case id prefix, then a name containing it; at most `limit`.
 */
export function searchCases(nodes: readonly ChainNode[], query: string, limit = 20): number[] {
  const q = query.trim().toLowerCase();
  if (!q) return [];
  const ranked: [number, number][] = [];
  nodes.forEach((node, i) => {
    const id = node.caseId.toLowerCase();
    const name = node.name.toLowerCase();
    let rank = -1;
    if (id === q) rank = 0;
    else if (name === q) rank = 1;
    else if (id.startsWith(q)) rank = 2;
    else if (name.includes(q)) rank = 3;
    if (rank >= 0) ranked.push([rank, i]);
  });
  ranked.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  return ranked.slice(0, limit).map(([, i]) => i);
}
