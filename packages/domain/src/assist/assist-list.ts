/**
 * Assist lists (协查名单): a list of people pushed by another region or by big data, to be matched to
 * the registry, dispatched to the responsible community or forwarded, and every row accounted for
 * before the deadline ("追踪管控不过夜", "不漏一人"). The rules here need no database: which column is
 * which, whether a row is usable, which states a row may move between, and when it is overdue.
 */
import { normalizeHeader } from "../people/import-row.ts";
import { validateMobile } from "../people/phone.ts";
import { normalizeResidentId, parseResidentId } from "../people/resident-id.ts";
import { regionLevel } from "../regions/region-code.ts";
import { type FieldError, fieldError, type Message, type Validated } from "../shared/result.ts";

export type AssistField = "name" | "idNumber" | "phone" | "reason" | "address" | "regionCode";

export const ASSIST_FIELDS: readonly AssistField[] = [
  "name",
  "idNumber",
  "phone",
  "reason",
  "address",
  "regionCode",
];

/** Header names recognised for each field (compared after `normalizeHeader`), zh first. */
export const ASSIST_HEADER_ALIASES: Record<AssistField, readonly string[]> = {
  name: ["姓名", "name"],
  idNumber: ["证件号码", "身份证号", "身份证号码", "证件号", "idNumber", "documentNumber"],
  phone: ["手机号", "手机号码", "电话", "联系电话", "phone", "mobile"],
  reason: ["协查原因", "原因", "reason"],
  address: ["现住址", "住址", "地址", "address"],
  regionCode: ["线索区划", "区划代码", "regionCode"],
};

/** Most rows one list may have; a bigger file is refused whole. */
export const MAX_ASSIST_ROWS = 200_000;

export interface AssistColumns {
  fields: Partial<Record<AssistField, number>>;
  /** Columns that are none of the fields: kept on each row under their header. */
  extra: { header: string; index: number }[];
}

/**
 * Which column is which, by the header row. Any order, zh or en names; the first column that matches
 * a field takes it. A header without a name column is refused (the file cannot be a list of people).
 */
export function mapAssistHeaders(header: readonly string[]): Validated<AssistColumns> {
  const fields: Partial<Record<AssistField, number>> = {};
  const extra: { header: string; index: number }[] = [];
  const keys = new Map<string, AssistField>();
  for (const f of ASSIST_FIELDS) for (const a of ASSIST_HEADER_ALIASES[f]) keys.set(normalizeHeader(a), f);
  header.forEach((raw, index) => {
    const text = raw.trim();
    if (text === "") return;
    const f = keys.get(normalizeHeader(text));
    if (f !== undefined && fields[f] === undefined) fields[f] = index;
    else extra.push({ header: text.replace(/^\uFEFF/, ""), index });
  });
  if (fields.name === undefined) {
    return {
      ok: false,
      errors: [
        fieldError(
          "file",
          "assist.no_name_column",
          "文件第一行须为表头，且含“姓名”列",
          'The first row must be a header with a "姓名" (name) column',
        ),
      ],
    };
  }
  return { ok: true, value: { fields, extra } };
}

/** A usable row of a list, normalized. */
export interface AssistRowInput {
  name: string;
  /** A resident ID (GB 11643, verified) or another document's number; null when not given. */
  documentNumber: string | null;
  phone: string | null;
  reason: string | null;
  address: string | null;
  /** The region code the sender believes the person is in (format checked here, existence by the caller). */
  regionHint: string | null;
  extra: Record<string, string>;
}

const cell = (cells: readonly string[], i: number | undefined): string =>
  i === undefined ? "" : (cells[i] ?? "").trim();

/**
 * Checks one data row. `today` (YYYY-MM-DD, Asia/Shanghai) bounds ID birth dates. An 18-character
 * number of digits (last may be X) is a resident ID and must pass GB 11643; a number with letters is
 * taken as a passport or permit number (5–20 letters and digits).
 */
