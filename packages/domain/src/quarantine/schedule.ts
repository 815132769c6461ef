/**
 * A person's quarantine course from the measures the policy engine decided: the phases with their
 * Beijing calendar dates and the test appointments. Pure: the start facts are parameters; every number
 * comes from the pack or from an option whose default is a named constant below.
 *
 * Day counting (docs/capabilities/quarantine.md):
 * - counted from the last exposure: the exposure day is day 0, day 1 the next day. protocols.md §2.1
 *   says "Quarantine is counted from the last exposure", i.e. the days that follow it; the
 *   9th-edition pack's zoning notes count "from the day after" the same way.
 * - counted from arrival, a phase start or the placement: that day is day 1 (the schema: "day 1 =
 *   first day"; an arrival test is taken on the arrival day).
 * - phases run centralized → unspecified quarantine → home quarantine → home health monitoring, each
 *   starting the day after the previous one ends (engine.ts, "phases run centralized → home
 *   quarantine → home monitoring").
 */
import type { CombinedMeasures, CombinedTestBlock } from "../policies/engine.ts";
import type { TestBlock } from "../policies/pack-schema.ts";
import type { FieldError, Message, Validated } from "../shared/result.ts";
import { fieldError } from "../shared/result.ts";
import { addDays, daysBetween, isDate, shanghaiDate } from "../shared/shanghai-time.ts";

export type PhaseKind =
  "centralized_quarantine" | "quarantine" | "home_quarantine" | "home_health_monitoring";

/** The order phases run in. */
export const PHASE_ORDER: readonly PhaseKind[] = [
  "centralized_quarantine",
  "quarantine",
  "home_quarantine",
  "home_health_monitoring",
];

/** Phases that are isolation (release ends them); home health monitoring follows release. */
export const ISOLATION_PHASES: readonly PhaseKind[] = [
  "centralized_quarantine",
  "quarantine",
  "home_quarantine",
];

const MEASURE_OF = {
  centralized_quarantine: "centralizedQuarantine",
  quarantine: "quarantine",
  home_quarantine: "homeQuarantine",
  home_health_monitoring: "homeHealthMonitoring",
} as const satisfies Record<PhaseKind, keyof CombinedMeasures>;

export const PHASE_LABELS: Record<PhaseKind, Message> = {
  centralized_quarantine: { zh: "集中隔离", en: "centralized quarantine" },
  quarantine: { zh: "隔离（方式未定）", en: "quarantine (place unspecified)" },
  home_quarantine: { zh: "居家隔离", en: "home quarantine" },
  home_health_monitoring: { zh: "居家健康监测", en: "home health monitoring" },
};

/**
 * The day number of the last-exposure day itself: 0 (protocols.md §2.1, "Quarantine is counted from
 * the last exposure"), so a 7-day quarantine covers the 7 days after the exposure.
 */
export const EXPOSURE_DAY_NUMBER = 0;

/** When a course starts: all optional, at least one needed. ISO dates or datetimes, Beijing time. */
export interface StartFacts {
  arrivalAt?: string;
  lastExposureAt?: string;
  placedAt?: string;
}

export type CountedFrom = TestBlock["countedFrom"];
/** What the course's day 1 is counted from; "placement" when neither arrival nor exposure is known. */
export type CourseAnchor = "arrival" | "last_exposure" | "placement";

export interface Phase {
  kind: PhaseKind;
  /** Days the pack gives; null when it gives none (the phase then has no end). */
  days: number | null;
  /** null when an earlier phase has no end. */
  start: string | null;
  end: string | null;
}

export interface Appointment {
  date: string;
  phase: TestBlock["phase"];
  /** The day number as the block counts it (from `countedFrom`). */
  dayNumber: number;
  sample: TestBlock["sample"];
  countedFrom: CountedFrom;
  ruleId: string;
  doubleSampling?: boolean;
  /** Other rules asking for a test that day (one swab serves them all). */
  alsoAskedBy?: string[];
  /** Dated before the person was placed: it cannot have been taken in the course (flag, not error). */
  beforePlacement: boolean;
}

export interface ScheduleOptions {
  exposureDayNumber?: 0 | 1;
}

