/**
 * Lab results (issue 5, Deliver 2): a batch (JSON) or a lab's CSV file, checked whole before anything
 * is stored — a bad row refuses the batch, every bad row named. Each result is checked
 * (`checkLabResult`) and applied to its tube (`applyLabResult`) under the policy in force at the tube's
 * sampling point; re-sending changes nothing, a different result for a tube with one is kept as a
 * conflict, a result after the round's deadline is flagged late, an unknown barcode is reported. What a
 * recorded result does is stored with it in one transaction: a negative tube closes its members' tests,
 * a positive single tube makes a case candidate, a positive pool puts every member on the recall list
 * with the deadline `recallLists` gives.
 */
import { decideAccess } from "@cordon/domain/accounts/roles";
import {
  type ApplyOutcome,
  applyLabResult,
  checkLabResult,
  type LabResult,
  type LabResultInput,
  type ResultField,
} from "@cordon/domain/nat/lab-results";
import { communityOf, recallLists } from "@cordon/domain/nat/recall";
import type { LoadedPack } from "@cordon/domain/policies/pack-schema";
import type { FieldError, Message } from "@cordon/domain/shared/result";
import { v7 as uuidv7 } from "uuid";
import { decodeCsv } from "../assist/assist-file.ts";
import { recordAudit } from "../audit/audit.service.ts";
import type { Db } from "../db/db.ts";
import { type RequestContext, requireActor } from "../http/context.ts";
import { AppError, forbidden, invalid } from "../http/errors.ts";
import { importLabResultsBulk } from "./lab-result-bulk.ts";
import { natPolicyAt } from "./nat-policy.ts";
import {
  acceptedResults,
  findRound,
  findTubes,
  insertCaseCandidate,
  insertLabResult,
  insertRecalls,
  type RecallInsert,
  recordRetest,
  type RoundRow,
  swabsInTubes,
  toTube,
} from "./nat.repository.ts";
import { access } from "./sampling.service.ts";

/** A result file holds at most this many rows (a lab's day at 20-in-1 for a large city is far fewer files). */
export const MAX_LAB_ROWS = 200_000;

export interface LabRow {
  /** Where the row is named in errors: `results[3]` (JSON) or `rows[5]` (file line, header = 1). */
  field: string;
  /** For a file: the line number, said in messages. */
  line: number | null;
  input: LabResultInput;
  raw: unknown;
}

export interface LabOutcome {
  field: string;
  line: number | null;
  barcode: string;
  status: "recorded" | "late" | "unchanged" | "conflict" | "unknown_tube";
  effect: "tests_closed" | "case_candidate" | "recall" | null;
  differs: ResultField[];
  notes: Message[];
  message: Message;
}

export interface LabBatch {
  batchId: string;
  received: number;
  recorded: number;
  late: number;
  unchanged: number;
  conflicts: number;
  unknown: number;
  testsClosed: number;
  caseCandidates: number;
  recalled: number;
  outcomes: LabOutcome[];
  message: Message;
}

/** Prefixes "row N:" to a message that does not already name its row. */
function atLine(e: FieldError, line: number | null): FieldError {
  if (line === null || e.message.zh.startsWith("第")) return e;
  return { ...e, message: { zh: `第 ${line} 行：${e.message.zh}`, en: `row ${line}: ${e.message.en}` } };
}

/**
 * Receives a batch of results (`nat.lab`; every tube's sampling point inside the caller's jurisdiction).
 * All or nothing: any bad row refuses the batch with every bad row named. Audited `nat.lab_results`
 * (or `nat.lab_import` for a file) once per batch.
 */
