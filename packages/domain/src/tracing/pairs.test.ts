import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { analyzeChains, type ChainOptions } from "./chains.ts";
import { ALI_PAIRS, SINGAPORE_EDGES, SKIP_REASON, epiDataPresent, readCsvFile } from "./epi-data.fixture.ts";
import { ALI_2020_MAPPING, FROM_TO_MAPPING, pairsToLineList } from "./pairs.ts";

const TODAY = "2026-01-01";
const round1 = (x: number | null) => (x === null ? null : Math.round(x * 10) / 10);

describe("pairs tables to a line list", () => {
  const header = ["infector_id", "infectee_id", "infector_onsetDate", "infectee_onsetDate", "isHousehold"];
  const mapping = {
    ...ALI_2020_MAPPING,
    infector: { id: "infector_id", onsetDate: "infector_onsetDate" },
    infectee: { id: "infectee_id", onsetDate: "infectee_onsetDate" },
  };

  test("an infectee with two infectors: the line list keeps the first and flags the second; the analysis counts both pairs", () => {
    const r = pairsToLineList(
      header,
      [
        ["p1", "p3", "2020/1/20", "2020/01/25", "yes"],
        ["p2", "p3", "2020/01/21", "unknown", "no"],
        ["p1", "p4", "2020/01/20", "2020/01/27", "no"],
      ],
      mapping,
      { today: TODAY },
    );
    assert.equal(r.ok, true);
    assert.deepEqual(
      r.cases.map((c) => [c.caseId, c.infectorId, c.onsetDate, c.exposureSetting]),
      [
        ["p1", null, "2020-01-20", null],
        ["p3", "p1", "2020-01-25", "household"],
        ["p2", null, "2020-01-21", null],
        ["p4", "p1", "2020-01-27", "non_household"],
      ],
    );
    assert.deepEqual(
      r.issues.map((i) => `${i.row}:${i.code}:${i.caseId}`),
      ["2:extra_infector:p3"],
    );
    assert.match(r.issues[0]!.message.en, /the line list keeps the first \(p1\)/);
    assert.equal(r.links.length, 3);
    const a = analyzeChains(r.cases, {}, r.links);
    assert.equal(a.pairs, 3);
    assert.equal(a.clusters.count, 1);
    assert.equal(a.serialInterval.n, 3); // p1→p3 5, p2→p3 4, p1→p4 7
    assert.equal(a.serialInterval.mean, 16 / 3);
    // The line list alone has one infector per case: two pairs.
    assert.equal(analyzeChains(r.cases).pairs, 2);
  });

  test("self-pairs and id-less rows are refused and reported, repeated pairs counted once, a mapping's missing column refuses the file", () => {
    const r = pairsToLineList(
      header,
      [
        ["q1", "q1", "", "", ""],
        ["", "q2", "", "", ""],
        ["q1", "q2", "", "", ""],
        ["q1", "q2", "", "", ""],
      ],
      mapping,
      { today: TODAY },
    );
    assert.deepEqual(
      r.issues.map((i) => `${i.row}:${i.code}`),
      ["1:self_infection", "2:missing_pair_id", "4:duplicate_pair"],
    );
    assert.deepEqual(
      r.cases.map((c) => c.caseId),
      ["q1", "q2"],
    );
    assert.equal(r.links.length, 1);
    const bad = pairsToLineList(["from"], [["1"]], FROM_TO_MAPPING, { today: TODAY });
    assert.equal(bad.ok, false);
    assert.match(bad.issues[0]!.message.en, /column "to" required by mapping "from-to" is missing/);
  });
});

