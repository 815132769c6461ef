import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { LoadedPack } from "@cordon/domain/policies/pack-schema";
import { DEFAULT_TRACING_POLICY } from "@cordon/domain/tracing/policy";
import { loadShippedPacks } from "../policies/policy-packs.ts";
import { tracingPolicyAt } from "./tracing-policy.ts";

const packs = loadShippedPacks();
const XINGQING_COMMUNITY = "640104001002";
const APRIL_2022 = new Date("2022-04-12T14:00:00+08:00");

describe("the tracing policy in force", () => {
  test("Xingqing, April 2022 (the emergency pack sets no tracing figures): seed 000's clocks, the pack named", () => {
    const r = tracingPolicyAt(packs, XINGQING_COMMUNITY, APRIL_2022);
    assert.deepEqual([r.origin, r.packId], ["default", "ningxia-2022-04-emergency"]);
    assert.equal(r.policy, DEFAULT_TRACING_POLICY);
    assert.equal(r.policy.investigation.onSiteHours, 2);
    assert.match(r.basis.en, /sets no tracing figures/);
  });

  test("a pack with a tracing block decides: a 4-day look-back and 72 h loop are read from it", () => {
    const ningxia = packs.find((p) => p.pack.id === "ningxia-2022-04-emergency")!;
    const tracing = {
      ...DEFAULT_TRACING_POLICY,
      lookBack: { ...DEFAULT_TRACING_POLICY.lookBack, days: 4 },
      loop: { generalHours: 72, majorHours: 72 },
    };
    const withBlock: LoadedPack = { ...ningxia, pack: { ...ningxia.pack, tracing } };
    const r = tracingPolicyAt([withBlock], XINGQING_COMMUNITY, APRIL_2022);
    assert.deepEqual([r.origin, r.policy.lookBack.days, r.policy.loop.generalHours], ["pack", 4, 72]);
    assert.match(r.basis.zh, /流调与密接追踪规定/);
  });

  test("no pack in force at all (1990): the national figures, said so", () => {
    const r = tracingPolicyAt(packs, XINGQING_COMMUNITY, new Date("1990-01-01T00:00:00+08:00"));
    assert.deepEqual([r.origin, r.packId], ["default", null]);
    assert.match(r.basis.en, /no pack is in force/);
  });
});
