/**
 * Case line lists in and out through the API (issue 6, item 6): the jurisdiction's cases written as the
 * line-list CSV of docs/capabilities/tracing.md (the domain's `lineListToCsv`, audited: it is personal
 * health data), and an uploaded line list read with the domain's `readLineList` and analysed with
 * `analyzeChains` as `cordon tracing analyze --file` does, with the policy's numbers as the database's
 * analysis uses them. The upload stores nothing. Rules: docs/capabilities/tracing.md "Through the API
 * and the page".
 */
import type { LoadedPack } from "@cordon/domain/policies/pack-schema";
import { subtreePrefix } from "@cordon/domain/regions/region-code";
import type { FieldError } from "@cordon/domain/shared/result";
import { shanghaiDateOf } from "@cordon/domain/shared/shanghai-time";
import { analyzeChains, type ChainAnalysis } from "@cordon/domain/tracing/chains";
import {
  type CaseRecord,
  LINE_LIST_COLUMNS,
  lineListToCsv,
  readLineList,
  type TracingIssue,
} from "@cordon/domain/tracing/line-list";
import { parse } from "csv-parse/sync";
import { decodeCsv } from "../assist/assist-file.ts";
import { recordAudit } from "../audit/audit.service.ts";
import type { Db, Queryable } from "../db/db.ts";
import { type RequestContext, requireActor } from "../http/context.ts";
import { AppError } from "../http/errors.ts";
import { access } from "./case.service.ts";
import { analysisFigures } from "./chain.service.ts";
import { tracingPolicyAt } from "./tracing-policy.ts";

interface LineListCaseRow {
  id: string;
  onsetDate: string | null;
  reportedAt: Date;
  regionCode: string;
  sex: "male" | "female";
  birthDate: string;
}

/** The jurisdiction's cases with what the line list takes from their people, earliest reported first. */
async function casesIn(q: Queryable, regionPrefix: string): Promise<LineListCaseRow[]> {
  const r = await q.query<LineListCaseRow>(
    `SELECT c.id, c.onset_date::text AS "onsetDate", c.reported_at AS "reportedAt",
       c.region_code AS "regionCode", p.sex, p.birth_date::text AS "birthDate"
     FROM tracing_cases c JOIN persons p ON p.id = c.person_id
     WHERE c.region_code LIKE $1
     ORDER BY c.reported_at, c.id`,
    [`${regionPrefix}%`],
  );
  return r.rows;
}

interface LinkRow {
  from: string;
  to: string;
  linked: boolean;
  setting: string | null;
  at: Date | null;
}

/** The stored links (as of the last recompute) whose infectee is a case of the jurisdiction. */
async function linksInto(q: Queryable, regionPrefix: string): Promise<LinkRow[]> {
  const r = await q.query<LinkRow>(
    `SELECT l.infector_case_id AS "from", l.infectee_case_id AS "to", l.linked, l.setting, l.at
     FROM tracing_chain_links l JOIN tracing_cases c ON c.id = l.infectee_case_id
     WHERE c.region_code LIKE $1`,
    [`${regionPrefix}%`],
  );
  return r.rows;
}

/**
 * Of several infectors of one case, the one the line list keeps (it has one `infector_id`): the case's
 * own stated source (its linked case) first, then the earliest exposure, then the smaller case id.
 */
function firstLink(a: LinkRow, b: LinkRow): LinkRow {
  if (a.linked !== b.linked) return a.linked ? a : b;
  const ta = a.at?.getTime() ?? Infinity;
  const tb = b.at?.getTime() ?? Infinity;
  if (ta !== tb) return ta < tb ? a : b;
  return a.from <= b.from ? a : b;
}

/** Whole years from a birth date to a date ("YYYY-MM-DD"); null when not between 0 and 130. */
export function ageOn(birthDate: string, date: string): number | null {
  const [by, bm, bd] = birthDate.split("-").map(Number) as [number, number, number];
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  const age = y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
  return age >= 0 && age <= 130 ? age : null;
}