export function validateAssistRow(
  cells: readonly string[],
  columns: AssistColumns,
  today: string,
): Validated<AssistRowInput> {
  const f = columns.fields;
  const errors: FieldError[] = [];
  const name = cell(cells, f.name);
  const rawId = cell(cells, f.idNumber);
  const rawPhone = cell(cells, f.phone);
  const hint = cell(cells, f.regionCode);
  if (name === "")
    errors.push(fieldError("name", "assist.name_required", "姓名不能为空", "Name is required"));
  else if (name.length > 100)
    errors.push(
      fieldError("name", "assist.name_too_long", "姓名过长（最多100字）", "Name too long (100 at most)"),
    );
  let documentNumber: string | null = null;
  if (rawId !== "") {
    const id = normalizeResidentId(rawId);
    if (/^\d+X?$/.test(id)) {
      const r = parseResidentId(id, today, "idNumber");
      if (r.ok) documentNumber = r.value.idNumber;
      else errors.push(...r.errors);
    } else if (/^[A-Z0-9]{5,20}$/.test(id)) documentNumber = id;
    else
      errors.push(
        fieldError(
          "idNumber",
          "id_number.format",
          `证件号码“${rawId}”格式不正确`,
          `"${rawId}" is not a document number`,
        ),
      );
  }
  let phone: string | null = null;
  if (rawPhone !== "") {
    const r = validateMobile(rawPhone, "phone");
    if (r.ok) phone = r.value;
    else errors.push(...r.errors);
  }
  if (rawId === "" && rawPhone === "")
    errors.push(
      fieldError(
        "idNumber",
        "assist.id_or_phone_required",
        "须至少填写证件号码或手机号之一",
        "An ID number or a phone number is required",
      ),
    );
  if (hint !== "" && (regionLevel(hint) === null || hint === "000000"))
    errors.push(
      fieldError(
        "regionCode",
        "region.code",
        `线索区划“${hint}”不是区划代码`,
        `"${hint}" is not a region code`,
      ),
    );
  if (errors.length) return { ok: false, errors };
  const extra: Record<string, string> = {};
  for (const c of columns.extra) {
    const v = cell(cells, c.index);
    if (v !== "") extra[c.header] = v;
  }
  return {
    ok: true,
    value: {
      name,
      documentNumber,
      phone,
      reason: cell(cells, f.reason) || null,
      address: cell(cells, f.address) || null,
      regionHint: hint || null,
      extra,
    },
  };
}

/** The error for a hint that names no region (the caller knows which codes exist). */
export const unknownRegionHint = (code: string): FieldError =>
  fieldError("regionCode", "region.unknown", `没有区划“${code}”`, `No region "${code}"`);

export type AssistState =
  "ambiguous" | "unmatched" | "dispatched" | "merged" | "controlled" | "not_found" | "forwarded";

export const ASSIST_STATES: readonly AssistState[] = [
  "ambiguous",
  "unmatched",
  "dispatched",
  "merged",
  "controlled",
  "not_found",
  "forwarded",
];

export const FINAL_STATES: readonly AssistState[] = ["controlled", "not_found", "forwarded"];

export const ASSIST_STATE_LABELS: Record<AssistState, Message> = {
  ambiguous: { zh: "待甄别", en: "Ambiguous" },
  unmatched: { zh: "未匹配", en: "Unmatched" },
  dispatched: { zh: "已下发", en: "Dispatched" },
  merged: { zh: "已合并", en: "Merged" },
  controlled: { zh: "已管控", en: "Controlled" },
  not_found: { zh: "查无此人", en: "Not found" },
  forwarded: { zh: "已转出", en: "Forwarded" },
};

export function isFinal(state: AssistState): boolean {
  return FINAL_STATES.includes(state);
}

/** A row is accounted for when final, or merged into a row that is. */
export function isAccountedFor(state: AssistState, mergedIntoState: AssistState | null): boolean {
  if (state === "merged") return mergedIntoState !== null && isFinal(mergedIntoState);
  return isFinal(state);
}

/** Overdue: not accounted for and the list's deadline has passed. */
export function isRowOverdue(
  state: AssistState,
  mergedIntoState: AssistState | null,
  deadlineAt: Date,
  now: Date,
): boolean {
  return !isAccountedFor(state, mergedIntoState) && now.getTime() > deadlineAt.getTime();
}

/** Where a matched person goes: dispatched inside the list's jurisdiction, forwarded outside it. */
export function dispatchState(personInsideJurisdiction: boolean): AssistState {
  return personInsideJurisdiction ? "dispatched" : "forwarded";
}

/** The code of a residence's community: a grid's community, or the code itself. */
export function residenceCommunity(regionCode: string): string {
  return regionLevel(regionCode) === "grid" ? regionCode.slice(0, 12) : regionCode;
}

export type AssistOutcome = "controlled" | "not_found" | "forwarded";

