import { decideAccess, hasPermission } from "@cordon/domain/accounts/roles";
import {
  ASSIST_STATE_LABELS,
  type AssistOutcome,
  type AssistState,
  mapAssistHeaders,
  residenceCommunity,
  unknownRegionHint,
  validateAssistRow,
  validateMatchDecision,
  validateOutcome,
} from "@cordon/domain/assist/assist-list";
import { maskIdNumber, maskPhone } from "@cordon/domain/people/masking";
import { isWithin, structuralAncestors, subtreePrefix } from "@cordon/domain/regions/region-code";
import type { FieldError, Message } from "@cordon/domain/shared/result";
import { v7 as uuidv7 } from "uuid";
import { recordAudit } from "../audit/audit.service.ts";
import type { Db, Queryable } from "../db/db.ts";
import { deadlineFor } from "../deadlines/deadline.service.ts";
import { conflict, type RequestContext, requireActor, type SessionActor } from "../http/context.ts";
import { forbidden, invalid, notFound, pick } from "../http/errors.ts";
import { localDate } from "../http/time.ts";
import { childRegions, findRegion } from "../regions/region.repository.ts";
import { readAssistFile } from "./assist-file.ts";
import {
  type AssistListRecord,
  type AssistRowRecord,
  type AssistRowView,
  candidatesOf,
  countsOf,
  findList,
  findRow,
  findRowView,
  firstRowOfPerson,
  insertList,
  insertRows,
  type ListCounts,
  listLists,
  openByRegion,
  peopleForRows,
  personHome,
  repointMerged,
  type RegionOpenRow,
  searchRows,
  type StagedRow,
  storeAndMatchRows,
  updateRow,
} from "./assist.repository.ts";

const LIST: Message = { zh: "协查名单", en: "Assist list" };
const ROW: Message = { zh: "名单行", en: "List row" };
const STALE = () =>
  conflict("该行已被他人更新，请刷新后重试", "Someone else updated this row; reload and retry");

export interface AssistList {
  id: string;
  name: string;
  source: string;
  regionCode: string;
  fileName: string | null;
  receivedAt: Date;
  deadlineAt: Date;
  importedBy: string;
  counts: ListCounts & { overdue: number };
}

export interface RejectedRow {
  row: number;
  field: string;
  code: string;
  message: string;
}

export interface AssistRow {
  id: string;
  rowNumber: number;
  name: string;
  documentNumberMasked: string | null;
  phoneMasked: string | null;
  reason: string | null;
  address: string | null;
  extra: Record<string, string>;
  state: AssistState;
  stateLabel: Message;
  personId: string | null;
  personName: string | null;
  regionCode: string | null;
  regionName: string | null;
  candidates: {
    personId: string;
    name: string;
    documentNumberMasked: string;
    regionCode: string;
    regionName: string | null;
  }[];
  mergedInto: string | null;
  outcome: { at: Date; by: string; reason: string | null; forwardedTo: string | null } | null;
  overdue: boolean;
  version: number;
}

function listView(l: AssistListRecord, c: ListCounts, now: Date): AssistList {
  return {
    id: l.id,
    name: l.name,
    source: l.source,
    regionCode: l.regionCode,
    fileName: l.fileName,
    receivedAt: l.receivedAt,
    deadlineAt: l.deadlineAt,
    importedBy: l.importedByName,
    counts: { ...c, overdue: now.getTime() > l.deadlineAt.getTime() ? c.open : 0 },
  };
}

async function rowViews(
  q: Queryable,
  list: AssistListRecord,
  rows: AssistRowView[],
  now: Date,
): Promise<AssistRow[]> {
  const cands = await candidatesOf(q, [...new Set(rows.flatMap((r) => r.candidates ?? []))]);
  const late = now.getTime() > list.deadlineAt.getTime();
  return rows.map((r) => ({
    id: r.id,
    rowNumber: r.rowNumber,
    name: r.name,
    documentNumberMasked: r.documentNumber ? maskIdNumber(r.documentNumber) : null,
    phoneMasked: r.phone ? maskPhone(r.phone) : null,
    reason: r.reason,
    address: r.address,
    extra: r.extra,
    state: r.state,
    stateLabel: ASSIST_STATE_LABELS[r.state],
    personId: r.personId,
    personName: r.personName,
    regionCode: r.regionCode,
    regionName: r.regionName,
    candidates: (r.candidates ?? []).flatMap((id) => {
      const c = cands.get(id);
      return c
        ? [
            {
              personId: c.personId,
              name: c.name,
              documentNumberMasked: maskIdNumber(c.documentNumber),
              regionCode: c.regionCode,
              regionName: c.regionName,
            },
          ]
        : [];
    }),
    mergedInto: r.mergedInto,
    outcome: r.outcomeAt
      ? { at: r.outcomeAt, by: r.outcomeBy ?? "", reason: r.outcomeReason, forwardedTo: r.forwardedTo }
      : null,
    overdue: late && r.open,
    version: r.version,
  }));
}

