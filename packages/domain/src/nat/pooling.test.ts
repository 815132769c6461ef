/**
 * Pooled sampling: pool sizes by zone (Langfang 2022, Guideline v2; protocols.md §3.2) and the rules of
 * filling a tube (issue 5, Deliver 1 and 6).
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Validated } from "../shared/result.ts";
import { DEFAULT_NAT_POLICY as policy, type NatPolicy } from "./policy.ts";
import {
  addSwab,
  householdTubeSizes,
  openTube,
  poolRuleFor,
  sealTube,
  type SwabRequest,
  type Tube,
} from "./pooling.ts";

function ok<T>(v: Validated<T>): T {
  assert.ok(v.ok, JSON.stringify(v));
  if (!v.ok) throw new Error("unreachable");
  return v.value;
}
function codes<T>(v: Validated<T>): string[] {
  assert.ok(!v.ok, "expected a refusal");
  if (v.ok) return [];
  for (const e of v.errors) assert.ok(e.message.zh && e.message.en, "messages are bilingual");
  return v.errors.map((e) => e.code);
}

const at = new Date("2022-04-04T08:00:00+08:00");
const tube = (barcode: string, size: number, mode: "pool" | "household" = "pool"): Tube =>
  ok(openTube({ barcode, roundId: "r1", size, mode }, undefined, policy)).tube;
const swab = (personId: string, over: Partial<SwabRequest> = {}): SwabRequest => ({
  personId,
  householdId: null,
  pool: poolRuleFor({ areaKinds: [] }, policy),
  tubeThisRound: null,
  at,
  ...over,
});
const fill = (t: Tube, n: number): Tube => {
  for (let i = 0; i < n; i++) t = ok(addSwab(t, swab(`p${i}`))).tube;
  return t;
};

describe("Langfang 2022 「封控区: single-sample or 1 tube per household; 管控区: 10合1; 防范区 and others: 20合1」", () => {
  test("a sealed-zone resident is sampled one tube per household", () => {
    const d = poolRuleFor({ areaKinds: ["sealed"] }, policy);
    assert.deepEqual(d.rule, { kind: "household" });
    assert.equal(d.maxSize, "household");
    assert.equal(d.reason.zh, "封控区：一户一管");
  });
  test("a controlled-zone resident goes into 10-in-1 tubes, a precaution-zone resident into 20-in-1", () => {
    assert.deepEqual(poolRuleFor({ areaKinds: ["controlled"] }, policy).maxSize, 10);
    assert.deepEqual(poolRuleFor({ areaKinds: ["precaution"] }, policy).maxSize, 20);
  });
  test("outside every zone the default is 10-in-1 (Guideline v1 「first round may be all 10-in-1」); a pack may set 20", () => {
    assert.equal(poolRuleFor({ areaKinds: [] }, policy).maxSize, 10);
    const langfang: NatPolicy = {
      ...policy,
      pooling: { ...policy.pooling, elsewhere: { kind: "pool", size: 20 } },
    };
    assert.equal(poolRuleFor({ areaKinds: [] }, langfang).maxSize, 20);
  });
  test("isolation sites and key people: single-sample, single-test, even in a precaution zone", () => {
    const d = poolRuleFor({ areaKinds: ["precaution"], keyGroup: true }, policy);
    assert.equal(d.basis, "key_group");
    assert.equal(d.maxSize, 1);
  });
  test("a home in overlapping designations takes the strictest rule", () => {
    assert.equal(poolRuleFor({ areaKinds: ["precaution", "controlled"] }, policy).basis, "controlled");
    assert.equal(poolRuleFor({ areaKinds: ["controlled", "sealed"] }, policy).basis, "sealed");
  });
  test("a risk level the policy gives no rule for falls back to elsewhere, and the reason says so", () => {
    const d = poolRuleFor({ areaKinds: ["medium"] }, policy);
    assert.equal(d.basis, "elsewhere");
    assert.match(d.reason.en, /no pool rule for Medium-risk area/);
  });
});

describe("Guideline v2 「sealed compounds 1 tube per household」: tube sizes for a household", () => {
  test("a household of 3 takes one tube of 5; of 5 one of 5; of 6 one of 10; of 1 a single tube", () => {
    assert.deepEqual(householdTubeSizes(3, policy.pooling.allowedSizes), [5]);
    assert.deepEqual(householdTubeSizes(5, policy.pooling.allowedSizes), [5]);
    assert.deepEqual(householdTubeSizes(6, policy.pooling.allowedSizes), [10]);
    assert.deepEqual(householdTubeSizes(1, policy.pooling.allowedSizes), [1]);
  });
  test("a household of 23 fills a tube of 20 and one of 5", () => {
    assert.deepEqual(householdTubeSizes(23, policy.pooling.allowedSizes), [20, 5]);
  });
});

describe("filling a tube", () => {
  test("a tube of 10 takes ten people and is then full; the eleventh is refused with nat.tube_full", () => {
    const nine = fill(tube("T1", 10), 9);
    const tenth = ok(addSwab(nine, swab("p9")));
    assert.equal(tenth.full, true);
    assert.equal(tenth.tube.members.length, 10);
    assert.equal(ok(addSwab(fill(tube("T1b", 10), 8), swab("p8"))).full, false);
    assert.deepEqual(codes(addSwab(tenth.tube, swab("p10"))), ["nat.tube_full"]);
  });
  test("a person already in a tube this round cannot be added to another: the error names the first tube", () => {
    const r = addSwab(tube("T2", 10), swab("alice", { tubeThisRound: "T1" }));
    assert.deepEqual(codes(r), ["nat.person_already_sampled"]);
    if (!r.ok) {
      assert.match(r.errors[0]!.message.zh, /在试管 T1 中/);
      assert.match(r.errors[0]!.message.en, /in tube T1/);
    }
  });
  test("scanning the same person into the same tube again is refused too", () => {
    assert.deepEqual(codes(addSwab(tube("T1", 10), swab("alice", { tubeThisRound: "T1" }))), [
      "nat.person_already_in_tube",
    ]);
  });
  test("a household tube takes one household only", () => {
    const sealedZone = poolRuleFor({ areaKinds: ["sealed"] }, policy);
    let t = tube("H1", 5, "household");
    t = ok(addSwab(t, swab("a", { householdId: "h1", pool: sealedZone }))).tube;
    t = ok(addSwab(t, swab("b", { householdId: "h1", pool: sealedZone }))).tube;
    assert.equal(t.householdId, "h1");
    assert.deepEqual(codes(addSwab(t, swab("c", { householdId: "h2", pool: sealedZone }))), [
      "nat.household_mismatch",
    ]);
    assert.deepEqual(codes(addSwab(t, swab("d", { householdId: null, pool: sealedZone }))), [
      "nat.household_unknown",
    ]);
  });
  test("a sealed-zone resident cannot go into a pool of 10, but may go into a single tube", () => {
    const sealedZone = poolRuleFor({ areaKinds: ["sealed"] }, policy);
    assert.deepEqual(codes(addSwab(tube("T3", 10), swab("a", { householdId: "h1", pool: sealedZone }))), [
      "nat.pool_size_mismatch",
    ]);
    assert.ok(addSwab(tube("S1", 1), swab("a", { householdId: "h1", pool: sealedZone })).ok);
  });
  test("a controlled-zone resident (10合1) cannot go into a 20-in-1 tube, but may go into a 10 or a 5", () => {
    const controlled = poolRuleFor({ areaKinds: ["controlled"] }, policy);
    assert.deepEqual(codes(addSwab(tube("T4", 20), swab("a", { pool: controlled }))), [
      "nat.pool_size_mismatch",
    ]);
    assert.ok(addSwab(tube("T5", 10), swab("a", { pool: controlled })).ok);
    assert.ok(addSwab(tube("T6", 5), swab("a", { pool: controlled })).ok);
  });
});

describe("scanning and sealing tubes: 「a tube scanned twice」 (issue 5, Deliver 6)", () => {
  test("a sealed tube cannot be opened again: nat.tube_scanned_twice, naming when it was sealed", () => {
    const sealed = ok(sealTube(fill(tube("T7", 10), 3), at));
    const r = openTube({ barcode: "T7", roundId: "r1", size: 10, mode: "pool" }, sealed, policy);
    assert.deepEqual(codes(r), ["nat.tube_scanned_twice"]);
    if (!r.ok) assert.match(r.errors[0]!.message.en, /sealed at 2022-04-04T00:00:00.000Z/);
  });
  test("the barcode of a tube still open in this round resumes it", () => {
    const open = fill(tube("T8", 10), 3);
    const r = ok(openTube({ barcode: "T8", roundId: "r1", size: 10, mode: "pool" }, open, policy));
    assert.equal(r.resumed, true);
    assert.equal(r.tube.members.length, 3);
  });
  test("a tube of another round, or scanned again as another size, is refused", () => {
    const open = tube("T9", 10);
    assert.deepEqual(
      codes(openTube({ barcode: "T9", roundId: "r2", size: 10, mode: "pool" }, open, policy)),
      ["nat.tube_other_round"],
    );
    assert.deepEqual(
      codes(openTube({ barcode: "T9", roundId: "r1", size: 20, mode: "pool" }, open, policy)),
      ["nat.tube_size_changed"],
    );
  });
  test("only the sizes the policy allows (1, 5, 10, 20), and barcodes of letters, digits and hyphens", () => {
    assert.deepEqual(
      codes(openTube({ barcode: "T10", roundId: "r1", size: 8, mode: "pool" }, undefined, policy)),
      ["nat.pool_size_not_allowed"],
    );
    assert.deepEqual(
      codes(openTube({ barcode: "T 10", roundId: "r1", size: 10, mode: "pool" }, undefined, policy)),
      ["nat.invalid_barcode"],
    );
  });
  test("an empty tube cannot be sealed; a sealed tube cannot be sealed again or take another swab", () => {
    assert.deepEqual(codes(sealTube(tube("T11", 10), at)), ["nat.tube_empty"]);
    const sealed = ok(sealTube(fill(tube("T12", 10), 1), at));
    assert.deepEqual(codes(sealTube(sealed, at)), ["nat.tube_scanned_twice"]);
    assert.deepEqual(codes(addSwab(sealed, swab("x"))), ["nat.tube_sealed"]);
  });
});
