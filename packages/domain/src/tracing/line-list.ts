/**
 * Case line lists in and out (issue 6, items 6 and 7): one row per case, read from plain string records
 * (the CLI parses the CSV, the server reads its tables) into checked `CaseRecord`s, and written back as
 * CSV. Nothing is dropped silently: every refused value, row or column is reported with its row and field,
 * in zh-CN and en. Format and rules: docs/capabilities/tracing.md.
 */
import type { Message } from "../shared/result.ts";

/** One case of a line list. Dates are calendar dates "YYYY-MM-DD"; null means unknown. */
export interface CaseRecord {
  caseId: string;
  infectorId: string | null;
  onsetDate: string | null;
  reportDate: string | null;
  sex: "M" | "F" | null;
  age: number | null;
  regionCode: string | null;
  exposureSetting: string | null;
}

/** The line-list columns, in export order; every one must be present in an imported header. */
export const LINE_LIST_COLUMNS = [
  "case_id",
  "infector_id",
  "onset_date",
  "report_date",
  "sex",
  "age",
  "region_code",
  "exposure_setting",
] as const;

/**
 * A problem found in the input. `error`: the value (or row) was refused and the refusal is stated;
 * `flag`: the value was kept but deserves an investigator's look.
 */
export interface TracingIssue {
  severity: "error" | "flag";
  code: string;
  /** 1-based data row (the header is row 0); null for whole-file or whole-graph findings. */
  row: number | null;
  field: string | null;
  caseId: string | null;
  message: Message;
}

export interface LineListImport {
  /** False when the file cannot be read as a line list at all (a required column is missing). */
  ok: boolean;
  cases: CaseRecord[];
  issues: TracingIssue[];
  /** Header columns that are not line-list columns: reported and ignored. */
  unknownColumns: string[];
}

export interface LineListOptions {
  /** Today's date "YYYY-MM-DD" (Beijing): later onset or report dates are refused as dates in the future. */
  today: string;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A real calendar date "YYYY-MM-DD" (2020-02-30 is not one). */
export function isCalendarDate(s: string): boolean {
  const m = DATE.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === s;
}

/** Whole days from a to b (b − a) between two calendar dates. */
export function dayDiff(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);
}

export function issue(
  severity: TracingIssue["severity"],
  code: string,
  where: { row?: number | null; field?: string | null; caseId?: string | null },
  zh: string,
  en: string,
): TracingIssue {
  return {
    severity,
    code,
    row: where.row ?? null,
    field: where.field ?? null,
    caseId: where.caseId ?? null,
    message: { zh, en },
  };
}

const SEX: Record<string, "M" | "F"> = {
  m: "M",
  male: "M",
  男: "M",
  f: "F",
  female: "F",
  女: "F",
};

/** Checks shared by line-list rows and pairs converted to cases: a date, an age, a sex. */
export function checkDate(
  raw: string,
  field: string,
  where: { row: number | null; caseId: string },
  today: string,
  issues: TracingIssue[],
): string | null {
  const v = raw.trim();
  if (v === "") return null;
  if (!isCalendarDate(v)) {
    issues.push(
      issue(
        "error",
        "bad_date",
        { ...where, field },
        `${field}「${v}」不是 YYYY-MM-DD 格式的有效日期，已按未知处理`,
        `${field} "${v}" is not a valid YYYY-MM-DD date; treated as unknown`,
      ),
    );
    return null;
  }
  if (v > today) {
    issues.push(
      issue(
        "error",
        "future_date",
        { ...where, field },
        `${field} ${v} 晚于今天（${today}），已按未知处理`,
        `${field} ${v} is after today (${today}); treated as unknown`,
      ),
    );
    return null;
  }
  return v;
}

export function checkAge(
  raw: string,
  where: { row: number | null; caseId: string },
  issues: TracingIssue[],
): number | null {
  const v = raw.trim();
  if (v === "") return null;
  const n = Number(v);
  if (!/^\d+(\.\d+)?$/.test(v) || !(n >= 0 && n <= 130)) {
    issues.push(
      issue(
        "error",
        "bad_age",
        { ...where, field: "age" },
        `年龄「${v}」应为 0–130 之间的数字，已按未知处理`,
        `age "${v}" should be a number from 0 to 130; treated as unknown`,
      ),
    );
    return null;
  }
  return n;
}

export function checkSex(
  raw: string,
  where: { row: number | null; caseId: string },
  issues: TracingIssue[],
): "M" | "F" | null {
  const v = raw.trim();
  if (v === "") return null;
  const s = SEX[v.toLowerCase()];
  if (!s) {
    issues.push(
      issue(
        "error",
        "bad_sex",
        { ...where, field: "sex" },
        `性别「${v}」无法识别（可用 M/F、male/female、男/女），已按未知处理`,
        `sex "${v}" is not recognised (use M/F, male/female or 男/女); treated as unknown`,
      ),
    );
    return null;
  }
  return s;
}