/**
 * Who may read a list: the role needs `people.read`, and the list's region lies in the actor's
 * jurisdiction (they see all its rows) or the actor's jurisdiction lies in the list's region (a
 * township or community sees the rows assigned to it). Returns the scope prefix, or null for all rows.
 */
function readScope(actor: SessionActor, list: AssistListRecord): string | null {
  if (!hasPermission(actor.role, "people.read")) throw forbidden("permission");
  if (isWithin(actor.jurisdiction, list.regionCode)) return null;
  if (isWithin(list.regionCode, actor.jurisdiction)) return subtreePrefix(actor.jurisdiction);
  throw forbidden("jurisdiction");
}

export interface ImportInput {
  name: string;
  source: string;
  regionCode?: string | undefined;
  fileName?: string | null | undefined;
  bytes: Buffer;
}

/**
 * Imports a received list: reads the file (CSV in UTF-8 or GB18030, or XLSX), checks every row,
 * then in one transaction stores the list and its good rows and matches, merges and dispatches them
 * (see storeAndMatchRows). Bad rows are reported with their row number and not stored; a file that
 * cannot be a list is refused whole and nothing is stored. The deadline is fixed at import from the
 * setting in force for the receiving region. Audited `assist.import`. `onPhase` hears how long each
 * step took (read the file, check rows and hints, store + match + dispatch, count + audit + commit).
 */
export async function importAssistList(
  db: Db,
  ctx: RequestContext,
  input: ImportInput,
  onPhase?: (phase: "read" | "check" | "store_match" | "commit", ms: number) => void,
): Promise<{ list: AssistList; rejected: RejectedRow[] }> {
  const actor = requireActor(ctx);
  let mark = performance.now();
  const phase = (name: "read" | "check" | "store_match" | "commit") => {
    const t = performance.now();
    onPhase?.(name, t - mark);
    mark = t;
  };
  const regionCode = input.regionCode ?? actor.jurisdiction;
  const d = decideAccess(actor, "people.import", [regionCode]);
  if (!d.allowed) throw forbidden(d.reason);
  if (!(await findRegion(db, regionCode)))
    throw invalid([
      { field: "regionCode", code: "region.unknown", message: { zh: "没有此区划", en: "No such region" } },
    ]);
  mark = performance.now();
  const sheet = await readAssistFile(input.bytes);
  phase("read");
  const columns = mapAssistHeaders(sheet.header);
  if (!columns.ok) throw invalid(columns.errors);

  const today = localDate(ctx.now);
  const errors: { row: number; error: FieldError }[] = [];
  let good: StagedRow[] = [];
  for (const r of sheet.rows) {
    const v = validateAssistRow(r.cells, columns.value, today);
    if (v.ok) good.push({ ...v.value, id: uuidv7(), rowNumber: r.row });
    else for (const e of v.errors) errors.push({ row: r.row, error: e });
  }
  const hints = [...new Set(good.flatMap((r) => (r.regionHint ? [r.regionHint] : [])))];
  if (hints.length) {
    const known = new Set(
      (
        await db.query<{ code: string }>("SELECT code FROM regions WHERE code = ANY($1::text[])", [hints])
      ).rows.map((r) => r.code),
    );
    good = good.filter((r) => {
      if (!r.regionHint || known.has(r.regionHint)) return true;
      errors.push({ row: r.rowNumber, error: unknownRegionHint(r.regionHint) });
      return false;
    });
  }
  errors.sort((a, b) => a.row - b.row);
  if (good.length === 0) {
    throw invalid(
      errors.length
        ? errors.slice(0, 50).map((e) => ({ ...e.error, field: `rows[${e.row}].${e.error.field}` }))
        : [
            {
              field: "file",
              code: "assist.no_rows",
              message: { zh: "文件只有表头，没有数据行", en: "The file has a header but no rows" },
            },
          ],
    );
  }

  const list: AssistListRecord = {
    id: uuidv7(),
    name: input.name,
    source: input.source,
    regionCode,
    fileName: input.fileName ?? null,
    receivedAt: ctx.now,
    deadlineAt: await deadlineFor(db, regionCode, "assistList", ctx.now),
    importedBy: actor.userId,
    importedByName: actor.displayName,
  };
  phase("check");
  const counts = await db.transaction(async (tx) => {
    await insertList(tx, list);
    await storeAndMatchRows(tx, list.id, good, {
      prefix: subtreePrefix(regionCode),
      now: ctx.now,
      by: actor.displayName,
    });
    phase("store_match");
    const c = (await countsOf(tx, [list.id], null)).get(list.id)!;
    await recordAudit(tx, ctx, {
      action: "assist.import",
      entityType: "assist_list",
      entityId: list.id,
      regionCode,
      after: {
        name: list.name,
        source: list.source,
        fileName: list.fileName,
        format: sheet.format,
        encoding: sheet.encoding,
        deadlineAt: list.deadlineAt,
        rows: good.length,
        rejectedRows: new Set(errors.map((e) => e.row)).size,
        counts: c,
      },
    });
    return c;
  });
  phase("commit");
  return {
    list: listView(list, counts, ctx.now),
    rejected: errors.map((e) => ({
      row: e.row,
      field: e.error.field,
      code: e.error.code,
      message: pick(e.error.message, ctx.lang),
    })),
  };
}

