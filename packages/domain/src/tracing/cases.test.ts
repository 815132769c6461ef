import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { checkNewCase, lookBackStart, lookBackWindow, type NewCaseInput, type TracingCase } from "./cases.ts";
import { DEFAULT_TRACING_POLICY } from "./policy.ts";

const now = new Date("2022-04-06T10:00:00+08:00");

const mild: NewCaseInput = {
  personId: "p-1",
  classification: "confirmed_mild",
  foundBy: "fever_clinic",
  source: "local",
  onsetDate: "2022-04-03",
  samplingDate: "2022-04-04",
  reportedAt: new Date("2022-04-05T08:00:00+08:00"),
  confirmedAt: new Date("2022-04-05T07:30:00+08:00"),
};

const ok = (input: NewCaseInput): TracingCase => {
  const r = checkNewCase(input, now);
  assert.ok(r.ok, JSON.stringify(!r.ok && r.errors));
  return r.value;
};
const codes = (input: NewCaseInput) => {
  const r = checkNewCase(input, now);
  assert.ok(!r.ok, "expected a refusal");
  return r.errors.map((e) => `${e.field}:${e.code}`);
};

describe("a new case", () => {
  test("a mild confirmed case found at a fever clinic, with onset and sampling dates, is accepted", () => {
    const c = ok(mild);
    assert.equal(c.classification, "confirmed_mild");
    assert.equal(c.onsetDate, "2022-04-03");
    assert.equal(c.linkedCaseId, null);
  });

  test("an unknown classification, finding or source is refused, each on its field, in zh and en", () => {
    const r = checkNewCase({ ...mild, classification: "probable", foundBy: "rumour", source: "abroad" }, now);
    assert.ok(!r.ok);
    assert.deepEqual(
      r.errors.map((e) => e.field),
      ["classification", "foundBy", "source"],
    );
    assert.match(r.errors[0]!.message.zh, /疑似病例/);
    assert.match(r.errors[0]!.message.en, /suspected/);
  });

  test("an onset date tomorrow (Beijing) and a report time in the future are refused as dates in the future", () => {
    assert.deepEqual(
      codes({ ...mild, onsetDate: "2022-04-07", reportedAt: new Date("2022-04-06T11:00:00+08:00") }),
      ["onsetDate:case.future_date", "reportedAt:case.future_time"],
    );
  });

  test("onset after the confirmation is refused; onset on the day of confirmation is not", () => {
    assert.deepEqual(
      codes({ ...mild, onsetDate: "2022-04-06", confirmedAt: new Date("2022-04-05T23:00:00+08:00") }),
      ["onsetDate:case.onset_after_confirmation"],
    );
    ok({ ...mild, onsetDate: "2022-04-05" });
  });

  test("30 February is not a date", () => {
    assert.deepEqual(codes({ ...mild, onsetDate: "2022-02-30" }), ["onsetDate:case.invalid_date"]);
  });

  test("an asymptomatic infection has no onset date and needs its sampling date", () => {
    const asym = { ...mild, classification: "asymptomatic", onsetDate: null };
    ok(asym);
    assert.deepEqual(codes({ ...asym, onsetDate: "2022-04-03" }), ["onsetDate:case.onset_on_asymptomatic"]);
    assert.deepEqual(codes({ ...asym, samplingDate: null }), ["samplingDate:case.sampling_required"]);
  });

  test("a suspected case has no confirmation time; a confirmed one must have it", () => {
    ok({ ...mild, classification: "suspected", confirmedAt: null });
    assert.deepEqual(codes({ ...mild, classification: "suspected" }), [
      "confirmedAt:case.suspected_confirmed",
    ]);
    assert.deepEqual(codes({ ...mild, confirmedAt: null }), ["confirmedAt:case.confirmation_required"]);
  });

  test("a case with neither onset nor sampling date cannot open a look-back window", () => {
    assert.deepEqual(codes({ ...mild, onsetDate: null, samplingDate: null }), [
      "onsetDate:case.no_anchor_date",
    ]);
  });

  test("a last negative test on or after the positive sampling is refused", () => {
    assert.deepEqual(codes({ ...mild, lastNegativeSamplingDate: "2022-04-04" }), [
      "lastNegativeSamplingDate:case.last_negative_not_before_positive",
    ]);
  });

  test("a linked case names its source case, and not itself", () => {
    assert.deepEqual(codes({ ...mild, source: "linked" }), ["linkedCaseId:case.linked_case_required"]);
    assert.deepEqual(codes({ ...mild, source: "linked", linkedCaseId: "p-1" }), [
      "linkedCaseId:case.linked_to_itself",
    ]);
    assert.equal(ok({ ...mild, source: "linked", linkedCaseId: "p-0" }).linkedCaseId, "p-0");
  });
});

describe("the look-back window (追溯期)", () => {
  test("a symptomatic case is traced from 2 days before onset (9th edition, Annex 4)", () => {
    const s = lookBackStart(ok(mild), DEFAULT_TRACING_POLICY)!;
    assert.equal(s.date, "2022-04-01");
    assert.equal(s.basis, "onset");
    assert.equal(s.startsAt.toISOString(), "2022-03-31T16:00:00.000Z");
    assert.match(s.explanation.zh, /发病日 2022-04-03 前 2 天/);
  });

  test("a pack that sets 4 days traces from 4 days before onset", () => {
    const four = { ...DEFAULT_TRACING_POLICY, lookBack: { days: 4, fromLastNegativeForScreening: true } };
    assert.equal(lookBackStart(ok(mild), four)!.date, "2022-03-30");
  });

  test("an asymptomatic infection is traced from 2 days before its positive sampling", () => {
    const s = lookBackStart(
      ok({ ...mild, classification: "asymptomatic", onsetDate: null }),
      DEFAULT_TRACING_POLICY,
    )!;
    assert.equal(s.date, "2022-04-02");
    assert.equal(s.basis, "sampling");
  });

  test("a case found by routine screening, negative the day before, is traced from that last negative sampling", () => {
    const screened = ok({
      ...mild,
      classification: "asymptomatic",
      onsetDate: null,
      foundBy: "screening",
      lastNegativeSamplingDate: "2022-04-03",
    });
    const s = lookBackStart(screened, DEFAULT_TRACING_POLICY)!;
    assert.equal(s.date, "2022-04-03");
    assert.equal(s.basis, "last_negative");
    const older = lookBackStart(
      { ...screened, lastNegativeSamplingDate: "2022-03-28" },
      DEFAULT_TRACING_POLICY,
    )!;
    assert.equal(older.date, "2022-04-02", "a last negative before the 2-day window does not widen it");
    const notScreening = lookBackStart({ ...screened, foundBy: "fever_clinic" }, DEFAULT_TRACING_POLICY)!;
    assert.equal(notScreening.basis, "sampling");
  });

  test("the window ends at the case's isolation, or runs to now while the case is not isolated", () => {
    const c = ok(mild);
    assert.equal(lookBackWindow(c, DEFAULT_TRACING_POLICY, now)!.endBasis, "now");
    const isolatedAt = new Date("2022-04-05T09:00:00+08:00");
    const w = lookBackWindow({ ...c, isolatedAt }, DEFAULT_TRACING_POLICY, now)!;
    assert.equal(w.end, isolatedAt);
    assert.equal(w.endBasis, "isolation");
  });
});
