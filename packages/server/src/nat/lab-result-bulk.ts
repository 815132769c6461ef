/**
 * A lab's result file at the scale of a city's round (issue 5 items 2 and 7): the same rules as the
 * batch path (`receiveLabResults`: every row checked, all or nothing with every bad row named; re-sending
 * changes nothing, a different result for a tube kept as a conflict, a result after the round's deadline
 * flagged late, an unknown barcode reported), applied set-based.
 *
 * How: each row is parsed and checked by itself (`parseLabRow`, `checkLabResult`) and COPYed in chunks
 * into a staging table (temporary, dropped at commit); the checks that need the tube (the Ct ceiling of
 * the policy in force at its sampling point, no testing before its first swab) and the outcome of each
 * row (unknown, the same as the tube's accepted result, a conflict with it, or recorded — on time or
 * late) are decided there in a few queries; then the results are written by one INSERT … SELECT, and
 * what they do in one statement each: negative tubes close their members' tests; positive single tubes
 * make their person a case candidate; positive pools put every member on the recall list with their
 * community and the deadline of the policy at the tube's sampling point (`recall.deadlineHours` after
 * the result, as `recallLists` gives it); a single tube for someone with an open recall is their retest.
 * One audit record (`nat.lab_import`).
 */
import { decideAccess } from "@cordon/domain/accounts/roles";
import {
  checkLabFileHeader,
  checkLabResult,
  type LabFileColumn,
  labOutcomeMessage,
  parseLabRow,
  type ResultField,
} from "@cordon/domain/nat/lab-results";
import type { LoadedPack } from "@cordon/domain/policies/pack-schema";
import type { FieldError, Message } from "@cordon/domain/shared/result";
import { v7 as uuidv7 } from "uuid";
import { recordAudit } from "../audit/audit.service.ts";
import { copyTextValue } from "../db/csv.ts";
import { type Db, applyBulkSettings } from "../db/db.ts";
import { bulkIds } from "../db/ids.ts";
import { lineBatches, type LineSource } from "../files/line-batches.ts";
import { type RequestContext, requireActor } from "../http/context.ts";
import { AppError, forbidden, invalid } from "../http/errors.ts";
import type { LabBatch, LabOutcome } from "./lab-result.service.ts";
import { fingerprint } from "./nat.repository.ts";
import { natPolicyAt } from "./nat-policy.ts";
import { cells } from "./sampling-bulk.ts";

/** Bad rows named at most. */
export const MAX_ROW_ERRORS = 1000;
/** A file of at most this many rows has every row's outcome listed; a larger one the first 1,000 that are not a plain negative. */
export const LIST_ALL_OUTCOMES = 10_000;

export interface LabBulkTimings {
  /** Parsing, checking rows by themselves, COPY into the staging table. */
  stageSeconds: number;
  /** Of the staging, the time spent waiting for the server to take a chunk (the rest is this process's). */
  stageWaitSeconds?: number;
  /** The outcome of each row and the checks that need the tube. */
  checkSeconds: number;
  /** Results, closed tests, case candidates, recall entries, audit, commit. */
  writeSeconds: number;
}

const STAGE_COLUMNS = [
  "line",
  "id",
  "barcode",
  "call",
  "ct_orf1ab",
  "ct_n",
  "tested_at",
  "lab",
  "fingerprint",
  "notes",
  "raw",
];

const atLine = (e: FieldError, line: number): FieldError =>
  e.message.zh.startsWith("第")
    ? e
    : { ...e, message: { zh: `第 ${line} 行：${e.message.zh}`, en: `row ${line}: ${e.message.en}` } };

const num = (v: number | null) => (v === null ? "\\N" : String(v));
const ROLLBACK = Symbol("rollback");

const fileRefused = (message: Message) => new AppError(422, "nat.file_refused", message);