/** Lists received inside a region (default: the caller's jurisdiction), and those above it that reach into it. */
export async function listAssistLists(
  db: Db,
  ctx: RequestContext,
  regionCode: string | undefined,
): Promise<AssistList[]> {
  const actor = requireActor(ctx);
  const scope = regionCode ?? actor.jurisdiction;
  const d = decideAccess(actor, "people.read", [scope]);
  if (!d.allowed) throw forbidden(d.reason);
  const above = structuralAncestors(scope).filter((c) => c !== scope);
  const lists = await listLists(db, subtreePrefix(scope), above);
  const inside = lists.filter((l) => isWithin(scope, l.regionCode)).map((l) => l.id);
  const reaching = lists.filter((l) => !isWithin(scope, l.regionCode)).map((l) => l.id);
  const counts = new Map([
    ...(await countsOf(db, inside, null)),
    ...(await countsOf(db, reaching, { prefix: subtreePrefix(scope) })),
  ]);
  return lists.map((l) => listView(l, counts.get(l.id)!, ctx.now));
}

export async function getAssistList(db: Db, ctx: RequestContext, id: string): Promise<AssistList> {
  const actor = requireActor(ctx);
  const list = await findList(db, id);
  if (!list) throw notFound(LIST);
  const scope = readScope(actor, list);
  const c = (await countsOf(db, [id], scope === null ? null : { prefix: scope })).get(id)!;
  return listView(list, c, ctx.now);
}

export interface RowQuery {
  state?: AssistState | undefined;
  overdue?: boolean | undefined;
  q?: string | undefined;
  page: number;
  pageSize: number;
}

/** A page of a list's rows, overdue first then by row number; identifiers masked. */
export async function listAssistRows(
  db: Db,
  ctx: RequestContext,
  id: string,
  f: RowQuery,
): Promise<{ items: AssistRow[]; total: number }> {
  const actor = requireActor(ctx);
  const list = await findList(db, id);
  if (!list) throw notFound(LIST);
  const scope = readScope(actor, list);
  const r = await searchRows(db, id, {
    state: f.state,
    overdueOnly: f.overdue === true,
    pastDeadline: ctx.now.getTime() > list.deadlineAt.getTime(),
    q: f.q?.trim() || undefined,
    scopePrefix: scope,
    listRegion: list.regionCode,
    offset: (f.page - 1) * f.pageSize,
    limit: f.pageSize,
  });
  return { items: await rowViews(db, list, r.items, ctx.now), total: r.total };
}

/** The region a row answers to for writes: where it is assigned, else the list's region. */
function rowRegion(list: AssistListRecord, row: AssistRowRecord): string {
  if (row.state === "forwarded" || row.regionCode === null) return list.regionCode;
  return isWithin(list.regionCode, row.regionCode) ? row.regionCode : list.regionCode;
}

async function lockedRow(
  tx: Queryable,
  actor: SessionActor,
  listId: string,
  rowId: string,
  version: number,
): Promise<{ list: AssistListRecord; row: AssistRowRecord }> {
  const list = await findList(tx, listId);
  if (!list) throw notFound(LIST);
  const row = await findRow(tx, listId, rowId, true);
  if (!row) throw notFound(ROW);
  const d = decideAccess(actor, "people.write", [rowRegion(list, row)]);
  if (!d.allowed) throw forbidden(d.reason);
  if (row.version !== version) throw STALE();
  return { list, row };
}

