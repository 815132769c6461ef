import { copyCsvField } from "../db/csv.ts";
import type { AssistRowInput, AssistState } from "@cordon/domain/assist/assist-list";
import type { Queryable } from "../db/db.ts";

export interface AssistListRecord {
  id: string;
  name: string;
  source: string;
  regionCode: string;
  fileName: string | null;
  receivedAt: Date;
  deadlineAt: Date;
  importedBy: string;
  importedByName: string;
}

const LIST_COLUMNS = `l.id, l.name, l.source, l.region_code AS "regionCode", l.file_name AS "fileName",
  l.received_at AS "receivedAt", l.deadline_at AS "deadlineAt", l.imported_by AS "importedBy",
  l.imported_by_name AS "importedByName"`;

export async function insertList(q: Queryable, l: AssistListRecord): Promise<void> {
  await q.query(
    `INSERT INTO assist_lists (id, name, source, region_code, file_name, received_at, deadline_at, imported_by, imported_by_name)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [
      l.id,
      l.name,
      l.source,
      l.regionCode,
      l.fileName,
      l.receivedAt,
      l.deadlineAt,
      l.importedBy,
      l.importedByName,
    ],
  );
}

export async function findList(q: Queryable, id: string): Promise<AssistListRecord | null> {
  return (
    (await q.query<AssistListRecord>(`SELECT ${LIST_COLUMNS} FROM assist_lists l WHERE l.id = $1`, [id]))
      .rows[0] ?? null
  );
}

/** Lists received inside a subtree (`prefix`), or by one of `ancestors` (lists that reach down to it), newest first. */
export async function listLists(
  q: Queryable,
  prefix: string,
  ancestors: readonly string[],
): Promise<AssistListRecord[]> {
  return (
    await q.query<AssistListRecord>(
      `SELECT ${LIST_COLUMNS} FROM assist_lists l
       WHERE l.region_code LIKE $1 OR l.region_code = ANY($2::text[])
       ORDER BY l.received_at DESC, l.id DESC LIMIT 500`,
      [`${prefix}%`, ancestors],
    )
  ).rows;
}

/** One staged row: a usable row of the file with its row number and a new id. */
export interface StagedRow extends AssistRowInput {
  id: string;
  rowNumber: number;
}

const FINAL = `('controlled', 'not_found', 'forwarded')`;
/** A row is open unless final, or merged into a final row (`t` is the row it is merged into). */
const OPEN = `NOT (r.state IN ${FINAL} OR (r.state = 'merged' AND t.state IN ${FINAL}))`;

/** One field of COPY's CSV: NULL is an unquoted empty field, everything else is quoted. */
const copyField = (v: string | number | null): string =>
  typeof v === "number" ? String(v) : copyCsvField(v);

/**
 * COPYs a list's usable rows into a temporary table (dropped at commit) for MATCH_SQL. The CSV text is
 * built by hand: csv-stringify took over a second for 100,000 rows, this a tenth of that.
 */
export async function stageRows(q: Queryable, rows: readonly StagedRow[]): Promise<void> {
  await q.exec(
    `CREATE TEMP TABLE assist_stage (
       id uuid NOT NULL, row_number integer NOT NULL, name text COLLATE "C" NOT NULL,
       document_number text COLLATE "C", phone text COLLATE "C", reason text, address text,
       region_hint text COLLATE "C", extra jsonb NOT NULL
     ) ON COMMIT DROP`,
  );
  const CHUNK = 25_000;
  for (let i = 0; i < rows.length; i += CHUNK) {
    let csv = "";
    for (const r of rows.slice(i, i + CHUNK)) {
      csv += `${r.id},${r.rowNumber},${copyField(r.name)},${copyField(r.documentNumber)},${copyField(r.phone)},${copyField(r.reason)},${copyField(r.address)},${copyField(r.regionHint)},${copyField(JSON.stringify(r.extra))}\n`;
    }
    await q.copyCsv(
      "assist_stage",
      ["id", "row_number", "name", "document_number", "phone", "reason", "address", "region_hint", "extra"],
      csv,
    );
  }
  await q.exec("ANALYZE assist_stage");
}

/** The one statement that matches, merges and dispatches the staged rows ($1 list id, $2 jurisdiction prefix%, $3 now, $4 by). */
export const MATCH_SQL = `INSERT INTO assist_rows (list_id, id, row_number, name, document_number, phone, reason, address, region_hint,
       extra, state, person_id, region_code, candidates, merged_into, outcome_at, outcome_by, forwarded_to,
       updated_at, version)
     WITH doc AS (
       SELECT DISTINCT ON (s.id) s.id, d.person_id
       FROM assist_stage s JOIN person_documents d ON d.document_number = s.document_number
       ORDER BY s.id, d.document_type
     ), np AS (
       SELECT s.id, array_agg(p.id ORDER BY p.id) AS ids
       FROM assist_stage s JOIN persons p ON p.phone = s.phone AND p.name = s.name
       WHERE s.document_number IS NULL AND s.phone IS NOT NULL
       GROUP BY s.id
     ), m AS (
       SELECT s.*, coalesce(doc.person_id, CASE WHEN cardinality(np.ids) = 1 THEN np.ids[1] END) AS person_id,
         CASE WHEN cardinality(np.ids) > 1 THEN np.ids END AS candidates
       FROM assist_stage s LEFT JOIN doc ON doc.id = s.id LEFT JOIN np ON np.id = s.id
     ), k AS (
       SELECT m.*,
         CASE WHEN length(p.current_region_code) = 15 THEN left(p.current_region_code, 12)
              ELSE p.current_region_code END AS home,
         CASE WHEN m.person_id IS NOT NULL THEN 'p' || m.person_id::text
              WHEN m.document_number IS NOT NULL THEN 'd' || m.document_number
              WHEN m.candidates IS NOT NULL THEN 'a' || m.name || '|' || m.phone
              ELSE 'r' || m.id::text END AS dkey
       FROM m LEFT JOIN persons p ON p.id = m.person_id
     ), f AS (
       SELECT k.*, first_value(k.id) OVER (PARTITION BY k.dkey ORDER BY k.row_number) AS first_id FROM k
     ), g AS (
       SELECT f.*,
         CASE WHEN f.first_id <> f.id THEN 'merged'
              WHEN f.candidates IS NOT NULL THEN 'ambiguous'
              WHEN f.person_id IS NULL THEN 'unmatched'
              WHEN f.home LIKE $2 THEN 'dispatched'
              ELSE 'forwarded' END AS state
       FROM f
     )
     SELECT $1, g.id, g.row_number, g.name, g.document_number, g.phone, g.reason, g.address, g.region_hint,
       g.extra, g.state, g.person_id,
       CASE WHEN g.person_id IS NOT NULL THEN g.home WHEN g.region_hint LIKE $2 THEN g.region_hint END,
       g.candidates,
       CASE WHEN g.state = 'merged' THEN g.first_id END,
       CASE WHEN g.state = 'forwarded' THEN $3::timestamptz END,
       CASE WHEN g.state = 'forwarded' THEN $4 END,
       CASE WHEN g.state = 'forwarded' THEN g.home END,
       $3::timestamptz, 1
     FROM g`;

/**
 * Stores a list's rows and matches them to the registry in a few set-based statements, inside the
 * caller's transaction:
 *  1. COPY the usable rows into a temporary table (ON COMMIT DROP);
 *  2. one INSERT … SELECT that matches each row by document number (person_documents), else — rows
 *     with no document number — by name + phone (persons; several people → ambiguous, candidates
 *     kept), merges later rows with the same matched person or the same document number (or, when
 *     ambiguous, the same name and phone) into the first, and dispatches: residence community inside the list's jurisdiction (`prefix`) →
 *     dispatched there; outside → forwarded to it at once; unmatched → the sender's region hint when
 *     it lies inside the jurisdiction, else the list's own region (null).
 * A row whose document number is not in the registry stays unmatched: the ID number is authoritative,
 * a name + phone hit under a different ID number would be another person.
 */
export async function storeAndMatchRows(
  q: Queryable,
  listId: string,
  rows: readonly StagedRow[],
  opts: { prefix: string; now: Date; by: string },
): Promise<void> {
  await stageRows(q, rows);
  // Sorts and hashes of 100,000 rows fit in memory instead of spilling to disk (this transaction only).
  await q.exec("SET LOCAL work_mem = '256MB'");
  await q.query(MATCH_SQL, [listId, `${opts.prefix}%`, opts.now, opts.by]);
}

export interface ListCounts {
  total: number;
  ambiguous: number;
  unmatched: number;
  dispatched: number;
  merged: number;
  controlled: number;
  notFound: number;
  forwarded: number;
  open: number;
}

const ZERO: ListCounts = {
  total: 0,
  ambiguous: 0,
  unmatched: 0,
  dispatched: 0,
  merged: 0,
  controlled: 0,
  notFound: 0,
  forwarded: 0,
  open: 0,
};

/** Rows per state and open rows of each list, for the rows a scope (`prefix`) sees. */
export async function countsOf(
  q: Queryable,
  listIds: readonly string[],
  scope: { prefix: string } | null,
): Promise<Map<string, ListCounts>> {
  const out = new Map<string, ListCounts>();
  if (listIds.length === 0) return out;
  const rows = (
    await q.query<ListCounts & { listId: string }>(
      `SELECT r.list_id AS "listId", count(*)::int AS total,
         count(*) FILTER (WHERE r.state = 'ambiguous')::int AS ambiguous,
         count(*) FILTER (WHERE r.state = 'unmatched')::int AS unmatched,
         count(*) FILTER (WHERE r.state = 'dispatched')::int AS dispatched,
         count(*) FILTER (WHERE r.state = 'merged')::int AS merged,
         count(*) FILTER (WHERE r.state = 'controlled')::int AS controlled,
         count(*) FILTER (WHERE r.state = 'not_found')::int AS "notFound",
         count(*) FILTER (WHERE r.state = 'forwarded')::int AS forwarded,
         count(*) FILTER (WHERE ${OPEN})::int AS open
       FROM assist_rows r
       LEFT JOIN assist_rows t ON t.list_id = r.list_id AND t.id = r.merged_into
       ${scope ? "JOIN assist_lists l ON l.id = r.list_id" : ""}
       WHERE r.list_id = ANY($1::uuid[]) ${scope ? "AND coalesce(r.region_code, t.region_code, l.region_code) LIKE $2" : ""}
       GROUP BY r.list_id`,
      scope ? [listIds, `${scope.prefix}%`] : [listIds],
    )
  ).rows;
  for (const id of listIds) out.set(id, { ...ZERO });
  for (const { listId, ...c } of rows) out.set(listId, c);
  return out;
}

export interface AssistRowRecord {
  listId: string;
  id: string;
  rowNumber: number;
  name: string;
  documentNumber: string | null;
  phone: string | null;
  reason: string | null;
  address: string | null;
  regionHint: string | null;
  extra: Record<string, string>;
  state: AssistState;
  personId: string | null;
  regionCode: string | null;
  candidates: string[] | null;
  mergedInto: string | null;
  outcomeAt: Date | null;
  outcomeBy: string | null;
  outcomeReason: string | null;
  forwardedTo: string | null;
  updatedAt: Date;
  version: number;
}

export interface AssistRowView extends AssistRowRecord {
  open: boolean;
  personName: string | null;
  regionName: string | null;
}

const ROW_COLUMNS = `r.list_id AS "listId", r.id, r.row_number AS "rowNumber", r.name, r.document_number AS "documentNumber",
  r.phone, r.reason, r.address, r.region_hint AS "regionHint", r.extra, r.state, r.person_id AS "personId",
  r.region_code AS "regionCode", r.candidates, r.merged_into AS "mergedInto", r.outcome_at AS "outcomeAt",
  r.outcome_by AS "outcomeBy", r.outcome_reason AS "outcomeReason", r.forwarded_to AS "forwardedTo",
  r.updated_at AS "updatedAt", r.version`;

const VIEW_FROM = `FROM assist_rows r
  LEFT JOIN assist_rows t ON t.list_id = r.list_id AND t.id = r.merged_into
  LEFT JOIN persons p ON p.id = r.person_id
  LEFT JOIN regions g ON g.code = r.region_code`;

const VIEW_COLUMNS = `${ROW_COLUMNS}, ${OPEN} AS open, p.name AS "personName", g.name AS "regionName"`;

/** Candidate arrays come back as uuid[] (an array on pg, a "{…}" literal nowhere else, but be safe). */
function fixRow<T extends { candidates: unknown }>(r: T): T {
  const c = r.candidates;
  if (typeof c === "string")
    r.candidates = c
      .replace(/^\{|\}$/g, "")
      .split(",")
      .filter(Boolean);
  return r;
}

export async function findRow(
  q: Queryable,
  listId: string,
  id: string,
  forUpdate = false,
): Promise<AssistRowRecord | null> {
  const r = (
    await q.query<AssistRowRecord>(
      `SELECT ${ROW_COLUMNS} FROM assist_rows r WHERE r.list_id = $1 AND r.id = $2${forUpdate ? " FOR UPDATE" : ""}`,
      [listId, id],
    )
  ).rows[0];
  return r ? fixRow(r) : null;
}

export async function findRowView(q: Queryable, listId: string, id: string): Promise<AssistRowView | null> {
  const r = (
    await q.query<AssistRowView>(`SELECT ${VIEW_COLUMNS} ${VIEW_FROM} WHERE r.list_id = $1 AND r.id = $2`, [
      listId,
      id,
    ])
  ).rows[0];
  return r ? fixRow(r) : null;
}

export interface RowFilter {
  state?: AssistState | undefined;
  overdueOnly: boolean;
  /** The list is past its deadline: open rows are overdue and come first. */
  pastDeadline: boolean;
  q?: string | undefined;
  /** Rows assigned inside this subtree only (a grid worker below the list's region); null: all rows. */
  scopePrefix: string | null;
  listRegion: string;
  offset: number;
  limit: number;
}

/** A page of a list's rows: overdue first, then by row number; with the total that match. */
export async function searchRows(
  q: Queryable,
  listId: string,
  f: RowFilter,
): Promise<{ items: AssistRowView[]; total: number }> {
  const where = ["r.list_id = $1"];
  const params: unknown[] = [listId];
  const p = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  if (f.state) where.push(`r.state = ${p(f.state)}`);
  if (f.overdueOnly) where.push(f.pastDeadline ? OPEN : "false");
  if (f.q) {
    const text = f.q.replace(/[\\%_]/g, (c) => `\\${c}`);
    where.push(
      `(r.name LIKE ${p(`${text}%`)} OR r.document_number LIKE ${p(`%${text.toUpperCase()}`)} OR r.phone LIKE ${p(`%${text}`)})`,
    );
  }
  if (f.scopePrefix !== null)
    where.push(`coalesce(r.region_code, t.region_code, ${p(f.listRegion)}) LIKE ${p(`${f.scopePrefix}%`)}`);
  const cond = where.join(" AND ");
  const total = (
    await q.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM assist_rows r LEFT JOIN assist_rows t ON t.list_id = r.list_id AND t.id = r.merged_into WHERE ${cond}`,
      params,
    )
  ).rows[0]!.n;
  // The page's rows first (rows and the rows they are merged into only), then their people and regions:
  // joining persons before the sort and limit cost a scan of the registry per page.
  const first = f.pastDeadline ? `(${OPEN})` : "false";
  const items = (
    await q.query<AssistRowView>(
      `WITH page AS (
         SELECT r.id, ${first} AS k, r.row_number AS n
         FROM assist_rows r LEFT JOIN assist_rows t ON t.list_id = r.list_id AND t.id = r.merged_into
         WHERE ${cond} ORDER BY k DESC, n LIMIT ${p(f.limit)} OFFSET ${p(f.offset)}
       )
       SELECT ${VIEW_COLUMNS}
       FROM page JOIN assist_rows r ON r.list_id = $1 AND r.id = page.id
       LEFT JOIN assist_rows t ON t.list_id = r.list_id AND t.id = r.merged_into
       LEFT JOIN persons p ON p.id = r.person_id
       LEFT JOIN regions g ON g.code = r.region_code
       ORDER BY page.k DESC, page.n`,
      params,
    )
  ).rows.map(fixRow);
  return { items, total };
}

