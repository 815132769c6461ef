/**
 * Bulk sampling records (离线采样数据批量上传): a desk's or a district's sampling records, as sampling apps
 * uploaded them in batches when the network was bad — one line per swab: tube barcode, the person (by
 * id or by document number), when, at which sampling point, the tube's pool size. All or nothing:
 * every line is checked first, and a file with a bad line stores nothing, every bad line named (the
 * first 1,000) in both languages.
 *
 * The rules are the per-scan path's (`sampling.service.ts`), checked for the whole file at once:
 * - the person is in the registry, once in the round (not twice in the file, not already sampled);
 * - a tube holds at most its pool size, one pool size per tube, one sampling point per tube, and a
 *   barcode already sealed (or used in another round, or an open tube of another size) takes no more;
 * - the pool size is one the policy in force at the sampling point allows, and not bigger than the
 *   person's zone calls for (`poolRuleFor` for the zones in force at their home now — computed once per
 *   home region, not per person — and isolation-site people as the key-group rule); a person whose rule
 *   is one tube per household goes into a single tube, or a tube of their household only;
 * - the sampling time lies between the round's start and now; the sampling point is inside the
 *   caller's jurisdiction (`nat.sample`).
 *
 * How: the lines are parsed and checked by themselves in chunks and COPYed into a staging table
 * (temporary, dropped at commit); the people are resolved and every other check runs there as a few
 * set-based queries; then the tubes (sealed at their last swab: a tube in an uploaded record has left
 * the desk) and the swabs are written by one INSERT … SELECT each, in the same transaction, with one
 * audit record (`nat.sampling_import`). An open tube of the round with the same barcode and size is
 * completed and sealed.
 */
import { decideAccess } from "@cordon/domain/accounts/roles";
import type { NatPolicy } from "@cordon/domain/nat/policy";
import { checkBarcode, poolRuleFor } from "@cordon/domain/nat/pooling";
import type { LoadedPack } from "@cordon/domain/policies/pack-schema";
import { parseInstant } from "@cordon/domain/policies/pack-schema";
import { structuralAncestors } from "@cordon/domain/regions/region-code";
import type { FieldError, Message } from "@cordon/domain/shared/result";
import { areaOf, isAreaKind, type AreaKind } from "@cordon/domain/zones/area";
import { v7 as uuidv7 } from "uuid";
import { recordAudit } from "../audit/audit.service.ts";
import { copyTextValue } from "../db/csv.ts";
import { lineBatches, type LineSource } from "../files/line-batches.ts";
import { type Db, type Queryable, sqlState, applyBulkSettings } from "../db/db.ts";
import { conflict, type RequestContext, requireActor } from "../http/context.ts";
import { forbidden, notFound } from "../http/errors.ts";
import { natPolicyAt } from "./nat-policy.ts";
import { designationsOver, findRound } from "./nat.repository.ts";
import { ROUND } from "./sampling.service.ts";

/** The columns of a sampling-records file (docs/capabilities/nat.md); `document_type` may be left out. */
export const SAMPLING_FILE_COLUMNS = [
  "barcode",
  "person_id",
  "document_type",
  "document_number",
  "sampled_at",
  "sampling_point_id",
  "pool_size",
] as const;
type Column = (typeof SAMPLING_FILE_COLUMNS)[number];
const OPTIONAL: readonly Column[] = ["document_type"];

const ALIASES: Record<string, Column> = {
  试管条码: "barcode",
  条码: "barcode",
  人员编号: "person_id",
  证件类型: "document_type",
  证件号码: "document_number",
  采样时间: "sampled_at",
  采样点编号: "sampling_point_id",
  混采数: "pool_size",
  混采人数: "pool_size",
};

const DOCUMENT_TYPES: Record<string, string> = {
  resident_id: "resident_id",
  居民身份证: "resident_id",
  passport: "passport",
  护照: "passport",
  hk_mo_permit: "hk_mo_permit",
  港澳居民来往内地通行证: "hk_mo_permit",
  tw_permit: "tw_permit",
  台湾居民来往大陆通行证: "tw_permit",
};

/** An ISO 8601 time ending in Z or an offset (parseInstant has checked the rest). */
const ZONED = /(?:Z|[+-]\d{2}:\d{2})$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Bad lines named at most (the count says how many there were). */
export const MAX_LINE_ERRORS = 1000;

export interface LineError {
  /** 1-based line of the file (the header is line 1). */
  line: number;
  field: string;
  code: string;
  message: Message;
}

export interface SamplingBulkSummary {
  read: number;
  /** False when a line was bad (or the header): nothing was stored. */
  stored: boolean;
  /** The first `MAX_LINE_ERRORS` bad lines' errors, by line. */
  errors: LineError[];
  /** Every error found, named or not. */
  errorCount: number;
  tubes: number;
  /** Open tubes of the round that the file completed (and sealed). */
  tubesCompleted: number;
  swabs: number;
  /** Parsing, checking lines by themselves and the COPY into the staging table. */
  stageSeconds: number;
  /** Of the staging, the time spent waiting for the server to take a chunk (the rest is this process's). */
  stageWaitSeconds: number;
  /** The set-based checks (people, round, tubes, pool rules). */
  checkSeconds: number;
  /** Writing tubes and swabs, the audit record and the commit. */
  writeSeconds: number;
  seconds: number;
}