export interface LineListExport {
  fileName: string;
  /** The CSV with a BOM (UTF-8, for Excel, as the other CSVs the platform writes). */
  csv: string;
  cases: number;
}

/**
 * The caller's jurisdiction's cases as a line list: one row per case (read live), its infector from the
 * stored chain links (the first by `firstLink` when there are several; an infector outside the
 * jurisdiction appears by its id only), onset, report date (reported_at as a Beijing date), sex and age
 * at the report date from the person, region, and the setting of the exposure behind the kept link.
 * Audited `tracing.line_list_export` with the counts.
 */
export async function exportLineList(db: Db, ctx: RequestContext): Promise<LineListExport> {
  const actor = requireActor(ctx);
  access(ctx, "tracing.view", []);
  const prefix = subtreePrefix(actor.jurisdiction);
  const rows = await casesIn(db, prefix);
  const links = await linksInto(db, prefix);
  const infector = new Map<string, LinkRow>();
  let extraInfectors = 0;
  for (const l of links) {
    const known = infector.get(l.to);
    if (known) extraInfectors++;
    infector.set(l.to, known ? firstLink(known, l) : l);
  }
  const cases: CaseRecord[] = rows.map((c) => {
    const reportDate = shanghaiDateOf(c.reportedAt.getTime());
    const link = infector.get(c.id);
    return {
      caseId: c.id,
      infectorId: link?.from ?? null,
      onsetDate: c.onsetDate,
      reportDate,
      sex: c.sex === "male" ? "M" : "F",
      age: ageOn(c.birthDate, reportDate),
      regionCode: c.regionCode,
      exposureSetting: link?.setting ?? null,
    };
  });
  const today = shanghaiDateOf(ctx.now.getTime());
  const fileName = `line-list-${actor.jurisdiction}-${today}.csv`;
  await recordAudit(db, ctx, {
    action: "tracing.line_list_export",
    entityType: "tracing_case",
    entityId: null,
    regionCode: actor.jurisdiction,
    after: {
      fileName,
      cases: cases.length,
      withInfector: cases.filter((c) => c.infectorId !== null).length,
      extraInfectors,
    },
  });
  return { fileName, csv: `\uFEFF${lineListToCsv(cases)}`, cases: cases.length };
}

/** The analysis of an uploaded line list: the figures of GET /api/tracing/analysis, and what the reader found. */
export interface LineListAnalysis {
  /** Data rows read (the header not counted). */
  rows: number;
  unknownColumns: string[];
  cases: number;
  pairs: number;
  clusters: {
    count: number;
    isolatedCases: number;
    largest: {
      clusterId: string;
      size: number;
      generations: number;
      indexCases: { caseId: string; personName: string }[];
      indexCaseCount: number;
    }[];
    sizes: { size: number; clusters: number }[];
  };
  generations: ChainAnalysis["generations"];
  superspreaders: { caseId: string; personName: string; secondaryCases: number }[];
  superspreaderThreshold: number;
  lookBackDays: number;
  serialInterval: ChainAnalysis["serialInterval"];
  issues: TracingIssue[];
  issuesTotal: number;
}

/** The most issues an answer lists (every one is counted in `issuesTotal`). */
export const MAX_FILE_ISSUES = 1000;

const notLineList = (why: { zh: string; en: string }, fields?: FieldError[]) =>
  new AppError(
    400,
    "tracing.not_a_line_list",
    {
      zh: `文件不是病例一览表（线性名单）：${why.zh}。格式见 docs/capabilities/tracing.md，可先导出一份作为模板`,
      en: `The file is not a case line list: ${why.en}. The format is in docs/capabilities/tracing.md; export one to use as a template`,
    },
    fields,
  );