const empty = (v: string | undefined): string | null => {
  const t = (v ?? "").trim();
  return t === "" ? null : t;
};

/**
 * Read a line list from its header and rows of strings (as a CSV parser gives them). Required columns
 * missing → `ok: false`, nothing read. Unknown columns → reported, ignored. Per row: an empty or duplicate
 * `case_id` refuses the row (reported); a bad or future date, a bad age or sex is reported and the value
 * becomes unknown; a case named as its own infector is reported and its infector becomes unknown; an
 * infector that is not in the list is flagged and kept.
 */
export function readLineList(header: string[], rows: string[][], options: LineListOptions): LineListImport {
  const issues: TracingIssue[] = [];
  const names = header.map((h) => h.trim().replace(/^\uFEFF/, ""));
  const known = new Set<string>(LINE_LIST_COLUMNS);
  const unknownColumns = names.filter((n) => !known.has(n));
  for (const c of unknownColumns)
    issues.push(
      issue("flag", "unknown_column", { field: c }, `未知列「${c}」已忽略`, `unknown column "${c}" ignored`),
    );
  const at = new Map<string, number>();
  names.forEach((n, i) => {
    if (known.has(n) && !at.has(n)) at.set(n, i);
  });
  const missing = LINE_LIST_COLUMNS.filter((c) => !at.has(c));
  if (missing.length) {
    for (const c of missing)
      issues.push(
        issue(
          "error",
          "missing_column",
          { field: c },
          `缺少必需列「${c}」`,
          `required column "${c}" is missing`,
        ),
      );
    return { ok: false, cases: [], issues, unknownColumns };
  }
  const col = (r: string[], c: (typeof LINE_LIST_COLUMNS)[number]) => r[at.get(c) as number] ?? "";

  const cases: CaseRecord[] = [];
  const rowOf = new Map<string, number>();
  rows.forEach((r, i) => {
    const row = i + 1;
    const caseId = empty(col(r, "case_id"));
    if (caseId === null) {
      issues.push(
        issue(
          "error",
          "missing_case_id",
          { row, field: "case_id" },
          `第 ${row} 行缺少病例编号，整行未导入`,
          `row ${row} has no case_id; the row was not imported`,
        ),
      );
      return;
    }
    const first = rowOf.get(caseId);
    if (first !== undefined) {
      issues.push(
        issue(
          "error",
          "duplicate_case_id",
          { row, field: "case_id", caseId },
          `病例编号「${caseId}」与第 ${first} 行重复，本行未导入`,
          `case_id "${caseId}" repeats row ${first}; this row was not imported`,
        ),
      );
      return;
    }
    rowOf.set(caseId, row);
    const where = { row, caseId };
    let infectorId = empty(col(r, "infector_id"));
    if (infectorId === caseId) {
      issues.push(
        issue(
          "error",
          "self_infection",
          { ...where, field: "infector_id" },
          `病例「${caseId}」被登记为自己的传染源，传染源已按未知处理`,
          `case "${caseId}" is named as its own infector; infector treated as unknown`,
        ),
      );
      infectorId = null;
    }
    cases.push({
      caseId,
      infectorId,
      onsetDate: checkDate(col(r, "onset_date"), "onset_date", where, options.today, issues),
      reportDate: checkDate(col(r, "report_date"), "report_date", where, options.today, issues),
      sex: checkSex(col(r, "sex"), where, issues),
      age: checkAge(col(r, "age"), where, issues),
      regionCode: empty(col(r, "region_code")),
      exposureSetting: empty(col(r, "exposure_setting")),
    });
  });
  for (const c of cases)
    if (c.infectorId !== null && !rowOf.has(c.infectorId))
      issues.push(
        issue(
          "flag",
          "infector_not_in_list",
          { row: rowOf.get(c.caseId) ?? null, field: "infector_id", caseId: c.caseId },
          `传染源「${c.infectorId}」不在本名单中：病例保留，此传播关系不计入传播链分析`,
          `infector "${c.infectorId}" is not in this list: the case is kept, the link is left out of the chain analysis`,
        ),
      );
  return { ok: true, cases, issues, unknownColumns };
}

function csvField(v: string): string {
  return /[",\r\n]/.test(v) || v !== v.trim() ? `"${v.replace(/"/g, '""')}"` : v;
}

/** The line list as CSV (RFC 4180, CRLF line ends, header first): what `readLineList` reads back. */
export function lineListToCsv(cases: readonly CaseRecord[]): string {
  const lines = [LINE_LIST_COLUMNS.join(",")];
  for (const c of cases)
    lines.push(
      [
        c.caseId,
        c.infectorId ?? "",
        c.onsetDate ?? "",
        c.reportDate ?? "",
        c.sex ?? "",
        c.age === null ? "" : String(c.age),
        c.regionCode ?? "",
        c.exposureSetting ?? "",
      ]
        .map(csvField)
        .join(","),
    );
  return lines.join("\r\n") + "\r\n";
}