export interface SamplingBulkOptions {
  roundId: string;
  fileName?: string | null;
  /** Lines parsed and COPYed per chunk (memory stays bounded). */
  chunkSize?: number;
}

const err = (line: number, field: string, code: string, zh: string, en: string): LineError => ({
  line,
  field,
  code,
  message: { zh: `第 ${line} 行：${zh}`, en: `line ${line}: ${en}` },
});

/** Thrown inside the transaction to roll it back once a bad line has been found. */
const ROLLBACK = Symbol("rollback");

/** Splits one CSV line (quotes allowed, no line breaks inside a field). */
export function cells(text: string): string[] {
  if (!text.includes('"')) return text.split(",");
  const out: string[] = [];
  let cur = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      out.push(cur);
      cur = "";
    } else cur += c;
  }
  out.push(cur);
  return out;
}

/** The header mapped to the columns: each once, none unknown, all but the optional ones present. */
function header(text: string): { index: Partial<Record<Column, number>>; errors: LineError[] } {
  const index: Partial<Record<Column, number>> = {};
  const errors: LineError[] = [];
  cells(text.replace(/^\uFEFF/, "")).forEach((raw, i) => {
    const name = raw.trim();
    const col = (SAMPLING_FILE_COLUMNS as readonly string[]).includes(name.toLowerCase())
      ? (name.toLowerCase() as Column)
      : ALIASES[name];
    if (col === undefined)
      errors.push(
        err(
          1,
          `header[${i}]`,
          "nat.file_unknown_column",
          `第 ${i + 1} 列“${name}”不是采样记录文件的列；应为 ${SAMPLING_FILE_COLUMNS.join(", ")}`,
          `column ${i + 1}, "${name}", is not a sampling-records column; expected ${SAMPLING_FILE_COLUMNS.join(", ")}`,
        ),
      );
    else if (index[col] !== undefined)
      errors.push(
        err(
          1,
          `header[${i}]`,
          "nat.file_duplicate_column",
          `列“${col}”出现两次`,
          `column "${col}" appears twice`,
        ),
      );
    else index[col] = i;
  });
  const missing = SAMPLING_FILE_COLUMNS.filter((c) => index[c] === undefined && !OPTIONAL.includes(c));
  if (missing.length)
    errors.push(
      err(
        1,
        "header",
        "nat.file_missing_columns",
        `采样记录文件缺少列：${missing.join(", ")}`,
        `the sampling-records file lacks the columns ${missing.join(", ")}`,
      ),
    );
  return { index, errors };
}

/** One line by itself, into a staging row (COPY text), or its errors. */
function stageLine(
  text: string,
  line: number,
  index: Record<Column, number | undefined>,
  round: { startsAt: number; now: number; points: Set<string> },
  errors: LineError[],
): string | null {
  const c = cells(text);
  const cell = (k: Column) => (index[k] === undefined ? "" : (c[index[k]] ?? "").trim());
  let bad = false;
  const barcode = cell("barcode");
  for (const e of checkBarcode(barcode, "barcode")) {
    errors.push({ line, field: "barcode", code: e.code, message: prefix(line, e.message) });
    bad = true;
  }
  const personId = cell("person_id");
  const docNumber = cell("document_number").toUpperCase();
  const docType = DOCUMENT_TYPES[cell("document_type") || "resident_id"];
  if ((personId === "") === (docNumber === "")) {
    errors.push(
      err(
        line,
        "person_id",
        "nat.person_required",
        "须填写人员编号或证件号码之一（不能都填）",
        "give either person_id or document_number (not both)",
      ),
    );
    bad = true;
  } else if (personId && !UUID.test(personId)) {
    errors.push(
      err(
        line,
        "person_id",
        "nat.invalid_person_id",
        `人员编号“${personId}”无效`,
        `person_id "${personId}" is not valid`,
      ),
    );
    bad = true;
  } else if (docNumber && (docNumber.length > 40 || docType === undefined)) {
    errors.push(
      err(
        line,
        "document_number",
        "nat.invalid_document",
        `证件“${cell("document_type")} ${docNumber}”无效`,
        `document "${cell("document_type")} ${docNumber}" is not valid`,
      ),
    );
    bad = true;
  }
  // Spreadsheets write "2022-04-10 15:00" (a space, not ISO's T): the same instant.
  const rawAt = cell("sampled_at");
  const iso =
    rawAt.charCodeAt(10) === 32 ? rawAt.replace(/^(\d{4}-\d{2}-\d{2}) (?=\d{2}:\d{2})/, "$1T") : rawAt;
  const at = parseInstant(iso);
  if (at === null) {
    errors.push(
      err(
        line,
        "sampled_at",
        "nat.invalid_sampled_at",
        `采样时间“${cell("sampled_at")}”不是有效的日期时间`,
        `sampled_at "${cell("sampled_at")}" is not a valid date and time`,
      ),
    );
    bad = true;
  } else if (at < round.startsAt || at > round.now) {
    errors.push(
      err(
        line,
        "sampled_at",
        "nat.sampled_outside_round",
        `采样时间 ${new Date(at).toISOString()} 不在本轮开始（${new Date(round.startsAt).toISOString()}）与现在之间`,
        `sampled at ${new Date(at).toISOString()}, not between the round's start (${new Date(round.startsAt).toISOString()}) and now`,
      ),
    );
    bad = true;
  }
  const point = cell("sampling_point_id");
  // A file names a few sampling points, each on many lines: each is checked once.
  if (!round.points.has(point) && UUID.test(point)) round.points.add(point);
  if (!round.points.has(point)) {
    errors.push(
      err(
        line,
        "sampling_point_id",
        "nat.invalid_point",
        `采样点编号“${point}”无效`,
        `sampling_point_id "${point}" is not valid`,
      ),
    );
    bad = true;
  }
  const size = Number(cell("pool_size"));
  if (![1, 5, 10, 20].includes(size)) {
    errors.push(
      err(
        line,
        "pool_size",
        "nat.invalid_size",
        `混采数“${cell("pool_size")}”无效，应为 1、5、10 或 20`,
        `pool_size "${cell("pool_size")}" is invalid; expected 1, 5, 10 or 20`,
      ),
    );
    bad = true;
  }
  if (bad) return null;
  // A time with its zone is staged as written (the server reads ISO 8601 the same); without, as UTC.
  const stagedAt = ZONED.test(iso) ? iso : new Date(at!).toISOString();
  return `${line}\t${barcode}\t${personId || "\\N"}\t${docNumber ? docType : "\\N"}\t${docNumber ? copyTextValue(docNumber) : "\\N"}\t${stagedAt}\t${point.toLowerCase()}\t${size}\n`;
}

