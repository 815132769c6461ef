/**
 * Stored courses: what a placement keeps in `quarantine_courses` gives back the very course `schedule`
 * computed, for the shipped packs' courses, and people with the same dates share one stored course.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type CombinedMeasures, decideMeasures, type PersonFacts } from "../policies/engine.ts";
import { shippedPacks } from "../policies/shipped-packs.fixture.ts";
import type { Validated } from "../shared/result.ts";
import { type Course, reschedule, schedule, type StartFacts } from "./schedule.ts";
import { courseFrom, storedCourse } from "./stored-course.ts";

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

/** Through JSON, as the database keeps it: the stored text and the start_facts column. */
function roundTrip(c: Course): Course {
  const text = JSON.stringify(storedCourse(c));
  return courseFrom(JSON.parse(text), JSON.parse(JSON.stringify(c.facts)));
}

function assertRoundTrip(c: Course) {
  const back = roundTrip(c);
  assert.deepStrictEqual(back, c);
  assert.equal(JSON.stringify(back), JSON.stringify(c), "the same JSON, key order included");
  const stored = JSON.stringify(storedCourse(c));
  assert.ok(!stored.includes('"facts"'), "the facts are the placement's, not stored with the course");
  assert.ok(stored.startsWith('{"measures":'), "the measures are stored with the course");
}

const closeFacts = (at: string): PersonFacts => ({ contacts: [{ kind: "close", lastExposureAt: at }] });

describe("stored courses", () => {
  test("9th edition close contact (7 d centralized + 3 d home monitoring, 6 test days): stored and read back, the same course", () => {
    const m = measuresFor("2022-08-01T20:00", "110105", closeFacts("2022-08-01T09:00"));
    const c = ok(schedule(m, { lastExposureAt: "2022-08-01T09:00", placedAt: "2022-08-01T21:00" }));
    assert.equal(c.appointments.length, 6);
    assertRoundTrip(c);
  });

  test("Qilin 2020 close contact (14 days, no test days, 3 negatives): stored and read back, the same course", () => {
    const m = measuresFor("2021-01-05T12:00", "530302", closeFacts("2021-01-05T08:00"));
    const c = ok(schedule(m, { lastExposureAt: "2021-01-05T08:00", placedAt: "2021-01-05T15:00" }));
    assert.equal(c.release.negativeTests, 3);
    assert.ok(c.notes.length > 0);
    assertRoundTrip(c);
  });

  test("inbound from abroad (9th edition, counted from arrival) and a close contact who also flew in: the same courses back", () => {
    const inbound = measuresFor("2022-08-13T07:00", "640104", { inboundOverseas: true });
    const c = ok(schedule(inbound, { arrivalAt: "2022-08-13T07:00", placedAt: "2022-08-13T11:00+08:00" }));
    assert.equal(c.anchor, "arrival");
    assertRoundTrip(c);
    const both = measuresFor("2022-08-01T20:00", "110105", {
      inboundOverseas: true,
      contacts: [{ kind: "close", lastExposureAt: "2022-08-01T09:00" }],
    });
    const d = ok(schedule(both, { arrivalAt: "2022-08-01T20:00", lastExposureAt: "2022-08-01T09:00" }));
    assert.ok(d.appointments.some((a) => a.alsoAskedBy?.length));
    assertRoundTrip(d);
  });

  test("Ningxia 000 inbound (4 tests spread over 14 days) and a rescheduled course: the same courses back", () => {
    const m = measuresFor("2022-01-10T15:00", "640104", { inboundOverseas: true });
    assertRoundTrip(ok(schedule(m, { arrivalAt: "2022-01-10T15:00" })));
    const close = measuresFor("2022-08-01T20:00", "110105", closeFacts("2022-08-01T09:00"));
    const c = ok(schedule(close, { lastExposureAt: "2022-08-01T09:00", placedAt: "2022-08-01T21:00" }));
    assertRoundTrip(ok(reschedule(c, { lastExposureAt: "2022-07-31T18:00" })).course);
  });

  test("two close contacts exposed and placed the same days at different hours share one stored course; their facts differ", () => {
    const m = measuresFor("2022-08-14T20:00", "640104", closeFacts("2022-08-14T08:00"));
    const a: StartFacts = {
      lastExposureAt: "2022-08-14T08:00:00+08:00",
      placedAt: "2022-08-15T09:00:00+08:00",
    };
    const b: StartFacts = {
      lastExposureAt: "2022-08-14T21:15:00+08:00",
      placedAt: "2022-08-15T10:30:00+08:00",
    };
    const ca = ok(schedule(m, a));
    const cb = ok(schedule(m, b));
    assert.notDeepEqual(ca, cb);
    assert.equal(JSON.stringify(storedCourse(ca)), JSON.stringify(storedCourse(cb)));
    assert.deepStrictEqual(courseFrom(storedCourse(ca), b), cb);
    const later = ok(schedule(m, { ...b, placedAt: "2022-08-16T10:30:00+08:00" }));
    assert.notEqual(
      JSON.stringify(storedCourse(later)),
      JSON.stringify(storedCourse(cb)),
      "another placement day, another course",
    );
  });

  test("the same days under other measures are another stored course: the measures are part of it", () => {
    const close = measuresFor("2022-08-14T20:00", "640104", closeFacts("2022-08-14T08:00"));
    const secondary = measuresFor("2022-08-14T20:00", "640104", {
      contacts: [{ kind: "secondary", lastExposureAt: "2022-08-14T08:00" }],
    });
    assert.notDeepEqual(close, secondary);
    const facts: StartFacts = { lastExposureAt: "2022-08-14T08:00", placedAt: "2022-08-15T09:00:00+08:00" };
    const a = storedCourse(ok(schedule(close, facts)));
    const b = storedCourse(ok(schedule(secondary, facts)));
    assert.notEqual(JSON.stringify(a), JSON.stringify(b));
    assert.deepStrictEqual(courseFrom(b, facts).measures, secondary);
  });

  test("a course stored with facts of its own (before 0010) keeps them on reading", () => {
    const m = measuresFor("2022-08-01T20:00", "110105", closeFacts("2022-08-01T09:00"));
    const c = ok(schedule(m, { lastExposureAt: "2022-08-01T09:00" }));
    const back = courseFrom(
      { ...storedCourse(c), facts: c.facts },
      {
        lastExposureAt: "2022-08-01T10:00",
      },
    );
    assert.deepStrictEqual(back, c);
  });
});
