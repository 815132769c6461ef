/**
 * Bulk arrival classification (来返报备 from a district's file): every line is checked first, and only a
 * file without a bad line is stored — nothing at all otherwise, with every bad line reported. (Unlike
 * people, an arrival has no natural key to recognise it by, so importing a corrected file again after a
 * partial import would register the good lines twice; all or nothing keeps a re-run safe.)
 *
 * The classification is the single-arrival path's (`registerArrival` → `explainPolicy` →
 * `decideMeasures`), with what it reads loaded once per batch instead of once per arrival: the
 * recorded risk areas that overlap the batch's time span, the deadline settings, the people given by
 * document and the destination regions. People given by id are checked by the arrivals' foreign key as
 * the rows are stored (looking them up first as well cost the server a twentieth of the import); a file
 * that fails any check is checked again from the start, every person looked up, to name every bad line.
 * Arrivals and control tasks are written with COPY in one transaction with one audit record
 * (`arrival.import`).
 */
import { decideAccess } from "@cordon/domain/accounts/roles";
import { type DeadlineSetting, deadlineFrom, effectiveDeadline } from "@cordon/domain/deadlines/deadline";
import { type Decision, decideMeasures, type RiskArea } from "@cordon/domain/policies/engine";
import { type LoadedPack, parseInstant } from "@cordon/domain/policies/pack-schema";
import { storedDecision } from "@cordon/domain/policies/stored-decision";
import { isWithin, structuralAncestors, subtreePrefix } from "@cordon/domain/regions/region-code";
import type { Message } from "@cordon/domain/shared/result";
import { v7 as uuidv7 } from "uuid";
import { z } from "zod";
import { recordAudit } from "../audit/audit.service.ts";
import { copyTextValue } from "../db/csv.ts";
import { bulkIds } from "../db/ids.ts";
import type { Db, Queryable } from "../db/db.ts";
import { type RequestContext, requireActor } from "../http/context.ts";
import { forbidden } from "../http/errors.ts";
import { PersonFactsSchema } from "../policies/policy.routes.ts";
import { recordedRiskAreas } from "../policies/policy.service.ts";
import { findRegions } from "../regions/region.repository.ts";

const DAY = 86_400_000;

/** One line of the file: the body of `POST /api/arrivals`, with the person by id or by document. */
export const ArrivalLineSchema = z
  .strictObject({
    personId: z.uuid().optional(),
    documentType: z.enum(["resident_id", "passport", "hk_mo_permit", "tw_permit"]).optional(),
    documentNumber: z.string().min(1).max(40).optional(),
    arrivalAt: z.iso.datetime({ offset: true }),
    destinationRegionCode: z.string().regex(/^\d{6}(\d{3}(\d{3}(\d{3})?)?)?$/),
    originRegionCode: z.string().max(20).nullish(),
    route: z.string().max(1000).nullish(),
    travelHistory: PersonFactsSchema.shape.travelHistory.unwrap().max(50).default([]),
    facts: PersonFactsSchema.omit({ travelHistory: true }).default({}),
  })
  .refine((l) => (l.personId === undefined) !== (l.documentNumber === undefined), {
    message: "person",
    path: ["personId"],
  });
export type ArrivalLine = z.infer<typeof ArrivalLineSchema>;

export interface LineError {
  /** 1-based line number in the file. */
  line: number;
  field: string;
  code: string;
  message: Message;
}

export interface BulkOptions {
  /** Every destination must lie inside this region (and the actor needs people.write on it). */
  regionCode: string;
  /** Arrivals classified and written per COPY (memory stays bounded). */
  chunkSize?: number;
}

export interface BulkSummary {
  read: number;
  /** False when a line was bad: nothing was stored. */
  stored: boolean;
  errors: LineError[];
  written: number;
  tasks: number;
  decided: number;
  noRuleMatched: number;
  noPack: number;
  riskAreasLoaded: number;
  /** Checking the lines and loading what the batch needs. */
  checkSeconds: number;
  /** Classification with the engine (in memory). */
  classifySeconds: number;
  /** Waiting for the COPY of arrivals and tasks, the audit record and the commit, beyond what overlaps classification. */
  writeSeconds: number;
  seconds: number;
}

/** A line that passed the checks: what it says (with the schema's defaults) and whose arrival it is. */
interface Checked {
  line: number;
  arrivalAt: number;
  personId: string;
  input: ArrivalLine;
}