/** Dispatch or forward a row matched to `personId`, or merge it into an earlier row of the same person. */
async function place(
  tx: Queryable,
  list: AssistListRecord,
  row: AssistRowRecord,
  personId: string,
  now: Date,
  by: string,
): Promise<AssistRowRecord> {
  const home = await personHome(tx, personId);
  if (home === null) throw notFound({ zh: "人员", en: "Person" });
  const community = residenceCommunity(home);
  const first = await firstRowOfPerson(tx, list.id, personId, row.id);
  const base = { ...row, personId, regionCode: community, updatedAt: now };
  if (first) return { ...base, state: "merged", mergedInto: first.id };
  if (isWithin(list.regionCode, community)) return { ...base, state: "dispatched" };
  return { ...base, state: "forwarded", outcomeAt: now, outcomeBy: by, forwardedTo: community };
}

/**
 * Decides an ambiguous row: one of its candidates (then dispatched, forwarded or merged as at
 * import), or none of them (unmatched). Audited `assist.match`.
 */
export async function decideMatch(
  db: Db,
  ctx: RequestContext,
  listId: string,
  rowId: string,
  input: { personId: string | null; version: number },
): Promise<AssistRow> {
  const actor = requireActor(ctx);
  await db.transaction(async (tx) => {
    const { list, row } = await lockedRow(tx, actor, listId, rowId, input.version);
    const ok = validateMatchDecision(row.state, row.candidates ?? [], input.personId);
    if (!ok.ok) throw invalid(ok.errors);
    const next: AssistRowRecord =
      input.personId === null
        ? {
            ...row,
            state: "unmatched",
            regionCode: row.regionHint && isWithin(list.regionCode, row.regionHint) ? row.regionHint : null,
            updatedAt: ctx.now,
          }
        : await place(tx, list, row, input.personId, ctx.now, actor.displayName);
    if (!(await updateRow(tx, next, row.version))) throw STALE();
    if (next.state === "merged" && next.mergedInto) await repointMerged(tx, listId, row.id, next.mergedInto);
    await recordAudit(tx, ctx, {
      action: "assist.match",
      entityType: "assist_row",
      entityId: row.id,
      regionCode: list.regionCode,
      before: { state: row.state, candidates: row.candidates },
      after: { listId, state: next.state, personId: next.personId, regionCode: next.regionCode },
    });
  });
  return (
    await rowViews(db, (await findList(db, listId))!, [(await findRowView(db, listId, rowId))!], ctx.now)
  )[0]!;
}

export interface OutcomeBody {
  outcome: AssistOutcome;
  at: string;
  reason?: string | undefined;
  forwardedTo?: string | undefined;
  version: number;
}

/**
 * Closes a row: controlled, not found (with a reason) or forwarded (to a real region outside the
 * list's jurisdiction). Rows merged into it close with it. Audited `assist.outcome`.
 */
export async function recordOutcome(
  db: Db,
  ctx: RequestContext,
  listId: string,
  rowId: string,
  input: OutcomeBody,
): Promise<AssistRow> {
  const actor = requireActor(ctx);
  await db.transaction(async (tx) => {
    const { list, row } = await lockedRow(tx, actor, listId, rowId, input.version);
    let outside: boolean | null = null;
    if (input.outcome === "forwarded" && input.forwardedTo) {
      outside = (await findRegion(tx, input.forwardedTo))
        ? !isWithin(list.regionCode, input.forwardedTo)
        : null;
    }
    const v = validateOutcome(
      { state: row.state, personId: row.personId, receivedAt: list.receivedAt },
      {
        outcome: input.outcome,
        at: new Date(input.at),
        reason: input.reason,
        forwardedTo: input.forwardedTo,
      },
      ctx.now,
      outside,
    );
    if (!v.ok) throw invalid(v.errors);
    const next: AssistRowRecord = {
      ...row,
      state: input.outcome,
      outcomeAt: new Date(input.at),
      outcomeBy: actor.displayName,
      outcomeReason: v.value.reason,
      forwardedTo: v.value.forwardedTo,
      updatedAt: ctx.now,
    };
    if (!(await updateRow(tx, next, row.version))) throw STALE();
    await recordAudit(tx, ctx, {
      action: "assist.outcome",
      entityType: "assist_row",
      entityId: row.id,
      regionCode: rowRegion(list, row),
      before: { state: row.state },
      after: {
        listId,
        state: next.state,
        at: next.outcomeAt,
        reason: next.outcomeReason,
        forwardedTo: next.forwardedTo,
        late: ctx.now.getTime() > list.deadlineAt.getTime(),
      },
    });
  });
  return (
    await rowViews(db, (await findList(db, listId))!, [(await findRowView(db, listId, rowId))!], ctx.now)
  )[0]!;
}

