/**
 * Cases of an investigation (issue 6, item 1): classification, how the case was found, its source, and
 * the look-back window (追溯期) its close contacts are traced in. A case is a person's record: a contact
 * who becomes a case keeps their `personId`, so both histories stay one person's. `checkNewCase` turns a
 * form or a positive result into a checked case or bilingual field errors; nothing is guessed. Pure:
 * `now` is a parameter. Rules and sources: docs/capabilities/tracing-rules.md.
 */
import { type FieldError, fieldError, type Message, type Validated } from "../shared/result.ts";
import { addDays, isDate, shanghaiDateOf } from "../shared/shanghai-time.ts";
import type { TracingPolicy } from "./policy.ts";

/** 疑似病例; 确诊病例 轻型 / 普通型 / 重型 / 危重型; 无症状感染者. */
export type CaseClassification =
  | "suspected"
  | "confirmed_mild"
  | "confirmed_moderate"
  | "confirmed_severe"
  | "confirmed_critical"
  | "asymptomatic";

export const CASE_CLASSIFICATIONS: readonly CaseClassification[] = [
  "suspected",
  "confirmed_mild",
  "confirmed_moderate",
  "confirmed_severe",
  "confirmed_critical",
  "asymptomatic",
];

export const CASE_CLASSIFICATION_LABELS: Record<CaseClassification, Message> = {
  suspected: { zh: "疑似病例", en: "Suspected case" },
  confirmed_mild: { zh: "确诊病例（轻型）", en: "Confirmed case (mild)" },
  confirmed_moderate: { zh: "确诊病例（普通型）", en: "Confirmed case (moderate)" },
  confirmed_severe: { zh: "确诊病例（重型）", en: "Confirmed case (severe)" },
  confirmed_critical: { zh: "确诊病例（危重型）", en: "Confirmed case (critical)" },
  asymptomatic: { zh: "无症状感染者", en: "Asymptomatic infection" },
};

/** How the case came to light. */
export type FoundBy = "screening" | "fever_clinic" | "quarantine" | "arrival" | "other";

export const FOUND_BY: readonly FoundBy[] = ["screening", "fever_clinic", "quarantine", "arrival", "other"];

export const FOUND_BY_LABELS: Record<FoundBy, Message> = {
  screening: { zh: "核酸筛查发现", en: "Found by screening" },
  fever_clinic: { zh: "发热门诊发现", en: "Found at a fever clinic" },
  quarantine: { zh: "隔离管控中发现", en: "Found in quarantine" },
  arrival: { zh: "来（返）人员排查发现", en: "Found among arrivals" },
  other: { zh: "其他途径", en: "Other" },
};

/** Where the infection came from. */
export type CaseSource = "imported" | "local" | "linked";

export const CASE_SOURCES: readonly CaseSource[] = ["imported", "local", "linked"];

export const CASE_SOURCE_LABELS: Record<CaseSource, Message> = {
  imported: { zh: "输入病例", en: "Imported" },
  local: { zh: "本土病例", en: "Local" },
  linked: { zh: "关联病例", en: "Linked to a known case" },
};

/** Symptomatic classifications: everything but an asymptomatic infection. */
export function isSymptomatic(c: CaseClassification): boolean {
  return c !== "asymptomatic";
}

/** A case as a form or a positive result gives it: strings not yet checked. */
export interface NewCaseInput {
  personId: string;
  classification: string;
  foundBy: string;
  source: string;
  /** The known case this one is linked to (source `linked`). */
  linkedCaseId?: string | null | undefined;
  /** Symptom onset, "YYYY-MM-DD" (Beijing); none for an asymptomatic infection. */
  onsetDate?: string | null | undefined;
  /** Sampling date of the positive test, "YYYY-MM-DD". */
  samplingDate?: string | null | undefined;
  /** Sampling date of the last negative test before it (routine screening), "YYYY-MM-DD". */
  lastNegativeSamplingDate?: string | null | undefined;
  /** When the case was reported: the investigation's clocks start here. */
  reportedAt: Date;
  /** When the case was confirmed (or the asymptomatic infection diagnosed); null for a suspected case. */
  confirmedAt?: Date | null | undefined;
  /** When the case was isolated; the look-back window ends here. */
  isolatedAt?: Date | null | undefined;
}