/** A listed row's outcome in the domain's words (`labOutcomeMessage`, as the per-result path says it). */
function rowMessage(
  r: {
    barcode: string;
    status: LabOutcome["status"];
    members: number;
    differs: ResultField[];
    curCall: string | null;
    curLab: string | null;
  },
  effect: LabOutcome["effect"],
): Message {
  if (r.status === "unknown_tube") return labOutcomeMessage({ barcode: r.barcode, status: "unknown_tube" });
  if (r.status === "unchanged") return labOutcomeMessage({ barcode: r.barcode, status: "unchanged" });
  if (r.status === "conflict")
    return labOutcomeMessage({
      barcode: r.barcode,
      status: "conflict",
      differs: r.differs,
      current: { call: r.curCall ?? "", lab: r.curLab ?? "" },
    });
  return labOutcomeMessage({
    barcode: r.barcode,
    status: "recorded",
    late: r.status === "late",
    effect: effect ?? "tests_closed",
    members: r.members,
  });
}

/**
 * Imports a lab's result file (`nat.lab`; every tube's sampling point inside the caller's jurisdiction),
 * given as its lines (the header first; an iterable, so a large file is read as it goes). A wrong header
 * or any bad row refuses the file (422, every bad row named, the first 1,000); otherwise the batch.
 */