export async function receiveLabResults(
  db: Db,
  ctx: RequestContext,
  packs: readonly LoadedPack[],
  rows: readonly LabRow[],
  source: { kind: "api" | "file"; fileName?: string | null | undefined },
  /** Rows of a file already found bad (unreadable values): named with the others, the batch refused. */
  earlier: readonly FieldError[] = [],
): Promise<LabBatch> {
  const actor = requireActor(ctx);
  access(ctx, "nat.lab", []);
  const batchId = uuidv7();
  return db.transaction(async (tx) => {
    const barcodes = [...new Set(rows.map((r) => r.input.barcode.trim()))];
    const tubes = new Map((await findTubes(tx, barcodes, true)).map((t) => [t.barcode, t]));
    const outside = [...tubes.values()].find((t) => !decideAccess(actor, "nat.lab", [t.regionCode]).allowed);
    if (outside) throw forbidden("jurisdiction");
    const swabs = await swabsInTubes(tx, [...tubes.keys()]);
    const members = new Map<string, typeof swabs>();
    for (const s of swabs) members.set(s.tubeBarcode, [...(members.get(s.tubeBarcode) ?? []), s]);
    const rounds = new Map<string, RoundRow>();
    for (const t of tubes.values())
      if (!rounds.has(t.roundId)) rounds.set(t.roundId, (await findRound(tx, t.roundId))!);
    const current = new Map<string, LabResult>(await acceptedResults(tx, [...tubes.keys()]));

    const errors: FieldError[] = [...earlier];
    const applied: { row: LabRow; outcome: ApplyOutcome }[] = [];
    for (const row of rows) {
      const barcode = row.input.barcode.trim();
      const tube = tubes.get(barcode);
      const { policy } = natPolicyAt(packs, tube?.regionCode ?? actor.jurisdiction, ctx.now);
      const checked = checkLabResult({ ...row.input, barcode }, ctx.now, policy, row.field);
      if (!checked.ok) {
        errors.push(...checked.errors.map((e) => atLine(e, row.line)));
        continue;
      }
      const r = applyLabResult(checked.value, {
        tube: tube ? toTube(tube, members.get(barcode) ?? []) : undefined,
        current: current.get(barcode) ?? null,
        roundDeadline: tube ? rounds.get(tube.roundId)!.deadlineAt : null,
        receivedAt: ctx.now,
      });
      if (!r.ok) {
        errors.push(
          ...r.errors.map((e) =>
            atLine({ ...e, field: e.field.replace(/^result\./, `${row.field}.`) }, row.line),
          ),
        );
        continue;
      }
      // A second row for the same tube in the batch meets the first as already recorded.
      if (r.value.status === "recorded") current.set(barcode, r.value.result);
      applied.push({ row, outcome: r.value });
    }
    if (errors.length) throw invalid(errors);

    const batch: LabBatch = {
      batchId,
      received: rows.length,
      recorded: 0,
      late: 0,
      unchanged: 0,
      conflicts: 0,
      unknown: 0,
      testsClosed: 0,
      caseCandidates: 0,
      recalled: 0,
      outcomes: [],
      message: { zh: "", en: "" },
    };
    for (const { row, outcome } of applied) {
      const base = { field: row.field, line: row.line, barcode: outcome.barcode, differs: [], notes: [] };
      if (outcome.status === "unknown_tube" || outcome.status === "unchanged") {
        batch[outcome.status === "unknown_tube" ? "unknown" : "unchanged"]++;
        batch.outcomes.push({ ...base, status: outcome.status, effect: null, message: outcome.message });
        continue;
      }
      if (outcome.status === "conflict") {
        batch.conflicts++;
        await insertLabResult(tx, {
          id: uuidv7(),
          result: outcome.incoming,
          receivedAt: ctx.now,
          outcome: "conflict",
          raw: { row: row.raw, differs: outcome.differs },
          receivedBy: actor.userId,
          batchId,
        });
        batch.outcomes.push({
          ...base,
          status: "conflict",
          effect: null,
          differs: outcome.differs,
          notes: outcome.incoming.notes,
          message: outcome.message,
        });
        continue;
      }
      const tube = tubes.get(outcome.barcode)!;
      const round = rounds.get(tube.roundId)!;
      const resultId = uuidv7();
      await insertLabResult(tx, {
        id: resultId,
        result: outcome.result,
        receivedAt: ctx.now,
        outcome: outcome.late ? "late" : "recorded",
        raw: null,
        receivedBy: actor.userId,
        batchId,
      });
      batch.recorded++;
      if (outcome.late) batch.late++;
      const inTube = members.get(outcome.barcode) ?? [];
      const effect = outcome.effect;
      if (effect.kind === "tests_closed") {
        batch.testsClosed += effect.personIds.length;
      } else if (effect.kind === "case_candidate") {
        await insertCaseCandidate(tx, {
          personId: effect.personId,
          id: uuidv7(),
          barcode: outcome.barcode,
          roundId: tube.roundId,
          resultId,
          ct: outcome.result.ct,
          at: ctx.now,
        });
        batch.caseCandidates++;
      } else {
        const { policy } = natPolicyAt(packs, tube.regionCode, ctx.now);
        const list = recallLists(
          [
            {
              barcode: outcome.barcode,
              resultAt: ctx.now,
              members: inTube.map((s) => ({ personId: s.personId, addressCode: s.regionCode })),
            },
          ],
          policy,
        );
        const recalls: RecallInsert[] = list.groups.flatMap((g) =>
          g.members.map((m) => ({
            personId: m.personId,
            id: uuidv7(),
            barcode: outcome.barcode,
            roundId: tube.roundId,
            campaignId: round.campaignId,
            communityCode: communityOf(m.addressCode),
            addressCode: m.addressCode,
            deadlineAt: g.deadline,
            createdAt: ctx.now,
          })),
        );
        await insertRecalls(tx, recalls);
        batch.recalled += recalls.length;
      }
      // A single tube for someone on a recall list is their retest.
      if (inTube.length === 1)
        await recordRetest(tx, inTube[0]!.personId, outcome.barcode, outcome.result.call, ctx.now);
      batch.outcomes.push({
        ...base,
        status: outcome.late ? "late" : "recorded",
        effect: effect.kind,
        notes: outcome.result.notes,
        message: outcome.message,
      });
    }
    batch.message = {
      zh: `收到 ${batch.received} 条结果：录入 ${batch.recorded} 条（其中逾期 ${batch.late} 条），重复 ${batch.unchanged} 条，冲突 ${batch.conflicts} 条，未知试管 ${batch.unknown} 条；${batch.testsClosed} 人检测完成，${batch.caseCandidates} 人转为待流调，${batch.recalled} 人待单管复核`,
      en: `${batch.received} results received: ${batch.recorded} recorded (${batch.late} late), ${batch.unchanged} already recorded, ${batch.conflicts} conflicting, ${batch.unknown} for unknown tubes; ${batch.testsClosed} people's tests closed, ${batch.caseCandidates} case candidates, ${batch.recalled} people to recall`,
    };
    await recordAudit(tx, ctx, {
      action: source.kind === "file" ? "nat.lab_import" : "nat.lab_results",
      entityType: "nat_lab_batch",
      entityId: batchId,
      regionCode: null,
      after: {
        fileName: source.fileName ?? null,
        received: batch.received,
        recorded: batch.recorded,
        late: batch.late,
        unchanged: batch.unchanged,
        conflicts: batch.conflicts,
        unknown: batch.unknown,
        caseCandidates: batch.caseCandidates,
        recalled: batch.recalled,
      },
    });
    return batch;
  });
}

const fileRefused = (message: Message) => new AppError(422, "nat.file_refused", message);

/**
 * A lab's result file (CSV, UTF-8 or GB18030; columns by `checkLabFileHeader`, rows by `parseLabRow`):
 * a wrong header or any bad row refuses the whole file, every bad row named; otherwise the rows are
 * applied set-based (`importLabResultsBulk`: staged with COPY, outcomes and effects in a few statements).
 */
export async function importLabFile(
  db: Db,
  ctx: RequestContext,
  packs: readonly LoadedPack[],
  bytes: Buffer,
  fileName: string | null,
): Promise<LabBatch> {
  access(ctx, "nat.lab", []);
  let text: string;
  try {
    text = decodeCsv(bytes).text;
  } catch (e) {
    if (e instanceof AppError) throw fileRefused(e.msg);
    throw e;
  }
  const lines = text.split("\n");
  if (lines.filter((l) => l.trim()).length - 1 > MAX_LAB_ROWS)
    throw fileRefused({
      zh: `文件超过 ${MAX_LAB_ROWS} 行：请拆分后分批导入`,
      en: `The file has more than ${MAX_LAB_ROWS} rows: split it and import the parts`,
    });
  return importLabResultsBulk(db, ctx, packs, lines, fileName);
}
