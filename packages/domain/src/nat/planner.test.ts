/**
 * The planner at the Xi'an round's ratios (protocols.md §3.2: 「12.317 M people sampled in 24 h, 5,077
 * sampling points, 11,669 sampling desks, 31k+ samplers, 132.9k support staff, lab capacity 1.6 M
 * tubes/day」), checked against Xi'an itself and Shanghai's round of 2022-04-04.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Validated } from "../shared/result.ts";
import { compareResources, peoplePerDeskHour, type PlanInput, planRound } from "./planner.ts";
import { DEFAULT_NAT_POLICY as policy } from "./policy.ts";

function ok<T>(v: Validated<T>): T {
  assert.ok(v.ok, JSON.stringify(v));
  if (!v.ok) throw new Error("unreachable");
  return v.value;
}
function codes<T>(v: Validated<T>): string[] {
  assert.ok(!v.ok, "expected a refusal");
  return v.ok ? [] : v.errors.map((e) => e.code);
}

const round = (population: number, over: Partial<PlanInput> = {}): PlanInput => ({
  population,
  deadlineHours: 24,
  workingHoursPerDay: 24,
  poolMix: [{ size: 10, share: 1 }],
  ...over,
});

describe("the Xi'an rate: 12,317,000 people ÷ (11,669 desks × 24 h) ≈ 44 people per desk-hour", () => {
  test("the rate derived from the reference round", () => {
    assert.equal(Math.round(peoplePerDeskHour(policy.planner.reference) * 100) / 100, 43.98);
  });
  test("Xi'an's own round gives back Xi'an's 11,669 desks, 31,000 samplers, 132,900 support staff and 5,077 points", () => {
    const p = ok(planRound(round(12_317_000), policy));
    assert.equal(p.figures.desks.value, 11_669);
    assert.equal(p.figures.samplers.value, 31_000);
    assert.equal(p.figures.supportStaff.value, 132_900);
    assert.equal(p.figures.samplingPoints.value, 5_077);
  });
  test("Xi'an's round: 12.3 million people in 24 h needs about 11,700 desks at the Xi'an rate", () => {
    const p = ok(planRound(round(12_300_000), policy));
    assert.equal(p.figures.desks.value, 11_653);
    assert.match(
      p.figures.desks.basis.en,
      /44 people per desk-hour: 12,317,000 people ÷ \(11,669 desks × 24 h\)/,
    );
    assert.match(p.figures.samplers.basis.zh, /每个采样台 2\.66 名采样人员：31,000 ÷ 11,669 个采样台/);
  });
  test("all in 10-in-1, 12.3 million people are 1,230,000 tubes in a day: within Xi'an's 1.6 M tubes/day", () => {
    const p = ok(planRound(round(12_300_000), policy));
    assert.equal(p.tubes, 1_230_000);
    assert.equal(p.figures.labTubesPerDay.value, 1_230_000);
  });
});

describe("sampling hours, deadlines and the pool-size mix", () => {
  test("desks working 16 h a day have 32 h in a 48 h round (2 × 16), 22 h in a 30 h round (16 + 6)", () => {
    assert.equal(
      ok(planRound(round(1_000_000, { deadlineHours: 48, workingHoursPerDay: 16 }), policy)).samplingHours,
      32,
    );
    assert.equal(
      ok(planRound(round(1_000_000, { deadlineHours: 30, workingHoursPerDay: 16 }), policy)).samplingHours,
      22,
    );
    assert.equal(
      ok(planRound(round(1_000_000, { deadlineHours: 10, workingHoursPerDay: 16 }), policy)).samplingHours,
      10,
    );
  });
  test("a 3-day round of 6 million people spreads the tubes over 3 days", () => {
    const p = ok(planRound(round(6_000_000, { deadlineHours: 72 }), policy));
    assert.equal(p.tubes, 600_000);
    assert.equal(p.figures.labTubesPerDay.value, 200_000);
  });
  test("a mix of 10% single tubes and 90% 10-in-1 for 10 million people: 1,000,000 + 900,000 tubes (issue 5's benchmark round)", () => {
    const p = ok(
      planRound(
        round(10_000_000, {
          poolMix: [
            { size: 1, share: 0.1 },
            { size: 10, share: 0.9 },
          ],
        }),
        policy,
      ),
    );
    assert.equal(p.tubes, 1_900_000);
  });
  test("shares that do not add up to 1, a size the policy does not allow and 25 working hours are refused", () => {
    const r = planRound(
      round(1_000, {
        workingHoursPerDay: 25,
        poolMix: [
          { size: 10, share: 0.5 },
          { size: 8 as 10, share: 0.4 },
        ],
      }),
      policy,
    );
    assert.deepEqual(codes(r), ["nat.invalid_hours", "nat.pool_size_not_allowed", "nat.pool_mix_total"]);
  });
});

describe("against the resources registered", () => {
  test("Shanghai 2022-04-04, 25.665 M people in 24 h: its ~50k samplers fall about 14,600 short of the Xi'an staffing, its 4 M tubes/day suffice", () => {
    const p = ok(planRound(round(25_665_000), policy));
    assert.equal(p.figures.desks.value, 24_315);
    const gaps = Object.fromEntries(
      compareResources(p, { samplers: 50_000, samplingPoints: 20_000, labTubesPerDay: 4_000_000 }).map(
        (g) => [g.kind, g],
      ),
    );
    assert.equal(gaps.samplers!.shortfall, 14_596);
    assert.equal(gaps.samplingPoints!.shortfall, 0);
    assert.equal(gaps.labTubesPerDay!.shortfall, 0);
    assert.equal(gaps.desks!.shortfall, 24_315, "no desks registered counts as none");
    assert.equal(gaps.samplers!.message.en, "samplers: 64,596 needed, 50,000 registered, 14,596 short");
  });
});