export async function importLabResultsBulk(
  db: Db,
  ctx: RequestContext,
  packs: readonly LoadedPack[],
  lines: LineSource,
  fileName: string | null,
  opts: { chunkSize?: number; timings?: LabBulkTimings } = {},
): Promise<LabBatch> {
  const t0 = performance.now();
  const actor = requireActor(ctx);
  if (!decideAccess(actor, "nat.lab", []).allowed) throw forbidden("permission");
  const chunkSize = opts.chunkSize ?? 20_000;
  const batchId = uuidv7();
  const newId = bulkIds();
  const now = ctx.now;
  // The row's own checks; the Ct ceiling is the policy's at the tube's sampling point, checked below.
  const base = natPolicyAt(packs, actor.jurisdiction, now).policy;
  const loose = { ...base, lab: { ...base.lab, ctMax: Number.POSITIVE_INFINITY } };
  const errors: FieldError[] = [];
  let received = 0;
  const timings: LabBulkTimings = opts.timings ?? { stageSeconds: 0, checkSeconds: 0, writeSeconds: 0 };
  let batch: LabBatch | null = null;
  try {
    await db.transaction(async (tx) => {
      await applyBulkSettings(db, tx);
      await tx.exec(
        // notes and raw are JSON, staged as text: read as JSON only where stored (the row as sent, only
        // for a conflict), not 1.9 million times on the way in.
        `CREATE TEMP TABLE nat_lab_in (line integer, id uuid, barcode text COLLATE "C", call text,
           ct_orf1ab double precision, ct_n double precision, tested_at timestamptz, lab text, fingerprint text,
           notes text, raw text) ON COMMIT DROP`,
      );
      let columns: Record<LabFileColumn, number> | null = null;
      let lineNo = 0;
      let text = "";
      let rows = 0;
      let pending: Promise<void> = Promise.resolve();
      let waited = 0;
      const flush = async () => {
        const w0 = performance.now();
        await pending;
        waited += performance.now() - w0;
        const chunk = text;
        text = "";
        rows = 0;
        if (!chunk || errors.length) return;
        pending = tx.copyText("nat_lab_in", STAGE_COLUMNS, chunk);
        pending.catch(() => {});
      };
      for await (const batch of lineBatches(lines))
        for (const raw of batch) {
          lineNo++;
          const l = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
          if (columns === null) {
            const h = checkLabFileHeader(cells(l.replace(/^\uFEFF/, "")));
            if (!h.ok) throw invalid(h.errors);
            columns = h.value;
            continue;
          }
          const c = cells(l);
          if (c.every((x) => x.trim() === "")) continue;
          received++;
          const r = parseLabRow(c, columns, lineNo);
          if (!r.ok) {
            if (errors.length < MAX_ROW_ERRORS) errors.push(...r.errors);
            continue;
          }
          const checked = checkLabResult(
            { ...r.value, barcode: r.value.barcode.trim() },
            now,
            loose,
            `rows[${lineNo}]`,
          );
          if (!checked.ok) {
            if (errors.length < MAX_ROW_ERRORS) errors.push(...checked.errors.map((e) => atLine(e, lineNo)));
            continue;
          }
          const v = checked.value;
          text += `${lineNo}\t${newId()}\t${v.barcode}\t${v.call}\t${num(v.ct.orf1ab)}\t${num(v.ct.n)}\t${v.testedAt.toISOString()}\t${copyTextValue(v.lab)}\t${copyTextValue(fingerprint(v))}\t${copyTextValue(JSON.stringify(v.notes))}\t${copyTextValue(JSON.stringify(c))}\n`;
          if (++rows >= chunkSize) await flush();
        }
      if (columns === null) throw fileRefused({ zh: "文件是空的", en: "The file is empty" });
      await flush();
      await pending;
      if (!received) throw fileRefused({ zh: "文件中没有结果行", en: "The file has no result rows" });
      const ts = performance.now();
      timings.stageSeconds = (ts - t0) / 1000;
      timings.stageWaitSeconds = waited / 1000;
      if (errors.length) throw ROLLBACK;

      await tx.exec("ANALYZE nat_lab_in");
      // Each row with its tube, the tube's accepted result, and (for a tube twice in the file) its first row.
      await tx.exec(
        `CREATE TEMP TABLE nat_lab_dup ON COMMIT DROP AS
         SELECT barcode, min(line) AS first FROM nat_lab_in GROUP BY barcode HAVING count(*) > 1`,
      );
      // Known to be small (usually empty): without its size the planner hashed the whole file against it.
      await tx.exec("ANALYZE nat_lab_dup");
      await tx.query(
        `CREATE TEMP TABLE nat_lab_rows ON COMMIT DROP AS
         SELECT i.*, t.barcode IS NOT NULL AS known, t.region_code, t.round_id, t.opened_at, t.size,
           r.deadline_at, r.campaign_id,
           coalesce(a.fingerprint, f.fingerprint) AS cur_fp,
           coalesce(a.result, f.call) AS cur_call, coalesce(a.lab, f.lab) AS cur_lab,
           coalesce(a.tested_at, f.tested_at) AS cur_tested_at,
           CASE WHEN a.barcode IS NOT NULL THEN a.ct_orf1ab ELSE f.ct_orf1ab END AS cur_orf1ab,
           CASE WHEN a.barcode IS NOT NULL THEN a.ct_n ELSE f.ct_n END AS cur_n,
           CASE WHEN t.barcode IS NULL THEN 'unknown_tube'
             WHEN a.barcode IS NULL AND f.line IS NULL THEN CASE WHEN $1 > r.deadline_at THEN 'late' ELSE 'recorded' END
             WHEN coalesce(a.fingerprint, f.fingerprint) = i.fingerprint THEN 'unchanged'
             ELSE 'conflict' END AS status
         FROM nat_lab_in i
         LEFT JOIN nat_tubes t ON t.barcode = i.barcode
         LEFT JOIN nat_rounds r ON r.id = t.round_id
         LEFT JOIN nat_lab_results a ON a.barcode = i.barcode AND a.outcome IN ('recorded', 'late')
         LEFT JOIN nat_lab_dup d ON d.barcode = i.barcode AND d.first <> i.line
         LEFT JOIN nat_lab_in f ON f.line = d.first`,
        [now],
      );
      await tx.exec("ANALYZE nat_lab_rows");
      // The policy at each tube's sampling point: jurisdiction, Ct ceiling, recall deadline.
      const regions = (
        await tx.query<{ code: string }>(
          `SELECT DISTINCT region_code AS code FROM nat_lab_rows WHERE region_code IS NOT NULL`,
        )
      ).rows.map((r) => r.code);
      if (regions.some((c) => !decideAccess(actor, "nat.lab", [c]).allowed)) throw forbidden("jurisdiction");
      const policies = regions.map((c) => natPolicyAt(packs, c, now).policy);
      await tx.exec(
        `CREATE TEMP TABLE nat_lab_policy (region text COLLATE "C", ct_max double precision,
           recall_hours double precision) ON COMMIT DROP`,
      );
      await tx.query(
        `INSERT INTO nat_lab_policy SELECT * FROM unnest($1::text[], $2::float8[], $3::float8[])`,
        [
          [...regions, ""],
          [...policies, base].map((p) => p.lab.ctMax),
          [...policies, base].map((p) => p.recall.deadlineHours),
        ],
      );
      const bad = (
        await tx.query<{
          line: number;
          barcode: string;
          orf1ab: number | null;
          n: number | null;
          ctMax: number;
          testedAt: Date;
          openedAt: Date | null;
        }>(
          `SELECT l.line, l.barcode, l.ct_orf1ab AS orf1ab, l.ct_n AS n, p.ct_max AS "ctMax", l.tested_at AS "testedAt",
             l.opened_at AS "openedAt"
           FROM nat_lab_rows l JOIN nat_lab_policy p ON p.region = coalesce(l.region_code, '')
           WHERE l.ct_orf1ab > p.ct_max OR l.ct_n > p.ct_max OR l.tested_at < l.opened_at
           ORDER BY l.line LIMIT ${MAX_ROW_ERRORS}`,
        )
      ).rows;
      for (const r of bad) {
        for (const [gene, v] of [
          ["orf1ab", r.orf1ab],
          ["n", r.n],
        ] as const)
          if (v !== null && v > r.ctMax)
            errors.push(
              atLine(
                {
                  field: `rows[${r.line}].ct.${gene}`,
                  code: "nat.ct_out_of_range",
                  message: {
                    zh: `${gene === "n" ? "N" : "ORF1ab"} 基因 Ct 值 ${v} 超出范围：应大于 0 且不超过 ${r.ctMax}`,
                    en: `${gene === "n" ? "N" : "ORF1ab"} gene Ct ${v} is out of range: above 0 and at most ${r.ctMax}`,
                  },
                },
                r.line,
              ),
            );
        if (r.openedAt && new Date(r.testedAt) < new Date(r.openedAt)) {
          const t = new Date(r.testedAt).toISOString();
          const f = new Date(r.openedAt).toISOString();
          errors.push(
            atLine(
              {
                field: `rows[${r.line}].testedAt`,
                code: "nat.tested_before_sampling",
                message: {
                  zh: `试管 ${r.barcode} 的检测时间 ${t} 早于采样时间 ${f}`,
                  en: `tube ${r.barcode} was tested at ${t}, before its first swab at ${f}`,
                },
              },
              r.line,
            ),
          );
        }
      }
      const tc = performance.now();
      timings.checkSeconds = (tc - ts) / 1000;
      if (errors.length) throw ROLLBACK;

      // The results: conflicts (a conflict sent again is kept once), then the accepted ones.
      const by = actor.userId;
      await tx.query(
        `INSERT INTO nat_lab_results (barcode, id, result, ct_orf1ab, ct_n, tested_at, lab, received_at, outcome,
           fingerprint, notes, raw, received_by, batch_id)
         SELECT barcode, id, call, ct_orf1ab, ct_n, tested_at, lab, $1, status, fingerprint, notes::json,
           CASE WHEN status = 'conflict' THEN json_build_object('row', raw::json, 'differs', to_json(array_remove(ARRAY[
             CASE WHEN l.cur_call <> l.call THEN 'call' END,
             CASE WHEN l.cur_orf1ab IS DISTINCT FROM l.ct_orf1ab OR l.cur_n IS DISTINCT FROM l.ct_n THEN 'ct' END,
             CASE WHEN l.cur_lab <> l.lab THEN 'lab' END,
             CASE WHEN l.cur_tested_at <> l.tested_at THEN 'testedAt' END], NULL))) END,
           $2, $3
         FROM nat_lab_rows l WHERE status = 'conflict'
         ON CONFLICT (barcode, fingerprint) DO NOTHING`,
        [now, by, batchId],
      );
      // An accepted result is new to its tube (it had none): no conflict to arbitrate.
      await tx.query(
        `INSERT INTO nat_lab_results (barcode, id, result, ct_orf1ab, ct_n, tested_at, lab, received_at, outcome,
           fingerprint, notes, raw, received_by, batch_id)
         SELECT barcode, id, call, ct_orf1ab, ct_n, tested_at, lab, $1, status, fingerprint,
           CASE WHEN notes = '[]' THEN json '[]' ELSE notes::json END, NULL, $2, $3
         FROM nat_lab_rows WHERE status IN ('recorded', 'late')
         -- In barcode order, the results' four indexes (all by barcode) are filled page after page rather
         -- than all over: the staging table is in the order its joins left it.
         ORDER BY barcode`,
        [now, by, batchId],
      );
      // The members of positive tubes (a handful), with the tube's member count.
      await tx.exec(
        `CREATE TEMP TABLE nat_lab_positive ON COMMIT DROP AS
         SELECT l.barcode, l.id AS result_id, l.round_id, l.campaign_id, l.region_code AS tube_region,
           l.ct_orf1ab, l.ct_n, w.person_id, w.region_code, count(*) OVER (PARTITION BY l.barcode) AS n
         FROM nat_lab_rows l JOIN nat_swabs w ON w.tube_barcode = l.barcode
         WHERE l.status IN ('recorded', 'late') AND l.call = 'positive'`,
      );
      await tx.exec("ANALYZE nat_lab_positive");
      // Negative tubes close their members' tests: a swab's result is its tube's accepted result
      // (nat_swab_results, 0017), so nothing is written per swab; they are counted for the summary.
      const closed = (
        await tx.query<{ n: number }>(
          // Tube by tube through the swabs' tube index: a join would read every swab of every round.
          `SELECT coalesce(sum((SELECT count(*) FROM nat_swabs w WHERE w.tube_barcode = l.barcode)), 0)::int AS n
           FROM nat_lab_rows l WHERE l.status IN ('recorded', 'late') AND l.call = 'negative'`,
        )
      ).rows[0]!.n;
      const candidates = (
        await tx.query(
          `INSERT INTO nat_case_candidates (person_id, id, barcode, round_id, result_id, ct_orf1ab, ct_n, created_at)
           SELECT person_id, nat_uuid_v7($1), barcode, round_id, result_id, ct_orf1ab, ct_n, $1
           FROM nat_lab_positive WHERE n = 1 ON CONFLICT (person_id, barcode) DO NOTHING`,
          [now],
        )
      ).rowCount;
      const recalled = (
        await tx.query(
          `INSERT INTO nat_recalls (person_id, id, barcode, round_id, campaign_id, community_code, address_code,
             deadline_at, created_at)
           SELECT p.person_id, nat_uuid_v7($1), p.barcode, p.round_id, p.campaign_id,
             CASE WHEN p.region_code ~ '^\\d{12}$' THEN p.region_code
               WHEN p.region_code ~ '^\\d{15}$' THEN left(p.region_code, 12) END,
             p.region_code, $1 + make_interval(secs => pp.recall_hours * 3600), $1
           FROM nat_lab_positive p JOIN nat_lab_policy pp ON pp.region = p.tube_region
           WHERE p.n > 1 ON CONFLICT (person_id, barcode) DO NOTHING`,
          [now],
        )
      ).rowCount;
      // A single tube for someone with an open recall is their retest (their tubes this round: a few).
      const recallTubes = (
        await tx.query<{ barcode: string }>(
          `SELECT DISTINCT w.tube_barcode AS barcode FROM nat_recalls o
           JOIN nat_swabs w ON w.person_id = o.person_id AND w.round_id = o.round_id
           WHERE o.retest_result IS NULL`,
        )
      ).rows.map((r) => r.barcode);
      if (recallTubes.length)
        await tx.query(
          `WITH l AS MATERIALIZED (
             SELECT barcode, call FROM nat_lab_rows WHERE barcode = ANY ($2::text[]) AND status IN ('recorded', 'late'))
           UPDATE nat_recalls rc SET retest_barcode = x.barcode, retest_result = x.call, retest_at = $1
           FROM (SELECT w.person_id, l.barcode, l.call FROM l JOIN nat_swabs w ON w.tube_barcode = l.barcode
                 WHERE (SELECT count(*) FROM nat_swabs m WHERE m.tube_barcode = l.barcode) = 1) x
           WHERE rc.person_id = x.person_id AND rc.retest_result IS NULL AND rc.barcode <> x.barcode`,
          [now, recallTubes],
        );

      // The counts and the outcomes listed.
      const counts = (
        await tx.query<{ status: LabOutcome["status"]; n: number }>(
          `SELECT status, count(*)::int AS n FROM nat_lab_rows GROUP BY status`,
        )
      ).rows;
      const count = (s: LabOutcome["status"]) => counts.find((c) => c.status === s)?.n ?? 0;
      const listed = (
        await tx.query<{
          line: number;
          barcode: string;
          status: LabOutcome["status"];
          call: string;
          notes: Message[];
          members: number;
          differs: ResultField[];
          curCall: string | null;
          curLab: string | null;
        }>(
          `SELECT l.line, l.barcode, l.status, l.call, l.notes::json AS notes,
             CASE WHEN l.known THEN (SELECT count(*)::int FROM nat_swabs m WHERE m.tube_barcode = l.barcode) ELSE 0 END AS members,
             array_remove(ARRAY[
               CASE WHEN l.cur_call <> l.call THEN 'call' END,
               CASE WHEN l.cur_orf1ab IS DISTINCT FROM l.ct_orf1ab OR l.cur_n IS DISTINCT FROM l.ct_n THEN 'ct' END,
               CASE WHEN l.cur_lab <> l.lab THEN 'lab' END,
               CASE WHEN l.cur_tested_at <> l.tested_at THEN 'testedAt' END], NULL) AS differs,
             l.cur_call AS "curCall", l.cur_lab AS "curLab"
           FROM nat_lab_rows l
           ${received <= LIST_ALL_OUTCOMES ? "" : "WHERE NOT (l.status = 'recorded' AND l.call = 'negative')"}
           ORDER BY l.line LIMIT ${received <= LIST_ALL_OUTCOMES ? LIST_ALL_OUTCOMES : 1000}`,
        )
      ).rows;
      const outcomes: LabOutcome[] = listed.map((r) => {
        const effect: LabOutcome["effect"] =
          r.status === "recorded" || r.status === "late"
            ? r.call === "negative"
              ? "tests_closed"
              : r.members === 1
                ? "case_candidate"
                : "recall"
            : null;
        return {
          field: `rows[${r.line}]`,
          line: r.line,
          barcode: r.barcode,
          status: r.status,
          effect,
          differs: r.status === "conflict" ? r.differs : [],
          notes: r.status === "recorded" || r.status === "late" || r.status === "conflict" ? r.notes : [],
          message: rowMessage(r, effect),
        };
      });
      const b: LabBatch = {
        batchId,
        received,
        recorded: count("recorded") + count("late"),
        late: count("late"),
        unchanged: count("unchanged"),
        conflicts: count("conflict"),
        unknown: count("unknown_tube"),
        testsClosed: closed,
        caseCandidates: candidates,
        recalled,
        outcomes,
        message: { zh: "", en: "" },
      };
      b.message = {
        zh: `收到 ${b.received} 条结果：录入 ${b.recorded} 条（其中逾期 ${b.late} 条），重复 ${b.unchanged} 条，冲突 ${b.conflicts} 条，未知试管 ${b.unknown} 条；${b.testsClosed} 人检测完成，${b.caseCandidates} 人转为待流调，${b.recalled} 人待单管复核`,
        en: `${b.received} results received: ${b.recorded} recorded (${b.late} late), ${b.unchanged} already recorded, ${b.conflicts} conflicting, ${b.unknown} for unknown tubes; ${b.testsClosed} people's tests closed, ${b.caseCandidates} case candidates, ${b.recalled} people to recall`,
      };
      await recordAudit(tx, ctx, {
        action: "nat.lab_import",
        entityType: "nat_lab_batch",
        entityId: batchId,
        regionCode: null,
        after: {
          fileName,
          received: b.received,
          recorded: b.recorded,
          late: b.late,
          unchanged: b.unchanged,
          conflicts: b.conflicts,
          unknown: b.unknown,
          caseCandidates: b.caseCandidates,
          recalled: b.recalled,
        },
      });
      batch = b;
      timings.writeSeconds = (performance.now() - tc) / 1000;
    });
  } catch (e) {
    if (e !== ROLLBACK) throw e;
  }
  if (errors.length) throw invalid(errors.slice(0, MAX_ROW_ERRORS));
  timings.writeSeconds = (performance.now() - t0) / 1000 - timings.stageSeconds - timings.checkSeconds;
  return batch!;
}
