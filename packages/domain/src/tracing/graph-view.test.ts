import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  autoCollapseDepth,
  buildForest,
  type ChainEdge,
  type ChainNode,
  computeView,
  layoutView,
  NOTHING_COLLAPSED,
  revealCase,
  searchCases,
  toggleCase,
} from "./graph-view.ts";

function node(caseId: string, generation: number | null, extra: Partial<ChainNode> = {}): ChainNode {
  return {
    caseId,
    name: `病例${caseId}`,
    generation,
    classification: "confirmed_mild",
    regionCode: "640104001002",
    superspreader: false,
    ...extra,
  };
}
const edge = (from: string, to: string): ChainEdge => ({ from, to });
const GAP = { columnGap: 100, rowGap: 10 };
const ids = (nodes: readonly ChainNode[], list: Iterable<number>) => [...list].map((i) => nodes[i]!.caseId);

/**
 * A family cluster: A infected B and C; B infected D, D infected F; C infected E. G was exposed to both
 * B and C (two infectors): it hangs under B, the first edge given.
 */
const FAMILY = [
  node("A", 0, { superspreader: true }),
  node("B", 1),
  node("C", 1, { classification: "asymptomatic", regionCode: "640105001001" }),
  node("D", 2),
  node("E", 2),
  node("F", 3),
  node("G", 2),
];
const FAMILY_EDGES = [
  edge("A", "B"),
  edge("A", "C"),
  edge("B", "D"),
  edge("C", "E"),
  edge("D", "F"),
  edge("B", "G"),
  edge("C", "G"),
  edge("A", "B"),
];

