/**
 * Transmission-pair tables (one row per infector → infectee pair, as published by Ali et al. 2020 and by
 * most contact-tracing studies) turned into a line list plus the list of pairs, so that they go through the
 * same analysis as a line list. A column mapping says which column holds what.
 *
 * One infectee may have several infectors in a pairs table, a line list has one `infector_id`: the line
 * list keeps the first infector in file order and flags the others (`extra_infector`), while the analysis
 * runs over ALL pairs (`links`). docs/capabilities/tracing.md.
 */
import { checkAge, checkDate, checkSex, issue, type CaseRecord, type TracingIssue } from "./line-list.ts";

/** A column, optionally with a translation of its values (unlisted values pass through). */
export type ColumnSpec = string | { column: string; values: Record<string, string> };

/** Where one side's (infector's or infectee's) attributes are; only `id` is required. */
export interface SideMapping {
  id: string;
  onsetDate?: ColumnSpec;
  reportDate?: ColumnSpec;
  sex?: ColumnSpec;
  age?: ColumnSpec;
  regionCode?: ColumnSpec;
}

export interface PairMapping {
  name: string;
  infector: SideMapping;
  infectee: SideMapping;
  /** The pair's exposure setting, recorded on the infectee. */
  exposureSetting?: ColumnSpec;
  /** Values that mean "unknown" besides the empty string (compared trimmed, case-insensitive). */
  unknownValues?: string[];
}

export interface TransmissionLink {
  infectorId: string;
  infecteeId: string;
}

export interface PairsConversion {
  ok: boolean;
  cases: CaseRecord[];
  links: TransmissionLink[];
  issues: TracingIssue[];
  unknownColumns: string[];
}

/**
 * Ali et al., Science 2020 (doi:10.1126/science.abc9004), Table S1 "1407 transmission pairs"
 * (github PDGLin/COVID19_EffSerialInterval_NPI): dates as YYYY/MM/DD, "unknown" for missing values;
 * cities, not region codes, so region_code stays empty; `isHousehold` yes/no → household/non_household.
 */
export const ALI_2020_MAPPING: PairMapping = {
  name: "ali2020",
  infector: {
    id: "infector_id",
    onsetDate: "infector_onsetDate",
    reportDate: "infector_labConfirmDate",
    sex: "infector_sex",
    age: "infector_age",
  },
  infectee: {
    id: "infectee_id",
    onsetDate: "infectee_onsetDate",
    reportDate: "infectee_labConfirmDate",
    sex: "infectee_sex",
    age: "infectee_age",
  },
  exposureSetting: { column: "isHousehold", values: { yes: "household", no: "non_household" } },
  unknownValues: ["unknown", "NA"],
};

/** A bare edge list with `from` and `to` columns (e.g. Tindale et al. 2020, sing_edges_eg.csv). */
export const FROM_TO_MAPPING: PairMapping = {
  name: "from-to",
  infector: { id: "from" },
  infectee: { id: "to" },
  unknownValues: ["NA"],
};

export const PAIR_MAPPINGS: Record<string, PairMapping> = {
  ali2020: ALI_2020_MAPPING,
  "from-to": FROM_TO_MAPPING,
};

function columnsOf(m: PairMapping): string[] {
  const cols: string[] = [];
  const add = (s: ColumnSpec | undefined) => {
    if (s !== undefined) cols.push(typeof s === "string" ? s : s.column);
  };
  for (const side of [m.infector, m.infectee]) {
    cols.push(side.id);
    add(side.onsetDate);
    add(side.reportDate);
    add(side.sex);
    add(side.age);
    add(side.regionCode);
  }
  add(m.exposureSetting);
  return cols;
}

/** "2020/1/9", "2020-01-09" → "2020-01-09"; anything else is returned as it is (and refused later). */
function normaliseDate(v: string): string {
  const m = /^(\d{4})[/-](\d{1,2})[/-](\d{1,2})$/.exec(v);
  return m ? `${m[1]}-${m[2]!.padStart(2, "0")}-${m[3]!.padStart(2, "0")}` : v;
}

/**
 * Convert pair rows (header + string rows) with a mapping. A pair with an empty id on either side or an
 * infector equal to the infectee is refused (reported); a repeated pair is reported and counted once. A
 * person's attributes come from their first row; a later row that gives another onset date is flagged.
 */