/** What the checks need of a line. */
interface LineKey {
  line: number;
  personId: string | undefined;
  documentType: string;
  documentNumber: string | undefined;
  destination: string;
  arrivalAt: number;
  input: ArrivalLine;
}

const err = (line: number, field: string, code: string, zh: string, en: string): LineError => ({
  line,
  field,
  code,
  message: { zh, en },
});

interface ParsedChunk {
  parsed: LineKey[];
  errors: LineError[];
  read: number;
}

/** Parses and checks lines `from` to `to` (exclusive) by themselves: JSON, schema, time, region. */
function parseLines(lines: readonly string[], from: number, to: number, regionCode: string): ParsedChunk {
  const errors: LineError[] = [];
  const parsed: LineKey[] = [];
  let read = 0;
  for (let i = from; i < to; i++) {
    const text = lines[i]!;
    const line = i + 1;
    if (!text.trim()) continue;
    read++;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      errors.push(
        err(
          line,
          "",
          "line.json",
          `不是有效的 JSON：${(e as Error).message}`,
          `Not valid JSON: ${(e as Error).message}`,
        ),
      );
      continue;
    }
    const r = ArrivalLineSchema.safeParse(json);
    if (!r.success) {
      for (const issue of r.error.issues) {
        const field = issue.path.map(String).join(".");
        if (issue.message === "person")
          errors.push(
            err(
              line,
              "personId",
              "line.person",
              "须给出 personId 或证件号码之一",
              "Give either personId or documentNumber",
            ),
          );
        else if (issue.code === "unrecognized_keys")
          errors.push(
            err(
              line,
              field,
              "line.unknown_field",
              `未知字段：${issue.keys.join("、")}`,
              `Unknown field: ${issue.keys.join(", ")}`,
            ),
          );
        else
          errors.push(
            err(
              line,
              field,
              "line.invalid",
              `字段 ${field} 无效：${issue.message}`,
              `Field ${field} is not valid: ${issue.message}`,
            ),
          );
      }
      continue;
    }
    const arrivalAt = parseInstant(r.data.arrivalAt);
    if (arrivalAt === null) {
      // What the engine cannot read (e.g. microseconds) is refused here rather than stored as no_pack.
      errors.push(
        err(
          line,
          "arrivalAt",
          "arrivalAt.invalid",
          "到达时间须为 ISO 时间，精确到毫秒，带时区",
          "The arrival time must be an ISO time to the millisecond with an offset",
        ),
      );
      continue;
    }
    if (!isWithin(regionCode, r.data.destinationRegionCode)) {
      errors.push(
        err(
          line,
          "destinationRegionCode",
          "destination.outside_region",
          `目的地 ${r.data.destinationRegionCode} 不在导入区划 ${regionCode} 内`,
          `Destination ${r.data.destinationRegionCode} is not inside the import region ${regionCode}`,
        ),
      );
      continue;
    }
    parsed.push({
      line,
      personId: r.data.personId,
      documentType: r.data.documentType ?? "resident_id",
      documentNumber: r.data.documentNumber,
      destination: r.data.destinationRegionCode,
      arrivalAt,
      input: r.data,
    });
  }
  return { parsed, errors, read };
}

/**
 * Looks up the parsed lines' people and destinations, all together; lines naming neither are bad.
 * With `trustPersonIds`, people given by id are not looked up: the arrivals' foreign key to `persons`
 * checks them as they are stored, and a violation sends the import to `checkAll`, which does look
 * them up and names the lines.
 */