export interface Course {
  measures: CombinedMeasures;
  facts: StartFacts;
  options: Required<ScheduleOptions>;
  anchor: CourseAnchor;
  /** The date day 0 (exposure) or day 1 (arrival, placement) falls on. */
  anchorDate: string;
  arrivalOn: string | null;
  lastExposureOn: string | null;
  placedOn: string | null;
  phases: Phase[];
  appointments: Appointment[];
  /** The pack's release conditions, as decided. */
  release: NonNullable<CombinedMeasures["release"]>;
  /** Where the pack is silent and the course makes a choice, or a block could not be dated. */
  notes: Message[];
}

function dateField(facts: StartFacts, key: keyof StartFacts, errors: FieldError[]): string | null {
  const v = facts[key];
  if (v === undefined) return null;
  const d = isDate(v.slice(0, 10)) ? shanghaiDate(v) : null;
  if (d === null) {
    errors.push(
      fieldError(
        key,
        "course.invalid_date",
        `${v} 不是有效的日期或时间`,
        `${v} is not a valid date or datetime`,
      ),
    );
  }
  return d;
}

/** Indices spread evenly over [first, last], both ends included (count 1: first). */
function spread(count: number, first: number, last: number): number[] {
  if (count <= 1 || last <= first) return Array.from({ length: count }, (_, i) => first + i);
  return Array.from({ length: count }, (_, i) => first + Math.round((i * (last - first)) / (count - 1)));
}