export function pairsToLineList(
  header: string[],
  rows: string[][],
  mapping: PairMapping,
  options: { today: string },
): PairsConversion {
  const issues: TracingIssue[] = [];
  const names = header.map((h) => h.trim().replace(/^\uFEFF/, ""));
  const at = new Map<string, number>();
  names.forEach((n, i) => {
    if (!at.has(n)) at.set(n, i);
  });
  const needed = columnsOf(mapping);
  const missing = [...new Set(needed.filter((c) => !at.has(c)))];
  if (missing.length) {
    for (const c of missing)
      issues.push(
        issue(
          "error",
          "missing_column",
          { field: c },
          `映射「${mapping.name}」需要的列「${c}」不存在`,
          `column "${c}" required by mapping "${mapping.name}" is missing`,
        ),
      );
    return { ok: false, cases: [], links: [], issues, unknownColumns: [] };
  }
  const used = new Set(needed);
  const unknownColumns = names.filter((n) => n !== "" && !used.has(n));
  const unknown = new Set(["", ...(mapping.unknownValues ?? [])].map((v) => v.toLowerCase()));
  const get = (r: string[], spec: ColumnSpec | undefined): string => {
    if (spec === undefined) return "";
    const column = typeof spec === "string" ? spec : spec.column;
    const v = (r[at.get(column) as number] ?? "").trim();
    if (unknown.has(v.toLowerCase())) return "";
    return typeof spec === "string" ? v : (spec.values[v] ?? v);
  };

  const byId = new Map<string, { record: CaseRecord; row: number }>();
  const links: TransmissionLink[] = [];
  const seenPair = new Map<string, number>();
  const person = (r: string[], side: SideMapping, row: number, exposure: string | null) => {
    const caseId = get(r, side.id);
    const where = { row, caseId };
    const onsetDate = checkDate(
      normaliseDate(get(r, side.onsetDate)),
      "onset_date",
      where,
      options.today,
      issues,
    );
    const known = byId.get(caseId);
    if (known) {
      const was = known.record.onsetDate;
      if (onsetDate !== null && was !== null && onsetDate !== was)
        issues.push(
          issue(
            "flag",
            "conflicting_onset",
            { row, field: "onset_date", caseId },
            `「${caseId}」的发病日期 ${onsetDate} 与第 ${known.row} 行的 ${was} 不一致，保留第一次出现的值`,
            `"${caseId}" has onset ${onsetDate}, row ${known.row} says ${was}; the first value is kept`,
          ),
        );
      else if (was === null && onsetDate !== null) known.record.onsetDate = onsetDate;
      if (exposure !== null && known.record.exposureSetting === null) known.record.exposureSetting = exposure;
      return known.record;
    }
    const record: CaseRecord = {
      caseId,
      infectorId: null,
      onsetDate,
      reportDate: checkDate(
        normaliseDate(get(r, side.reportDate)),
        "report_date",
        where,
        options.today,
        issues,
      ),
      sex: checkSex(get(r, side.sex), where, issues),
      age: checkAge(get(r, side.age), where, issues),
      regionCode: get(r, side.regionCode) || null,
      exposureSetting: exposure,
    };
    byId.set(caseId, { record, row });
    return record;
  };

  rows.forEach((r, i) => {
    const row = i + 1;
    const from = get(r, mapping.infector.id);
    const to = get(r, mapping.infectee.id);
    if (from === "" || to === "") {
      issues.push(
        issue(
          "error",
          "missing_pair_id",
          { row, field: from === "" ? mapping.infector.id : mapping.infectee.id },
          `第 ${row} 行缺少传染源或被传染者编号，本行未导入`,
          `row ${row} lacks the infector or infectee id; the row was not imported`,
        ),
      );
      return;
    }
    if (from === to) {
      issues.push(
        issue(
          "error",
          "self_infection",
          { row, field: mapping.infectee.id, caseId: to },
          `第 ${row} 行：病例「${to}」被登记为自己的传染源，此关系未导入`,
          `row ${row}: case "${to}" is named as its own infector; the pair was not imported`,
        ),
      );
      person(r, mapping.infectee, row, null);
      return;
    }
    const key = `${from}\u0000${to}`;
    const first = seenPair.get(key);
    if (first !== undefined) {
      issues.push(
        issue(
          "flag",
          "duplicate_pair",
          { row, caseId: to },
          `第 ${row} 行与第 ${first} 行是同一传播关系（${from} → ${to}），只计一次`,
          `row ${row} repeats the pair ${from} → ${to} of row ${first}; counted once`,
        ),
      );
      return;
    }
    seenPair.set(key, row);
    person(r, mapping.infector, row, null);
    const infectee = person(r, mapping.infectee, row, get(r, mapping.exposureSetting) || null);
    links.push({ infectorId: from, infecteeId: to });
    if (infectee.infectorId === null) infectee.infectorId = from;
    else
      issues.push(
        issue(
          "flag",
          "extra_infector",
          { row, field: "infector_id", caseId: to },
          `「${to}」另有传染源「${from}」：线性名单只保留第一个（${infectee.infectorId}），传播链分析计入全部传播关系`,
          `"${to}" has another infector "${from}": the line list keeps the first (${infectee.infectorId}), the chain analysis uses every pair`,
        ),
      );
  });
  return { ok: true, cases: [...byId.values()].map((v) => v.record), links, issues, unknownColumns };
}
