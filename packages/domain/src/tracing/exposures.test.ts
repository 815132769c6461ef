import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  checkExposure,
  classifyContacts,
  type ExposureInput,
  secondaryContacts,
  type TraceWindow,
} from "./exposures.ts";
import { DEFAULT_TRACING_POLICY, type TracingPolicy } from "./policy.ts";

// Case A (Tongxin county, 640324): onset 2022-04-03, so traced from 2022-04-01 00:00 Beijing time
// (2 days before onset) to the isolation on 2022-04-05 09:00.
const t = (s: string) => new Date(`2022-04-${s}:00+08:00`);
const now = t("06T10:00");
const window: TraceWindow = { start: t("01T00:00"), end: t("05T09:00") };
const caseA = { personId: "A", window };
const TONGXIN = "640324";

let n = 0;
const exposure = (exposed: string, over: Partial<ExposureInput> = {}): ExposureInput => ({
  id: `e${++n}`,
  sourcePersonId: "A",
  exposedPersonId: exposed,
  at: t("02T18:00"),
  durationMinutes: 60,
  setting: "household",
  proximity: "unknown",
  enclosed: null,
  protected: false,
  exposedRegionCode: "640324100001",
  ...over,
});

const classify = (list: ExposureInput[], policy: TracingPolicy = DEFAULT_TRACING_POLICY) =>
  classifyContacts(caseA, list, policy, { now, jurisdiction: TONGXIN });
const closeIds = (r: ReturnType<typeof classify>) => r.close.map((c) => c.personId);
const generalIds = (r: ReturnType<typeof classify>) => r.general.map((c) => c.personId);