/** The course: phases and test appointments, or why it cannot be computed. */
export function schedule(
  measures: CombinedMeasures,
  facts: StartFacts,
  options: ScheduleOptions = {},
): Validated<Course> {
  const errors: FieldError[] = [];
  const arrivalOn = dateField(facts, "arrivalAt", errors);
  const lastExposureOn = dateField(facts, "lastExposureAt", errors);
  const placedOn = dateField(facts, "placedAt", errors);
  if (errors.length) return { ok: false, errors };
  const opts: Required<ScheduleOptions> = {
    exposureDayNumber: options.exposureDayNumber ?? EXPOSURE_DAY_NUMBER,
  };
  const notes: Message[] = [];
  const tests: CombinedTestBlock[] = measures.tests ?? [];
  const kinds = PHASE_ORDER.filter((k) => measures[MEASURE_OF[k]] !== undefined);

  // The anchor: what the first phase's tests count from, else any test, else the facts.
  const firstKind = kinds[0];
  const byFirst = tests.find(
    (t) => t.phase === firstKind && (t.countedFrom === "arrival" || t.countedFrom === "last_exposure"),
  );
  const byAny = tests.find((t) => t.countedFrom === "arrival" || t.countedFrom === "last_exposure");
  const wanted = (byFirst ?? byAny)?.countedFrom;
  const anchor: CourseAnchor | null =
    wanted === "arrival" || wanted === "last_exposure"
      ? wanted
      : lastExposureOn
        ? "last_exposure"
        : arrivalOn
          ? "arrival"
          : placedOn
            ? "placement"
            : null;
  if (anchor === null) {
    return {
      ok: false,
      errors: [
        fieldError(
          "facts",
          "course.no_start",
          "需要到达时间、末次暴露时间或安置时间之一",
          "an arrival time, a last exposure time or a placement time is needed",
        ),
      ],
    };
  }
  const anchorDate = { arrival: arrivalOn, last_exposure: lastExposureOn, placement: placedOn }[anchor];
  if (anchorDate === null) {
    const field = anchor === "arrival" ? "arrivalAt" : "lastExposureAt";
    const zh = anchor === "arrival" ? "到达时间" : "末次暴露时间";
    const en = anchor === "arrival" ? "arrival time" : "last exposure time";
    return {
      ok: false,
      errors: [
        fieldError(
          field,
          "course.anchor_missing",
          `规则包的检测按${zh}计算，但未提供${zh}`,
          `the pack counts tests from the ${en}, which is missing`,
        ),
      ],
    };
  }
  // Date of day n counted from an origin.
  const dayOf = (from: CourseAnchor, n: number): string | null => {
    if (from === "last_exposure")
      return lastExposureOn && addDays(lastExposureOn, n - opts.exposureDayNumber);
    const origin = from === "arrival" ? arrivalOn : placedOn;
    return origin && addDays(origin, n - 1);
  };

  const phases: Phase[] = [];
  let next: string | null = dayOf(anchor, 1);
  for (const kind of kinds) {
    const days = measures[MEASURE_OF[kind]]?.days ?? null;
    const start = next;
    const end = start !== null && days !== null ? addDays(start, days - 1) : null;
    if (days === null) {
      notes.push({
        zh: `规则包未写明${PHASE_LABELS[kind].zh}天数，结束日期由人工决定`,
        en: `the pack gives no number of days for ${PHASE_LABELS[kind].en}; its end is decided by a person`,
      });
    }
    phases.push({ kind, days, start, end });
    next = end === null ? null : addDays(end, 1);
  }
  const isolation = phases.filter((p) => ISOLATION_PHASES.includes(p.kind));
  const courseStart = phases[0]?.start ?? null;
  const courseEnd = phases.length ? (phases[phases.length - 1]?.end ?? null) : null;
  const afterRelease = isolation.length ? isolation[isolation.length - 1]?.end : null;

  const appointments: Appointment[] = [];
  for (const block of tests) {
    // The span the block's days fall in: [start, end] dates (end null = open).
    let span: { start: string | null; end: string | null } | null;
    if (block.phase === "before_arrival") {
      notes.push({
        zh: `规则 ${block.ruleId} 的到达前检测在到达时查验，不排入日程`,
        en: `rule ${block.ruleId}'s pre-arrival test is checked on arrival, not scheduled`,
      });
      continue;
    } else if (block.phase === "on_arrival") {
      span = { start: arrivalOn ?? placedOn, end: null };
    } else if (block.phase === "after_release") {
      span = afterRelease ? { start: addDays(afterRelease, 1), end: null } : null;
    } else {
      const p = phases.find((x) => x.kind === block.phase);
      // "quarantine" tests with no unspecified-quarantine phase fall over the whole course ("期间").
      span =
        p ?? (block.phase === "quarantine" && phases.length ? { start: courseStart, end: courseEnd } : null);
    }
    if (!span || span.start === null) {
      notes.push({
        zh: `规则 ${block.ruleId} 的检测（${block.phase}）无法排期：此人的疗程中没有该阶段或其开始日期未知`,
        en: `rule ${block.ruleId}'s tests (${block.phase}) cannot be dated: the course has no such phase or its start is unknown`,
      });
      continue;
    }
    const from: CourseAnchor = block.countedFrom === "phase_start" ? "placement" : block.countedFrom;
    const base = from === "last_exposure" ? opts.exposureDayNumber : 1;
    const origin =
      from === "placement" ? span.start : { arrival: arrivalOn, last_exposure: lastExposureOn }[from];
    if (origin === null) {
      notes.push({
        zh: `规则 ${block.ruleId} 的检测按${from === "arrival" ? "到达" : "末次暴露"}计算，但未提供该时间`,
        en: `rule ${block.ruleId}'s tests count from the ${from === "arrival" ? "arrival" : "last exposure"}, which is not given`,
      });
      continue;
    }
    const numberOf = (date: string) => daysBetween(origin, date) + base;
    const dateOf = (n: number) => addDays(origin, n - base);
    const first = numberOf(span.start);
    const last = span.end === null ? null : numberOf(span.end);
    let numbers: number[];
    if (block.days) {
      numbers = block.days;
    } else if (block.count !== undefined) {
      // "3天2检": first and last day of the window, evenly between; a count alone: over the phase.
      const windowEnd =
        block.withinDays !== undefined ? first + block.withinDays - 1 : (last ?? first + block.count - 1);
      numbers = spread(block.count, first, windowEnd);
    } else if (block.everyDays !== undefined && last !== null) {
      // "每7天一次": on day k, 2k, … of the phase (the first period ends with a test).
      numbers = [];
      for (let n = first - 1 + block.everyDays; n <= last; n += block.everyDays) numbers.push(n);
    } else {
      notes.push({
        zh: `规则 ${block.ruleId} 的检测没有日期、次数，或阶段无结束日期`,
        en: `rule ${block.ruleId}'s tests have no days or count, or the phase has no end`,
      });
      continue;
    }
    for (const n of numbers) {
      const date = dateOf(n);
      appointments.push({
        date,
        phase: block.phase,
        dayNumber: n,
        sample: block.sample,
        countedFrom: block.countedFrom,
        ruleId: block.ruleId,
        ...(block.doubleSampling ? { doubleSampling: true } : {}),
        beforePlacement: placedOn !== null && date < placedOn,
      });
    }
  }
  appointments.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  // Two rules asking for a test on the same day (e.g. a close contact who also arrived from abroad)
  // get one swab: the first rule's, with the others listed; an unspecified sample yields to a stated one.
  const merged: Appointment[] = [];
  for (const a of appointments) {
    const same = merged.find(
      (m) =>
        m.date === a.date &&
        (m.sample === a.sample || m.sample === "unspecified" || a.sample === "unspecified"),
    );
    if (!same) {
      merged.push(a);
      continue;
    }
    if (same.sample === "unspecified") same.sample = a.sample;
    if (a.doubleSampling) same.doubleSampling = true;
    if (a.ruleId !== same.ruleId && !same.alsoAskedBy?.includes(a.ruleId)) {
      same.alsoAskedBy = [...(same.alsoAskedBy ?? []), a.ruleId];
    }
  }
  const release = measures.release ?? {};
  if (release.negativeTests !== undefined && merged.length < release.negativeTests) {
    notes.push({
      zh: `规则包要求 ${release.negativeTests} 次阴性方可解除，但只写明了 ${merged.length} 次检测日期；其余检测日期由现场安排`,
      en: `the pack requires ${release.negativeTests} negative tests for release but dates only ${merged.length}; the site schedules the rest`,
    });
  }
  return {
    ok: true,
    value: {
      measures,
      facts,
      options: opts,
      anchor,
      anchorDate,
      arrivalOn,
      lastExposureOn,
      placedOn,
      phases,
      appointments: merged,
      release,
      notes,
    },
  };
}