describe("real data: the 1,407 transmission pairs of Ali et al. (Science 2020) and Xu et al. (Clin Infect Dis 2020)", () => {
  const analyse = (options: ChainOptions = {}) => {
    const { header, rows } = readCsvFile(ALI_PAIRS);
    const r = pairsToLineList(header, rows, ALI_2020_MAPPING, { today: TODAY });
    return { conversion: r, analysis: analyzeChains(r.cases, options, r.links) };
  };

  test("Xu et al.: 「1,407 transmission pairs that formed 643 transmission clusters」", (t) => {
    if (!epiDataPresent(ALI_PAIRS)) return t.skip(SKIP_REASON);
    const { conversion, analysis } = analyse();
    assert.equal(conversion.issues.filter((i) => i.severity === "error").length, 0);
    assert.equal(analysis.pairs, 1407);
    assert.equal(analysis.clusters.count, 643);
    assert.equal(analysis.clusters.isolatedCases, 0);
    assert.equal(analysis.cases, 2050);
    assert.equal(analysis.generations.inCycles, 0);
  });

  test("Xu et al.: 「34 primary cases identified as super-spreaders」 — the count of infectors with ≥ 5 secondary cases", (t) => {
    if (!epiDataPresent(ALI_PAIRS)) return t.skip(SKIP_REASON);
    const { analysis } = analyse();
    assert.equal(analysis.superspreaders.length, 34);
    assert.ok(analysis.superspreaders.every((s) => s.secondaryCases >= 5));
  });

  test("Ali et al.: mean serial interval shortened 「from 7.8 to 2.6 days」 between infectors ill 9–22 January and 30 January–13 February", (t) => {
    if (!epiDataPresent(ALI_PAIRS)) return t.skip(SKIP_REASON);
    // Phases as in the authors' code (code/Fig1_effSI.R): infector onset on days 9–22 and 30–44 of 2020.
    const pre = analyse({ infectorOnsetFrom: "2020-01-09", infectorOnsetTo: "2020-01-22" }).analysis
      .serialInterval;
    const post = analyse({ infectorOnsetFrom: "2020-01-30", infectorOnsetTo: "2020-02-13" }).analysis
      .serialInterval;
    assert.equal(round1(pre.mean), 7.8);
    assert.equal(round1(post.mean), 2.6);
    // Negative serial intervals became more common as isolation sped up.
    assert.ok((post.negativeShare as number) > (pre.negativeShare as number));
  });

  test("the empirical serial interval over 9 January–13 February: 677 pairs, mean 5.1 and SD 5.3 days", (t) => {
    if (!epiDataPresent(ALI_PAIRS)) return t.skip(SKIP_REASON);
    // Ali et al. analyse pairs whose infector fell ill from 9 January to 13 February (myFun_readTransPairs.R);
    // Xu et al.'s model estimates (mean 5.0/5.2, SD 5.2/5.3 for household/non-household) are close to these.
    const si = analyse({ infectorOnsetFrom: "2020-01-09", infectorOnsetTo: "2020-02-13" }).analysis
      .serialInterval;
    assert.equal(si.n, 677);
    assert.equal(round1(si.mean), 5.1);
    assert.equal(round1(si.sd), 5.3);
    const all = analyse().analysis.serialInterval;
    assert.equal(all.n, 679, "two more pairs have both onsets outside that window");
  });
});

describe("real data: Singapore contact edges of Tindale et al. (eLife 2020)", () => {
  test("the edge list holds a self-link and two-way links: reported as a refused self-infection and as cycles, nothing crashes", (t) => {
    if (!epiDataPresent(SINGAPORE_EDGES)) return t.skip(SKIP_REASON);
    const { header, rows } = readCsvFile(SINGAPORE_EDGES);
    const r = pairsToLineList(header, rows, FROM_TO_MAPPING, { today: TODAY });
    assert.deepEqual(r.unknownColumns, [], "the unnamed row-number column is not reported");
    const self = r.issues.filter((i) => i.code === "self_infection");
    assert.equal(self.length, 1);
    assert.equal(self[0]!.caseId, "71");
    const a = analyzeChains(r.cases, {}, r.links);
    assert.equal(a.pairs, rows.length - 1);
    const cycles = a.issues.filter((i) => i.code === "infector_cycle");
    // Cases 1, 2 and 3 (a family travelling from Wuhan) are linked both ways; so are 4 and 11, 8 and 9.
    for (const pair of [
      ["1", "2"],
      ["4", "11"],
      ["8", "9"],
    ])
      assert.ok(
        cycles.some((i) => pair.every((id) => new RegExp(`(^|[ :]) ?${id} →`).test(i.message.en))),
        `a cycle through ${pair.join(" and ")}`,
      );
    assert.ok(a.generations.inCycles > 0);
  });
});