export interface CandidateRecord {
  personId: string;
  name: string;
  documentNumber: string;
  regionCode: string;
  regionName: string | null;
}

export async function candidatesOf(
  q: Queryable,
  ids: readonly string[],
): Promise<Map<string, CandidateRecord>> {
  const out = new Map<string, CandidateRecord>();
  if (ids.length === 0) return out;
  const rows = (
    await q.query<CandidateRecord>(
      `SELECT p.id AS "personId", p.name, p.document_number AS "documentNumber",
         p.current_region_code AS "regionCode", g.name AS "regionName"
       FROM persons p LEFT JOIN regions g ON g.code = p.current_region_code WHERE p.id = ANY($1::uuid[])`,
      [ids],
    )
  ).rows;
  for (const r of rows) out.set(r.personId, r);
  return out;
}

/** A person's residence (region code), or null when there is no such person. */
export async function personHome(q: Queryable, personId: string): Promise<string | null> {
  return (
    (
      await q.query<{ code: string }>("SELECT current_region_code AS code FROM persons WHERE id = $1", [
        personId,
      ])
    ).rows[0]?.code ?? null
  );
}

/** The first row of a list (other than `exceptId`) already matched to this person and not merged. */
export async function firstRowOfPerson(
  q: Queryable,
  listId: string,
  personId: string,
  exceptId: string,
): Promise<{ id: string; rowNumber: number } | null> {
  return (
    (
      await q.query<{ id: string; rowNumber: number }>(
        `SELECT id, row_number AS "rowNumber" FROM assist_rows
         WHERE list_id = $1 AND person_id = $2 AND id <> $3 AND state <> 'merged'
         ORDER BY row_number LIMIT 1`,
        [listId, personId, exceptId],
      )
    ).rows[0] ?? null
  );
}

