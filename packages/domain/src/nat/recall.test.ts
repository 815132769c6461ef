/**
 * Recall lists (issue 5: 「A positive pool puts every member on a recall list for single-tube retest …,
 * grouped by community with a deadline」).
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { DEFAULT_NAT_POLICY as policy, type NatPolicy } from "./policy.ts";
import { communityOf, recallLists } from "./recall.ts";

const t0 = new Date("2022-04-04T14:00:00+08:00");
const later = new Date("2022-04-04T15:00:00+08:00");
// Two communities of 宁夏 同心县 豫海镇 (640324100), as 12-digit codes, and a grid in the first.
const A = "640324100001";
const B = "640324100002";
const gridOfA = `${A}003`;

describe("recall lists from positive pools", () => {
  test("members are grouped by the community of their address (a grid counts in its community)", () => {
    const r = recallLists(
      [
        {
          barcode: "T1",
          resultAt: t0,
          members: [
            { personId: "a1", addressCode: A },
            { personId: "a2", addressCode: gridOfA },
            { personId: "b1", addressCode: B },
          ],
        },
      ],
      policy,
    );
    assert.deepEqual(
      r.groups.map((g) => [g.communityCode, g.members.map((m) => m.personId)]),
      [
        [A, ["a1", "a2"]],
        [B, ["b1"]],
      ],
    );
    assert.equal(r.people, 3);
  });
  test("each group is due the policy's hours after the positive result (default 2 h)", () => {
    const r = recallLists(
      [{ barcode: "T1", resultAt: t0, members: [{ personId: "a1", addressCode: A }] }],
      policy,
    );
    assert.equal(r.groups[0]!.deadline.toISOString(), "2022-04-04T08:00:00.000Z");
    const sixHours: NatPolicy = { ...policy, recall: { deadlineHours: 6 } };
    assert.equal(recallLists([{ barcode: "T1", resultAt: t0, members: [] }], sixHours).groups.length, 0);
    const r6 = recallLists(
      [{ barcode: "T1", resultAt: t0, members: [{ personId: "a1", addressCode: A }] }],
      sixHours,
    );
    assert.equal(r6.groups[0]!.deadline.toISOString(), "2022-04-04T12:00:00.000Z");
  });
  test("the earliest deadline comes first, then the biggest group", () => {
    const r = recallLists(
      [
        {
          barcode: "LATE",
          resultAt: later,
          members: ["x1", "x2", "x3"].map((personId) => ({ personId, addressCode: "640324100009" })),
        },
        { barcode: "EARLY1", resultAt: t0, members: [{ personId: "b1", addressCode: B }] },
        {
          barcode: "EARLY2",
          resultAt: t0,
          members: [
            { personId: "a1", addressCode: A },
            { personId: "a2", addressCode: A },
          ],
        },
      ],
      policy,
    );
    assert.deepEqual(
      r.groups.map((g) => g.communityCode),
      [A, B, "640324100009"],
    );
  });
  test("a person in two positive pools is listed once, with both barcodes and the earlier deadline", () => {
    const r = recallLists(
      [
        { barcode: "T2", resultAt: later, members: [{ personId: "a1", addressCode: A }] },
        { barcode: "T1", resultAt: t0, members: [{ personId: "a1", addressCode: A }] },
      ],
      policy,
    );
    assert.equal(r.people, 1);
    assert.deepEqual(r.groups[0]!.members[0]!.barcodes, ["T1", "T2"]);
    assert.equal(r.groups[0]!.deadline.getTime(), t0.getTime() + 2 * 3_600_000);
  });
  test("members whose address has no community code are listed in a group of their own, last, and counted", () => {
    const r = recallLists(
      [
        {
          barcode: "T1",
          resultAt: t0,
          members: [
            { personId: "u1", addressCode: null },
            { personId: "u2", addressCode: "640324" },
            { personId: "a1", addressCode: A },
          ],
        },
      ],
      policy,
    );
    assert.deepEqual(
      r.groups.map((g) => g.communityCode),
      [null, A],
      "the bigger group first at the same deadline",
    );
    assert.equal(r.unplaced, 2);
    assert.match(r.message.en, /2 with no community code/);
  });
  test("communityOf: 12 digits are a community, 15 a grid in one, anything else none", () => {
    assert.equal(communityOf(A), A);
    assert.equal(communityOf(gridOfA), A);
    assert.equal(communityOf("640324100"), null);
    assert.equal(communityOf("64032410000x"), null);
  });
});
