/**
 * Screening campaigns: deadlines (Guidelines v2 and v3), round frequency and windows (Guideline v2),
 * coverage by region, people not yet sampled per grid, lab turnaround (protocols.md §3.2, issue 5).
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Validated } from "../shared/result.ts";
import {
  campaignDeadline,
  coverageByRegion,
  labTurnaround,
  roundIntervalDays,
  roundWindows,
  unsampledByGrid,
} from "./campaigns.ts";
import { DEFAULT_NAT_POLICY as policy, type NatPolicy } from "./policy.ts";

function ok<T>(v: Validated<T>): T {
  assert.ok(v.ok, JSON.stringify(v));
  if (!v.ok) throw new Error("unreachable");
  return v.value;
}
function codes<T>(v: Validated<T>): string[] {
  assert.ok(!v.ok, "expected a refusal");
  return v.ok ? [] : v.errors.map((e) => e.code);
}

const start = new Date("2022-04-04T12:00:00+08:00");
const hoursAfter = (d: Date) => (d.getTime() - start.getTime()) / 3_600_000;

describe("campaign deadlines: Guideline v3 「finished within 24 h」, Guideline v2 「<5 M people → 2 days, >5 M → 3 days」", () => {
  test("a designated area of a 10-million city: 24 h", () => {
    const d = campaignDeadline("designated_area", 10_000_000, start, policy);
    assert.equal(hoursAfter(d.deadline), 24);
  });
  test("a whole population of 4,999,999: 2 days; of 5,000,000 exactly: 3 days (not 'under' 5 million)", () => {
    assert.equal(campaignDeadline("whole_population", 4_999_999, start, policy).hours, 48);
    const at = campaignDeadline("whole_population", 5_000_000, start, policy);
    assert.equal(at.hours, 72);
    assert.equal(at.reason.en, "whole population of 5000000, 5000000 or more: within 72 h");
  });
  test("seed 002 「确保在疫情发生时,5天内能够完成全员核酸检测任务」: a pack setting 120 h for every size", () => {
    const qilin: NatPolicy = {
      ...policy,
      campaign: {
        ...policy.campaign,
        wholePopulation: { thresholdPopulation: 5_000_000, hoursBelow: 120, hoursAtOrAbove: 120 },
      },
    };
    assert.equal(hoursAfter(campaignDeadline("whole_population", 800_000, start, qilin).deadline), 120);
  });
});

describe("Guideline v2 「cases in the last 3 rounds test daily; cases within 14 days → every other day; no case in 14 days → every 5 days」", () => {
  test("a case in the last rounds: daily", () => {
    assert.equal(roundIntervalDays({ caseInRecentRounds: true, daysSinceLastCase: 2 }, policy).days, 1);
  });
  test("the last case 14 days ago: every other day; 15 days ago or never: every 5 days", () => {
    assert.equal(roundIntervalDays({ caseInRecentRounds: false, daysSinceLastCase: 14 }, policy).days, 2);
    assert.equal(roundIntervalDays({ caseInRecentRounds: false, daysSinceLastCase: 15 }, policy).days, 5);
    assert.equal(roundIntervalDays({ caseInRecentRounds: false, daysSinceLastCase: null }, policy).days, 5);
  });
});

describe("round windows between two dates", () => {
  test("every other day across a month end: 04-29–04-30, 05-01–05-02, 05-03", () => {
    const r = ok(roundWindows("2022-04-29", "2022-05-03", 2, policy));
    assert.deepEqual(
      r.windows.map((w) => [w.round, w.from, w.to]),
      [
        [1, "2022-04-29", "2022-04-30"],
        [2, "2022-05-01", "2022-05-02"],
        [3, "2022-05-03", "2022-05-03"],
      ],
    );
    assert.deepEqual(r.notes, []);
  });
  test("every 5 days over 10 days gives 2 rounds: noted, fewer than 「at least 3 rounds when the source is unclear」", () => {
    const r = ok(roundWindows("2022-04-01", "2022-04-10", 5, policy));
    assert.deepEqual(
      r.windows.map((w) => `${w.from}/${w.to}`),
      ["2022-04-01/2022-04-05", "2022-04-06/2022-04-10"],
    );
    assert.match(r.notes[0]!.en, /fits only 2 round\(s\), fewer than the 3/);
  });
  test("daily for one day is one round; an end before the start, a bad date or interval 0 are refused", () => {
    assert.equal(ok(roundWindows("2022-04-01", "2022-04-01", 1, policy)).windows.length, 1);
    assert.deepEqual(codes(roundWindows("2022-04-02", "2022-04-01", 1, policy)), ["nat.end_before_start"]);
    assert.deepEqual(codes(roundWindows("2022-02-30", "2022-04-01", 0, policy)), [
      "nat.invalid_date",
      "nat.invalid_interval",
    ]);
  });
});

// 宁夏 同心县 (640324), 豫海镇 (640324100), two communities and a grid of the first.
const county = "640324";
const town = "640324100";
const A = "640324100001";
const B = "640324100002";
const gridOfA = `${A}003`;

describe("issue 5: 「Coverage by region in real time (sampled / target population)」", () => {
  test("sampled counts from grids and communities add up to the community, township and county", () => {
    const rows = ok(
      coverageByRegion(
        county,
        new Map([
          [A, 1000],
          [B, 500],
        ]),
        new Map([
          [gridOfA, 600],
          [A, 200],
          [B, 500],
          ["640104001001", 99], // another county: not in this campaign
        ]),
      ),
    );
    const by = Object.fromEntries(rows.map((r) => [r.code, r]));
    assert.deepEqual(
      rows.map((r) => r.code),
      [county, town, A, gridOfA, B],
    );
    assert.equal(by[A]!.coverage, 0.8);
    assert.equal(by[A]!.remaining, 200);
    assert.equal(by[B]!.coverage, 1);
    assert.equal(by[town]!.sampled, 1300);
    assert.equal(by[county]!.target, 1500);
    assert.equal(by[county]!.coverage, 1300 / 1500);
    assert.equal(by[gridOfA]!.coverage, null, "no target is given at grid level");
  });
  test("a target given for a community and for its grid too would count twice: refused", () => {
    const r = coverageByRegion(
      county,
      new Map([
        [A, 1000],
        [gridOfA, 300],
      ]),
      new Map(),
    );
    assert.deepEqual(codes(r), ["nat.target_nested"]);
  });
  test("bad codes and counts are refused; a campaign with no data has one row at 0", () => {
    assert.deepEqual(codes(coverageByRegion(county, new Map([["12345", 1]]), new Map([[A, -1]]))), [
      "nat.invalid_region",
      "nat.not_a_count",
    ]);
    assert.deepEqual(ok(coverageByRegion(county, new Map(), new Map())), [
      { code: county, level: "county", target: 0, sampled: 0, coverage: null, remaining: 0 },
    ]);
  });
});

describe("issue 5: 「the list of people not yet sampled per grid for door-to-door follow-up」", () => {
  test("people not sampled, by grid, the grid with most people first", () => {
    const g1 = `${A}001`;
    const g2 = `${A}002`;
    const list = unsampledByGrid(
      [
        { personId: "p1", gridCode: g1 },
        { personId: "p2", gridCode: g2 },
        { personId: "p3", gridCode: g2 },
        { personId: "p4", gridCode: g2 },
        { personId: "p5", gridCode: g1 },
      ],
      new Set(["p3", "p5"]),
    );
    assert.deepEqual(list, [
      { gridCode: g2, personIds: ["p2", "p4"] },
      { gridCode: g1, personIds: ["p1"] },
    ]);
  });
});

describe("issue 5: 「turnaround (sampling → result; target ≤ 6 h) per lab」", () => {
  const sampledAt = new Date("2022-04-04T08:00:00+08:00");
  const h = (n: number) => new Date(sampledAt.getTime() + n * 3_600_000);
  test("ten results in 1…10 h: median 5.5 h, p90 9 h, 60% within 6 h (exactly 6 h counts)", () => {
    const samples = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((n) => ({ lab: "甲", sampledAt, resultAt: h(n) }));
    const [t] = labTurnaround(samples, h(12), policy);
    assert.deepEqual(t, { lab: "甲", n: 10, median: 5.5, p90: 9, withinTarget: 0.6, pending: 0, overdue: 0 });
  });
  test("pending tubes older than the target are overdue; a lab with only pending tubes has no figures", () => {
    const samples = [
      { lab: "乙", sampledAt: h(-7), resultAt: null },
      { lab: "乙", sampledAt: h(-6), resultAt: null },
      { lab: "甲", sampledAt, resultAt: h(3) },
    ];
    const rows = labTurnaround(samples, sampledAt, policy);
    assert.deepEqual(
      rows.map((r) => [r.lab, r.n, r.median, r.pending, r.overdue]),
      [
        ["乙", 0, null, 2, 1],
        ["甲", 1, 3, 0, 0],
      ],
    );
  });
  test("the target is the policy's: at 4 h, a 5-hour result is not within it", () => {
    const strict: NatPolicy = { ...policy, lab: { ...policy.lab, turnaroundTargetHours: 4 } };
    const [t] = labTurnaround([{ lab: "甲", sampledAt, resultAt: h(5) }], h(6), strict);
    assert.equal(t!.withinTarget, 0);
  });
});
