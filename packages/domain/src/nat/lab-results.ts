/**
 * Lab results for tubes (issue 5, Deliver 2): checking a result file's columns and rows, and what one
 * result does to a tube. Pure: the current state of the tube and its result are parameters.
 *
 * - "idempotent (re-sending changes nothing), late or conflicting results flagged, unknown tubes
 *   reported" (issue 5): `unchanged`, `late`, `conflict`, `unknown_tube`.
 * - "A negative tube closes its members' tests. A positive single tube makes its person a case candidate
 *   for investigation. A positive pool puts every member on a recall list for single-tube retest (they
 *   are isolated in place until the retest is back)" (issue 5; protocols.md §3.2, Langfang: "a positive
 *   pool leads to on-the-spot isolation of everyone in it and single-sample retests").
 * - The lab's own call is the result; the Ct values are kept beside it, and a call that the Ct values
 *   do not seem to support is noted, never overruled.
 */
import { parseInstant } from "../policies/pack-schema.ts";
import type { FieldError, Message, Validated } from "../shared/result.ts";
import { fieldError } from "../shared/result.ts";
import type { NatPolicy } from "./policy.ts";
import { checkBarcode, type Tube } from "./pooling.ts";

export type LabCall = "negative" | "positive";

/** Ct values of the two target genes most kits report (ORF1ab and N); null = not detected / not given. */
export interface CtValues {
  orf1ab: number | null;
  n: number | null;
}

export interface LabResultInput {
  barcode: string;
  call: string;
  ct: CtValues;
  testedAt: Date;
  lab: string;
}

export interface LabResult {
  barcode: string;
  call: LabCall;
  ct: CtValues;
  testedAt: Date;
  lab: string;
  /** Where the Ct values and the call seem not to agree (kept, not corrected). */
  notes: Message[];
}

/** The columns of a result file, in order: "tube barcode, result, Ct values, tested at, lab" (issue 5). */
export const LAB_FILE_COLUMNS = ["barcode", "result", "ct_orf1ab", "ct_n", "tested_at", "lab"] as const;
export type LabFileColumn = (typeof LAB_FILE_COLUMNS)[number];

/** Column headings labs write in Chinese, accepted as the same columns. */
const COLUMN_ALIASES: Record<string, LabFileColumn> = {
  试管条码: "barcode",
  条码: "barcode",
  结果: "result",
  检测结果: "result",
  orf1ab: "ct_orf1ab",
  orf1ab_ct: "ct_orf1ab",
  n_ct: "ct_n",
  检测时间: "tested_at",
  实验室: "lab",
  检测机构: "lab",
};

/**
 * A result file's header, mapped to the columns: every column once, none unknown ("a result file with
 * wrong columns → clear errors", issue 5 Deliver 6). Returns each column's index.
 */
export function checkLabFileHeader(header: readonly string[]): Validated<Record<LabFileColumn, number>> {
  const errors: FieldError[] = [];
  const index: Partial<Record<LabFileColumn, number>> = {};
  header.forEach((raw, i) => {
    const name = raw.trim().replace(/^\uFEFF/, "");
    const col = (LAB_FILE_COLUMNS as readonly string[]).includes(name.toLowerCase())
      ? (name.toLowerCase() as LabFileColumn)
      : COLUMN_ALIASES[name.toLowerCase()];
    if (col === undefined) {
      errors.push(
        fieldError(
          `header[${i}]`,
          "nat.file_unknown_column",
          `第 ${i + 1} 列“${name}”不是结果文件的列；应为 ${LAB_FILE_COLUMNS.join(", ")}`,
          `column ${i + 1}, "${name}", is not a result-file column; expected ${LAB_FILE_COLUMNS.join(", ")}`,
        ),
      );
    } else if (index[col] !== undefined) {
      errors.push(
        fieldError(
          `header[${i}]`,
          "nat.file_duplicate_column",
          `列“${col}”出现两次（第 ${index[col] + 1} 列和第 ${i + 1} 列）`,
          `column "${col}" appears twice (columns ${index[col] + 1} and ${i + 1})`,
        ),
      );
    } else {
      index[col] = i;
    }
  });
  const missing = LAB_FILE_COLUMNS.filter((c) => index[c] === undefined);
  if (missing.length) {
    errors.push(
      fieldError(
        "header",
        "nat.file_missing_columns",
        `结果文件缺少列：${missing.join(", ")}`,
        `the result file lacks the columns ${missing.join(", ")}`,
      ),
    );
  }
  return errors.length ? { ok: false, errors } : { ok: true, value: index as Record<LabFileColumn, number> };
}