const prefix = (line: number, m: Message): Message => ({
  zh: `第 ${line} 行：${m.zh}`,
  en: `line ${line}: ${m.en}`,
});

/** A pool rule as a number for SQL: the largest pool size, 0 for one tube per household. */
const maxOf = (max: number | "household") => (max === "household" ? 0 : max);

/**
 * The pool rule of every home region of the file's people under each policy in force at its sampling
 * points: the zones in force at each region now (`areaOf` over the designations on the region's path,
 * loaded once), the rule without and with the key-group fact (`poolRuleFor`), as the per-scan path.
 */
async function poolRules(
  q: Queryable,
  regions: readonly string[],
  policies: readonly NatPolicy[],
  at: Date,
): Promise<
  { policy: number; region: string; plain: number; key: number; reason: Message; keyReason: Message }[]
> {
  const ancestors = new Set<string>();
  for (const r of regions) for (const a of structuralAncestors(r)) ancestors.add(a);
  const designations = (await designationsOver(q, [...ancestors], at)).map((d) => ({
    ...d,
    from: new Date(d.from),
    to: d.to ? new Date(d.to) : null,
  }));
  const out = [];
  for (const region of regions) {
    const areaKinds = [
      ...new Set(
        areaOf(region, designations, at)
          .map((d) => d.kind)
          .filter((k): k is AreaKind => isAreaKind(k)),
      ),
    ];
    for (const [i, policy] of policies.entries()) {
      const plain = poolRuleFor({ areaKinds }, policy);
      const key = poolRuleFor({ areaKinds, keyGroup: true }, policy);
      out.push({
        policy: i,
        region,
        plain: maxOf(plain.maxSize),
        key: maxOf(key.maxSize),
        reason: plain.reason,
        keyReason: key.reason,
      });
    }
  }
  return out;
}

const STAGE_COLUMNS = [
  "line",
  "barcode",
  "given_id",
  "doc_type",
  "doc_number",
  "sampled_at",
  "point_id",
  "pool_size",
];

/**
 * A person twice in the file (every line after their first) or already sampled this round. Both are
 * what the swabs' primary key refuses, so a file is only searched for them when its insert of the swabs
 * was refused that way, or when other lines are bad already (every bad line is named at once).
 */