/** A checked case. */
export interface TracingCase {
  personId: string;
  classification: CaseClassification;
  foundBy: FoundBy;
  source: CaseSource;
  linkedCaseId: string | null;
  onsetDate: string | null;
  samplingDate: string | null;
  lastNegativeSamplingDate: string | null;
  reportedAt: Date;
  confirmedAt: Date | null;
  isolatedAt: Date | null;
}

function oneOf<T extends string>(
  values: readonly T[],
  labels: Record<T, Message>,
  raw: string,
  field: string,
  what: Message,
  errors: FieldError[],
): T | null {
  if ((values as readonly string[]).includes(raw)) return raw as T;
  errors.push(
    fieldError(
      field,
      `case.${field}_unknown`,
      `未知的${what.zh}「${raw}」，可选：${values.map((v) => labels[v].zh).join("、")}`,
      `Unknown ${what.en} "${raw}"; expected one of ${values.join(", ")}`,
    ),
  );
  return null;
}

const DATE_NAMES: Record<string, Message> = {
  onsetDate: { zh: "发病日期", en: "onset date" },
  samplingDate: { zh: "阳性采样日期", en: "sampling date of the positive test" },
  lastNegativeSamplingDate: { zh: "末次阴性采样日期", en: "sampling date of the last negative test" },
};

function checkDateField(
  raw: string | null | undefined,
  field: keyof typeof DATE_NAMES,
  today: string,
  errors: FieldError[],
): string | null {
  if (raw === null || raw === undefined || raw === "") return null;
  const name = DATE_NAMES[field]!;
  if (!isDate(raw)) {
    errors.push(
      fieldError(
        field,
        "case.invalid_date",
        `${name.zh}「${raw}」不是 YYYY-MM-DD 格式的有效日期`,
        `The ${name.en} "${raw}" is not a valid YYYY-MM-DD date`,
      ),
    );
    return null;
  }
  if (raw > today) {
    errors.push(
      fieldError(
        field,
        "case.future_date",
        `${name.zh} ${raw} 晚于今天（${today}）`,
        `The ${name.en} ${raw} is after today (${today})`,
      ),
    );
    return null;
  }
  return raw;
}

const INSTANT_NAMES: Record<string, Message> = {
  reportedAt: { zh: "报告时间", en: "report time" },
  confirmedAt: { zh: "确诊时间", en: "confirmation time" },
  isolatedAt: { zh: "隔离时间", en: "isolation time" },
};

function checkInstant(
  t: Date | null | undefined,
  field: keyof typeof INSTANT_NAMES,
  now: Date,
  errors: FieldError[],
): Date | null {
  if (t === null || t === undefined) return null;
  const name = INSTANT_NAMES[field]!;
  if (Number.isNaN(t.getTime())) {
    errors.push(
      fieldError(field, "case.invalid_time", `${name.zh}不是有效时间`, `The ${name.en} is not a valid time`),
    );
    return null;
  }
  if (t.getTime() > now.getTime()) {
    errors.push(
      fieldError(
        field,
        "case.future_time",
        `${name.zh} ${t.toISOString()} 晚于当前时间`,
        `The ${name.en} ${t.toISOString()} is in the future`,
      ),
    );
    return null;
  }
  return t;
}

/**
 * Check a new case. Refused, each with its field: an unknown classification, finding or source; a date
 * that is not a date or lies after today (Beijing); a report, confirmation or isolation time in the
 * future; onset on an asymptomatic infection (a symptomatic one is a confirmed case); neither onset nor
 * sampling date (the look-back window needs one); onset or sampling after the confirmation; a last
 * negative test not before the positive one; a confirmation time on a suspected case, or none on a
 * confirmed case or an asymptomatic infection; a linked case without the case it is linked to, or
 * linked to itself.
 */