const CALLS: Record<string, LabCall> = {
  negative: "negative",
  neg: "negative",
  阴性: "negative",
  positive: "positive",
  pos: "positive",
  阳性: "positive",
};

/**
 * One row of a result file as text, into a result input (the row's checks are `checkLabResult`'s).
 * Dates and offset-less times are Beijing time, the time after a `T` or a space; an empty Ct cell means
 * not detected.
 */
export function parseLabRow(
  cells: readonly string[],
  columns: Record<LabFileColumn, number>,
  row: number,
): Validated<LabResultInput> {
  const errors: FieldError[] = [];
  const cell = (c: LabFileColumn) => (cells[columns[c]] ?? "").trim();
  const ct = (c: "ct_orf1ab" | "ct_n"): number | null => {
    const v = cell(c);
    if (v === "" || v === "-" || v.toLowerCase() === "nd" || v === "未检出") return null;
    const n = Number(v);
    if (!Number.isFinite(n)) {
      errors.push(
        fieldError(
          `rows[${row}].${c}`,
          "nat.invalid_ct",
          `第 ${row} 行 ${c}“${v}”不是数字`,
          `row ${row}: ${c} "${v}" is not a number`,
        ),
      );
      return null;
    }
    return n;
  };
  const orf1ab = ct("ct_orf1ab");
  const n = ct("ct_n");
  // Spreadsheets and lab systems write "2022-04-10 15:00" (a space, not ISO's T): the same instant.
  const t = parseInstant(cell("tested_at").replace(/^(\d{4}-\d{2}-\d{2}) (?=\d{2}:\d{2})/, "$1T"));
  if (t === null) {
    errors.push(
      fieldError(
        `rows[${row}].tested_at`,
        "nat.invalid_tested_at",
        `第 ${row} 行检测时间“${cell("tested_at")}”不是有效的日期时间`,
        `row ${row}: tested_at "${cell("tested_at")}" is not a valid date and time`,
      ),
    );
  }
  if (errors.length) return { ok: false, errors };
  return {
    ok: true,
    value: {
      barcode: cell("barcode"),
      call: cell("result"),
      ct: { orf1ab, n },
      testedAt: new Date(t as number),
      lab: cell("lab"),
    },
  };
}

/**
 * A result on its own: a known call (阴性/阳性), Ct values positive and at most the policy's `ctMax`,
 * a testing time not after it was received, a lab named. The call stays the lab's: a positive with no
 * Ct value, or a negative with both genes detected, is noted.
 */
