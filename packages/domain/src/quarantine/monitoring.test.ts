/**
 * Daily health monitoring: fever and symptom alerts, impossible readings, twice-daily cut-offs.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { assessReport, FEVER_THRESHOLD_C, missingReports } from "./monitoring.ts";

const report = (temperatureC: number, symptoms: string[] = []) => ({
  personId: "p1",
  at: "2022-08-03T08:10",
  temperatureC,
  symptoms,
});

describe("temperature and symptom reports", () => {
  test("测温「≥ 37.3 °C counts as fever」: 37.3 raises a fever alert, 37.2 does not", () => {
    assert.equal(FEVER_THRESHOLD_C, 37.3);
    const fever = assessReport(report(37.3));
    assert.ok(fever.ok);
    if (fever.ok) {
      assert.equal(fever.value.length, 1);
      assert.deepEqual(fever.value[0]?.message, {
        zh: "发热：体温 37.3 °C（≥ 37.3 °C）",
        en: "fever: 37.3 °C (at or above 37.3 °C)",
      });
    }
    assert.deepEqual(assessReport(report(37.2)), { ok: true, value: [] });
  });

  test("the threshold is a parameter: at 37.5 °C, 37.3 raises nothing", () => {
    assert.deepEqual(assessReport(report(37.3), { feverThresholdC: 37.5 }), { ok: true, value: [] });
  });

  test("a listed symptom raises an alert with a normal temperature; symptoms not in the alert list do not", () => {
    const r = assessReport(report(36.5, ["dry_cough", "muscle_ache"]), { alertSymptoms: ["dry_cough"] });
    assert.ok(r.ok);
    if (r.ok)
      assert.deepEqual(
        r.value.map((a) => a.message.zh),
        ["症状：干咳"],
      );
  });

  test("52 °C is refused as impossible, in both languages; so are 33.9 °C and an unknown symptom", () => {
    const r = assessReport(report(52));
    assert.ok(!r.ok);
    if (!r.ok) {
      assert.deepEqual(r.errors[0], {
        field: "temperatureC",
        code: "report.temperature_impossible",
        message: {
          zh: "体温 52 °C 不可能（有效范围 34～43 °C），请复测后重新填写",
          en: "a temperature of 52 °C is impossible (valid range 34–43 °C); measure again and re-enter",
        },
      });
    }
    assert.ok(!assessReport(report(33.9)).ok);
    const s = assessReport(report(36.5, ["headache!"]));
    assert.ok(!s.ok && s.errors[0]?.field === "symptoms[0]");
  });
});

describe("twice-daily reporting cut-offs", () => {
  const people = ["a", "b", "c"];
  const reports = [
    { personId: "a", at: "2022-08-03T07:50" },
    { personId: "b", at: "2022-08-03T10:20" }, // late for the morning
    { personId: "a", at: "2022-08-03T15:00" },
    { personId: "a", at: "2022-08-02T20:00" }, // yesterday: does not count
  ];

  test("at 09:00 nobody is missing yet; at 10:30 b and c missed the 10:00 cut-off", () => {
    assert.deepEqual(missingReports(people, reports, "2022-08-03T09:00"), { ok: true, value: [] });
    const r = missingReports(people, reports, "2022-08-03T10:30");
    assert.ok(r.ok);
    if (r.ok) {
      assert.deepEqual(
        r.value.map((m) => [m.personId, m.cutoff]),
        [
          ["b", "10:00"],
          ["c", "10:00"],
        ],
      );
      assert.equal(r.value[0]?.message.zh, "2022-08-03 10:00 前未报告体温和症状");
    }
  });

  test("at 18:30 the afternoon slot counts reports after 10:00 only: b (10:20) and a are fine, c is missing twice", () => {
    const r = missingReports(people, reports, "2022-08-03T18:30");
    assert.ok(r.ok);
    if (r.ok) {
      assert.deepEqual(
        r.value.map((m) => `${m.personId}@${m.cutoff}`),
        ["b@10:00", "c@10:00", "c@18:00"],
      );
    }
  });

  test("cut-offs are parameters (08:00: a reported at 07:50, b and c did not); out-of-order or malformed ones are refused", () => {
    const r = missingReports(people, reports, "2022-08-03T08:30", ["08:00", "20:00"]);
    assert.ok(r.ok && r.value.map((m) => m.personId).join() === "b,c");
    const bad = missingReports(people, reports, "2022-08-03T08:30", ["12:00", "08:00", "25:00"]);
    assert.ok(!bad.ok);
    if (!bad.ok)
      assert.deepEqual(
        bad.errors.map((e) => e.field),
        ["cutoffs[1]", "cutoffs[2]"],
      );
  });
});