export function checkNewCase(input: NewCaseInput, now: Date): Validated<TracingCase> {
  const errors: FieldError[] = [];
  const today = shanghaiDateOf(now.getTime());
  const classification = oneOf(
    CASE_CLASSIFICATIONS,
    CASE_CLASSIFICATION_LABELS,
    input.classification,
    "classification",
    { zh: "病例分类", en: "classification" },
    errors,
  );
  const foundBy = oneOf(
    FOUND_BY,
    FOUND_BY_LABELS,
    input.foundBy,
    "foundBy",
    { zh: "发现途径", en: "way found" },
    errors,
  );
  const source = oneOf(
    CASE_SOURCES,
    CASE_SOURCE_LABELS,
    input.source,
    "source",
    { zh: "病例来源", en: "source" },
    errors,
  );
  const onsetDate = checkDateField(input.onsetDate, "onsetDate", today, errors);
  const samplingDate = checkDateField(input.samplingDate, "samplingDate", today, errors);
  const lastNegative = checkDateField(
    input.lastNegativeSamplingDate,
    "lastNegativeSamplingDate",
    today,
    errors,
  );
  const reportedAt = checkInstant(input.reportedAt, "reportedAt", now, errors);
  const confirmedAt = checkInstant(input.confirmedAt, "confirmedAt", now, errors);
  const isolatedAt = checkInstant(input.isolatedAt, "isolatedAt", now, errors);

  if (classification === "asymptomatic" && onsetDate !== null)
    errors.push(
      fieldError(
        "onsetDate",
        "case.onset_on_asymptomatic",
        "无症状感染者没有发病日期；出现症状者应订正为确诊病例",
        "An asymptomatic infection has no onset date; one with symptoms is a confirmed case",
      ),
    );
  if (classification === "asymptomatic" && samplingDate === null && input.samplingDate == null)
    errors.push(
      fieldError(
        "samplingDate",
        "case.sampling_required",
        "无症状感染者须填写阳性采样日期（追溯期自采样日期起算）",
        "An asymptomatic infection needs the positive test's sampling date (the look-back window counts from it)",
      ),
    );
  else if (
    classification !== null &&
    onsetDate === null &&
    samplingDate === null &&
    (input.onsetDate ?? "") === "" &&
    (input.samplingDate ?? "") === ""
  )
    errors.push(
      fieldError(
        "onsetDate",
        "case.no_anchor_date",
        "须填写发病日期或阳性采样日期（追溯期自其中之一起算）",
        "An onset date or a sampling date is needed (the look-back window counts from one of them)",
      ),
    );

  if (classification === "suspected" && confirmedAt !== null)
    errors.push(
      fieldError(
        "confirmedAt",
        "case.suspected_confirmed",
        "疑似病例没有确诊时间；确诊后应订正分类",
        "A suspected case has no confirmation time; reclassify it once confirmed",
      ),
    );
  if (classification !== null && classification !== "suspected" && input.confirmedAt == null)
    errors.push(
      fieldError(
        "confirmedAt",
        "case.confirmation_required",
        "确诊病例和无症状感染者须填写确诊时间",
        "A confirmed case or an asymptomatic infection needs its confirmation time",
      ),
    );
  if (confirmedAt !== null) {
    const confirmedOn = shanghaiDateOf(confirmedAt.getTime());
    if (onsetDate !== null && onsetDate > confirmedOn)
      errors.push(
        fieldError(
          "onsetDate",
          "case.onset_after_confirmation",
          `发病日期 ${onsetDate} 晚于确诊日期 ${confirmedOn}`,
          `The onset date ${onsetDate} is after the confirmation on ${confirmedOn}`,
        ),
      );
    if (samplingDate !== null && samplingDate > confirmedOn)
      errors.push(
        fieldError(
          "samplingDate",
          "case.sampling_after_confirmation",
          `阳性采样日期 ${samplingDate} 晚于确诊日期 ${confirmedOn}`,
          `The sampling date ${samplingDate} is after the confirmation on ${confirmedOn}`,
        ),
      );
  }
  if (lastNegative !== null && samplingDate !== null && lastNegative >= samplingDate)
    errors.push(
      fieldError(
        "lastNegativeSamplingDate",
        "case.last_negative_not_before_positive",
        `末次阴性采样日期 ${lastNegative} 应早于阳性采样日期 ${samplingDate}`,
        `The last negative sampling ${lastNegative} must be before the positive sampling on ${samplingDate}`,
      ),
    );
  const linkedCaseId = (input.linkedCaseId ?? "").trim() || null;
  if (source === "linked" && linkedCaseId === null)
    errors.push(
      fieldError(
        "linkedCaseId",
        "case.linked_case_required",
        "关联病例须指明所关联的已知病例",
        "A linked case must name the known case it is linked to",
      ),
    );
  if (linkedCaseId !== null && linkedCaseId === input.personId)
    errors.push(
      fieldError(
        "linkedCaseId",
        "case.linked_to_itself",
        "病例不能关联到其本人",
        "A case cannot be linked to itself",
      ),
    );

  if (errors.length || !classification || !foundBy || !source || !reportedAt) return { ok: false, errors };
  return {
    ok: true,
    value: {
      personId: input.personId,
      classification,
      foundBy,
      source,
      linkedCaseId: source === "linked" ? linkedCaseId : null,
      onsetDate,
      samplingDate,
      lastNegativeSamplingDate: lastNegative,
      reportedAt,
      confirmedAt,
      isolatedAt,
    },
  };
}

