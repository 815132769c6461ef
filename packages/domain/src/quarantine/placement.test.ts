import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { decideMeasures } from "../policies/engine.ts";
import { shippedPacks } from "../policies/shipped-packs.fixture.ts";
import {
  checkExtension,
  checkReleaseTime,
  checkRoom,
  checkSampleDate,
  checkSiteForMeasures,
  checkTransfer,
  closedLoop,
  hasIsolationDays,
  plannedEndOf,
  type RoomForSuggestion,
  suggestRooms,
  testsOfDay,
} from "./placement.ts";
import { schedule } from "./schedule.ts";

const rooms: RoomForSuggestion[] = [
  { id: "d1", number: "A201", type: "double", state: "free" },
  { id: "d2", number: "A202", type: "double", state: "free" },
  { id: "s1", number: "A101", type: "single", state: "free" },
  { id: "s2", number: "A102", type: "single", state: "occupied" },
  { id: "f1", number: "B301", type: "family", state: "free" },
  { id: "f2", number: "B302", type: "family", state: "cleaning" },
];

const value = <T>(v: { ok: true; value: T } | { ok: false }) => {
  assert.ok(v.ok);
  return (v as { value: T }).value;
};

describe("room suggestions", () => {
  test("a family of 3 goes to a family suite before two doubles: every suggestion takes the whole household", () => {
    const s = value(suggestRooms("centralized", rooms, 3));
    assert.deepEqual(
      s.rooms.map((r) => r.number),
      ["B301"],
    );
    assert.equal(s.message, null);
  });

  test("a couple gets the family suite first, then the doubles; one person the smallest free room first", () => {
    assert.deepEqual(
      value(suggestRooms("centralized", rooms, 2)).rooms.map((r) => r.number),
      ["B301", "A201", "A202"],
    );
    assert.deepEqual(
      value(suggestRooms("centralized", rooms, 1)).rooms.map((r) => r.number),
      ["A101", "A201", "A202", "B301"],
    );
  });

  test("a home site takes no rooms; a household no free room holds together is told so", () => {
    const home = value(suggestRooms("home", rooms, 2));
    assert.deepEqual(home.rooms, []);
    assert.match(home.message!.zh, /居家隔离不分配房间/);
    const seven = value(suggestRooms("centralized", rooms, 7));
    assert.deepEqual(seven.rooms, []);
    assert.match(seven.message!.en, /No free room takes 7 people together/);
    assert.equal(suggestRooms("centralized", rooms, 0).ok, false);
  });
});

describe("the room asked for", () => {
  const base = { siteKind: "centralized" as const, roomId: "x", householdSize: 1, occupants: 0 };
  test("a room of another site, a room holding another household, a room being cleaned, a room too small are refused on roomId", () => {
    assert.equal(checkRoom({ ...base, room: null })[0]!.code, "placement.room_not_at_site");
    assert.equal(
      checkRoom({ ...base, room: { number: "A1", type: "double", state: "free" }, occupants: 1 })[0]!.code,
      "placement.room_taken",
    );
    assert.equal(
      checkRoom({ ...base, room: { number: "A1", type: "double", state: "cleaning" } })[0]!.code,
      "placement.room_not_free",
    );
    const small = checkRoom({
      ...base,
      householdSize: 3,
      room: { number: "A1", type: "double", state: "free" },
    });
    assert.equal(small[0]!.field, "roomId");
    assert.match(small[0]!.message.en, /holds at most 2; this household is 3/);
    assert.deepEqual(checkRoom({ ...base, room: { number: "A1", type: "single", state: "free" } }), []);
  });
  test("home quarantine takes no room, and no one whose pack requires centralized quarantine", () => {
    assert.equal(
      checkRoom({ ...base, siteKind: "home", room: { number: "1", type: "family", state: "free" } })[0]!.code,
      "placement.home_no_room",
    );
    assert.deepEqual(checkRoom({ ...base, siteKind: "home", roomId: null, room: null }), []);
    assert.equal(
      checkSiteForMeasures("home", { centralizedQuarantine: { days: 7 } })[0]!.code,
      "placement.needs_centralized",
    );
    assert.deepEqual(checkSiteForMeasures("home", { homeQuarantine: { days: 7 } }), []);
  });
});

describe("the closed loop, identified → arrived, against 48 hours (seed 000)", () => {
  test("36.5 hours is within; 49 is not; not yet arrived is unknown", () => {
    const id = new Date("2022-08-01T08:00:00+08:00");
    assert.deepEqual(closedLoop(id, new Date("2022-08-02T20:30:00+08:00")), {
      identifiedAt: id.toISOString(),
      arrivedAt: new Date("2022-08-02T20:30:00+08:00").toISOString(),
      hours: 36.5,
      limitHours: 48,
      withinLimit: true,
    });
    assert.equal(closedLoop(id, new Date("2022-08-03T09:00:00+08:00")).withinLimit, false);
    assert.equal(closedLoop(id, null).withinLimit, null);
    assert.equal(closedLoop(id, new Date("2022-08-03T09:00:00+08:00"), 72).withinLimit, true);
  });
});

