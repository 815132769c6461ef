import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { campaignDeadline } from "@cordon/domain/nat/campaigns";
import { DEFAULT_NAT_POLICY } from "@cordon/domain/nat/policy";
import { loadShippedPacks } from "../policies/policy-packs.ts";
import { natPolicyAt } from "./nat-policy.ts";

const packs = loadShippedPacks();
const QILIN_COMMUNITY = "530302001001";
const XINGQING_COMMUNITY = "640104001002";
const HOURS = 3_600_000;

describe("the nucleic acid testing policy in force", () => {
  test("Qilin, January 2021 (seed 002 「5天内能够完成全员核酸检测任务」): a whole-population round of any size within 120 h", () => {
    const start = new Date("2021-01-10T08:00:00+08:00");
    const r = natPolicyAt(packs, QILIN_COMMUNITY, start);
    assert.deepEqual([r.origin, r.packId], ["pack", "qilin-2020-12-winter-spring"]);
    for (const population of [800_000, 6_000_000]) {
      const d = campaignDeadline("whole_population", population, start, r.policy);
      assert.equal((d.deadline.getTime() - start.getTime()) / HOURS, 120);
    }
  });

  test("Qilin after the notice ends (2021-06): the national figures, 48 h under 5 million people", () => {
    const start = new Date("2021-06-10T08:00:00+08:00");
    const r = natPolicyAt(packs, QILIN_COMMUNITY, start);
    assert.equal(r.origin, "default");
    assert.equal(r.policy, DEFAULT_NAT_POLICY);
    assert.equal(campaignDeadline("whole_population", 800_000, start, r.policy).hours, 48);
  });

  test("Xingqing, whose packs set no testing figures: the national figures, and the pack named", () => {
    const r = natPolicyAt(packs, XINGQING_COMMUNITY, new Date("2021-10-25T09:00:00+08:00"));
    assert.equal(r.origin, "default");
    assert.notEqual(r.packId, null);
    assert.match(r.basis.en, /sets no testing figures/);
  });

  test("no pack in force at all (1990): the national figures, said so", () => {
    const r = natPolicyAt(packs, XINGQING_COMMUNITY, new Date("1990-01-01T00:00:00+08:00"));
    assert.deepEqual([r.origin, r.packId], ["default", null]);
    assert.match(r.basis.en, /no pack is in force/);
  });
});
