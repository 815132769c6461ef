/**
 * A course as stored (`quarantine_courses`, content-addressed): the `Course` without what differs per
 * person, so that the many people who share a course share one stored row. What is left out is kept
 * with the placement and put back on reading:
 * - `facts`: the exact start times (arrival, last exposure, placement) — the placement's `start_facts`;
 *   `schedule` reads only their Beijing dates, which stay in the course (`arrivalOn`, `lastExposureOn`,
 *   `placedOn`).
 * The measures the course follows are stored with it (migration 0013): the same for everyone of one pack
 * and category, ~370 bytes that each placement kept a copy of before.
 * Pure. `courseFrom(storedCourse(c), c.facts)` is `c`, key order included.
 */
import type { Course, StartFacts } from "./schedule.ts";

/**
 * The stored part of a course. A course stored before placements kept facts of their own (migration
 * 0010) may still carry them when they differed from the placement's column: they are kept and win on
 * reading.
 */
export type StoredCourse = Omit<Course, "facts"> & Partial<Pick<Course, "facts">>;

/** The course without the placement's facts, every other field in `schedule`'s order. */
export function storedCourse(course: Course): StoredCourse {
  const {
    measures,
    options,
    anchor,
    anchorDate,
    arrivalOn,
    lastExposureOn,
    placedOn,
    phases,
    appointments,
    release,
    notes,
  } = course;
  return {
    measures,
    options,
    anchor,
    anchorDate,
    arrivalOn,
    lastExposureOn,
    placedOn,
    phases,
    appointments,
    release,
    notes,
  };
}

/** The whole course again from its stored part and the placement's start facts. */
export function courseFrom(stored: StoredCourse, facts: StartFacts): Course {
  const { measures, facts: own, ...rest } = stored;
  return { measures, facts: own ?? facts, ...rest };
}