describe("dates inside the stay", () => {
  const stay = { placedOn: "2022-08-01", releasedOn: null, today: "2022-08-05" };
  test("a result dated the day before placement, after release or after today is refused on sampledOn", () => {
    assert.equal(checkSampleDate(stay, "2022-07-31")[0]!.code, "result.before_placement");
    assert.match(checkSampleDate(stay, "2022-07-31")[0]!.message.zh, /此人当时不在隔离点/);
    assert.equal(
      checkSampleDate({ ...stay, releasedOn: "2022-08-03" }, "2022-08-04")[0]!.code,
      "result.after_release",
    );
    assert.equal(checkSampleDate(stay, "2022-08-06")[0]!.code, "result.in_future");
    assert.equal(checkSampleDate(stay, "2022-02-30")[0]!.code, "result.invalid_date");
    assert.deepEqual(checkSampleDate(stay, "2022-08-01"), []);
    assert.deepEqual(checkSampleDate(stay, "2022-08-05"), []);
  });
  test("a transfer that arrives before it picked up is refused on arrivedAt", () => {
    const now = new Date("2022-08-02T00:00:00Z");
    const e = checkTransfer(
      { pickedUpAt: new Date("2022-08-01T10:00:00Z"), arrivedAt: new Date("2022-08-01T09:00:00Z") },
      now,
    );
    assert.deepEqual(
      e.map((x) => [x.field, x.code]),
      [["arrivedAt", "transfer.arrived_before_pickup"]],
    );
    assert.deepEqual(
      checkTransfer({ pickedUpAt: new Date("2022-08-01T10:00:00Z"), arrivedAt: null }, now),
      [],
    );
  });
  test("a release before the placement is refused on at; an early release needs a reason", () => {
    const placed = new Date("2022-08-01T10:00:00Z");
    const now = new Date("2022-08-05T10:00:00Z");
    assert.equal(
      checkReleaseTime(placed, new Date("2022-08-01T09:00:00Z"), now, "on_schedule", null)[0]!.code,
      "release.before_placement",
    );
    assert.equal(checkReleaseTime(placed, now, now, "early", " ")[0]!.code, "placement.reason_required");
    assert.deepEqual(checkReleaseTime(placed, now, now, "early", "转定点医院"), []);
  });
  test("an extension is to a later day than planned, with a reason", () => {
    assert.deepEqual(
      checkExtension("2022-08-08", { plannedEnd: "2022-08-08", reason: "" }).map((e) => e.code),
      ["placement.reason_required", "extend.not_later"],
    );
    assert.deepEqual(checkExtension("2022-08-08", { plannedEnd: "2022-08-11", reason: "同住者阳性" }), []);
  });
});

describe("courses to place by, and the day's tests", () => {
  const packs = shippedPacks();
  const decide = (at: string, region: string) => {
    const d = decideMeasures({
      facts: { contacts: [{ kind: "close", lastExposureAt: `${at.slice(0, 10)}T09:00+08:00` }] },
      arrivalAt: at,
      destinationRegion: region,
      riskAreas: [],
      packs,
    });
    assert.equal(d.status, "decided");
    return d.status === "decided" ? d.measures : {};
  };
  test("9th edition close contact placed 08-01: isolation ends 08-08; on 08-04 the day-3 test is due; with no results, on 08-06 days 1–3 are missed and day 5 is due", () => {
    const m = decide("2022-08-01T20:00+08:00", "640104");
    assert.ok(hasIsolationDays(m));
    const c = schedule(m, { lastExposureAt: "2022-08-01T09:00+08:00", placedAt: "2022-08-01T20:00+08:00" });
    assert.ok(c.ok);
    if (!c.ok) return;
    assert.equal(plannedEndOf(c.value), "2022-08-08");
    const r = testsOfDay(
      c.value.appointments,
      [
        { sampledOn: "2022-08-02", sample: "oropharyngeal", outcome: "negative", labReference: "L1" },
        { sampledOn: "2022-08-03", sample: "oropharyngeal", outcome: "negative", labReference: "L2" },
      ],
      "2022-08-04",
    );
    assert.deepEqual(
      r.due.map((d) => [d.date, d.dayNumber, d.result]),
      [["2022-08-04", 3, null]],
    );
    const later = testsOfDay(c.value.appointments, [], "2022-08-06");
    assert.deepEqual(
      later.missed.map((d) => d.dayNumber),
      [1, 2, 3],
    );
    assert.deepEqual(
      later.due.map((d) => d.dayNumber),
      [5],
    );
  });
  test("tests only (low-risk 3天2检) give no isolation to place someone for", () => {
    assert.equal(
      hasIsolationDays({
        tests: [
          { phase: "on_arrival", count: 2, sample: "unspecified", countedFrom: "arrival", ruleId: "x" },
        ],
      }),
      false,
    );
  });
});