async function resolveLines(
  q: Queryable,
  { parsed, errors, read }: ParsedChunk,
  trustPersonIds: boolean,
): Promise<{ ok: Checked[]; errors: LineError[]; read: number }> {
  const ids = trustPersonIds ? [] : [...new Set(parsed.flatMap((p) => (p.personId ? [p.personId] : [])))];
  const docs = parsed.filter((p) => p.documentNumber !== undefined);
  const destinations = [...new Set(parsed.map((p) => p.destination))];
  const [known, byDoc, regions] = await Promise.all([
    ids.length
      ? q
          .query<{ id: string }>("SELECT id FROM persons WHERE id = ANY($1::uuid[])", [ids])
          .then((r) => new Set(r.rows.map((p) => p.id)))
      : new Set<string>(),
    docs.length
      ? q
          .query<{ t: string; n: string; id: string }>(
            `SELECT d.document_type AS t, d.document_number AS n, d.person_id AS id FROM person_documents d
             JOIN unnest($1::text[], $2::text[]) AS k(t, n) ON d.document_type = k.t AND d.document_number = k.n`,
            [docs.map((p) => p.documentType), docs.map((p) => p.documentNumber!)],
          )
          .then((r) => new Map(r.rows.map((d) => [`${d.t}:${d.n}`, d.id])))
      : new Map<string, string>(),
    findRegions(q, destinations).then((rs) => new Set(rs.map((r) => r.code))),
  ]);

  const ok: Checked[] = [];
  for (const p of parsed) {
    const personId = p.personId
      ? trustPersonIds || known.has(p.personId)
        ? p.personId
        : undefined
      : byDoc.get(`${p.documentType}:${p.documentNumber}`);
    let bad = false;
    if (!personId) {
      bad = true;
      errors.push(
        err(
          p.line,
          p.personId ? "personId" : "documentNumber",
          "person.unknown",
          "人员库中没有此人，请先登记",
          "This person is not in the registry; register them first",
        ),
      );
    }
    if (!regions.has(p.destination)) {
      bad = true;
      errors.push(err(p.line, "destinationRegionCode", "region.unknown", "没有此区划", "No such region"));
    }
    if (!bad) ok.push({ line: p.line, arrivalAt: p.arrivalAt, personId: personId!, input: p.input });
  }
  errors.sort((a, b) => a.line - b.line);
  return { ok, errors, read };
}

/** The deadline settings that can apply inside a region: on its path and below it, loaded once. */
async function deadlineSettingsFor(q: Queryable, regionCode: string): Promise<Map<string, DeadlineSetting>> {
  const rows = (
    await q.query<DeadlineSetting>(
      `SELECT region_code AS "regionCode", arrival_task AS "arrivalTask", assist_list AS "assistList"
       FROM deadline_settings WHERE region_code = ANY($1::text[]) OR region_code LIKE $2`,
      [structuralAncestors(regionCode), `${subtreePrefix(regionCode)}%`],
    )
  ).rows;
  return new Map(rows.map((r) => [r.regionCode, r]));
}

/**
 * For each stay region, the recorded risk areas that contain it (the engine's own test, `isWithin`),
 * kept in load order so the engine sees the same areas in the same order as when it is given all of
 * them. Areas are grouped by their subtree prefix, so a stay looks up its few prefixes (of the lengths
 * some area has) instead of testing every area.
 */
function areaIndex(areas: readonly RiskArea[]) {
  const byPrefix = new Map<string, number[]>();
  areas.forEach((a, i) => {
    const key = subtreePrefix(a.regionCode);
    const list = byPrefix.get(key);
    if (list) list.push(i);
    else byPrefix.set(key, [i]);
  });
  const lengths = [...new Set([...byPrefix.keys()].map((k) => k.length))].sort((a, b) => a - b);
  return (stays: readonly { regionCode: string }[]): RiskArea[] => {
    const picked: number[] = [];
    for (const s of stays) {
      const code = s.regionCode;
      // Each area sits under one prefix, so each list is visited once per stay and no area twice.
      for (const n of lengths) {
        if (n > code.length) break;
        const list = byPrefix.get(code.slice(0, n));
        if (list)
          for (const i of list)
            if (isWithin(areas[i]!.regionCode, code) && !picked.includes(i)) picked.push(i);
      }
    }
    return picked.length === 0 ? [] : picked.sort((a, b) => a - b).map((i) => areas[i]!);
  };
}

const ARRIVAL_COLUMNS = [
  "id",
  "person_id",
  "origin_region_code",
  "route",
  "arrival_at",
  "destination_region_code",
  "travel_history",
  "facts",
  "reported_by",
  "decision",
  "created_by",
  "created_at",
];
const TASK_COLUMNS = [
  "id",
  "arrival_id",
  "person_id",
  "region_code",
  "status",
  "due_at",
  "steps",
  "created_at",
  "updated_at",
  "version",
];

/** The longest look-back of any rule in any pack: how far before the first arrival areas can matter. */
const maxLookbackDays = (packs: readonly LoadedPack[]) =>
  Math.max(0, ...packs.flatMap((p) => p.pack.rules.map((r) => r.lookbackDays ?? 0)));

/** Thrown inside the transaction to roll it back once a bad line has been found. */
const ROLLBACK = Symbol("rollback");