async function duplicateErrors(tx: Queryable, roundId: string, limit: number): Promise<LineError[]> {
  const errors: LineError[] = [];
  const q = <T extends Record<string, unknown>>(sql: string, params: unknown[] = []) =>
    tx.query<T>(sql, params).then((r) => r.rows);
  // A person twice in the file: every line after their first.
  for (const r of await q<{ line: number; first: number }>(
    `SELECT s.line, d.first FROM nat_sampling_rows s
     JOIN (SELECT person_id, min(line) AS first FROM nat_sampling_rows WHERE person_id IS NOT NULL
           GROUP BY person_id HAVING count(*) > 1) d ON d.person_id = s.person_id
     WHERE s.line <> d.first ORDER BY s.line LIMIT ${limit}`,
  ))
    errors.push(
      err(
        r.line,
        "person_id",
        "nat.person_twice_in_file",
        `此人在文件第 ${r.first} 行已采样，本轮不能重复采样`,
        `this person is already sampled on line ${r.first} of the file; once a round`,
      ),
    );

  for (const r of await q<{ line: number; tube: string }>(
    `SELECT s.line, w.tube_barcode AS tube FROM nat_sampling_rows s
     JOIN nat_swabs w ON w.person_id = s.person_id AND w.round_id = $1 AND NOT w.retest
     ORDER BY s.line LIMIT ${limit}`,
    [roundId],
  ))
    errors.push(
      err(
        r.line,
        "person_id",
        "nat.person_already_sampled",
        `此人本轮已采样，在试管 ${r.tube} 中，不能重复采样`,
        `this person was already sampled this round, in tube ${r.tube}`,
      ),
    );

  return errors;
}

/**
 * A tube (`t`, a nat_bulk_tubes row) one of whose lines breaks a pool rule: a size the policy at its point
 * does not allow, bigger than a member's rule, a household tube holding someone sampled by the plain
 * rule, or someone sampled one tube per household in a shared tube of several households.
 */
const POOL_BAD = `(NOT t.all_allowed OR t.over_max OR (t.household_tube AND t.any_plain)
  OR (t.any_household AND t.size > 1 AND NOT (t.one_household AND t.no_household = 0)))`;