/** The opening of a case's look-back window: the date, its first instant (Beijing), and why. */
export interface LookBackStart {
  date: string;
  /** Midnight (Asia/Shanghai) at the start of `date`. */
  startsAt: Date;
  basis: "onset" | "sampling" | "last_negative";
  explanation: Message;
}

/** Midnight, Beijing time, at the start of a date. */
export function beijingMidnight(date: string): Date {
  return new Date(Date.parse(`${date}T00:00:00+08:00`));
}

/**
 * Where the case's close contacts are traced from: N days (policy) before onset for a symptomatic case
 * with an onset date, else before the positive sampling; for a case found by routine screening with a
 * last negative test after that day, from the last negative sampling (protocols.md §2.1, Annex 4:
 * "from the last negative sampling to isolation"). Null when the case has neither date.
 */
export function lookBackStart(
  c: Pick<
    TracingCase,
    "classification" | "foundBy" | "onsetDate" | "samplingDate" | "lastNegativeSamplingDate"
  >,
  policy: TracingPolicy,
): LookBackStart | null {
  const n = policy.lookBack.days;
  const useOnset = isSymptomatic(c.classification) && c.onsetDate !== null;
  const anchor = useOnset ? c.onsetDate : c.samplingDate;
  if (anchor === null) return null;
  const date = addDays(anchor, -n);
  const ln = c.lastNegativeSamplingDate;
  if (c.foundBy === "screening" && policy.lookBack.fromLastNegativeForScreening && ln !== null && ln > date)
    return {
      date: ln,
      startsAt: beijingMidnight(ln),
      basis: "last_negative",
      explanation: {
        zh: `常规筛查发现，自末次阴性采样日 ${ln} 起追溯（晚于${useOnset ? "发病" : "采样"}前 ${n} 天的 ${date}）`,
        en: `found by routine screening: traced from the last negative sampling on ${ln} (later than ${date}, ${n} days before ${useOnset ? "onset" : "sampling"})`,
      },
    };
  return {
    date,
    startsAt: beijingMidnight(date),
    basis: useOnset ? "onset" : "sampling",
    explanation: useOnset
      ? {
          zh: `自发病日 ${anchor} 前 ${n} 天（${date}）起追溯`,
          en: `traced from ${n} days before onset on ${anchor} (${date})`,
        }
      : {
          zh: `自阳性采样日 ${anchor} 前 ${n} 天（${date}）起追溯`,
          en: `traced from ${n} days before the positive sampling on ${anchor} (${date})`,
        },
  };
}

/** The whole window: from its start to the case's isolation, or to `now` while the case is not isolated. */
export function lookBackWindow(
  c: Pick<
    TracingCase,
    "classification" | "foundBy" | "onsetDate" | "samplingDate" | "lastNegativeSamplingDate" | "isolatedAt"
  >,
  policy: TracingPolicy,
  now: Date,
): { start: LookBackStart; end: Date; endBasis: "isolation" | "now" } | null {
  const start = lookBackStart(c, policy);
  if (!start) return null;
  return c.isolatedAt
    ? { start, end: c.isolatedAt, endBasis: "isolation" }
    : { start, end: now, endBasis: "now" };
}
