import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { analyzeChains, summariseSerialIntervals } from "./chains.ts";
import type { CaseRecord } from "./line-list.ts";

function c(caseId: string, infectorId: string | null, onsetDate: string | null = null): CaseRecord {
  return {
    caseId,
    infectorId,
    onsetDate,
    reportDate: null,
    sex: null,
    age: null,
    regionCode: null,
    exposureSetting: null,
  };
}

/**
 * A family cluster and a workplace cluster, hand-made:
 *   A (onset 03-01) → B (03-03), C (03-05), D (02-28), E, F        A infected 5: a super-spreader at N = 5
 *   B → G (03-10)                                                   generation 2
 *   H (03-02) → I (03-09)                                           a second cluster of 2
 *   J                                                               a case with no link
 * Serial intervals with both onsets: A→B 2, A→C 4, A→D −1, B→G 7, H→I 7.
 */
const LIST: CaseRecord[] = [
  c("A", null, "2022-03-01"),
  c("B", "A", "2022-03-03"),
  c("C", "A", "2022-03-05"),
  c("D", "A", "2022-02-28"),
  c("E", "A"),
  c("F", "A"),
  c("G", "B", "2022-03-10"),
  c("H", null, "2022-03-02"),
  c("I", "H", "2022-03-09"),
  c("J", null, "2022-03-04"),
];

describe("transmission chains of a line list (issue 6 item 5)", () => {
  test("clusters are the connected components: one of 7 cases, one of 2, and one case on its own", () => {
    const a = analyzeChains(LIST);
    assert.equal(a.cases, 10);
    assert.equal(a.pairs, 7);
    assert.equal(a.clusters.count, 2);
    assert.equal(a.clusters.isolatedCases, 1);
    assert.deepEqual(a.clusters.sizes, [
      { size: 2, clusters: 1 },
      { size: 7, clusters: 1 },
    ]);
    assert.deepEqual(a.clusters.largest[0]!, {
      size: 7,
      indexCases: ["A"],
      generations: 2,
      caseIds: ["A", "B", "C", "D", "E", "F", "G"],
    });
    assert.equal(a.clusters.largest[1]!.size, 2);
    assert.deepEqual(a.issues, []);
  });

  test("generations count from index cases: A, H, J are generation 0, B–F and I generation 1, G generation 2", () => {
    const a = analyzeChains(LIST);
    assert.deepEqual(a.generations, {
      counts: [
        { generation: 0, cases: 3 },
        { generation: 1, cases: 6 },
        { generation: 2, cases: 1 },
      ],
      max: 2,
      inCycles: 0,
      withoutGeneration: 0,
    });
  });

  test("a super-spreader has at least N secondary cases: A with 5 at the default N = 5, none at N = 6", () => {
    assert.deepEqual(analyzeChains(LIST).superspreaders, [{ caseId: "A", secondaryCases: 5 }]);
    assert.deepEqual(analyzeChains(LIST, { superspreaderThreshold: 6 }).superspreaders, []);
    assert.deepEqual(
      analyzeChains(LIST, { superspreaderThreshold: 1 }).superspreaders.map((s) => s.caseId),
      ["A", "B", "H"],
    );
  });

  test("serial interval over pairs with both onsets: n 5, mean 3.8, sample SD, one negative in five", () => {
    const si = analyzeChains(LIST).serialInterval;
    const xs = [2, 4, -1, 7, 7];
    const mean = 19 / 5;
    const sd = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / 4);
    assert.equal(si.n, 5);
    assert.equal(si.mean, mean);
    assert.ok(Math.abs((si.sd as number) - sd) < 1e-12);
    assert.equal(si.negativeShare, 0.2);
    assert.deepEqual(summariseSerialIntervals([]), { n: 0, mean: null, sd: null, negativeShare: null });
    assert.deepEqual(summariseSerialIntervals([3]), { n: 1, mean: 3, sd: null, negativeShare: 0 });
  });

  test("serial intervals can be limited to infectors with onset in a window (Ali et al.'s phases)", () => {
    const si = analyzeChains(LIST, {
      infectorOnsetFrom: "2022-03-02",
      infectorOnsetTo: "2022-03-03",
    }).serialInterval;
    assert.equal(si.n, 2); // B→G 7 and H→I 7
    assert.equal(si.mean, 7);
  });
});