/** Rows merged into `fromId` now point to `toId` (the row `fromId` was itself merged into): one hop, always. */
export async function repointMerged(
  q: Queryable,
  listId: string,
  fromId: string,
  toId: string,
): Promise<void> {
  await q.query("UPDATE assist_rows SET merged_into = $3 WHERE list_id = $1 AND merged_into = $2", [
    listId,
    fromId,
    toId,
  ]);
}

/** Writes a row's new state; false when its version moved on (someone else changed it). */
export async function updateRow(q: Queryable, r: AssistRowRecord, expectedVersion: number): Promise<boolean> {
  const res = await q.query(
    `UPDATE assist_rows SET state = $3, person_id = $4, region_code = $5, merged_into = $6, outcome_at = $7,
       outcome_by = $8, outcome_reason = $9, forwarded_to = $10, updated_at = $11, version = version + 1
     WHERE list_id = $1 AND id = $2 AND version = $12`,
    [
      r.listId,
      r.id,
      r.state,
      r.personId,
      r.regionCode,
      r.mergedInto,
      r.outcomeAt,
      r.outcomeBy,
      r.outcomeReason,
      r.forwardedTo,
      r.updatedAt,
      expectedVersion,
    ],
  );
  return res.rowCount === 1;
}

export interface RegionOpenRow {
  code: string;
  name: string;
  level: string;
  open: number;
  overdue: number;
}

