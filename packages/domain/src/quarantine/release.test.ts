/**
 * Release from quarantine: the Done-when at domain level, the 9th edition's secondary-contact
 * rule, and bad input.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { decideMeasures, type PersonFacts } from "../policies/engine.ts";
import { shippedPacks } from "../policies/shipped-packs.fixture.ts";
import type { Validated } from "../shared/result.ts";
import { decideRelease, describeTransition, type TestResult } from "./release.ts";
import { type Course, schedule, type StartFacts } from "./schedule.ts";

const packs = shippedPacks();

function ok<T>(v: Validated<T>): T {
  assert.ok(v.ok, JSON.stringify(v));
  if (!v.ok) throw new Error("unreachable");
  return v.value;
}

/** The course the engine's decision gives: decideMeasures with the shipped packs, then schedule. */
function courseFor(arrivalAt: string, region: string, facts: PersonFacts, start: StartFacts): Course {
  const d = decideMeasures({ facts, arrivalAt, destinationRegion: region, riskAreas: [], packs });
  assert.equal(d.status, "decided", JSON.stringify(d));
  if (d.status !== "decided") throw new Error("unreachable");
  return ok(schedule(d.measures, start));
}

const negatives = (dates: string[]): TestResult[] => dates.map((date) => ({ date, result: "negative" }));
const codes = (d: ReturnType<typeof decideRelease>) =>
  d.ok && d.value.status === "not_yet" ? d.value.unmet.map((u) => u.code) : [];

describe("Done when: the same close contact under the 9th edition and under Qilin 2020", () => {
  // "Placed today": the test's today is 2022-08-01 (9th edition) and 2021-01-05 (Qilin), exposed that morning.
  test("9th edition 「7 d centralized + 3 d home health monitoring. Tests on centralized days 1, 2, 3, 5, 7 and home-monitoring day 3」: tests days 1, 2, 3, 5, 7 and home day 3; released on day 7 after negatives, then home monitoring ends on home day 3", () => {
    const c = courseFor(
      "2022-08-01T20:00",
      "110105",
      { contacts: [{ kind: "close", lastExposureAt: "2022-08-01T09:00" }] },
      { lastExposureAt: "2022-08-01T09:00", placedAt: "2022-08-01T21:00" },
    );
    assert.deepEqual(
      c.appointments.map((a) => `${a.phase}:${a.dayNumber}`),
      [
        "centralized_quarantine:1",
        "centralized_quarantine:2",
        "centralized_quarantine:3",
        "centralized_quarantine:5",
        "centralized_quarantine:7",
        "home_health_monitoring:3",
      ],
    );
    const results = negatives(["2022-08-02", "2022-08-03", "2022-08-04", "2022-08-06"]);
    // Day 6: one day short, the day-7 test not yet due.
    assert.deepEqual(codes(decideRelease(c, { on: "2022-08-07", results })), [
      "days_completed",
      "test_not_due",
    ]);
    // Day 7, sample taken, result pending.
    const pending = decideRelease(c, {
      on: "2022-08-08",
      results: [...results, { date: "2022-08-08", result: "pending" }],
    });
    assert.deepEqual(codes(pending), ["test_pending"]);
    // Day 7 negative: released on schedule, on to home health monitoring.
    const all = [...results, ...negatives(["2022-08-08"])];
    const r = ok(decideRelease(c, { on: "2022-08-08", results: all }));
    assert.equal(r.status, "releasable");
    if (r.status !== "releasable") return;
    assert.deepEqual(r.from, ["centralized_quarantine"]);
    assert.deepEqual(r.next, {
      kind: "home_health_monitoring",
      days: 3,
      start: "2022-08-09",
      end: "2022-08-11",
    });
    assert.equal(describeTransition(r).zh, "解除集中隔离，转居家健康监测（2022-08-09～2022-08-11）");
    // The whole course ends after the home day-3 test.
    assert.deepEqual(codes(decideRelease(c, { on: "2022-08-10", results: all }, "course")), [
      "days_completed",
      "test_not_due",
    ]);
    const end = ok(
      decideRelease(c, { on: "2022-08-11", results: [...all, ...negatives(["2022-08-11"])] }, "course"),
    );
    assert.equal(end.status, "releasable");
    if (end.status === "releasable") assert.equal(end.next, null);
  });

  test("Qilin 2020 「密切接触者…一律集中隔离14天,三次核酸检测阴性解除隔离」: 14 days, released after 3 negatives", () => {
    const c = courseFor(
      "2021-01-05T20:00",
      "530302",
      { contacts: [{ kind: "close", lastExposureAt: "2021-01-05T09:00" }] },
      { lastExposureAt: "2021-01-05T09:00", placedAt: "2021-01-05T21:00" },
    );
    assert.deepEqual(
      c.phases.map((p) => [p.kind, p.days, p.start, p.end]),
      [["centralized_quarantine", 14, "2021-01-06", "2021-01-19"]],
    );
    const three = negatives(["2021-01-06", "2021-01-12", "2021-01-18"]);
    assert.deepEqual(codes(decideRelease(c, { on: "2021-01-18", results: three })), ["days_completed"]);
    assert.deepEqual(codes(decideRelease(c, { on: "2021-01-19", results: three.slice(0, 2) })), [
      "negative_tests",
    ]);
    const r = ok(decideRelease(c, { on: "2021-01-19", results: three }));
    assert.equal(r.status, "releasable");
    if (r.status === "releasable") {
      assert.equal(r.next, null);
      assert.ok(r.met.some((m) => m.message.zh === "需 3 次核酸检测阴性，已有 3 次"));
    }
  });
});