describe("checking an exposure", () => {
  test("a case infecting itself is refused, not dropped (同一人不能传染自己)", () => {
    const r = checkExposure(exposure("A"), window, now);
    assert.ok(!r.ok);
    assert.deepEqual(
      r.errors.map((e) => e.code),
      ["exposure.self"],
    );
    assert.match(r.errors[0]!.message.zh, /不能传染自己/);
  });

  test("an exposure tomorrow, or one still running past now, is refused as in the future", () => {
    const tomorrow = checkExposure(exposure("B", { at: t("07T09:00") }), window, now);
    assert.ok(!tomorrow.ok && tomorrow.errors[0]!.code === "exposure.future_time");
    const running = checkExposure(exposure("B", { at: t("06T09:00"), durationMinutes: 120 }), window, now);
    assert.ok(!running.ok && running.errors[0]!.code === "exposure.ends_in_future");
  });

  test("a negative duration, an unknown setting or proximity, and a bad region code are refused on their fields", () => {
    const r = checkExposure(
      exposure("B", { durationMinutes: -5, setting: "karaoke", proximity: "far", exposedRegionCode: "64" }),
      window,
      now,
    );
    assert.ok(!r.ok);
    assert.deepEqual(
      r.errors.map((e) => e.field),
      ["durationMinutes", "setting", "proximity", "exposedRegionCode"],
    );
  });

  test("an exposure that ended before the source's look-back window is flagged, not silently dropped", () => {
    const r = checkExposure(exposure("B", { at: new Date("2022-03-31T10:00:00+08:00") }), window, now);
    assert.ok(r.ok);
    assert.deepEqual(
      r.flags.map((f) => f.code),
      ["exposure.before_look_back"],
    );
    assert.match(r.flags[0]!.message.en, /before the source's look-back window/);
  });

  test("an exposure that began after the source was isolated is flagged", () => {
    const r = checkExposure(exposure("B", { at: t("05T10:00") }), window, now);
    assert.ok(r.ok);
    assert.deepEqual(
      r.flags.map((f) => f.code),
      ["exposure.after_isolation"],
    );
  });

  test("an exposure that began before the window and lasted into it counts as inside", () => {
    const r = checkExposure(
      exposure("B", { at: new Date("2022-03-31T23:00:00+08:00"), durationMinutes: 120 }),
      window,
      now,
    );
    assert.ok(r.ok);
    assert.deepEqual(r.flags, []);
  });
});

describe("classifying contacts (9th edition close-contact judgment principles)", () => {
  test("a household member is a close contact whatever the distance and duration, explained as such", () => {
    const r = classify([exposure("B", { durationMinutes: 5 })]);
    assert.deepEqual(closeIds(r), ["B"]);
    assert.equal(r.close[0]!.rule!.id, "household");
    assert.deepEqual(r.close[0]!.explanation, {
      zh: "密切接触者：同住家庭成员",
      en: "close contact: household member",
    });
  });

  test("in the same vehicle, within 1 m is a close contact; 3 rows away (same room) is a general contact", () => {
    const r = classify([
      exposure("C", { setting: "vehicle", proximity: "within_1m" }),
      exposure("D", { setting: "vehicle", proximity: "same_room" }),
    ]);
    assert.deepEqual(closeIds(r), ["C"]);
    assert.deepEqual(generalIds(r), ["D"]);
    assert.match(r.general[0]!.explanation.zh, /规则要求「1 米以内」以内/);
  });

  test("same or next table at a meal is close; the far side of the restaurant is not", () => {
    const r = classify([
      exposure("E", { setting: "dining", proximity: "same_or_next_table" }),
      exposure("E2", { setting: "dining", proximity: "same_venue" }),
    ]);
    assert.deepEqual(closeIds(r), ["E"]);
    assert.deepEqual(generalIds(r), ["E2"]);
  });

  test("entertainment in a closed, poorly ventilated place is close; in an open, ventilated one it is general", () => {
    const r = classify([
      exposure("F", { setting: "venue", proximity: "same_room", enclosed: true }),
      exposure("G", { setting: "venue", proximity: "same_room", enclosed: false }),
    ]);
    assert.deepEqual(closeIds(r), ["F"]);
    assert.deepEqual(generalIds(r), ["G"]);
  });

  test("a carer with effective protection is a general contact (未采取有效防护 is part of the definition)", () => {
    const r = classify([exposure("H", { setting: "care", protected: true })]);
    assert.deepEqual(generalIds(r), ["H"]);
    assert.match(r.general[0]!.explanation.en, /effective protection/);
  });

  test("the investigator's judgment makes a close contact whatever the rules say, and says so", () => {
    const r = classify([exposure("K", { setting: "venue", proximity: "same_venue", judgedClose: true })]);
    assert.equal(r.close[0]!.rule!.id, "investigator");
  });

  test("a vehicle passenger whose distance is unknown is a general contact for now, flagged for judgment", () => {
    const r = classify([exposure("J", { setting: "vehicle", proximity: "unknown" })]);
    assert.deepEqual(generalIds(r), ["J"]);
    assert.deepEqual(
      r.flags.map((f) => [f.code, f.personId]),
      [["contact.needs_judgment", "J"]],
    );
  });

  test("an exposure before the look-back window makes no contact, and is flagged", () => {
    const r = classify([exposure("I", { at: new Date("2022-03-30T12:00:00+08:00") })]);
    assert.deepEqual(closeIds(r), []);
    assert.deepEqual(generalIds(r), []);
    assert.deepEqual(
      r.flags.map((f) => [f.code, f.personId]),
      [["exposure.before_look_back", "I"]],
    );
  });

  test("the 4-day look-back of some 2022 notices makes that same exposure a close contact", () => {
    const four = { ...caseA, window: { start: new Date("2022-03-30T00:00:00+08:00"), end: window.end } };
    const r = classifyContacts(
      four,
      [exposure("I", { at: new Date("2022-03-30T12:00:00+08:00") })],
      DEFAULT_TRACING_POLICY,
      {
        now,
        jurisdiction: TONGXIN,
      },
    );
    assert.deepEqual(closeIds(r), ["I"]);
  });

  test("a person with a far exposure and then a household one is one close contact, both exposures kept", () => {
    const far = exposure("B", { setting: "venue", proximity: "same_venue", at: t("01T10:00") });
    const home = exposure("B", { at: t("02T20:00"), durationMinutes: 600 });
    const r = classify([home, far]);
    assert.deepEqual(closeIds(r), ["B"]);
    assert.deepEqual(r.close[0]!.exposureIds, [far.id, home.id]);
    assert.equal(r.close[0]!.firstExposureAt.toISOString(), t("01T10:00").toISOString());
    assert.equal(r.close[0]!.lastExposureAt.toISOString(), t("03T06:00").toISOString());
    assert.deepEqual(generalIds(r), []);
  });

  test("refused exposures are listed with their errors, and another case's exposure is not this case's", () => {
    const r = classify([exposure("A"), exposure("X", { sourcePersonId: "Z" }), exposure("B")]);
    assert.deepEqual(
      r.refused.map((x) => x.errors[0]!.code),
      ["exposure.self", "exposure.other_source"],
    );
    assert.deepEqual(closeIds(r), ["B"]);
  });

  test("a close contact living in Yinchuan is forwarded as an assist request (协查) from Tongxin", () => {
    const r = classify([
      exposure("B", { exposedRegionCode: "640104" }),
      exposure("C", { exposedRegionCode: "640324100" }),
      exposure("D", { exposedRegionCode: null }),
    ]);
    assert.deepEqual(
      r.assistRequests.map((c) => c.personId),
      ["B"],
    );
    assert.deepEqual(
      r.flags.map((f) => [f.code, f.personId]),
      [["contact.region_unknown", "D"]],
    );
  });
});

describe("secondary contacts (密接的密接)", () => {
  // B is A's household close contact: first exposed 04-02 18:00, last until 04-03 04:00, isolated 04-05 12:00.
  const B = {
    personId: "B",
    firstExposureAt: t("02T18:00"),
    lastExposureAt: t("03T04:00"),
    isolatedAt: t("05T12:00"),
  };
  const fromB = (exposed: string, over: Partial<ExposureInput> = {}) =>
    exposure(exposed, { sourcePersonId: "B", at: t("03T10:00"), ...over });
  const secondary = (list: ExposureInput[], policy: TracingPolicy = DEFAULT_TRACING_POLICY) =>
    secondaryContacts([B], list, policy, { now, jurisdiction: TONGXIN, casePersonId: "A" });

  test("the close contact's household member after their first exposure to the case is a secondary contact", () => {
    const r = secondary([fromB("L")]);
    assert.deepEqual(
      r.secondary.map((c) => [c.personId, c.viaPersonId, c.rule!.id]),
      [["L", "B", "household"]],
    );
    assert.equal(r.secondary[0]!.explanation.zh, "密接的密接：同住家庭成员");
  });

  test("a meal with the close contact before they ever met the case makes no secondary contact, and is flagged", () => {
    const r = secondary([
      fromB("M", { setting: "dining", proximity: "same_or_next_table", at: t("01T12:00") }),
    ]);
    assert.deepEqual(r.secondary, []);
    assert.deepEqual(
      r.flags.map((f) => f.code),
      ["exposure.before_secondary_window"],
    );
  });

  test("a colleague met after the close contact was isolated is not a secondary contact (flagged)", () => {
    const r = secondary([fromB("O", { setting: "work_class", proximity: "same_room", at: t("05T14:00") })]);
    assert.deepEqual(r.secondary, []);
    assert.deepEqual(
      r.flags.map((f) => f.code),
      ["exposure.after_isolation"],
    );
  });

  test("a shared ride with the close contact is not a secondary-contact setting: listed as not counted, with why", () => {
    const r = secondary([fromB("N", { setting: "vehicle", proximity: "within_1m" })]);
    assert.deepEqual(r.secondary, []);
    assert.deepEqual(
      r.notCounted.map((x) => x.personId),
      ["N"],
    );
    assert.match(r.notCounted[0]!.why.en, /not a setting secondary contacts are found in/);
  });

  test("the case and the other close contacts stay what they are", () => {
    const r = secondaryContacts(
      [B, { ...B, personId: "C" }],
      [fromB("A"), fromB("C")],
      DEFAULT_TRACING_POLICY,
      { now, jurisdiction: TONGXIN, casePersonId: "A" },
    );
    assert.deepEqual(r.secondary, []);
    assert.deepEqual(
      r.notCounted.map((x) => [x.personId, x.why.en]),
      [
        ["A", "is the case"],
        ["C", "is already a close contact"],
      ],
    );
  });

  test("counted from the close contact's last exposure instead, a contact at home during that exposure no longer counts", () => {
    const last = {
      ...DEFAULT_TRACING_POLICY,
      secondary: { ...DEFAULT_TRACING_POLICY.secondary, from: "last_exposure" as const },
    };
    const early = fromB("L", { at: t("03T01:00"), durationMinutes: 30 });
    assert.equal(secondary([early]).secondary.length, 1);
    assert.equal(secondary([early], last).secondary.length, 0);
  });

  test("once secondary contacts are no longer identified (2022-11), none are found", () => {
    const off = {
      ...DEFAULT_TRACING_POLICY,
      secondary: { ...DEFAULT_TRACING_POLICY.secondary, enabled: false },
    };
    const r = secondary([fromB("L")], off);
    assert.equal(r.enabled, false);
    assert.deepEqual(r.secondary, []);
  });

  test("a secondary contact living outside the jurisdiction is forwarded for assistance", () => {
    const r = secondary([fromB("L", { exposedRegionCode: "110105" })]);
    assert.deepEqual(
      r.assistRequests.map((c) => c.personId),
      ["L"],
    );
  });
});