/** The first and last date of the course (null end when a phase has no length). */
export function courseSpan(course: Course): { start: string | null; end: string | null } {
  const start = course.phases[0]?.start ?? course.appointments[0]?.date ?? null;
  const last = course.phases[course.phases.length - 1];
  return {
    start,
    end: last ? last.end : (course.appointments[course.appointments.length - 1]?.date ?? null),
  };
}

export interface Rescheduled {
  course: Course;
  /** What moved and why, one line each. */
  changes: Message[];
}

const key = (a: Appointment) => `${a.ruleId}|${a.phase}|${a.countedFrom}|${a.dayNumber}`;
const FACT_LABELS: Record<keyof StartFacts, Message> = {
  arrivalAt: { zh: "到达日期", en: "arrival" },
  lastExposureAt: { zh: "末次暴露日期", en: "last exposure" },
  placedAt: { zh: "安置日期", en: "placement" },
};

/** The course again from new start facts (merged over the old), with what moved and why. */
export function reschedule(old: Course, newFacts: StartFacts): Validated<Rescheduled> {
  const facts = { ...old.facts, ...newFacts };
  const r = schedule(old.measures, facts, old.options);
  if (!r.ok) return r;
  const course = r.value;
  const changes: Message[] = [];
  const oldDates = { arrivalAt: old.arrivalOn, lastExposureAt: old.lastExposureOn, placedAt: old.placedOn };
  const newDates = {
    arrivalAt: course.arrivalOn,
    lastExposureAt: course.lastExposureOn,
    placedAt: course.placedOn,
  };
  const causes: Message[] = [];
  for (const k of Object.keys(FACT_LABELS) as (keyof StartFacts)[]) {
    if (oldDates[k] === newDates[k]) continue;
    causes.push({
      zh: `${FACT_LABELS[k].zh}由 ${oldDates[k] ?? "无"} 改为 ${newDates[k] ?? "无"}`,
      en: `${FACT_LABELS[k].en} moved from ${oldDates[k] ?? "none"} to ${newDates[k] ?? "none"}`,
    });
  }
  const cause = {
    zh: causes.map((c) => c.zh).join("；") || "事实未变",
    en: causes.map((c) => c.en).join("; ") || "facts unchanged",
  };
  for (const p of course.phases) {
    const before = old.phases.find((x) => x.kind === p.kind);
    if (!before || (before.start === p.start && before.end === p.end)) continue;
    changes.push({
      zh: `${cause.zh}：${PHASE_LABELS[p.kind].zh} ${before.start}～${before.end} → ${p.start}～${p.end}`,
      en: `${cause.en}: ${PHASE_LABELS[p.kind].en} ${before.start} to ${before.end} → ${p.start} to ${p.end}`,
    });
  }
  const moved: string[] = [];
  for (const a of course.appointments) {
    const before = old.appointments.find((x) => key(x) === key(a));
    if (before && before.date !== a.date) moved.push(`${before.date}→${a.date}`);
  }
  if (moved.length) {
    changes.push({
      zh: `${cause.zh}：检测日期 ${moved.join("，")}`,
      en: `${cause.en}: tests ${moved.join(", ")}`,
    });
  }
  return { ok: true, value: { course, changes } };
}