/** A region to count under, with the prefix every code inside it starts with. */
export interface CountRegion {
  code: string;
  name: string;
  level: string;
  prefix: string;
}

/**
 * Open and overdue rows per child region of a scope: a row counts where it is assigned (a merged row
 * where its first row is), or under its list's region when it is not assigned. One pass over the
 * scope's open rows, grouped by the longest child prefix; `own` counts the rows held at the scope
 * itself (or anywhere not under a child).
 */
export async function openByRegion(
  q: Queryable,
  scope: CountRegion,
  children: readonly CountRegion[],
  now: Date,
): Promise<{ children: RegionOpenRow[]; own: RegionOpenRow }> {
  const len = Math.max(scope.prefix.length, ...children.map((c) => c.prefix.length));
  const groups = (
    await q.query<{ k: string; open: number; overdue: number }>(
      `SELECT left(coalesce(r.region_code, t.region_code, l.region_code), $1) AS k, count(*)::int AS open,
         count(*) FILTER (WHERE l.deadline_at < $3)::int AS overdue
       FROM assist_rows r
       JOIN assist_lists l ON l.id = r.list_id
       LEFT JOIN assist_rows t ON t.list_id = r.list_id AND t.id = r.merged_into
       WHERE ${OPEN} AND coalesce(r.region_code, t.region_code, l.region_code) LIKE $2
       GROUP BY 1`,
      [len, `${scope.prefix}%`, now],
    )
  ).rows;
  const out = children.map((c) => ({ code: c.code, name: c.name, level: c.level, open: 0, overdue: 0 }));
  const own = { code: scope.code, name: scope.name, level: scope.level, open: 0, overdue: 0 };
  for (const g of groups) {
    const i = children.findIndex((c) => g.k.startsWith(c.prefix));
    const into = i < 0 ? own : out[i]!;
    into.open += g.open;
    into.overdue += g.overdue;
  }
  return { children: out, own };
}