export function checkLabResult(
  input: LabResultInput,
  receivedAt: Date,
  policy: NatPolicy,
  field = "result",
): Validated<LabResult> {
  const errors = checkBarcode(input.barcode, `${field}.barcode`);
  const call = CALLS[input.call.trim().toLowerCase()];
  if (call === undefined) {
    errors.push(
      fieldError(
        `${field}.call`,
        "nat.invalid_call",
        `检测结果“${input.call}”无效，应为阴性或阳性`,
        `result "${input.call}" is invalid; expected negative or positive`,
      ),
    );
  }
  for (const gene of ["orf1ab", "n"] as const) {
    const v = input.ct[gene];
    if (v !== null && (!Number.isFinite(v) || v <= 0 || v > policy.lab.ctMax)) {
      errors.push(
        fieldError(
          `${field}.ct.${gene}`,
          "nat.ct_out_of_range",
          `${gene === "n" ? "N" : "ORF1ab"} 基因 Ct 值 ${v} 超出范围：应大于 0 且不超过 ${policy.lab.ctMax}`,
          `${gene === "n" ? "N" : "ORF1ab"} gene Ct ${v} is out of range: above 0 and at most ${policy.lab.ctMax}`,
        ),
      );
    }
  }
  if (Number.isNaN(input.testedAt.getTime())) {
    errors.push(
      fieldError(`${field}.testedAt`, "nat.invalid_tested_at", "检测时间无效", "the testing time is invalid"),
    );
  } else if (input.testedAt.getTime() > receivedAt.getTime()) {
    errors.push(
      fieldError(
        `${field}.testedAt`,
        "nat.tested_in_future",
        `检测时间 ${input.testedAt.toISOString()} 晚于接收时间 ${receivedAt.toISOString()}`,
        `tested at ${input.testedAt.toISOString()}, after the result was received at ${receivedAt.toISOString()}`,
      ),
    );
  }
  const lab = input.lab.trim();
  if (!lab || lab.length > 128) {
    errors.push(
      fieldError(
        `${field}.lab`,
        "nat.invalid_lab",
        "须填写检测实验室（最多128个字符）",
        "the lab is required (at most 128 characters)",
      ),
    );
  }
  if (errors.length || call === undefined) return { ok: false, errors };
  const notes: Message[] = [];
  const detected = [input.ct.orf1ab, input.ct.n].filter((v) => v !== null).length;
  if (call === "positive" && detected === 0) {
    notes.push({
      zh: "实验室判定阳性，但未报告任何 Ct 值",
      en: "the lab calls it positive but reports no Ct value",
    });
  }
  if (call === "negative" && detected === 2) {
    notes.push({
      zh: "实验室判定阴性，但两个基因均报告了 Ct 值",
      en: "the lab calls it negative but reports Ct values for both genes",
    });
  }
  return {
    ok: true,
    value: { barcode: input.barcode, call, ct: input.ct, testedAt: input.testedAt, lab, notes },
  };
}

/** What a recorded result does to the people in the tube. */
export type ResultEffect =
  /** "A negative tube closes its members' tests." */
  | { kind: "tests_closed"; personIds: string[] }
  /** "A positive single tube makes its person a case candidate for investigation." */
  | { kind: "case_candidate"; personId: string }
  /** "A positive pool puts every member on a recall list for single-tube retest", isolated in place. */
  | { kind: "recall"; personIds: string[]; isolateInPlace: true };

export type ResultField = "call" | "ct" | "lab" | "testedAt";

export type ApplyOutcome =
  | { status: "unknown_tube"; barcode: string; message: Message }
  | { status: "unchanged"; barcode: string; message: Message }
  | {
      status: "conflict";
      barcode: string;
      current: LabResult;
      incoming: LabResult;
      differs: ResultField[];
      message: Message;
    }
  | {
      status: "recorded";
      barcode: string;
      result: LabResult;
      /** Received after the round's deadline (exactly at the deadline is on time). */
      late: boolean;
      effect: ResultEffect;
      message: Message;
    };

export interface TubeState {
  /** The tube with this barcode, or undefined when no tube has it. */
  tube: Tube | undefined;
  /** The result already recorded for the tube, if any. */
  current: LabResult | null;
  /** The round's deadline, if it has one. */
  roundDeadline: Date | null;
  receivedAt: Date;
}

const sameCt = (a: CtValues, b: CtValues) => a.orf1ab === b.orf1ab && a.n === b.n;

/**
 * Applying a checked result to its tube: an unknown barcode is reported; the same result again
 * changes nothing; a different one for a tube that has a result is a conflict kept for review (the
 * first stays); otherwise it is recorded, flagged late when received after the round's deadline, with
 * its effect on the members. A result tested before the tube's first swab is refused.
 */
