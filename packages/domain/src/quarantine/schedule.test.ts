/**
 * Quarantine courses from the shipped packs: each test quotes the sentence it checks.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type CombinedMeasures, decideMeasures, type PersonFacts } from "../policies/engine.ts";
import { shippedPacks } from "../policies/shipped-packs.fixture.ts";
import type { Validated } from "../shared/result.ts";
import { type Course, reschedule, schedule } from "./schedule.ts";

const packs = shippedPacks();

function measuresFor(arrivalAt: string, region: string, facts: PersonFacts): CombinedMeasures {
  const d = decideMeasures({ facts, arrivalAt, destinationRegion: region, riskAreas: [], packs });
  assert.equal(d.status, "decided", JSON.stringify(d));
  return d.status === "decided" ? d.measures : {};
}

function ok<T>(v: Validated<T>): T {
  assert.ok(v.ok, JSON.stringify(v));
  if (!v.ok) throw new Error("unreachable");
  return v.value;
}

const dates = (c: Course) => c.appointments.map((a) => a.date);

describe("9th edition (national-9th-edition)", () => {
  const close = (exposure: string) =>
    measuresFor(`${exposure}T20:00`, "110105", {
      contacts: [{ kind: "close", lastExposureAt: `${exposure}T09:00` }],
    });

  test("「Quarantine is counted from the last exposure」「7 d centralized + 3 d home health monitoring. Tests on centralized days 1, 2, 3, 5, 7 and home-monitoring day 3, oropharyngeal swab」: exposed and placed on 08-01, tests 08-02, 03, 04, 06, 08 and home day 3 on 08-11", () => {
    const c = ok(
      schedule(close("2022-08-01"), { lastExposureAt: "2022-08-01T09:00", placedAt: "2022-08-01T21:00" }),
    );
    assert.equal(c.anchor, "last_exposure");
    assert.deepEqual(
      c.phases.map((p) => [p.kind, p.start, p.end]),
      [
        ["centralized_quarantine", "2022-08-02", "2022-08-08"],
        ["home_health_monitoring", "2022-08-09", "2022-08-11"],
      ],
    );
    assert.deepEqual(dates(c), [
      "2022-08-02",
      "2022-08-03",
      "2022-08-04",
      "2022-08-06",
      "2022-08-08",
      "2022-08-11",
    ]);
    assert.deepEqual(
      c.appointments.map((a) => [a.phase, a.dayNumber, a.countedFrom]),
      [
        ["centralized_quarantine", 1, "last_exposure"],
        ["centralized_quarantine", 2, "last_exposure"],
        ["centralized_quarantine", 3, "last_exposure"],
        ["centralized_quarantine", 5, "last_exposure"],
        ["centralized_quarantine", 7, "last_exposure"],
        ["home_health_monitoring", 3, "phase_start"],
      ],
    );
    assert.ok(c.appointments.every((a) => a.sample === "oropharyngeal" && a.ruleId === "close-contact-7-3"));
    assert.ok(c.appointments.every((a) => !a.beforePlacement));
  });

  test("the exposure day as day 1 (an option) moves every date one day earlier", () => {
    const c = ok(schedule(close("2022-08-01"), { lastExposureAt: "2022-08-01" }, { exposureDayNumber: 1 }));
    assert.equal(c.phases[0]?.start, "2022-08-01");
    assert.equal(dates(c)[0], "2022-08-01");
  });

  test("a contact found three days late: tests dated before placement are flagged, not dropped", () => {
    const c = ok(
      schedule(close("2022-08-01"), { lastExposureAt: "2022-08-01", placedAt: "2022-08-04T10:00" }),
    );
    assert.deepEqual(
      c.appointments.filter((a) => a.beforePlacement).map((a) => a.date),
      ["2022-08-02", "2022-08-03"],
    );
  });

  test("「7 d home isolation, tests days 1, 4, 7」 a secondary contact exposed 08-01 is tested 08-02, 08-05, 08-08", () => {
    const m = measuresFor("2022-08-01T20:00", "110105", {
      contacts: [{ kind: "secondary", lastExposureAt: "2022-08-01" }],
    });
    const c = ok(schedule(m, { lastExposureAt: "2022-08-01", placedAt: "2022-08-01" }));
    assert.deepEqual(
      c.phases.map((p) => [p.kind, p.start, p.end]),
      [["home_quarantine", "2022-08-02", "2022-08-08"]],
    );
    assert.deepEqual(dates(c), ["2022-08-02", "2022-08-05", "2022-08-08"]);
    assert.equal(c.release.linkedCloseContactNegativeTests, 2);
  });

  test("「from a low-risk area: 2 tests within 3 days (3天2检)」 on the first and the last day of the window", () => {
    const d = decideMeasures({
      facts: { travelHistory: [{ regionCode: "460200", from: "2022-07-28", to: "2022-07-31" }] },
      arrivalAt: "2022-08-01T10:00",
      destinationRegion: "110105",
      riskAreas: [{ regionCode: "460200", level: "low", from: "2022-07-01", to: null }],
      packs,
    });
    assert.equal(d.status, "decided");
    if (d.status !== "decided") return;
    const c = ok(schedule(d.measures, { arrivalAt: "2022-08-01T10:00" }));
    assert.deepEqual(c.phases, []);
    assert.deepEqual(dates(c), ["2022-08-01", "2022-08-03"]);
  });

  test("a last exposure moved from 08-01 to 08-03 moves the end 08-08 → 08-10 and every test, and says why", () => {
    const c = ok(schedule(close("2022-08-01"), { lastExposureAt: "2022-08-01", placedAt: "2022-08-03" }));
    const r = ok(reschedule(c, { lastExposureAt: "2022-08-03" }));
    assert.equal(r.course.phases[0]?.end, "2022-08-10");
    assert.equal(r.course.phases[1]?.end, "2022-08-13");
    assert.deepEqual(dates(r.course), [
      "2022-08-04",
      "2022-08-05",
      "2022-08-06",
      "2022-08-08",
      "2022-08-10",
      "2022-08-13",
    ]);
    const en = r.changes.map((m) => m.en).join("\n");
    assert.match(
      en,
      /last exposure moved from 2022-08-01 to 2022-08-03: centralized quarantine 2022-08-02 to 2022-08-08 → 2022-08-04 to 2022-08-10/,
    );
    assert.match(en, /tests 2022-08-02→2022-08-04/);
    assert.match(r.changes.map((m) => m.zh).join("\n"), /末次暴露日期由 2022-08-01 改为 2022-08-03/);
  });

  test("days are Beijing calendar days: 23:59 on 08-31 Beijing is day 0 = 08-31; 16:30 UTC that day is already 09-01 in Beijing", () => {
    const late = ok(schedule(close("2022-08-31"), { lastExposureAt: "2022-08-31T23:59" }));
    assert.deepEqual([late.phases[0]?.start, late.phases[0]?.end], ["2022-09-01", "2022-09-07"]);
    const utc = ok(schedule(close("2022-08-31"), { lastExposureAt: "2022-08-31T16:30:00Z" }));
    assert.equal(utc.lastExposureOn, "2022-09-01");
    assert.deepEqual([utc.phases[0]?.start, utc.phases[0]?.end], ["2022-09-02", "2022-09-08"]);
  });

  test("a close contact who also flew in from abroad on 08-01: both rules' days kept, one swab on a shared day", () => {
    const m = measuresFor("2022-08-01T20:00", "110105", {
      inboundOverseas: true,
      contacts: [{ kind: "close", lastExposureAt: "2022-08-01T09:00" }],
    });
    const c = ok(schedule(m, { arrivalAt: "2022-08-01T20:00", lastExposureAt: "2022-08-01T09:00" }));
    assert.deepEqual(dates(c), [
      "2022-08-01",
      "2022-08-02",
      "2022-08-03",
      "2022-08-04",
      "2022-08-05",
      "2022-08-06",
      "2022-08-07",
      "2022-08-08",
      "2022-08-11",
    ]);
    const aug2 = c.appointments[1];
    assert.equal(aug2?.ruleId, "close-contact-7-3");
    assert.deepEqual(aug2?.alsoAskedBy, ["inbound-7-3"]);
  });

  test("unchanged facts move nothing", () => {
    const c = ok(schedule(close("2022-08-01"), { lastExposureAt: "2022-08-01" }));
    assert.deepEqual(ok(reschedule(c, { lastExposureAt: "2022-08-01T23:00" })).changes, []);
  });
});

describe("other shipped packs", () => {
  test("Qilin 2020 「密切接触者…一律集中隔离14天,三次核酸检测阴性解除隔离」: 14 days from the day after exposure, no test days, 3 negatives noted", () => {
    const m = measuresFor("2021-01-05T12:00", "530302", {
      contacts: [{ kind: "close", lastExposureAt: "2021-01-05T08:00" }],
    });
    const c = ok(schedule(m, { lastExposureAt: "2021-01-05T08:00", placedAt: "2021-01-05T15:00" }));
    assert.deepEqual(
      c.phases.map((p) => [p.kind, p.start, p.end]),
      [["centralized_quarantine", "2021-01-06", "2021-01-19"]],
    );
    assert.deepEqual(c.appointments, []);
    assert.equal(c.release.negativeTests, 3);
    assert.match(c.notes.map((n) => n.en).join(), /requires 3 negative tests for release but dates only 0/);
  });

  test("Ningxia 000 「7天集中隔离医学观察、7天居家健康监测，期间进行4次核酸检测」: 4 tests spread over the 14 days (days 1, 5, 10, 14)", () => {
    const m = measuresFor("2022-01-10T15:00", "640104", { inboundOverseas: true });
    const c = ok(schedule(m, { arrivalAt: "2022-01-10T15:00" }));
    assert.deepEqual(
      c.phases.map((p) => [p.start, p.end]),
      [
        ["2022-01-10", "2022-01-16"],
        ["2022-01-17", "2022-01-23"],
      ],
    );
    assert.deepEqual(
      c.appointments.map((a) => a.dayNumber),
      [1, 5, 10, 14],
    );
    assert.deepEqual(dates(c), ["2022-01-10", "2022-01-14", "2022-01-19", "2022-01-23"]);
  });

  test("Shanxi 003 「返乡后实行14天居家健康监测…每7天开展一次核酸检测」: tests on days 7 and 14 after arrival", () => {
    const m = measuresFor("2021-02-01T10:00", "140105", { festivalReturnee: true });
    const c = ok(schedule(m, { arrivalAt: "2021-02-01T10:00" }));
    assert.deepEqual(
      c.phases.map((p) => [p.kind, p.start, p.end]),
      [["home_health_monitoring", "2021-02-01", "2021-02-14"]],
    );
    assert.deepEqual(dates(c), ["2021-02-07", "2021-02-14"]);
  });

  test("Hulunbuir 2021-09: isolation with no stated length has no end, and says so", () => {
    const d = decideMeasures({
      facts: { travelHistory: [{ regionCode: "350300", from: "2021-09-01", to: "2021-09-10" }] },
      arrivalAt: "2021-09-11T10:00",
      destinationRegion: "150702",
      riskAreas: [{ regionCode: "350300", level: "high", from: "2021-09-10", to: null }],
      packs,
    });
    assert.equal(d.status, "decided", JSON.stringify(d));
    if (d.status !== "decided") return;
    const c = ok(schedule(d.measures, { arrivalAt: "2021-09-11T10:00" }));
    assert.deepEqual(c.phases, [{ kind: "quarantine", days: null, start: "2021-09-11", end: null }]);
    assert.deepEqual(dates(c), ["2021-09-11"]);
    assert.match(c.notes[0]?.en ?? "", /no number of days/);
  });
});

describe("bad start facts", () => {
  test("no date at all, or an impossible date, is refused in both languages", () => {
    const r = schedule({ centralizedQuarantine: { days: 7 } }, {});
    assert.ok(!r.ok && r.errors[0]?.code === "course.no_start");
    const bad = schedule({ centralizedQuarantine: { days: 7 } }, { lastExposureAt: "2022-02-30" });
    assert.ok(!bad.ok);
    if (!bad.ok) {
      assert.equal(bad.errors[0]?.field, "lastExposureAt");
      assert.match(bad.errors[0]?.message.zh ?? "", /不是有效的日期/);
      assert.match(bad.errors[0]?.message.en ?? "", /not a valid date/);
    }
  });

  test("a pack counting from the last exposure with none given is refused", () => {
    const r = schedule(
      {
        centralizedQuarantine: { days: 7 },
        tests: [
          {
            phase: "centralized_quarantine",
            days: [1],
            sample: "oropharyngeal",
            countedFrom: "last_exposure",
            ruleId: "x",
          },
        ],
      },
      { arrivalAt: "2022-08-01" },
    );
    assert.ok(!r.ok && r.errors[0]?.code === "course.anchor_missing");
  });
});

describe("every rule of every shipped pack", () => {
  test("schedules without error, and each test of a phase falls inside that phase", () => {
    let checked = 0;
    for (const { pack } of packs) {
      for (const rule of pack.rules) {
        const { tests, ...rest } = rule.measures;
        const m: CombinedMeasures = tests
          ? { ...rest, tests: tests.map((t) => ({ ...t, ruleId: rule.id })) }
          : rest;
        const c = ok(
          schedule(m, {
            arrivalAt: "2022-03-31T22:00",
            lastExposureAt: "2022-03-30T10:00",
            placedAt: "2022-03-31T23:00",
          }),
        );
        for (const a of c.appointments) {
          const p = c.phases.find((x) => x.kind === a.phase);
          if (!p?.start || !p.end) continue;
          assert.ok(
            a.date >= p.start && a.date <= p.end,
            `${pack.id}/${rule.id}: ${a.date} outside ${p.start}..${p.end}`,
          );
          checked++;
        }
      }
    }
    assert.ok(checked > 20, `only ${checked} appointments checked`);
  });
});