/**
 * The command's view: open and overdue rows per child region of a region (default: the caller's
 * jurisdiction). Rows held at the region itself (not assigned further down) come first, as the
 * region's own item, when there are any.
 */
export async function overdueByRegion(
  db: Db,
  ctx: RequestContext,
  regionCode: string | undefined,
): Promise<{ regionCode: string; items: RegionOpenRow[] }> {
  const actor = requireActor(ctx);
  const scope = regionCode ?? actor.jurisdiction;
  const d = decideAccess(actor, "people.read", [scope]);
  if (!d.allowed) throw forbidden(d.reason);
  const region = await findRegion(db, scope);
  if (!region) throw notFound({ zh: "区划", en: "Region" });
  const children = await childRegions(db, scope, false);
  const r = await openByRegion(
    db,
    { ...region, prefix: subtreePrefix(scope) },
    children.map((c) => ({ code: c.code, name: c.name, level: c.level, prefix: subtreePrefix(c.code) })),
    ctx.now,
  );
  return { regionCode: scope, items: r.own.open > 0 ? [r.own, ...r.children] : r.children };
}

export interface CaseAssistInput {
  name: string;
  /** Who sends it: the case investigation (the case's id in the text). */
  source: string;
  /** The county (or other region) responsible for where the people live. */
  regionCode: string;
  deadlineAt: Date;
  /**
   * One row per person, already identified in the registry; `regionCode`: where the sender found they
   * live (default: their registry address).
   */
  rows: { personId: string; regionCode?: string | null; reason: string; extra: Record<string, string> }[];
  /** Written on the audit record (the case, the contacts). */
  audit: Record<string, unknown>;
}

/**
 * Sends an assist list from a case investigation (流调协查, issue 6 item 4) inside the caller's
 * transaction: addressed to another jurisdiction, one row per person already identified, each
 * dispatched to the community where the sender found the person lives (else their registry address;
 * forwarded there when that lies outside the list's region, as an import does). The caller has decided access: an investigator writes to another
 * jurisdiction's assist lists by design. Audited `assist.from_case`.
 */
export async function sendCaseAssistList(
  tx: Queryable,
  ctx: RequestContext,
  input: CaseAssistInput,
): Promise<{ list: AssistListRecord; rowIds: Map<string, string> }> {
  const actor = requireActor(ctx);
  const people = await peopleForRows(
    tx,
    input.rows.map((r) => r.personId),
  );
  const list: AssistListRecord = {
    id: uuidv7(),
    name: input.name,
    source: input.source,
    regionCode: input.regionCode,
    fileName: null,
    receivedAt: ctx.now,
    deadlineAt: input.deadlineAt,
    importedBy: actor.userId,
    importedByName: actor.displayName,
  };
  const rowIds = new Map<string, string>();
  const rows: AssistRowRecord[] = input.rows.map((r, i) => {
    const p = people.get(r.personId);
    if (!p) throw notFound({ zh: "人员", en: "Person" });
    const community = residenceCommunity(r.regionCode ?? p.regionCode);
    const inside = isWithin(list.regionCode, community);
    const id = uuidv7();
    rowIds.set(r.personId, id);
    return {
      listId: list.id,
      id,
      rowNumber: i + 1,
      name: p.name,
      documentNumber: p.documentNumber,
      phone: p.phone,
      reason: r.reason,
      address: p.address,
      regionHint: community,
      extra: r.extra,
      state: inside ? "dispatched" : "forwarded",
      personId: p.id,
      regionCode: community,
      candidates: null,
      mergedInto: null,
      outcomeAt: inside ? null : ctx.now,
      outcomeBy: inside ? null : actor.displayName,
      outcomeReason: null,
      forwardedTo: inside ? null : community,
      updatedAt: ctx.now,
      version: 1,
    };
  });
  await insertList(tx, list);
  await insertRows(tx, rows);
  await recordAudit(tx, ctx, {
    action: "assist.from_case",
    entityType: "assist_list",
    entityId: list.id,
    regionCode: list.regionCode,
    after: {
      name: list.name,
      source: list.source,
      deadlineAt: list.deadlineAt,
      rows: rows.map((r) => ({ rowId: r.id, personId: r.personId, state: r.state })),
      ...input.audit,
    },
  });
  return { list, rowIds };
}
