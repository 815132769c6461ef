/**
 * Lab results (issue 5, Deliver 2 and 6): a result file's columns and rows, and what one result does.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Validated } from "../shared/result.ts";
import {
  applyLabResult,
  checkLabFileHeader,
  checkLabResult,
  type LabResult,
  type LabResultInput,
  parseLabRow,
  type TubeState,
} from "./lab-results.ts";
import { DEFAULT_NAT_POLICY as policy } from "./policy.ts";
import type { Tube } from "./pooling.ts";

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

const sampledAt = new Date("2022-04-04T08:00:00+08:00");
const deadline = new Date("2022-04-05T08:00:00+08:00");
const tubeOf = (barcode: string, people: string[]): Tube => ({
  barcode,
  roundId: "r1",
  size: people.length > 1 ? 10 : 1,
  mode: "pool",
  householdId: null,
  members: people.map((personId) => ({ personId, householdId: null, sampledAt })),
  sealedAt: sampledAt,
});
const input = (over: Partial<LabResultInput> = {}): LabResultInput => ({
  barcode: "T1",
  call: "阴性",
  ct: { orf1ab: null, n: null },
  testedAt: new Date("2022-04-04T12:00:00+08:00"),
  lab: "宁夏第一检测所",
  ...over,
});
const result = (over: Partial<LabResultInput> = {}): LabResult =>
  ok(checkLabResult(input(over), new Date("2022-04-04T13:00:00+08:00"), policy));
const state = (tube: Tube | undefined, over: Partial<TubeState> = {}): TubeState => ({
  tube,
  current: null,
  roundDeadline: deadline,
  receivedAt: new Date("2022-04-04T13:00:00+08:00"),
  ...over,
});
const ten = Array.from({ length: 10 }, (_, i) => `p${i}`);

describe("issue 5: 「A negative tube closes its members' tests … a positive pool puts every member on a recall list」", () => {
  test("a negative pool of ten closes all ten people's tests", () => {
    const o = ok(applyLabResult(result(), state(tubeOf("T1", ten))));
    assert.equal(o.status, "recorded");
    if (o.status === "recorded") assert.deepEqual(o.effect, { kind: "tests_closed", personIds: ten });
  });
  test("a positive single tube makes its person a case candidate for investigation", () => {
    const o = ok(
      applyLabResult(result({ call: "阳性", ct: { orf1ab: 28.1, n: 26.4 } }), state(tubeOf("T1", ["alice"]))),
    );
    assert.ok(o.status === "recorded" && o.effect.kind === "case_candidate" && o.effect.personId === "alice");
  });
  test("a positive pool puts every member on the recall list, isolated in place until the retest is back (Langfang)", () => {
    const o = ok(
      applyLabResult(result({ call: "positive", ct: { orf1ab: 33, n: 31.5 } }), state(tubeOf("T1", ten))),
    );
    assert.equal(o.status, "recorded");
    if (o.status === "recorded") {
      assert.deepEqual(o.effect, { kind: "recall", personIds: ten, isolateInPlace: true });
      assert.equal(o.message.zh, "试管 T1 混管阳性：10 人就地管控，单管复核");
    }
  });
});

describe("issue 5: 「idempotent (re-sending changes nothing), late or conflicting results flagged, unknown tubes reported」", () => {
  test("the same result sent again changes nothing: unchanged", () => {
    const r = result({ call: "阳性", ct: { orf1ab: 30, n: 29 } });
    const o = ok(applyLabResult(r, state(tubeOf("T1", ten), { current: r })));
    assert.equal(o.status, "unchanged");
  });
  test("a different result for a tube that has one is a conflict kept for review; the first one stays", () => {
    const first = result();
    const second = result({ call: "阳性", ct: { orf1ab: 30, n: null } });
    const o = ok(applyLabResult(second, state(tubeOf("T1", ten), { current: first })));
    assert.equal(o.status, "conflict");
    if (o.status === "conflict") {
      assert.deepEqual(o.differs, ["call", "ct"]);
      assert.equal(o.current, first);
    }
  });
  test("the same call from another lab is a conflict too (which lab tested the tube is in doubt)", () => {
    const o = ok(
      applyLabResult(result({ lab: "另一检测所" }), state(tubeOf("T1", ten), { current: result() })),
    );
    assert.ok(o.status === "conflict" && o.differs.join() === "lab");
  });
  test("a result received exactly at the round's deadline is on time; a millisecond later it is late", () => {
    const onTime = ok(applyLabResult(result(), state(tubeOf("T1", ten), { receivedAt: deadline })));
    assert.ok(onTime.status === "recorded" && onTime.late === false);
    const late = ok(
      applyLabResult(result(), state(tubeOf("T1", ten), { receivedAt: new Date(deadline.getTime() + 1) })),
    );
    assert.ok(late.status === "recorded" && late.late === true);
    if (late.status === "recorded") assert.match(late.message.en, /after the round's deadline/);
  });
  test("an unknown barcode is reported, not recorded", () => {
    const o = ok(applyLabResult(result({ barcode: "NOPE1" }), state(undefined)));
    assert.equal(o.status, "unknown_tube");
    assert.equal(o.message.zh, "未找到条码为 NOPE1 的试管");
  });
  test("a result tested before the tube's first swab is refused", () => {
    const early = result({ testedAt: new Date("2022-04-04T07:59:59+08:00") });
    assert.deepEqual(codes(applyLabResult(early, state(tubeOf("T1", ten)))), ["nat.tested_before_sampling"]);
  });
});

describe("Ct values: positive, at most the policy's ctMax (40); the lab's call is kept", () => {
  const received = new Date("2022-04-04T13:00:00+08:00");
  test("Ct 40 is accepted, 40.1 and 0 are not", () => {
    assert.ok(checkLabResult(input({ call: "阳性", ct: { orf1ab: 40, n: 38 } }), received, policy).ok);
    assert.deepEqual(codes(checkLabResult(input({ ct: { orf1ab: 40.1, n: null } }), received, policy)), [
      "nat.ct_out_of_range",
    ]);
    assert.deepEqual(codes(checkLabResult(input({ ct: { orf1ab: null, n: 0 } }), received, policy)), [
      "nat.ct_out_of_range",
    ]);
  });
  test("a positive call without any Ct value is kept, with a note", () => {
    const r = ok(checkLabResult(input({ call: "positive" }), received, policy));
    assert.equal(r.call, "positive");
    assert.equal(r.notes[0]?.en, "the lab calls it positive but reports no Ct value");
  });
  test("a negative call with both genes detected is kept as negative, with a note", () => {
    const r = ok(checkLabResult(input({ ct: { orf1ab: 38, n: 39 } }), received, policy));
    assert.equal(r.call, "negative");
    assert.equal(r.notes.length, 1);
  });
  test("an unknown call, a time after receipt and a missing lab are refused together", () => {
    const bad = input({ call: "可疑", testedAt: new Date(received.getTime() + 1), lab: " " });
    assert.deepEqual(codes(checkLabResult(bad, received, policy)), [
      "nat.invalid_call",
      "nat.tested_in_future",
      "nat.invalid_lab",
    ]);
  });
});

describe("issue 5 Deliver 6: 「a result file with wrong columns → clear errors」", () => {
  test("the six columns in any order, Chinese headings accepted", () => {
    const cols = ok(checkLabFileHeader(["结果", "试管条码", "ct_orf1ab", "ct_n", "检测时间", "实验室"]));
    assert.equal(cols.barcode, 1);
    assert.equal(cols.result, 0);
  });
  test("a missing column, an unknown one and a duplicate are each named", () => {
    const r = checkLabFileHeader(["barcode", "result", "ct", "tested_at", "lab", "barcode"]);
    assert.deepEqual(codes(r), [
      "nat.file_unknown_column",
      "nat.file_duplicate_column",
      "nat.file_missing_columns",
    ]);
    if (!r.ok) assert.equal(r.errors[2]!.message.en, "the result file lacks the columns ct_orf1ab, ct_n");
  });
  test("a row: Beijing time without an offset, an empty Ct cell is not detected", () => {
    const cols = ok(checkLabFileHeader(["barcode", "result", "ct_orf1ab", "ct_n", "tested_at", "lab"]));
    const row = ok(parseLabRow(["T1", "阳性", "31.2", "", "2022-04-04T12:00", "某检测所"], cols, 2));
    assert.deepEqual(row.ct, { orf1ab: 31.2, n: null });
    assert.equal(row.testedAt.toISOString(), "2022-04-04T04:00:00.000Z");
  });
  test("a row's time written with a space, as spreadsheets export it, is the same Beijing time", () => {
    const cols = ok(checkLabFileHeader(["barcode", "result", "ct_orf1ab", "ct_n", "tested_at", "lab"]));
    const row = ok(parseLabRow(["T1", "阴性", "", "", "2022-04-04 12:00:30", "某检测所"], cols, 2));
    assert.equal(row.testedAt.toISOString(), "2022-04-04T04:00:30.000Z");
  });
  test("a row with a Ct that is not a number and a bad time names the row", () => {
    const cols = ok(checkLabFileHeader(["barcode", "result", "ct_orf1ab", "ct_n", "tested_at", "lab"]));
    const r = parseLabRow(["T1", "阳性", "abc", "30", "yesterday", "某检测所"], cols, 7);
    assert.deepEqual(codes(r), ["nat.invalid_ct", "nat.invalid_tested_at"]);
    if (!r.ok) assert.equal(r.errors[0]!.field, "rows[7].ct_orf1ab");
  });
});