export function applyLabResult(result: LabResult, state: TubeState): Validated<ApplyOutcome> {
  const { tube, current } = state;
  const b = result.barcode;
  if (!tube) {
    return {
      ok: true,
      value: {
        status: "unknown_tube",
        barcode: b,
        message: labOutcomeMessage({ barcode: b, status: "unknown_tube" }),
      },
    };
  }
  const first = Math.min(...tube.members.map((m) => m.sampledAt.getTime()));
  if (tube.members.length && result.testedAt.getTime() < first) {
    return {
      ok: false,
      errors: [
        fieldError(
          "result.testedAt",
          "nat.tested_before_sampling",
          `试管 ${b} 的检测时间 ${result.testedAt.toISOString()} 早于采样时间 ${new Date(first).toISOString()}`,
          `tube ${b} was tested at ${result.testedAt.toISOString()}, before its first swab at ${new Date(first).toISOString()}`,
        ),
      ],
    };
  }
  if (current) {
    const differs: ResultField[] = [];
    if (current.call !== result.call) differs.push("call");
    if (!sameCt(current.ct, result.ct)) differs.push("ct");
    if (current.lab !== result.lab) differs.push("lab");
    if (current.testedAt.getTime() !== result.testedAt.getTime()) differs.push("testedAt");
    if (!differs.length) {
      return {
        ok: true,
        value: {
          status: "unchanged",
          barcode: b,
          message: labOutcomeMessage({ barcode: b, status: "unchanged" }),
        },
      };
    }
    return {
      ok: true,
      value: {
        status: "conflict",
        barcode: b,
        current,
        incoming: result,
        differs,
        message: labOutcomeMessage({ barcode: b, status: "conflict", differs, current }),
      },
    };
  }
  const late = state.roundDeadline !== null && state.receivedAt.getTime() > state.roundDeadline.getTime();
  const ids = tube.members.map((m) => m.personId);
  let effect: ResultEffect;
  if (result.call === "negative") effect = { kind: "tests_closed", personIds: ids };
  // One swab in the tube, whatever its size: the result is that person's own.
  else if (ids.length === 1) effect = { kind: "case_candidate", personId: ids[0] as string };
  else effect = { kind: "recall", personIds: ids, isolateInPlace: true };
  const message = labOutcomeMessage({
    barcode: b,
    status: "recorded",
    late,
    effect: effect.kind,
    members: ids.length,
  });
  return { ok: true, value: { status: "recorded", barcode: b, result, late, effect, message } };
}

/**
 * What applying a result did, in both languages — the one wording of the per-result path
 * (`applyLabResult`) and of a lab file applied in bulk (packages/server/src/nat/lab-result-bulk.ts).
 */
export function labOutcomeMessage(
  o:
    | { barcode: string; status: "unknown_tube" }
    | { barcode: string; status: "unchanged" }
    | {
        barcode: string;
        status: "conflict";
        differs: readonly ResultField[];
        current: { call: string; lab: string };
      }
    | {
        barcode: string;
        status: "recorded";
        late: boolean;
        effect: ResultEffect["kind"];
        members: number;
      },
): Message {
  const b = o.barcode;
  if (o.status === "unknown_tube" || o.status === "unchanged")
    return o.status === "unknown_tube"
      ? { zh: `未找到条码为 ${b} 的试管`, en: `no tube has the barcode ${b}` }
      : { zh: `试管 ${b} 的结果已录入，未作改动`, en: `tube ${b}: the same result is already recorded` };
  if (o.status === "conflict")
    return {
      zh: `试管 ${b} 已有结果（${o.current.call === "positive" ? "阳性" : "阴性"}，${o.current.lab}），新结果不同（${o.differs.join("、")}），保留原结果待复核`,
      en: `tube ${b} already has a result (${o.current.call}, ${o.current.lab}); the new one differs (${o.differs.join(", ")}) and is kept for review`,
    };
  const m: Message =
    o.effect === "tests_closed"
      ? {
          zh: `试管 ${b} 阴性：${o.members} 人本轮检测完成`,
          en: `tube ${b} negative: ${o.members} people's tests closed`,
        }
      : o.effect === "case_candidate"
        ? {
            zh: `试管 ${b} 单管阳性：转为待流调的疑似病例`,
            en: `tube ${b}, a single tube, positive: its person becomes a case candidate for investigation`,
          }
        : {
            zh: `试管 ${b} 混管阳性：${o.members} 人就地管控，单管复核`,
            en: `tube ${b}, a pool of ${o.members}, positive: every member isolated in place for a single-tube retest`,
          };
  return o.late
    ? { zh: `${m.zh}（结果晚于本轮截止时间送达）`, en: `${m.en} (received after the round's deadline)` }
    : m;
}
