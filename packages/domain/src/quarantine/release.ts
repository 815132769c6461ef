/**
 * Release: may the person leave isolation (or end the whole course) on a date, given the course and
 * the test results so far? Pure; conditions come from the course (the pack's measures) only.
 *
 * Choices (docs/capabilities/quarantine.md):
 * - Releasable on the last day of the stage (the 9th edition: "A secondary contact is released on day
 *   7"), once that day's scheduled test is back negative.
 * - Every scheduled test in the stage needs a negative result dated that day.
 * - "N negatives" (Qilin: "三次核酸检测阴性解除隔离") counts negative results in the course; the notice
 *   does not say consecutive, but any positive result stops release (status "positive"), so the
 *   negatives that count are in effect consecutive.
 * - A secondary contact's linked close contact: the first N results by date (9th edition: "the linked
 *   close contact's first two tests"); a positive among them upgrades the person to close contact.
 */
import type { FieldError, Message, Validated } from "../shared/result.ts";
import { fieldError } from "../shared/result.ts";
import { daysBetween, isDate } from "../shared/shanghai-time.ts";
import {
  type Course,
  courseSpan,
  ISOLATION_PHASES,
  type Phase,
  PHASE_LABELS,
  type PhaseKind,
} from "./schedule.ts";

export type TestOutcome = "negative" | "positive" | "pending";

export interface TestResult {
  /** The sampling date, Beijing calendar. */
  date: string;
  result: TestOutcome;
}

export interface ReleaseInput {
  /** The date asked about. */
  on: string;
  results: readonly TestResult[];
  /** For a secondary contact: the linked close contact's results. */
  linkedCloseContactResults?: readonly TestResult[];
}

/**
 * "isolation": the isolation phases (centralized, unspecified, home quarantine), or every phase when
 * there is none; "course": every phase, home health monitoring included.
 */
export type ReleaseStage = "isolation" | "course";

export interface Condition {
  code: string;
  message: Message;
}

export type ReleaseDecision =
  | {
      status: "releasable";
      stage: ReleaseStage;
      met: Condition[];
      /** The phases ended, and the one that follows (centralized → home health monitoring), if any. */
      from: PhaseKind[];
      next: Phase | null;
    }
  | { status: "not_yet"; stage: ReleaseStage; met: Condition[]; unmet: Condition[] }
  | { status: "upgrade_to_close_contact"; reason: Message }
  | { status: "positive"; reason: Message };

function stagePhases(course: Course, stage: ReleaseStage): Phase[] {
  if (stage === "course") return course.phases;
  const iso = course.phases.filter((p) => ISOLATION_PHASES.includes(p.kind));
  return iso.length ? iso : course.phases;
}

function checkResults(
  field: string,
  results: readonly TestResult[],
  start: string | null,
  on: string,
  errors: FieldError[],
) {
  results.forEach((r, i) => {
    if (!isDate(r.date)) {
      errors.push(
        fieldError(
          `${field}[${i}].date`,
          "result.invalid_date",
          `${r.date} 不是有效日期`,
          `${r.date} is not a valid date`,
        ),
      );
    } else if (start !== null && field === "results" && r.date < start) {
      errors.push(
        fieldError(
          `${field}[${i}].date`,
          "result.before_course",
          `检测结果日期 ${r.date} 早于隔离开始日期 ${start}，此人当时不在隔离中`,
          `the result dated ${r.date} is before the course starts on ${start}; the person was not in quarantine then`,
        ),
      );
    } else if (r.date > on) {
      errors.push(
        fieldError(
          `${field}[${i}].date`,
          "result.after_date",
          `检测结果日期 ${r.date} 晚于判定日期 ${on}`,
          `the result dated ${r.date} is after the date asked about, ${on}`,
        ),
      );
    }
  });
}