/** The set-based checks: each kind of bad line, at most `limit` lines each, with what the message needs. */
async function checkStaged(
  tx: Queryable,
  limit: number,
  found: { unknownPoints: boolean; badTubes: boolean; badPools: boolean },
): Promise<LineError[]> {
  const errors: LineError[] = [];
  const q = <T extends Record<string, unknown>>(sql: string, params: unknown[] = []) =>
    tx.query<T>(sql, params).then((r) => r.rows);

  for (const r of await q<{ line: number; given: string | null; doc: string | null }>(
    `SELECT line, given_id::text AS given, doc_number AS doc FROM nat_sampling_rows WHERE person_id IS NULL
     ORDER BY line LIMIT ${limit}`,
  ))
    errors.push(
      r.given
        ? err(
            r.line,
            "person_id",
            "nat.person_unknown",
            `人员库中没有此人（${r.given}）`,
            `no person ${r.given} in the registry`,
          )
        : err(
            r.line,
            "document_number",
            "nat.person_unknown",
            `人员库中没有证件号为 ${r.doc} 的人员，请先登记`,
            `no person with document number ${r.doc} in the registry: register them first`,
          ),
    );

  if (found.unknownPoints)
    for (const r of await q<{ line: number; point: string }>(
      `SELECT s.line, s.point_id::text AS point FROM nat_sampling_rows s
     WHERE NOT EXISTS (SELECT 1 FROM nat_bulk_points p WHERE p.id = s.point_id) ORDER BY s.line LIMIT ${limit}`,
    ))
      errors.push(
        err(
          r.line,
          "sampling_point_id",
          "nat.point_unknown",
          `没有采样点 ${r.point}`,
          `no sampling point ${r.point}`,
        ),
      );

  // Tubes: one size, one sampling point, at most its size (with what an open tube already holds), and a
  // barcode not sealed, not of another round, not an open tube of another size or kind.
  if (found.badTubes)
    for (const r of await q<{
      line: number;
      barcode: string;
      sizes: number;
      points: number;
      n: number;
      size: number;
      stored: number;
      sealed: boolean;
      otherRound: boolean;
      storedSize: number | null;
      storedKind: string | null;
    }>(
      `SELECT s.line, s.barcode, t.sizes, t.points, t.n, t.size, t.stored, t.sealed, t.other_round AS "otherRound",
       t.stored_size AS "storedSize", t.stored_kind AS "storedKind"
     FROM nat_bulk_tubes t JOIN nat_sampling_rows s ON s.barcode = t.barcode
     WHERE t.sizes > 1 OR t.points > 1 OR t.n + t.stored > t.size OR t.sealed OR t.other_round
       OR (t.stored_size IS NOT NULL AND (t.stored_size <> t.size OR t.stored_kind <> 'pool/screening'))
     ORDER BY s.line LIMIT ${limit}`,
    )) {
      const b = r.barcode;
      if (r.sealed)
        errors.push(
          err(
            r.line,
            "barcode",
            "nat.tube_sealed",
            `试管 ${b} 已封管，不能再加入样本`,
            `tube ${b} is sealed; no more swabs can be added`,
          ),
        );
      else if (r.otherRound)
        errors.push(
          err(
            r.line,
            "barcode",
            "nat.barcode_used",
            `条码 ${b} 已用于另一轮次的试管`,
            `barcode ${b} is already a tube of another round`,
          ),
        );
      else if (r.sizes > 1)
        errors.push(
          err(
            r.line,
            "pool_size",
            "nat.tube_mixed_sizes",
            `试管 ${b} 在文件中有不同的混采数`,
            `tube ${b} has different pool sizes in the file`,
          ),
        );
      else if (r.points > 1)
        errors.push(
          err(
            r.line,
            "sampling_point_id",
            "nat.tube_mixed_points",
            `试管 ${b} 在文件中属于不同的采样点`,
            `tube ${b} is at different sampling points in the file`,
          ),
        );
      else if (r.storedSize !== null && (r.storedSize !== r.size || r.storedKind !== "pool/screening"))
        errors.push(
          err(
            r.line,
            "pool_size",
            "nat.tube_size_differs",
            `试管 ${b} 已在采样台开管（${r.storedSize}合1），与文件中的混采数 ${r.size} 不同`,
            `tube ${b} was opened at a desk as ${r.storedSize}-in-1; the file says ${r.size}`,
          ),
        );
      else
        errors.push(
          err(
            r.line,
            "barcode",
            "nat.tube_over_size",
            `试管 ${b} 为${r.size}合1，文件中有 ${r.n} 人${r.stored ? `（已存 ${r.stored} 人）` : ""}，超过容量`,
            `tube ${b} is ${r.size}-in-1 and the file puts ${r.n} people in it${r.stored ? ` (${r.stored} stored already)` : ""}`,
          ),
        );
    }

  // Pool sizes: allowed by the policy at the sampling point, no bigger than the person's rule; a
  // household-rule person in a single tube or a tube of their own household only. Only the lines of
  // the tubes the tube summary flagged (pool_bad) are looked at.
  if (found.badPools)
    for (const r of await q<{
      line: number;
      barcode: string;
      size: number;
      allowed: boolean;
      max: number;
      reason: Message;
      householdTube: boolean;
      sameHousehold: boolean;
    }>(
      `SELECT line, barcode, size, allowed, max, reason, household_tube AS "householdTube",
       same_household AS "sameHousehold" FROM (
       SELECT s.line, s.barcode, s.pool_size AS size, s.pool_size = ANY (p.allowed) AS allowed,
         CASE WHEN k.person_id IS NULL THEN r.plain ELSE r.key END AS max,
         CASE WHEN k.person_id IS NULL THEN r.reason ELSE r.key_reason END AS reason,
         t.household_tube, t.one_household AND t.no_household = 0 AS same_household
       FROM nat_sampling_rows s
       JOIN nat_bulk_points p ON p.id = s.point_id
       JOIN nat_bulk_rules r ON r.policy = p.policy AND r.region = s.region_code
       JOIN nat_bulk_tubes t ON t.barcode = s.barcode AND ${POOL_BAD}
       LEFT JOIN (SELECT DISTINCT person_id FROM quarantine_placements WHERE status = 'placed') k
         ON k.person_id = s.person_id
     ) x
     WHERE NOT allowed
       OR (max > 0 AND (size > max OR household_tube))
       OR (max = 0 AND size > 1 AND NOT same_household)
     ORDER BY line LIMIT ${limit}`,
    )) {
      if (!r.allowed)
        errors.push(
          err(
            r.line,
            "pool_size",
            "nat.size_not_allowed",
            `采样点所在地规则不允许 ${r.size}合1`,
            `the policy at the sampling point does not allow ${r.size}-in-1 tubes`,
          ),
        );
      else if (r.max === 0)
        errors.push(
          err(
            r.line,
            "pool_size",
            "nat.household_mismatch",
            `此人按“${r.reason.zh}”采样，试管 ${r.barcode}（${r.size}合1）中有其他户的人员或无户人员`,
            `this person is sampled as "${r.reason.en}"; tube ${r.barcode} (${r.size}-in-1) holds people of another household or of none`,
          ),
        );
      else
        errors.push(
          err(
            r.line,
            "pool_size",
            "nat.pool_size_mismatch",
            `此人按“${r.reason.zh}”采样，不能放入${r.householdTube ? "一户一管" : `${r.size}合1`}试管 ${r.barcode}`,
            `this person is sampled as "${r.reason.en}"; they cannot go into ${r.householdTube ? "household" : `${r.size}-in-1`} tube ${r.barcode}`,
          ),
        );
    }
  return errors;
}

/**
 * Imports a sampling-records file for a round (`nat.sample` over every sampling point named), all or
 * nothing. `lines` are the file's lines, the header first (an iterable, so a large file is read as it
 * goes). Returns the summary; when a line is bad, `stored` is false and nothing was stored.
 */