/** The CSV's header and rows; anything that is no CSV text at all is refused (400). */
function readCsv(bytes: Buffer): { header: string[]; rows: string[][] } {
  let text: string;
  try {
    text = decodeCsv(bytes).text;
  } catch (e) {
    if (e instanceof AppError)
      throw notLineList({ zh: "不是文本格式的 CSV 文件", en: "it is not a CSV text file" });
    throw e;
  }
  let records: string[][];
  try {
    records = parse(text, { bom: true, relax_column_count: true, skip_empty_lines: true }) as string[][];
  } catch (e) {
    throw notLineList({
      zh: `无法按 CSV 读取（${(e as Error).message}）`,
      en: `it cannot be read as CSV (${(e as Error).message})`,
    });
  }
  if (records.length === 0) throw notLineList({ zh: "文件是空的", en: "the file is empty" });
  return { header: records[0] ?? [], rows: records.slice(1) };
}

export interface AnalyzeOptions {
  largest: number;
  infectorOnsetFrom?: string | undefined;
  infectorOnsetTo?: string | undefined;
}

/**
 * Reads an uploaded line list and analyses it, as `cordon tracing analyze --file` does: today (for the
 * future-date check) is the Beijing date now, the super-spreader threshold and the look-back are the
 * policy's in force at the caller's jurisdiction (as for the database's analysis). The reader's issues
 * come first, then the analysis's; an analysis issue about a case gets the case's row. Stores nothing.
 */
export function analyzeLineListFile(
  ctx: RequestContext,
  packs: readonly LoadedPack[],
  bytes: Buffer,
  opts: AnalyzeOptions,
): LineListAnalysis {
  const actor = requireActor(ctx);
  access(ctx, "tracing.view", []);
  const { header, rows } = readCsv(bytes);
  const read = readLineList(header, rows, { today: shanghaiDateOf(ctx.now.getTime()) });
  if (!read.ok) {
    const missing = read.issues.filter((i) => i.code === "missing_column").map((i) => i.field ?? "");
    throw notLineList(
      {
        zh: `缺少必需列 ${missing.join("、")}（须有 ${LINE_LIST_COLUMNS.join(", ")}）`,
        en: `required column(s) ${missing.join(", ")} missing (it needs ${LINE_LIST_COLUMNS.join(", ")})`,
      },
      read.issues
        .filter((i) => i.code === "missing_column")
        .map((i) => ({ field: i.field ?? "", code: i.code, message: i.message })),
    );
  }
  const { policy } = tracingPolicyAt(packs, actor.jurisdiction, ctx.now);
  const a = analyzeChains(read.cases, {
    superspreaderThreshold: policy.superSpreaderThreshold,
    lookBackDays: policy.lookBack.days,
    largestClusters: opts.largest,
    infectorOnsetFrom: opts.infectorOnsetFrom,
    infectorOnsetTo: opts.infectorOnsetTo,
  });
  // The row of each case (its first row: a repeated id's later rows are refused by the reader).
  const col = header.findIndex((h) => h.trim().replace(/^\uFEFF/, "") === "case_id");
  const rowOf = new Map<string, number>();
  rows.forEach((r, i) => {
    const id = (r[col] ?? "").trim();
    if (id !== "" && !rowOf.has(id)) rowOf.set(id, i + 1);
  });
  // The reader already reports each infector missing from the list, with its row.
  const analysisIssues = a.issues
    .filter((i) => i.code !== "infector_not_in_list")
    .map((i) => (i.row === null && i.caseId !== null ? { ...i, row: rowOf.get(i.caseId) ?? null } : i));
  const issues = [...read.issues, ...analysisIssues];
  const ref = (caseId: string) => ({ caseId, personName: "" });
  return {
    rows: rows.length,
    unknownColumns: read.unknownColumns,
    ...analysisFigures(a, ref, (k) => k),
    superspreaderThreshold: policy.superSpreaderThreshold,
    lookBackDays: policy.lookBack.days,
    issues: issues.slice(0, MAX_FILE_ISSUES),
    issuesTotal: issues.length,
  };
}