describe("the graph of a transmission cluster (issue 6 item 5)", () => {
  test("each case hangs under its nearest infector, at its generation, and its subtree is laid out on consecutive rows", () => {
    const forest = buildForest(FAMILY, FAMILY_EDGES);
    assert.deepEqual(ids(FAMILY, forest.roots), ["A"]);
    assert.deepEqual([...forest.depth], [0, 1, 1, 2, 2, 3, 2]);
    assert.equal(FAMILY[forest.parent[6]!]!.caseId, "B");
    assert.deepEqual(ids(FAMILY, forest.preorder), ["A", "B", "D", "F", "G", "C", "E"]);
    assert.equal(forest.descendants[0], 6);
    assert.equal(forest.descendants[1], 3);

    const view = computeView(forest, FAMILY, {}, NOTHING_COLLAPSED);
    assert.equal(view.visible.length, 7);
    const layout = layoutView(forest, view, GAP);
    const at = (id: string) => {
      const i = forest.index.get(id)!;
      return [layout.x[i], layout.y[i]];
    };
    // Leaves F, G, E take rows 0, 1, 2; D level with F; B between D and G; A between B and C.
    assert.deepEqual(at("F"), [300, 0]);
    assert.deepEqual(at("D"), [200, 0]);
    assert.deepEqual(at("G"), [200, 10]);
    assert.deepEqual(at("B"), [100, 5]);
    assert.deepEqual(at("E"), [200, 20]);
    assert.deepEqual(at("C"), [100, 20]);
    assert.deepEqual(at("A"), [0, 12.5]);
    assert.equal(layout.width, 300);
    assert.equal(layout.height, 20);
  });

  test("a collapsed case hides its descendants and says how many; the rows close up", () => {
    const forest = buildForest(FAMILY, FAMILY_EDGES);
    const state = toggleCase(NOTHING_COLLAPSED, "B");
    const view = computeView(forest, FAMILY, {}, state);
    assert.deepEqual(ids(FAMILY, view.visible), ["A", "B", "C", "E"]);
    assert.equal(view.hiddenBelow[forest.index.get("B")!], 3);
    assert.equal(view.collapsed[forest.index.get("B")!], 1);
    const layout = layoutView(forest, view, GAP);
    assert.equal(layout.y[forest.index.get("B")!], 0);
    assert.equal(layout.y[forest.index.get("E")!], 10);
    assert.ok(Number.isNaN(layout.x[forest.index.get("D")!]));
    // Expanding B again shows everything.
    assert.equal(computeView(forest, FAMILY, {}, toggleCase(state, "B")).visible.length, 7);
  });

  test("collapsing below generation 1 shows the index case and its infectees; a found case is revealed", () => {
    const forest = buildForest(FAMILY, FAMILY_EDGES);
    const state = { collapseDepth: 1, toggled: new Set<string>() };
    const view = computeView(forest, FAMILY, {}, state);
    assert.deepEqual(ids(FAMILY, view.visible), ["A", "B", "C"]);
    assert.equal(view.hiddenBelow[forest.index.get("B")!], 3);
    assert.equal(view.hiddenBelow[forest.index.get("C")!], 1);
    // A leaf is never collapsed: it has nothing to hide.
    assert.equal(view.collapsed[forest.index.get("F")!], 0);
    const revealed = revealCase(forest, FAMILY, state, "F");
    const after = computeView(forest, FAMILY, {}, revealed);
    assert.deepEqual(ids(FAMILY, after.visible), ["A", "B", "D", "F", "G", "C"]);
    assert.equal(after.hiddenBelow[forest.index.get("C")!], 1);
    assert.equal(revealCase(forest, FAMILY, revealed, "F"), revealed);
  });

  test("filters by generation, classification, region and super-spreader; a case whose infector is filtered out hangs under the nearest shown ancestor", () => {
    const forest = buildForest(FAMILY, FAMILY_EDGES);
    const shown = (filter: Parameters<typeof computeView>[2]) =>
      ids(FAMILY, computeView(forest, FAMILY, filter, NOTHING_COLLAPSED).visible);
    assert.deepEqual(shown({ generationFrom: 1, generationTo: 2 }), ["B", "D", "G", "C", "E"]);
    assert.deepEqual(shown({ classifications: ["asymptomatic"] }), ["C"]);
    assert.deepEqual(shown({ region: "640105" }), ["C"]);
    assert.deepEqual(shown({ region: "640100" }), ["A", "B", "D", "F", "G", "C", "E"]);
    assert.deepEqual(shown({ superspreadersOnly: true }), ["A", "B", "C"]);
    const view = computeView(forest, FAMILY, { generationFrom: 0, generationTo: 0 }, NOTHING_COLLAPSED);
    assert.equal(view.matching, 1);
    const skip = computeView(forest, FAMILY, { classifications: ["confirmed_mild"] }, NOTHING_COLLAPSED);
    assert.equal(FAMILY[skip.shownParent[forest.index.get("E")!]!]!.caseId, "A");
    const layout = layoutView(forest, skip, GAP);
    assert.equal(layout.x[forest.index.get("E")!], 200);
  });

  test("cases linked in a cycle get a place and nothing loops forever", () => {
    // I → X → Y → X (a two-way contact link), Y → Z; and a tangle P ⇄ Q → R no index case reaches.
    const nodes = [
      node("R", null),
      node("I", 0),
      node("X", 1),
      node("Y", 2),
      node("Z", 3),
      node("P", null),
      node("Q", null),
    ];
    const edges = [
      edge("I", "X"),
      edge("X", "Y"),
      edge("Y", "X"),
      edge("Y", "Z"),
      edge("Q", "R"),
      edge("P", "Q"),
      edge("Q", "P"),
      edge("X", "X"),
    ];
    const forest = buildForest(nodes, edges);
    assert.deepEqual(ids(nodes, forest.roots), ["I", "Q"]);
    assert.deepEqual([...forest.depth], [1, 0, 1, 2, 3, 1, 0]);
    const view = computeView(forest, nodes, {}, NOTHING_COLLAPSED);
    assert.equal(view.visible.length, 7);
    // A generation filter leaves out the cases without one.
    assert.deepEqual(
      ids(nodes, computeView(forest, nodes, { generationFrom: 0 }, NOTHING_COLLAPSED).visible),
      ["I", "X", "Y", "Z"],
    );
  });

  test("a ring and a chain of 5,000 cases are laid out without recursion", () => {
    const n = 5000;
    const nodes = Array.from({ length: n }, (_, k) => node(`c${k}`, null));
    const ring = Array.from({ length: n }, (_, k) => edge(`c${k}`, `c${(k + 1) % n}`));
    const ringForest = buildForest(nodes, ring);
    assert.equal(ringForest.roots.length, 1);
    assert.equal(ringForest.maxDepth, n - 1);
    const chain = ring.slice(0, n - 1);
    const chainForest = buildForest(nodes, chain);
    assert.deepEqual(ids(nodes, chainForest.roots), ["c0"]);
    const layout = layoutView(chainForest, computeView(chainForest, nodes, {}, NOTHING_COLLAPSED), GAP);
    assert.equal(layout.x[n - 1], (n - 1) * 100);
    assert.equal(layout.y[0], 0);
    assert.equal(layout.y[n - 1], 0);
  });

  describe("a cluster of 5,000 cases (each case infected three, breadth first)", () => {
    const n = 5000;
    const parentOf = (k: number) => Math.floor((k - 1) / 3);
    const generationOf = (k: number) => {
      let g = 0;
      for (let c = k; c > 0; c = parentOf(c)) g++;
      return g;
    };
    // Given in reverse, so nothing depends on the server listing infectors before infectees.
    const nodes = Array.from({ length: n }, (_, k) => node(`c${n - 1 - k}`, generationOf(n - 1 - k)));
    const edges = Array.from({ length: n - 1 }, (_, k) => edge(`c${parentOf(k + 1)}`, `c${k + 1}`));
    const forest = buildForest(nodes, edges);
    const at = (k: number) => forest.index.get(`c${k}`)!;

    test("opens collapsed at the deepest generation that keeps it under 1,500 cases", () => {
      // Generations 0–6 hold 1 + 3 + … + 729 = 1,093 cases; with generation 7 (2,187) it would be 3,280.
      assert.equal(autoCollapseDepth(forest, nodes, {}, 1500), 6);
      assert.equal(autoCollapseDepth(forest, nodes, {}, 5000), null);
      assert.equal(autoCollapseDepth(forest, nodes, {}, 0), 0);
      const view = computeView(forest, nodes, {}, { collapseDepth: 6, toggled: new Set() });
      assert.equal(view.visible.length, 1093);
      assert.equal(view.matching, n);
      let hidden = 0;
      for (const i of view.visible) hidden += view.hiddenBelow[i]!;
      assert.equal(hidden, n - 1093);
      // c364 is the first case of generation 6: its three infectees and their nine.
      assert.equal(view.hiddenBelow[at(364)], 12);
      // Filtering to generations 7 and 8 leaves 3,907 cases: generation 7 is shown whole (2,187), not
      // collapsed away above it.
      assert.equal(autoCollapseDepth(forest, nodes, { generationFrom: 7 }, 1500), 7);
      const filtered = computeView(
        forest,
        nodes,
        { generationFrom: 7 },
        { collapseDepth: 7, toggled: new Set() },
      );
      assert.equal(filtered.visible.length, 2187);
    });

    test("every generation is a column, every subtree a run of consecutive rows, parents between their children", () => {
      const view = computeView(forest, nodes, {}, NOTHING_COLLAPSED);
      const layout = layoutView(forest, view, GAP);
      const seen = new Set<string>();
      for (let k = 0; k < n; k++) {
        const i = at(k);
        assert.equal(layout.x[i], forest.depth[i]! * 100);
        assert.equal(forest.depth[i], generationOf(k));
        seen.add(`${layout.x[i]},${layout.y[i]}`);
      }
      assert.equal(seen.size, n);
      // Leaves' rows of each subtree are contiguous: the subtree's leaves span exactly its leaf count.
      const leafRows = new Map<number, number[]>();
      for (let k = n - 1; k >= 0; k--) {
        const i = at(k);
        const kids = [3 * k + 1, 3 * k + 2, 3 * k + 3].filter((c) => c < n);
        if (kids.length === 0) leafRows.set(k, [layout.y[i]! / 10]);
        else {
          const rows = kids.flatMap((c) => leafRows.get(c)!);
          const ys = kids.map((c) => layout.y[at(c)]!);
          assert.equal(layout.y[i], (Math.min(...ys) + Math.max(...ys)) / 2);
          leafRows.set(k, rows);
          assert.equal(Math.max(...rows) - Math.min(...rows) + 1, rows.length, `subtree of c${k}`);
        }
      }
      assert.equal(leafRows.get(0)!.length, n - 1667);
    });

    test("expanding a collapsed case shows its infectees, themselves collapsed; a deep case found by search is revealed", () => {
      const state = toggleCase({ collapseDepth: 6, toggled: new Set() }, "c364");
      const view = computeView(forest, nodes, {}, state);
      assert.equal(view.visible.length, 1096);
      assert.deepEqual(
        [1093, 1094, 1095].map((k) => view.hiddenBelow[at(k)]),
        [3, 3, 3],
      );
      const deep = searchCases(nodes, "c4999");
      assert.deepEqual(ids(nodes, deep), ["c4999"]);
      const revealed = revealCase(forest, nodes, state, "c4999");
      const after = computeView(forest, nodes, {}, revealed);
      assert.equal(after.shown[at(4999)], 1);
      // c4999 hangs under c1666 (generation 7), under c555 (6): both open, c555's other two infectees show.
      assert.equal(after.visible.length, 1096 + 3 + 1);
    });
  });

  test("search finds an exact case id or name first, then id prefixes, then names containing the text", () => {
    const nodes = [
      node("a1", 0, { name: "张三丰" }),
      node("a12", 1, { name: "张三" }),
      node("b7", 1, { name: "李四" }),
      node("张三", 1, { name: "王五" }),
    ];
    assert.deepEqual(ids(nodes, searchCases(nodes, "张三")), ["张三", "a12", "a1"]);
    assert.deepEqual(ids(nodes, searchCases(nodes, "A1")), ["a1", "a12"]);
    assert.deepEqual(searchCases(nodes, "  "), []);
    assert.deepEqual(ids(nodes, searchCases(nodes, "张", 1)), ["张三"]);
  });
});