describe("bad links (issue 6 item 7): reported, never a crash, an endless loop or a silent drop", () => {
  test("a cycle of infector links is reported with its path; its cases and those downstream get no generation", () => {
    const a = analyzeChains([c("P", "R"), c("Q", "P"), c("R", "Q"), c("S", "R"), c("T", null), c("U", "T")]);
    const cycles = a.issues.filter((i) => i.code === "infector_cycle");
    assert.equal(cycles.length, 1);
    assert.match(cycles[0]!.message.en, /cycle: (P → Q → R → P|Q → R → P → Q|R → P → Q → R)/);
    assert.match(cycles[0]!.message.zh, /传染源关系成环/);
    assert.equal(a.generations.inCycles, 4);
    assert.equal(a.generations.withoutGeneration, 4);
    assert.deepEqual(a.generations.counts, [
      { generation: 0, cases: 1 },
      { generation: 1, cases: 1 },
    ]);
    assert.equal(a.clusters.count, 2);
  });

  test("a case infecting itself and an infector or infectee outside the list are reported and left out; a repeated pair counts once", () => {
    const a = analyzeChains([c("A", "A"), c("B", "Z"), c("C", null)], {}, [
      { infectorId: "A", infecteeId: "A" },
      { infectorId: "Z", infecteeId: "B" },
      { infectorId: "C", infecteeId: "Y" },
      { infectorId: "C", infecteeId: "B" },
      { infectorId: "C", infecteeId: "B" },
    ]);
    assert.deepEqual(
      a.issues.map((i) => `${i.severity}:${i.code}:${i.caseId}`),
      ["error:self_infection:A", "flag:infector_not_in_list:B", "flag:infectee_not_in_list:Y"],
    );
    assert.equal(a.pairs, 1);
    assert.equal(a.clusters.count, 1);
  });

  test("an infectee ill more than the look-back (default 4 days) before the infector is flagged and still counted", () => {
    const list = [c("X", null, "2022-03-10"), c("Y", "X", "2022-03-05"), c("Z", "X", "2022-03-06")];
    const a = analyzeChains(list);
    assert.deepEqual(
      a.issues.map((i) => `${i.code}:${i.caseId}`),
      ["exposure_before_lookback:Y"],
    );
    assert.match(a.issues[0]!.message.en, /more than 4 days before the infector "X"/);
    assert.equal(a.serialInterval.n, 2);
    assert.equal(a.serialInterval.negativeShare, 1);
    assert.equal(analyzeChains(list, { lookBackDays: 2 }).issues.length, 2);
  });
});

describe("scale: iterative algorithms", () => {
  test("a single chain of 200,000 cases, each infecting the next, is one cluster of 200,000 generations deep", () => {
    const n = 200_000;
    const list = Array.from({ length: n }, (_, i) => c(`c${i}`, i === 0 ? null : `c${i - 1}`));
    const a = analyzeChains(list, { largestClusters: 1 });
    assert.equal(a.clusters.count, 1);
    assert.equal(a.clusters.largest[0]!.size, n);
    assert.equal(a.generations.max, n - 1);
    assert.equal(a.generations.inCycles, 0);
  });

  test("a cycle reachable from an index case is found too: its cases keep their shortest-path generation", () => {
    // O (index) → P → Q → R → P
    const a = analyzeChains([c("O", null), c("P", "O"), c("Q", "P"), c("R", "Q")], {}, [
      { infectorId: "O", infecteeId: "P" },
      { infectorId: "P", infecteeId: "Q" },
      { infectorId: "Q", infecteeId: "R" },
      { infectorId: "R", infecteeId: "P" },
    ]);
    assert.equal(a.issues.filter((i) => i.code === "infector_cycle").length, 1);
    assert.equal(a.generations.inCycles, 3);
    assert.equal(a.generations.withoutGeneration, 0);
    assert.equal(a.generations.max, 3);
  });

  test("a ring of 200,000 cases is one cycle, found and reported once", () => {
    const n = 200_000;
    const list = Array.from({ length: n }, (_, i) => c(`r${i}`, `r${(i + n - 1) % n}`));
    const a = analyzeChains(list, { largestClusters: 0 });
    assert.equal(a.generations.inCycles, n);
    assert.equal(a.issues.filter((i) => i.code === "infector_cycle").length, 1);
    assert.equal(a.clusters.count, 1);
  });
});

describe("each case's place in the chains (perCase, for the server's stored clusters)", () => {
  test("every case gets its cluster (the smallest case id), size, generation, secondary cases and cycle mark", () => {
    const a = analyzeChains(LIST, { perCase: true });
    const by = new Map(a.caseChains!.map((x) => [x.caseId, x]));
    assert.equal(a.caseChains!.length, 10);
    assert.deepEqual(by.get("A"), {
      caseId: "A",
      clusterId: "A",
      clusterSize: 7,
      generation: 0,
      secondaryCases: 5,
      inCycle: false,
    });
    assert.deepEqual(by.get("G"), {
      caseId: "G",
      clusterId: "A",
      clusterSize: 7,
      generation: 2,
      secondaryCases: 0,
      inCycle: false,
    });
    assert.equal(by.get("I")!.clusterId, "H");
    assert.equal(by.get("I")!.generation, 1);
    assert.deepEqual(by.get("J"), {
      caseId: "J",
      clusterId: "J",
      clusterSize: 1,
      generation: 0,
      secondaryCases: 0,
      inCycle: false,
    });
  });

  test("cases on or downstream of a cycle are marked and have no generation; the other outputs do not change", () => {
    const list = [c("P", "R"), c("Q", "P"), c("R", "Q"), c("S", "R"), c("T", null), c("U", "T")];
    const a = analyzeChains(list, { perCase: true });
    const marked = a.caseChains!.filter((x) => x.inCycle).map((x) => x.caseId);
    assert.deepEqual(marked, ["P", "Q", "R", "S"]);
    assert.ok(a.caseChains!.filter((x) => x.inCycle).every((x) => x.generation === null));
    assert.equal(a.caseChains!.find((x) => x.caseId === "S")!.clusterId, "P");
    const { caseChains: _, ...rest } = a;
    assert.deepEqual(rest, analyzeChains(list));
    assert.equal(analyzeChains(list).caseChains, undefined);
  });
});