export async function importSamplingRecords(
  db: Db,
  ctx: RequestContext,
  packs: readonly LoadedPack[],
  lines: LineSource,
  opts: SamplingBulkOptions,
): Promise<SamplingBulkSummary> {
  const t0 = performance.now();
  const actor = requireActor(ctx);
  if (!decideAccess(actor, "nat.sample", []).allowed) throw forbidden("permission");
  const round = await findRound(db, opts.roundId);
  if (!round) throw notFound(ROUND);
  const chunkSize = opts.chunkSize ?? 20_000;
  const summary: SamplingBulkSummary = {
    read: 0,
    stored: false,
    errors: [],
    errorCount: 0,
    tubes: 0,
    tubesCompleted: 0,
    swabs: 0,
    stageSeconds: 0,
    stageWaitSeconds: 0,
    checkSeconds: 0,
    writeSeconds: 0,
    seconds: 0,
  };
  const window = {
    startsAt: new Date(round.startsAt).getTime(),
    now: ctx.now.getTime(),
    points: new Set<string>(),
  };
  const lineErrors: LineError[] = [];
  let unnamed = 0;
  const batchId = uuidv7();
  try {
    await db.transaction(async (tx) => {
      await applyBulkSettings(db, tx);
      await tx.exec(
        `CREATE TEMP TABLE nat_sampling_in (line integer, barcode text COLLATE "C", given_id uuid, doc_type text,
           doc_number text COLLATE "C", sampled_at timestamptz, point_id uuid, pool_size integer) ON COMMIT DROP`,
      );
      // Stage: the lines by themselves, COPYed in chunks while the next chunk is parsed.
      let index: Record<Column, number | undefined> | null = null;
      let lineNo = 0;
      let text = "";
      let rows = 0;
      let pending: Promise<void> = Promise.resolve();
      let waited = 0;
      const flush = async () => {
        const w0 = performance.now();
        await pending;
        waited += performance.now() - w0;
        if (!text) {
          text = "";
          rows = 0;
          return;
        }
        const chunk = text;
        text = "";
        rows = 0;
        pending = tx.copyText("nat_sampling_in", STAGE_COLUMNS, chunk);
        pending.catch(() => {});
      };
      file: for await (const batch of lineBatches(lines))
        for (const raw of batch) {
          lineNo++;
          const l = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
          if (index === null) {
            const h = header(l);
            if (h.errors.length) {
              lineErrors.push(...h.errors);
              break file;
            }
            index = h.index as Record<Column, number | undefined>;
            continue;
          }
          if (!l.trim()) continue;
          summary.read++;
          const row = stageLine(l, lineNo, index, window, lineErrors);
          // Only the first bad lines are named: the others are counted.
          if (lineErrors.length > 2 * MAX_LINE_ERRORS) {
            unnamed += lineErrors.length - MAX_LINE_ERRORS;
            lineErrors.length = MAX_LINE_ERRORS;
          }
          if (row) {
            text += row;
            if (++rows >= chunkSize) await flush();
          }
        }
      if (index === null && !lineErrors.length)
        lineErrors.push(err(1, "header", "nat.file_empty", "文件是空的", "the file is empty"));
      await flush();
      await pending;
      const ts = performance.now();
      summary.stageSeconds = (ts - t0) / 1000;
      summary.stageWaitSeconds = waited / 1000;
      // A line bad by itself is named with the others: the good lines are checked together all the same.
      if (!lineErrors.length && summary.read === 0)
        lineErrors.push(
          err(1, "", "nat.file_no_rows", "文件中没有采样记录", "the file has no sampling records"),
        );
      if (index === null || summary.read === 0) throw ROLLBACK;

      await tx.exec("ANALYZE nat_sampling_in");
      // The people: by id or by document.
      await tx.exec(
        `CREATE TEMP TABLE nat_sampling_rows ON COMMIT DROP AS
         SELECT i.line, i.barcode, i.sampled_at, i.point_id, i.pool_size, i.given_id, i.doc_number,
           p.id AS person_id, p.current_region_code AS region_code, p.household_id
         FROM nat_sampling_in i
         LEFT JOIN person_documents d ON i.given_id IS NULL AND d.document_type = i.doc_type
           AND d.document_number = i.doc_number
         -- The file's lines stay in the file's order (they are what the hash joins probe with): the
         -- swabs are inserted in it, so their tube and region indexes fill page after page.
         LEFT JOIN persons p ON p.id = coalesce(i.given_id, d.person_id)`,
      );
      await tx.exec("ANALYZE nat_sampling_rows");
      // The sampling points: each inside the caller's jurisdiction, each with the policy in force there.
      // (The lines' sampling points were collected while the lines were read.)
      const named = [...new Set([...window.points].map((p) => p.toLowerCase()))];
      const points = (
        await tx.query<{ id: string; regionCode: string }>(
          `SELECT id, region_code AS "regionCode" FROM nat_sampling_points WHERE id = ANY ($1::uuid[])`,
          [named],
        )
      ).rows;
      const outside = points.find((p) => !decideAccess(actor, "nat.sample", [p.regionCode]).allowed);
      if (outside) throw forbidden("jurisdiction");
      const policies: NatPolicy[] = [];
      const pointPolicy = points.map((p) => {
        const { policy } = natPolicyAt(packs, p.regionCode, ctx.now);
        let i = policies.indexOf(policy);
        if (i < 0) i = policies.push(policy) - 1;
        return { ...p, policy: i, allowed: policy.pooling.allowedSizes };
      });
      await tx.exec(
        `CREATE TEMP TABLE nat_bulk_points (id uuid PRIMARY KEY, region_code text COLLATE "C", policy integer,
           allowed integer[], n integer) ON COMMIT DROP`,
      );
      if (pointPolicy.length)
        await tx.query(
          `INSERT INTO nat_bulk_points SELECT id, r, p, a::int[], n
           FROM unnest($1::uuid[], $2::text[], $3::int[], $4::text[]) WITH ORDINALITY AS x(id, r, p, a, n)`,
          [
            pointPolicy.map((p) => p.id),
            pointPolicy.map((p) => p.regionCode),
            pointPolicy.map((p) => p.policy),
            pointPolicy.map((p) => `{${p.allowed.join(",")}}`),
          ],
        );
      // The pool rule of each home region, once per region and policy.
      const regions = (
        await tx.query<{ code: string }>(
          `SELECT DISTINCT region_code AS code FROM nat_sampling_rows WHERE region_code IS NOT NULL`,
        )
      ).rows.map((r) => r.code);
      const rules = await poolRules(tx, regions, policies, ctx.now);
      await tx.exec(
        `CREATE TEMP TABLE nat_bulk_rules (policy integer, region text COLLATE "C", plain integer, key integer,
           reason json, key_reason json, PRIMARY KEY (policy, region)) ON COMMIT DROP`,
      );
      if (rules.length)
        await tx.query(
          `INSERT INTO nat_bulk_rules SELECT p, r, a, k, re::json, kr::json
           FROM unnest($1::int[], $2::text[], $3::int[], $4::int[], $5::text[], $6::text[]) AS x(p, r, a, k, re, kr)`,
          [
            rules.map((r) => r.policy),
            rules.map((r) => r.region),
            rules.map((r) => r.plain),
            rules.map((r) => r.key),
            rules.map((r) => JSON.stringify(r.reason)),
            rules.map((r) => JSON.stringify(r.keyReason)),
          ],
        );
      // The tubes of the file, with what the round already has under their barcodes.
      await tx.query(
        `CREATE TEMP TABLE nat_bulk_tubes ON COMMIT DROP AS
         SELECT f.*, coalesce(c.stored, 0) AS stored, coalesce(t.sealed_at IS NOT NULL, false) AS sealed,
           coalesce(t.round_id <> $1, false) AS other_round, t.size AS stored_size,
           t.mode || '/' || t.purpose AS stored_kind, t.barcode IS NOT NULL AS known
         FROM (
           -- Per tube, from cheap aggregates (whole numbers, times, booleans): a sampling point is its
           -- number in nat_bulk_points; the households are looked at below, for the few tubes that need it.
           SELECT g.barcode, g.n, CASE WHEN g.min_size = g.size THEN 1 ELSE 2 END AS sizes, g.size,
             CASE WHEN g.min_point = g.max_point THEN 1 ELSE 2 END AS points, bp.id AS point_id,
             g.first_at, g.last_at, g.any_household AND g.size > 1 AS household_tube,
             true AS one_household, 0 AS no_household, NULL::text AS household_key,
             g.all_allowed, g.over_max, g.any_plain, g.any_household
           FROM (
             SELECT s.barcode, count(*)::int AS n, min(s.pool_size) AS min_size, max(s.pool_size) AS size,
               min(p.n) AS min_point, max(p.n) AS max_point,
               min(s.sampled_at) AS first_at, max(s.sampled_at) AS last_at,
               coalesce(bool_and(s.pool_size = ANY (p.allowed)), true) AS all_allowed,
               coalesce(bool_or(m.max > 0 AND s.pool_size > m.max), false) AS over_max,
               coalesce(bool_or(m.max > 0), false) AS any_plain,
               coalesce(bool_or(m.max = 0), false) AS any_household
             FROM nat_sampling_rows s
             LEFT JOIN nat_bulk_points p ON p.id = s.point_id
             LEFT JOIN nat_bulk_rules r ON r.policy = p.policy AND r.region = s.region_code
             LEFT JOIN (SELECT DISTINCT person_id FROM quarantine_placements WHERE status = 'placed') k
               ON k.person_id = s.person_id
             CROSS JOIN LATERAL (SELECT CASE WHEN k.person_id IS NULL THEN r.plain ELSE r.key END AS max) m
             GROUP BY s.barcode
           ) g
           LEFT JOIN nat_bulk_points bp ON bp.n = g.min_point
         ) f
         LEFT JOIN nat_tubes t ON t.barcode = f.barcode
         LEFT JOIN LATERAL (SELECT count(*)::int AS stored FROM nat_swabs w WHERE w.tube_barcode = t.barcode) c
           ON t.barcode IS NOT NULL`,
        [round.id],
      );
      // The households of the tubes holding someone sampled one tube per household (sealed zones: few).
      await tx.exec(
        `UPDATE nat_bulk_tubes t SET one_household = h.one, no_household = h.none, household_key = h.key
         FROM (SELECT s.barcode, coalesce(min(s.household_id::text) = max(s.household_id::text), true) AS one,
                 count(*) FILTER (WHERE s.household_id IS NULL)::int AS none, min(s.household_id::text) AS key
               FROM nat_sampling_rows s
               WHERE s.barcode IN (SELECT barcode FROM nat_bulk_tubes WHERE any_household)
               GROUP BY s.barcode) h
         WHERE t.barcode = h.barcode`,
      );
      const flags = (
        await tx.query<{ badTubes: boolean; badPools: boolean }>(
          `SELECT coalesce(bool_or(sizes > 1 OR points > 1 OR n + stored > size OR sealed OR other_round
               OR (stored_size IS NOT NULL AND (stored_size <> size OR stored_kind <> 'pool/screening'))), false) AS "badTubes",
             coalesce(bool_or(${POOL_BAD}), false) AS "badPools"
           FROM nat_bulk_tubes t`,
        )
      ).rows[0]!;
      lineErrors.push(
        ...(await checkStaged(tx, MAX_LINE_ERRORS, {
          ...flags,
          unknownPoints: points.length < named.length,
        })),
      );
      // With other bad lines, the people twice or already sampled are named with them.
      if (lineErrors.length) {
        lineErrors.push(...(await duplicateErrors(tx, round.id, MAX_LINE_ERRORS)));
        throw ROLLBACK;
      }
      const tc = performance.now();
      summary.checkSeconds = (tc - ts) / 1000;

      // Write: new tubes sealed at their last swab, open ones completed and sealed, then the swabs.
      const by = actor.userId;
      summary.tubes = (
        await tx.query(
          `INSERT INTO nat_tubes (barcode, round_id, sampling_point_id, region_code, size, mode, purpose, household_key,
             opened_at, opened_by, sealed_at, sealed_by)
           SELECT t.barcode, $1, t.point_id, p.region_code, t.size,
             CASE WHEN t.household_tube THEN 'household' ELSE 'pool' END, 'screening',
             CASE WHEN t.household_tube THEN t.household_key END, t.first_at, $2, t.last_at, $2
           FROM nat_bulk_tubes t JOIN nat_bulk_points p ON p.id = t.point_id WHERE NOT t.known
           ORDER BY t.barcode`,
          [round.id, by],
        )
      ).rowCount;
      summary.tubesCompleted = (
        await tx.query(
          `UPDATE nat_tubes n SET sealed_at = greatest(t.last_at, n.opened_at), sealed_by = $1
           FROM nat_bulk_tubes t WHERE t.known AND n.barcode = t.barcode`,
          [by],
        )
      ).rowCount;
      // The swabs: the primary key (a person once a round) refuses a person twice in the file or already
      // sampled; then, and only then, those lines are looked for and named.
      await tx.exec("SAVEPOINT nat_swabs_insert");
      try {
        summary.swabs = (
          await tx.query(
            `INSERT INTO nat_swabs (person_id, round_id, tube_barcode, household_id, region_code, sampled_at, sampled_by, retest)
             SELECT person_id, $1, barcode, household_id, region_code, sampled_at, $2, false FROM nat_sampling_rows`,
            [round.id, by],
          )
        ).rowCount;
      } catch (e) {
        if (sqlState(e) !== "23505") throw e;
        await tx.exec("ROLLBACK TO SAVEPOINT nat_swabs_insert");
        const twice = await duplicateErrors(tx, round.id, MAX_LINE_ERRORS);
        if (!twice.length) throw e;
        lineErrors.push(...twice);
        throw ROLLBACK;
      }
      await recordAudit(tx, ctx, {
        action: "nat.sampling_import",
        entityType: "nat_sampling_batch",
        entityId: batchId,
        regionCode: null,
        after: {
          roundId: round.id,
          fileName: opts.fileName ?? null,
          read: summary.read,
          tubes: summary.tubes,
          tubesCompleted: summary.tubesCompleted,
          swabs: summary.swabs,
        },
      });
    });
    summary.stored = true;
  } catch (e) {
    // Another upload or a desk stored one of these people or barcodes meanwhile: nothing is stored.
    if ((e as { code?: string }).code === "23505")
      throw conflict(
        "文件中的人员或试管刚由另一采样台或另一文件录入，未作任何录入；请重新上传",
        "a person or tube of the file was just stored by a desk or another upload; nothing was stored: upload the file again",
      );
    if (e !== ROLLBACK) throw e;
    summary.tubes = summary.tubesCompleted = summary.swabs = 0;
  }
  lineErrors.sort((a, b) => a.line - b.line);
  summary.errorCount = lineErrors.length + unnamed;
  summary.errors = lineErrors.slice(0, MAX_LINE_ERRORS);
  summary.seconds = (performance.now() - t0) / 1000;
  summary.writeSeconds = summary.stored ? summary.seconds - summary.stageSeconds - summary.checkSeconds : 0;
  return summary;
}

/** The summary's errors as a refused request's fields (`rows[N].field`, as the lab file's). */
export const lineFields = (errors: readonly LineError[]): FieldError[] =>
  errors.map((e) => ({
    field: e.line === 1 ? e.field : `rows[${e.line}].${e.field}`,
    code: e.code,
    message: e.message,
  }));
