/**
 * A course as stored (`quarantine_courses`, content-addressed): the `Course` without what differs per
 * person, so that the many people who share a course share one stored row. What is left out is kept
 * with the placement and put back on reading:
 * - `facts`: the exact start times (arrival, last exposure, placement) — the placement's `start_facts`;
 *   `schedule` reads only their Beijing dates, which stay in the course (`arrivalOn`, `lastExposureOn`,
 *   `placedOn`).
 * - `measures`: the measures the course follows — the placement's `measures`.
 * Pure. `courseFrom(storedCourse(c), c.measures, c.facts)` is `c`, key order included.
 */
import type { CombinedMeasures } from "../policies/engine.ts";
import type { Course, StartFacts } from "./schedule.ts";

/**
 * The stored part of a course. A course stored before placements kept measures and facts of their own
 * (migration 0010) may still carry either one when it differed from the placement's columns: it is kept
 * and wins on reading.
 */
export type StoredCourse = Omit<Course, "measures" | "facts"> & Partial<Pick<Course, "measures" | "facts">>;

/** The course without the placement's facts and measures, every other field in `schedule`'s order. */
export function storedCourse(course: Course): StoredCourse {
  const {
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

/** The whole course again from its stored part and the placement's measures and start facts. */
export function courseFrom(stored: StoredCourse, measures: CombinedMeasures, facts: StartFacts): Course {
  return { measures, facts, ...stored };
}