/** Whether the person is releasable on `input.on`, with each condition met or unmet explained. */
export function decideRelease(
  course: Course,
  input: ReleaseInput,
  stage: ReleaseStage = "isolation",
): Validated<ReleaseDecision> {
  const errors: FieldError[] = [];
  const span = courseSpan(course);
  // The person is there from placement (before day 1 when placed on the exposure day, after it when
  // found late); without a placement, from day 1.
  const start = course.placedOn ?? span.start;
  if (!isDate(input.on)) {
    errors.push(
      fieldError("on", "release.invalid_date", `${input.on} 不是有效日期`, `${input.on} is not a valid date`),
    );
    return { ok: false, errors };
  }
  if (start !== null && input.on < start) {
    errors.push(
      fieldError(
        "on",
        "release.before_start",
        `解除日期 ${input.on} 早于隔离开始日期 ${start}`,
        `the release date ${input.on} is before the course starts on ${start}`,
      ),
    );
  }
  checkResults("results", input.results, start, input.on, errors);
  checkResults("linkedCloseContactResults", input.linkedCloseContactResults ?? [], null, input.on, errors);
  if (errors.length) return { ok: false, errors };

  const on = input.on;
  const positive = input.results.find((r) => r.result === "positive");
  if (positive) {
    return {
      ok: true,
      value: {
        status: "positive",
        reason: {
          zh: `${positive.date} 检测阳性，不能解除隔离，转入病例处置`,
          en: `positive test on ${positive.date}: not releasable, handled as a case`,
        },
      },
    };
  }
  const met: Condition[] = [];
  const unmet: Condition[] = [];
  const rel = course.release;

  const linkedN = rel.linkedCloseContactNegativeTests;
  if (linkedN !== undefined) {
    const firstN = [...(input.linkedCloseContactResults ?? [])]
      .sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0))
      .slice(0, linkedN);
    const pos = firstN.find((r) => r.result === "positive");
    if (pos && rel.upgradeToCloseContactIfLinkedPositive) {
      return {
        ok: true,
        value: {
          status: "upgrade_to_close_contact",
          reason: {
            zh: `关联密接者前 ${linkedN} 次检测中 ${pos.date} 为阳性，此人升级为密切接触者`,
            en: `the linked close contact tested positive on ${pos.date}, within their first ${linkedN} tests: this person becomes a close contact`,
          },
        },
      };
    }
    const negatives = firstN.filter((r) => r.result === "negative").length;
    (negatives === linkedN && !pos ? met : unmet).push({
      code: "linked_close_contact_negatives",
      message: {
        zh: `关联密接者前 ${linkedN} 次检测阴性：已有 ${negatives} 次`,
        en: `the linked close contact's first ${linkedN} tests negative: ${negatives} so far`,
      },
    });
  }

  const phases = stagePhases(course, stage);
  const first = phases[0];
  const last = phases[phases.length - 1];
  const from = first?.start ?? null;
  const end = last?.end ?? null;
  if (phases.length && end === null) {
    unmet.push({
      code: "length_unspecified",
      message: {
        zh: "规则包未写明隔离天数，解除由人工决定",
        en: "the pack gives no number of days; release is decided by a person",
      },
    });
  } else if (end !== null && from !== null) {
    const total = daysBetween(from, end) + 1;
    const done = Math.max(0, Math.min(total, daysBetween(from, on) + 1));
    (on >= end ? met : unmet).push({
      code: "days_completed",
      message: {
        zh: `${phases.map((p) => PHASE_LABELS[p.kind].zh).join("＋")}共 ${total} 天（${from}～${end}），已满 ${done} 天`,
        en: `${phases.map((p) => PHASE_LABELS[p.kind].en).join(" + ")}: ${total} days (${from} to ${end}), ${done} done`,
      },
    });
  }

  // Scheduled tests of the stage, by date.
  const due = course.appointments.filter(
    (a) => from !== null && a.date >= from && (end === null || a.date <= end),
  );
  const seen = new Set<string>();
  for (const a of due) {
    if (seen.has(a.date)) continue;
    seen.add(a.date);
    if (a.beforePlacement) {
      met.push({
        code: "test_before_placement",
        message: {
          zh: `第 ${a.dayNumber} 天（${a.date}）检测在安置之前，不作要求`,
          en: `day ${a.dayNumber} (${a.date}) test falls before placement and is not required`,
        },
      });
      continue;
    }
    const r = input.results.filter((x) => x.date === a.date);
    const ok = r.some((x) => x.result === "negative");
    const state = ok
      ? { zh: "阴性", en: "negative" }
      : r.length
        ? { zh: "结果未出", en: "result pending" }
        : a.date > on
          ? { zh: "未到期", en: "not yet due" }
          : { zh: "无结果（漏检？）", en: "no result (missed?)" };
    (ok ? met : unmet).push({
      code: ok ? "test_negative" : a.date > on ? "test_not_due" : r.length ? "test_pending" : "test_missing",
      message: {
        zh: `第 ${a.dayNumber} 天（${a.date}）检测：${state.zh}`,
        en: `day ${a.dayNumber} (${a.date}) test: ${state.en}`,
      },
    });
  }

  if (rel.negativeTests !== undefined) {
    const n = input.results.filter((r) => r.result === "negative").length;
    (n >= rel.negativeTests ? met : unmet).push({
      code: "negative_tests",
      message: {
        zh: `需 ${rel.negativeTests} 次核酸检测阴性，已有 ${n} 次`,
        en: `${rel.negativeTests} negative tests needed, ${n} so far`,
      },
    });
  }
  if (rel.daysSinceLastExposure !== undefined) {
    const since = course.lastExposureOn === null ? null : daysBetween(course.lastExposureOn, on);
    (since !== null && since >= rel.daysSinceLastExposure ? met : unmet).push({
      code: "days_since_last_exposure",
      message: {
        zh: `距末次暴露需满 ${rel.daysSinceLastExposure} 天，现为 ${since ?? "未知"} 天`,
        en: `${rel.daysSinceLastExposure} days since the last exposure needed, ${since ?? "unknown"} so far`,
      },
    });
  }

  if (unmet.length) return { ok: true, value: { status: "not_yet", stage, met, unmet } };
  const nextPhase = course.phases[course.phases.indexOf(last as Phase) + 1] ?? null;
  return {
    ok: true,
    value: { status: "releasable", stage, met, from: phases.map((p) => p.kind), next: nextPhase },
  };
}

/** "集中隔离 → 居家健康监测": the words for a releasable decision's transition. */
export function describeTransition(d: Extract<ReleaseDecision, { status: "releasable" }>): Message {
  const fromZh = d.from.map((k) => PHASE_LABELS[k].zh).join("＋");
  const fromEn = d.from.map((k) => PHASE_LABELS[k].en).join(" + ");
  if (!d.next) return { zh: `解除${fromZh}`, en: `released from ${fromEn}` };
  const to = PHASE_LABELS[d.next.kind];
  return {
    zh: `解除${fromZh}，转${to.zh}（${d.next.start}～${d.next.end ?? "未定"}）`,
    en: `released from ${fromEn}, then ${to.en} (${d.next.start} to ${d.next.end ?? "open"})`,
  };
}