/** Rows written one by one (a list sent from a case investigation: a few rows, people already known). */
export async function insertRows(q: Queryable, rows: readonly AssistRowRecord[]): Promise<void> {
  for (const r of rows)
    await q.query(
      `INSERT INTO assist_rows (list_id, id, row_number, name, document_number, phone, reason, address,
         region_hint, extra, state, person_id, region_code, candidates, merged_into, outcome_at, outcome_by,
         outcome_reason, forwarded_to, updated_at, version)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14::uuid[], $15, $16, $17, $18, $19, $20, $21)`,
      [
        r.listId,
        r.id,
        r.rowNumber,
        r.name,
        r.documentNumber,
        r.phone,
        r.reason,
        r.address,
        r.regionHint,
        JSON.stringify(r.extra),
        r.state,
        r.personId,
        r.regionCode,
        r.candidates,
        r.mergedInto,
        r.outcomeAt,
        r.outcomeBy,
        r.outcomeReason,
        r.forwardedTo,
        r.updatedAt,
        r.version,
      ],
    );
}

export interface AssistPerson {
  id: string;
  name: string;
  documentNumber: string | null;
  phone: string | null;
  address: string | null;
  regionCode: string;
}

/** The registry's identifiers of known people, for the rows of a list sent about them. */
export async function peopleForRows(
  q: Queryable,
  ids: readonly string[],
): Promise<Map<string, AssistPerson>> {
  if (ids.length === 0) return new Map();
  const r = await q.query<AssistPerson>(
    `SELECT id, name, document_number AS "documentNumber", phone, current_address AS address,
       current_region_code AS "regionCode"
     FROM persons WHERE id = ANY($1::uuid[])`,
    [[...new Set(ids)]],
  );
  return new Map(r.rows.map((p) => [p.id, p]));
}