export interface OutcomeInput {
  outcome: AssistOutcome;
  at: Date;
  reason?: string | null | undefined;
  forwardedTo?: string | null | undefined;
}

export interface OutcomeRow {
  state: AssistState;
  personId: string | null;
  receivedAt: Date;
}

/**
 * Closes a row: controlled (needs a matched person), not found (needs a reason), or forwarded (needs
 * a region outside the list's jurisdiction; `forwardedOutside` says whether it is). Merged and final
 * rows are refused, and so is a time before the list was received or after now.
 */
export function validateOutcome(
  row: OutcomeRow,
  input: OutcomeInput,
  now: Date,
  forwardedOutside: boolean | null,
): Validated<{ reason: string | null; forwardedTo: string | null }> {
  const errors: FieldError[] = [];
  if (row.state === "merged")
    return {
      ok: false,
      errors: [
        fieldError(
          "outcome",
          "assist.row_merged",
          "该行是重复行，已合并到首行，随首行办结",
          "This row is a duplicate merged into an earlier row; it ends with that row",
        ),
      ],
    };
  if (isFinal(row.state))
    return {
      ok: false,
      errors: [
        fieldError(
          "outcome",
          "assist.row_final",
          `该行已办结（${ASSIST_STATE_LABELS[row.state].zh}），不能再改`,
          `This row is already closed (${ASSIST_STATE_LABELS[row.state].en})`,
        ),
      ],
    };
  if (Number.isNaN(input.at.getTime()) || input.at.getTime() > now.getTime() + 60_000)
    errors.push(
      fieldError("at", "assist.at_future", "办结时间不能晚于现在", "The time cannot be in the future"),
    );
  else if (input.at.getTime() < row.receivedAt.getTime())
    errors.push(
      fieldError(
        "at",
        "assist.at_before_received",
        "办结时间不能早于名单接收时间",
        "The time cannot be before the list was received",
      ),
    );
  const reason = input.reason?.trim() || null;
  let forwardedTo: string | null = null;
  if (input.outcome === "controlled" && row.personId === null)
    errors.push(
      fieldError(
        "outcome",
        "assist.controlled_needs_person",
        row.state === "ambiguous"
          ? "请先甄别该行对应哪个人员，再登记已管控"
          : "该行未匹配到登记人员，不能登记为已管控：请先登记人员或登记查无此人",
        row.state === "ambiguous"
          ? "Decide which person this row is before recording control"
          : "This row has no matched person, so it cannot be controlled: register the person or record not found",
      ),
    );
  if (input.outcome === "not_found" && reason === null)
    errors.push(
      fieldError("reason", "assist.reason_required", "查无此人须填写原因", "Not found needs a reason"),
    );
  if (input.outcome === "forwarded") {
    forwardedTo = input.forwardedTo ?? null;
    if (forwardedTo === null)
      errors.push(
        fieldError(
          "forwardedTo",
          "assist.forward_target_required",
          "转出须填写接收地区",
          "Forwarding needs a region",
        ),
      );
    else if (forwardedOutside === null)
      errors.push(
        fieldError("forwardedTo", "region.unknown", `没有区划“${forwardedTo}”`, `No region "${forwardedTo}"`),
      );
    else if (!forwardedOutside)
      errors.push(
        fieldError(
          "forwardedTo",
          "assist.forward_inside",
          "接收地区在本名单辖区内：请下发到社区，而不是转出",
          "That region is inside this list's jurisdiction: dispatch it instead of forwarding",
        ),
      );
  }
  if (errors.length) return { ok: false, errors };
  return { ok: true, value: { reason, forwardedTo } };
}

/** Deciding an ambiguous row: one of its candidates, or null for none of them. */
export function validateMatchDecision(
  state: AssistState,
  candidates: readonly string[],
  personId: string | null,
): Validated<null> {
  if (state !== "ambiguous")
    return {
      ok: false,
      errors: [
        fieldError(
          "personId",
          "assist.not_ambiguous",
          `该行不是待甄别状态（当前：${ASSIST_STATE_LABELS[state].zh}）`,
          `This row is not ambiguous (it is ${ASSIST_STATE_LABELS[state].en})`,
        ),
      ],
    };
  if (personId !== null && !candidates.includes(personId))
    return {
      ok: false,
      errors: [
        fieldError(
          "personId",
          "assist.not_a_candidate",
          "所选人员不在该行的候选人中",
          "That person is not one of this row's candidates",
        ),
      ],
    };
  return { ok: true, value: null };
}