/** PostgreSQL's foreign_key_violation. */
const FOREIGN_KEY_VIOLATION = "23503";

/** Every bad line of the file, each person looked up: what a file that cannot be stored is told. */
async function checkAll(
  q: Queryable,
  lines: readonly string[],
  regionCode: string,
  chunkSize: number,
): Promise<{ errors: LineError[]; read: number }> {
  const errors: LineError[] = [];
  let read = 0;
  for (let start = 0; start < lines.length; start += chunkSize) {
    const parsed = parseLines(lines, start, Math.min(start + chunkSize, lines.length), regionCode);
    const r = await resolveLines(q, parsed, false);
    errors.push(...r.errors);
    read += r.read;
  }
  return { errors, read };
}

/**
 * Classifies and stores a file's arrivals (one JSON object per line) as the actor, all or nothing.
 * Returns the per-line errors when any line is bad (and stores nothing).
 *
 * The file is taken in chunks, each checked, classified and turned into COPY text while the server
 * stores the chunk before it. Once a bad line is found, the rest is only checked (so that every bad
 * line is reported) and the transaction is rolled back.
 */
export async function importArrivals(
  db: Db,
  ctx: RequestContext,
  packs: readonly LoadedPack[],
  lines: readonly string[],
  opts: BulkOptions,
): Promise<BulkSummary> {
  const t0 = performance.now();
  const actor = requireActor(ctx);
  const access = decideAccess(actor, "people.write", [opts.regionCode]);
  if (!access.allowed) throw forbidden(access.reason);
  const chunkSize = opts.chunkSize ?? 5_000;
  const summary: BulkSummary = {
    read: 0,
    stored: false,
    errors: [],
    written: 0,
    tasks: 0,
    decided: 0,
    noRuleMatched: 0,
    noPack: 0,
    riskAreasLoaded: 0,
    checkSeconds: 0,
    classifySeconds: 0,
    writeSeconds: 0,
    seconds: 0,
  };
  const settings = await deadlineSettingsFor(db, opts.regionCode);
  const dueAt = new Map<string, string>();
  const dueFor = (code: string) => {
    let d = dueAt.get(code);
    if (!d) {
      d = deadlineFrom(effectiveDeadline(settings, code, "arrivalTask").rule, ctx.now).toISOString();
      dueAt.set(code, d);
    }
    return d;
  };
  const lookback = maxLookbackDays(packs) * DAY;
  const batchId = uuidv7();
  const newId = bulkIds();
  const created = ctx.now.toISOString();
  const by = actor.userId;
  let first = Infinity;
  let last = -Infinity;
  let committing = 0;
  /** The first COPY that failed: on the embedded engine, the lookups that follow it fail for it. */
  let copyError: unknown = null;
  try {
    await db.transaction(async (tx) => {
      // Lookups (people, regions, risk areas) go on another connection where there is one, so that they
      // do not queue behind the COPY in flight on the transaction's.
      const lookup: Queryable = db.engine === "postgres" ? db : tx;
      /** A chunk parsed, and its lookups (people, regions, then the risk areas of its time span) sent. */
      const prepare = (start: number) => {
        const parsed = parseLines(lines, start, Math.min(start + chunkSize, lines.length), opts.regionCode);
        const resolved = resolveLines(lookup, parsed, true).then(async (r) => {
          let from = Infinity;
          let to = -Infinity;
          for (const c of r.ok) {
            if (c.arrivalAt < from) from = c.arrivalAt;
            if (c.arrivalAt > to) to = c.arrivalAt;
          }
          const areas =
            r.ok.length && !r.errors.length
              ? await recordedRiskAreas(lookup, { from: new Date(from - lookback), to: new Date(to) })
              : [];
          return { ...r, from, to, areas };
        });
        resolved.catch(() => {}); // awaited in turn; this only keeps Node from calling it unhandled meanwhile
        return resolved;
      };
      let pending: Promise<void> = Promise.resolve();
      let tk = performance.now();
      let next = lines.length ? prepare(0) : null;
      for (let start = 0; next; start += chunkSize) {
        const { ok, errors, read, from, to, areas } = await next;
        // The next chunk is parsed and its lookups go to the server while this one is classified.
        next = start + chunkSize < lines.length ? prepare(start + chunkSize) : null;
        summary.read += read;
        summary.errors.push(...errors);
        const tc = performance.now();
        summary.checkSeconds += (tc - tk) / 1000;
        tk = tc;
        // A bad line: nothing is stored, and `checkAll` (below) finds every bad line of the file.
        if (summary.errors.length) throw ROLLBACK;
        if (ok.length === 0) continue;
        first = Math.min(first, from);
        last = Math.max(last, to);
        summary.riskAreasLoaded = Math.max(summary.riskAreasLoaded, areas.length);
        const areasFor = areaIndex(areas);

        // Each row goes straight into COPY text (PostgreSQL's text format: tabs between fields, \N for
        // NULL): no array per row, and JSON needs no quote doubling as it would in CSV.
        let arrivalsText = "";
        let tasksText = "";
        for (const [k, c] of ok.entries()) {
          // Let the event loop feed the previous chunk's COPY to the server while this one is classified.
          if (k % 256 === 255) await new Promise(setImmediate);
          const input = c.input;
          const decision: Decision = decideMeasures({
            facts: { ...input.facts, travelHistory: input.travelHistory },
            riskAreas: areasFor(input.travelHistory),
            arrivalAt: input.arrivalAt,
            destinationRegion: input.destinationRegionCode,
            packs,
          });
          if (decision.status === "decided") summary.decided++;
          else if (decision.status === "no_rule_matched") summary.noRuleMatched++;
          else summary.noPack++;
          const id = newId();
          arrivalsText += `${id}\t${c.personId}\t${copyTextValue(input.originRegionCode)}\t${copyTextValue(input.route)}\t${new Date(c.arrivalAt).toISOString()}\t${input.destinationRegionCode}\t${copyTextValue(JSON.stringify(input.travelHistory))}\t${copyTextValue(JSON.stringify(input.facts))}\tgrid_worker\t${copyTextValue(JSON.stringify(storedDecision(decision, input.arrivalAt, packs)))}\t${by}\t${created}\n`;
          summary.written++;
          if (decision.status === "decided" && Object.keys(decision.measures).length > 0) {
            tasksText += `${newId()}\t${id}\t${c.personId}\t${input.destinationRegionCode}\tpending\t${dueFor(input.destinationRegionCode)}\t[]\t${created}\t${created}\t1\n`;
            summary.tasks++;
          }
        }
        const tw = performance.now();
        summary.classifySeconds += (tw - tc) / 1000;
        // The server stores one chunk while the next is checked and classified: wait for it only now.
        await pending;
        tk = performance.now();
        summary.writeSeconds += (tk - tw) / 1000;
        pending = (async () => {
          await tx.copyText("arrivals", ARRIVAL_COLUMNS, arrivalsText);
          if (tasksText) await tx.copyText("control_tasks", TASK_COLUMNS, tasksText);
        })();
        pending.catch((e: unknown) => {
          copyError ??= e; // and awaited below
        });
      }
      const tw = performance.now();
      await pending;
      summary.writeSeconds += (performance.now() - tw) / 1000;
      if (summary.errors.length || summary.written === 0) throw ROLLBACK;
      const ta = performance.now();
      await recordAudit(tx, ctx, {
        action: "arrival.import",
        entityType: "arrival_batch",
        entityId: batchId,
        regionCode: opts.regionCode,
        after: {
          arrivals: summary.written,
          tasks: summary.tasks,
          decided: summary.decided,
          noRuleMatched: summary.noRuleMatched,
          noPack: summary.noPack,
          firstArrivalAt: new Date(first),
          lastArrivalAt: new Date(last),
        },
      });
      summary.writeSeconds += (performance.now() - ta) / 1000;
      committing = performance.now();
    });
    summary.writeSeconds += (performance.now() - committing) / 1000;
    summary.stored = true;
  } catch (e) {
    const unknownPerson = ((copyError ?? e) as { code?: unknown }).code === FOREIGN_KEY_VIOLATION;
    if (e !== ROLLBACK && !unknownPerson) throw e;
    Object.assign(summary, { written: 0, tasks: 0, decided: 0, noRuleMatched: 0, noPack: 0 });
    if (summary.errors.length || unknownPerson) {
      const all = await checkAll(db, lines, opts.regionCode, chunkSize);
      // A violation no line explains (say, a person deleted meanwhile) is the database's to report.
      if (all.errors.length === 0) throw e;
      summary.errors = all.errors;
      summary.read = all.read;
    }
  }
  summary.errors.sort((a, b) => a.line - b.line);
  summary.seconds = (performance.now() - t0) / 1000;
  return summary;
}