describe("9th edition secondary contacts 「the linked close contact's first two tests」", () => {
  const c = () =>
    courseFor(
      "2022-08-01T20:00",
      "110105",
      { contacts: [{ kind: "secondary", lastExposureAt: "2022-08-01" }] },
      { lastExposureAt: "2022-08-01", placedAt: "2022-08-01" },
    );
  const own = negatives(["2022-08-02", "2022-08-05", "2022-08-08"]);

  test("「A secondary contact is released on day 7 if all of their own tests are negative and the linked close contact's first two tests are negative」", () => {
    const r = ok(
      decideRelease(c(), {
        on: "2022-08-08",
        results: own,
        linkedCloseContactResults: negatives(["2022-08-02", "2022-08-03"]),
      }),
    );
    assert.equal(r.status, "releasable");
  });

  test("only one of the linked close contact's results back: not yet, and it says so in both languages", () => {
    const r = ok(
      decideRelease(c(), {
        on: "2022-08-08",
        results: own,
        linkedCloseContactResults: negatives(["2022-08-02"]),
      }),
    );
    assert.equal(r.status, "not_yet");
    if (r.status !== "not_yet") return;
    assert.deepEqual(
      r.unmet.map((u) => u.message),
      [
        {
          zh: "关联密接者前 2 次检测阴性：已有 1 次",
          en: "the linked close contact's first 2 tests negative: 1 so far",
        },
      ],
    );
  });

  test("「If the linked close contact is positive in those first two tests, the secondary contact is upgraded to close contact」", () => {
    const r = ok(
      decideRelease(c(), {
        on: "2022-08-05",
        results: own.slice(0, 2),
        linkedCloseContactResults: [
          { date: "2022-08-02", result: "negative" },
          { date: "2022-08-03", result: "positive" },
        ],
      }),
    );
    assert.equal(r.status, "upgrade_to_close_contact");
  });

  test("a positive on the linked contact's third test does not upgrade (only the first two count)", () => {
    const r = ok(
      decideRelease(c(), {
        on: "2022-08-08",
        results: own,
        linkedCloseContactResults: [
          ...negatives(["2022-08-02", "2022-08-03"]),
          { date: "2022-08-05", result: "positive" },
        ],
      }),
    );
    assert.equal(r.status, "releasable");
  });

  test("a positive result of the person's own stops release", () => {
    const r = ok(
      decideRelease(c(), { on: "2022-08-05", results: [{ date: "2022-08-05", result: "positive" }] }),
    );
    assert.equal(r.status, "positive");
  });

  test("a missed day-4 test is named", () => {
    const r = decideRelease(c(), {
      on: "2022-08-08",
      results: negatives(["2022-08-02", "2022-08-08"]),
      linkedCloseContactResults: negatives(["2022-08-02", "2022-08-03"]),
    });
    assert.deepEqual(codes(r), ["test_missing"]);
    assert.ok(
      r.ok &&
        r.value.status === "not_yet" &&
        r.value.unmet[0]?.message.en === "day 4 (2022-08-05) test: no result (missed?)",
    );
  });
});

describe("bad input", () => {
  const c = () =>
    courseFor(
      "2022-08-01T20:00",
      "110105",
      { contacts: [{ kind: "close", lastExposureAt: "2022-08-01" }] },
      { lastExposureAt: "2022-08-01", placedAt: "2022-08-01T21:00" },
    );

  test("a release dated before the course starts is refused in both languages", () => {
    const r = decideRelease(c(), { on: "2022-07-31", results: [] });
    assert.ok(!r.ok);
    if (r.ok) return;
    assert.deepEqual(r.errors[0], {
      field: "on",
      code: "release.before_start",
      message: {
        zh: "解除日期 2022-07-31 早于隔离开始日期 2022-08-01",
        en: "the release date 2022-07-31 is before the course starts on 2022-08-01",
      },
    });
  });

  test("a result dated before the course starts (the person was not there) is refused", () => {
    const r = decideRelease(c(), { on: "2022-08-08", results: negatives(["2022-07-30"]) });
    assert.ok(!r.ok);
    if (r.ok) return;
    assert.equal(r.errors[0]?.field, "results[0].date");
    assert.equal(r.errors[0]?.code, "result.before_course");
    assert.match(r.errors[0]?.message.zh ?? "", /早于隔离开始日期 2022-08-01/);
  });

  test("a contact found late (placed 08-04): a result dated 08-03, before placement, is refused; the day-1 and day-2 tests are not required", () => {
    const late = courseFor(
      "2022-08-01T20:00",
      "110105",
      { contacts: [{ kind: "close", lastExposureAt: "2022-08-01" }] },
      { lastExposureAt: "2022-08-01", placedAt: "2022-08-04T10:00" },
    );
    const r = decideRelease(late, { on: "2022-08-08", results: negatives(["2022-08-03"]) });
    assert.ok(!r.ok && r.errors[0]?.code === "result.before_course");
    const ok8 = ok(
      decideRelease(late, {
        on: "2022-08-08",
        results: negatives(["2022-08-04", "2022-08-06", "2022-08-08"]),
      }),
    );
    assert.equal(ok8.status, "releasable");
    if (ok8.status === "releasable") {
      assert.deepEqual(
        ok8.met.filter((m) => m.code === "test_before_placement").map((m) => m.message.en),
        [
          "day 1 (2022-08-02) test falls before placement and is not required",
          "day 2 (2022-08-03) test falls before placement and is not required",
        ],
      );
    }
  });

  test("a result dated after the day asked about, or not a date, is refused", () => {
    const r = decideRelease(c(), { on: "2022-08-03", results: negatives(["2022-08-04", "2022-13-01"]) });
    assert.ok(!r.ok);
    if (!r.ok)
      assert.deepEqual(
        r.errors.map((e) => e.code),
        ["result.after_date", "result.invalid_date"],
      );
  });
});
