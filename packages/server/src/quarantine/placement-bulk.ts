/**
 * Bulk placement: many people placed at once (a county moving a whole building's close contacts into
 * its hotels), all or nothing. Each placement is the single path's (`place`): the pack in force for
 * the site's region decides the measures (`decideMeasures`), `schedule` computes the course, the room
 * must be free — stored free, nobody placed in it — (or shared by one household in the batch); what
 * that needs is loaded once per batch (sites, their rooms locked, the rooms holding placed people,
 * people unknown or already placed, recorded risk areas). Placements are written with COPY in one
 * transaction, each chunk's courses not stored yet first (`quarantine_courses`, content-addressed: the
 * placements refer to a few hundred shared courses), with one audit record (`quarantine.place_bulk`).
 * The rooms are not written: the people placed in them make them occupied (`effectiveRoomState`).
 */
import { decideAccess } from "@cordon/domain/accounts/roles";
import { type CombinedMeasures, decideMeasures, type PersonFacts } from "@cordon/domain/policies/engine";
import type { LoadedPack } from "@cordon/domain/policies/pack-schema";
import { checkSiteForMeasures, hasIsolationDays, plannedEndOf } from "@cordon/domain/quarantine/placement";
import { schedule, type StartFacts } from "@cordon/domain/quarantine/schedule";
import { shanghaiDate } from "@cordon/domain/shared/shanghai-time";
import { isWithin } from "@cordon/domain/regions/region-code";
import type { FieldError } from "@cordon/domain/shared/result";
import { v7 as uuidv7 } from "uuid";
import { recordAudit } from "../audit/audit.service.ts";
import { copyTextValue } from "../db/csv.ts";
import type { Db } from "../db/db.ts";
import { bulkIds } from "../db/ids.ts";
import { type RequestContext, requireActor } from "../http/context.ts";
import { forbidden, invalid } from "../http/errors.ts";
import { recordedRiskAreas } from "../policies/policy.service.ts";
import { type CourseRecord, courseRecord, insertCourses, PLACEMENT_COLUMNS } from "./placement.repository.ts";

export interface BulkPlacementItem {
  personId: string;
  siteId: string;
  roomId?: string | null | undefined;
  /** People of one household may share a room. */
  householdKey?: string | null | undefined;
  placedAt: string;
  identifiedAt?: string | undefined;
  lastExposureAt?: string | undefined;
  arrivalAt?: string | undefined;
  facts?: PersonFacts | undefined;
}

export interface BulkPlaceSummary {
  placed: number;
  /** Placements per pack. */
  packs: Record<string, number>;
  /** Distinct rooms placed into (occupied now by the people placed). */
  roomsOccupied: number;
  /** Loading sites, rooms, people already placed and risk areas, and checking every item. */
  checkSeconds: number;
  /** Deciding the measures and computing the courses (in memory), and the COPY text. */
  scheduleSeconds: number;
  /** Waiting for the COPY, the audit record and the commit. */
  writeSeconds: number;
  /** Of which: waiting for the last COPY to finish (after the last chunk was computed). */
  copyWaitSeconds: number;
  seconds: number;
}

const lastExposureOf = (facts: PersonFacts | undefined) => {
  let best: { t: number; s: string } | undefined;
  for (const c of facts?.contacts ?? []) {
    const t = Date.parse(c.lastExposureAt);
    if (!Number.isNaN(t) && (!best || t > best.t)) best = { t, s: c.lastExposureAt };
  }
  return best?.s;
};

interface CourseText {
  /** The stored course (`quarantine_courses`: its id and JSON text). */
  course: CourseRecord;
  plannedEnd: string | null;
}

/**
 * A Beijing time with its offset (00:00 to 23:59:59.999, on day 1 to 28 of a month: always a valid
 * date): its Beijing date is its first ten characters.
 */
const BEIJING_TIME =
  /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|1\d|2[0-8])T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,3})?)?\+08:00$/;

/**
 * The Beijing date of a fact, as `schedule` reads it (`shanghaiDate`), or the value itself when it has
 * none; the common case (a Beijing time) without parsing it.
 */
function day(v: string | undefined): string {
  if (v === undefined) return "";
  if (BEIJING_TIME.test(v)) return v.slice(0, 10);
  return shanghaiDate(v) ?? v;
}

/**
 * Stored courses, memoised. A course depends on its start facts only through their Beijing dates
 * (`schedule` reads each fact's date), and the stored course leaves out the facts (the placement keeps
 * them): so a stored course computed once for (measures, arrival date, exposure date, placement date) is
 * everyone's with those measures and dates — the same text, the same id.
 */
function courseTexts() {
  const memo = new Map<string, CourseText | FieldError[]>();
  return (measures: CombinedMeasures, measuresKey: string, facts: StartFacts): CourseText | FieldError[] => {
    const key = `${measuresKey}|${day(facts.arrivalAt)}|${day(facts.lastExposureAt)}|${day(facts.placedAt)}`;
    let t = memo.get(key);
    // Errors name the value given: computed again for each person.
    if (!t || Array.isArray(t)) {
      const c = schedule(measures, facts);
      t = c.ok ? { course: courseRecord(c.value), plannedEnd: plannedEndOf(c.value) } : c.errors;
      if (memo.size > 100_000) memo.clear();
      memo.set(key, t);
    }
    return t;
  };
}

/**
 * Places every item or none; a bad item is reported by its index (`items.<i>.<field>`), all of them
 * at once. The actor needs `quarantine.place` over `regionCode`, and every site must lie inside it.
 */
export async function placeBulk(
  db: Db,
  ctx: RequestContext,
  packs: readonly LoadedPack[],
  items: readonly BulkPlacementItem[],
  opts: { regionCode: string; chunkSize?: number },
): Promise<BulkPlaceSummary> {
  const t0 = performance.now();
  const actor = requireActor(ctx);
  const access = decideAccess(actor, "quarantine.place", [opts.regionCode]);
  if (!access.allowed) throw forbidden(access.reason);
  const chunkSize = opts.chunkSize ?? 10_000;
  const summary: BulkPlaceSummary = {
    placed: 0,
    packs: {},
    roomsOccupied: 0,
    checkSeconds: 0,
    scheduleSeconds: 0,
    writeSeconds: 0,
    copyWaitSeconds: 0,
    seconds: 0,
  };
  const errors: FieldError[] = [];
  const err = (i: number, field: string, code: string, zh: string, en: string) =>
    errors.push({ field: `items.${i}.${field}`, code, message: { zh, en } });

  await db.transaction(async (tx) => {
    // What the batch needs, loaded once.
    const siteIds = [...new Set(items.map((i) => i.siteId))];
    const personIds = items.map((i) => i.personId);
    // One after another: the transaction has one connection.
    const sites = await tx
      .query<{ id: string; kind: "centralized" | "designated_hospital" | "home"; regionCode: string }>(
        `SELECT id, kind, region_code AS "regionCode" FROM quarantine_sites WHERE id = ANY($1::uuid[])`,
        [siteIds],
      )
      .then((r) => new Map(r.rows.map((s) => [s.id, s])));
    const rooms = await tx
      .query<{ siteId: string; id: string; state: string }>(
        `SELECT site_id AS "siteId", id, state FROM quarantine_rooms WHERE site_id = ANY($1::uuid[]) FOR UPDATE`,
        [siteIds],
      )
      .then((r) => new Map(r.rows.map((x) => [x.id, x])));
    // Rooms of these sites holding placed people now (occupied whatever is stored): a statement of its
    // own after the lock, so that it sees a placement committed while the lock was awaited.
    const holding = new Set(
      (
        await tx.query<{ roomId: string }>(
          `SELECT DISTINCT q.room_id AS "roomId" FROM quarantine_placements q
           WHERE q.site_id = ANY($1::uuid[]) AND q.status = 'placed' AND q.room_id IS NOT NULL`,
          [siteIds],
        )
      ).rows.map((r) => r.roomId),
    );
    // People not in the registry, or placed now: in the usual batch none, so nothing comes back.
    const unknown = new Set<string>();
    const placed = new Set<string>();
    for (const r of (
      await tx.query<{ id: string; known: boolean }>(
        `SELECT k.id, p.id IS NOT NULL AS known FROM unnest($1::uuid[]) AS k(id) LEFT JOIN persons p ON p.id = k.id
         WHERE p.id IS NULL
           OR EXISTS (SELECT 1 FROM quarantine_placements q WHERE q.person_id = k.id AND q.status = 'placed')`,
        [personIds],
      )
    ).rows)
      (r.known ? placed : unknown).add(r.id);
    const riskAreas = await recordedRiskAreas(tx);
    const seen = new Set<string>();
    const roomHousehold = new Map<string, string | null>();
    items.forEach((it, i) => {
      const site = sites.get(it.siteId);
      if (!site) err(i, "siteId", "site.unknown", "没有此隔离场所", "No such site");
      else if (!isWithin(opts.regionCode, site.regionCode))
        err(
          i,
          "siteId",
          "site.outside_region",
          "场所不在批量安置的区划内",
          "The site is outside the batch's region",
        );
      if (unknown.has(it.personId))
        err(i, "personId", "person.unknown", "人员库中没有此人", "This person is not in the registry");
      else if (placed.has(it.personId) || seen.has(it.personId))
        err(i, "personId", "placement.already_placed", "此人已在隔离中", "This person is already placed");
      seen.add(it.personId);
      if (it.roomId) {
        const room = rooms.get(it.roomId);
        if (!room || room.siteId !== it.siteId)
          err(
            i,
            "roomId",
            "placement.room_not_at_site",
            "该房间不属于所选隔离场所",
            "This room is not one of the site's rooms",
          );
        else if (room.state !== "free")
          err(i, "roomId", "placement.room_not_free", "房间不空闲", "The room is not free");
        else if (
          holding.has(it.roomId) ||
          (roomHousehold.has(it.roomId) &&
            (!it.householdKey || roomHousehold.get(it.roomId) !== it.householdKey))
        )
          err(
            i,
            "roomId",
            "placement.room_taken",
            "房间已安置其他家庭",
            "The room already holds another household",
          );
        roomHousehold.set(it.roomId, it.householdKey ?? null);
      }
    });
    if (errors.length) throw invalid(errors.slice(0, 1000));
    const tc = performance.now();
    summary.checkSeconds = (tc - t0) / 1000;

    const courseText = courseTexts();
    const newId = bulkIds();
    const now = ctx.now.toISOString();
    const by = actor.userId;
    let pending: Promise<void> = Promise.resolve();
    let copyError: unknown = null;
    let scheduleMs = 0;
    // Courses stored by this batch so far (each before the first chunk whose rows refer to it).
    const stored = new Set<string>();
    for (let start = 0; start < items.length; start += chunkSize) {
      const ts = performance.now();
      let text = "";
      const newCourses: CourseRecord[] = [];
      const end = Math.min(start + chunkSize, items.length);
      for (let i = start; i < end; i++) {
        if (i % 512 === 511) await new Promise(setImmediate); // let the previous chunk's COPY flow
        const it = items[i]!;
        const site = sites.get(it.siteId)!;
        const d = decideMeasures({
          facts: it.facts ?? {},
          arrivalAt: it.arrivalAt ?? it.placedAt,
          destinationRegion: site.regionCode,
          riskAreas,
          packs,
        });
        if (d.status !== "decided" || !hasIsolationDays(d.measures)) {
          err(
            i,
            "facts",
            "placement.no_measures",
            d.status === "decided" ? "规则包未给此人规定隔离天数" : d.reason.zh,
            d.status === "decided" ? "The pack gives this person no days of isolation" : d.reason.en,
          );
          continue;
        }
        const measures: CombinedMeasures = d.measures;
        for (const e of checkSiteForMeasures(site.kind, measures))
          err(i, "siteId", e.code, e.message.zh, e.message.en);
        const lastExposureAt = it.lastExposureAt ?? lastExposureOf(it.facts);
        const facts = {
          ...(it.arrivalAt ? { arrivalAt: it.arrivalAt } : {}),
          ...(lastExposureAt ? { lastExposureAt } : {}),
          placedAt: it.placedAt,
        };
        // The measures are the pack's rules that matched, combined in the pack's order: the pack and
        // those rules name them (shorter to key than the measures' JSON).
        const measuresKey = `${d.pack.file}|${d.pack.id}|${d.explanation.map((e) => e.ruleId).join(",")}`;
        const c = courseText(measures, measuresKey, facts);
        if (Array.isArray(c)) {
          for (const e of c) err(i, e.field, e.code, e.message.zh, e.message.en);
          continue;
        }
        if (errors.length) continue;
        summary.packs[d.pack.id] = (summary.packs[d.pack.id] ?? 0) + 1;
        if (!stored.has(c.course.id)) {
          stored.add(c.course.id);
          newCourses.push(c.course);
        }
        const factsJson = copyTextValue(JSON.stringify(facts));
        text += `${newId()}\t${it.personId}\t${it.siteId}\t${it.roomId ?? "\\N"}\t${copyTextValue(it.householdKey)}\tmanual\t\\N\t${it.identifiedAt ?? it.placedAt}\t${d.pack.id}\t${factsJson}\t${c.course.id}\tplaced\t${it.placedAt}\t${c.plannedEnd ?? "\\N"}\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t${by}\t${now}\t${now}\t1\n`;
        summary.placed++;
      }
      scheduleMs += performance.now() - ts;
      await pending;
      if (errors.length) break;
      await insertCourses(tx, newCourses, ctx.now);
      pending = tx.copyText("quarantine_placements", PLACEMENT_COLUMNS, text);
      pending.catch((e: unknown) => {
        copyError ??= e;
      });
    }
    const tw = performance.now();
    await pending.catch(() => {});
    if (copyError) throw copyError;
    if (errors.length) throw invalid(errors.slice(0, 1000));
    summary.copyWaitSeconds = (performance.now() - tw) / 1000;
    summary.roomsOccupied = roomHousehold.size;
    await recordAudit(tx, ctx, {
      action: "quarantine.place_bulk",
      entityType: "quarantine_placement_batch",
      entityId: uuidv7(),
      regionCode: opts.regionCode,
      after: {
        placed: summary.placed,
        packs: summary.packs,
        sites: siteIds.length,
        rooms: roomHousehold.size,
      },
    });
    summary.scheduleSeconds = scheduleMs / 1000;
    summary.writeSeconds = (performance.now() - tw) / 1000;
  });
  summary.seconds = (performance.now() - t0) / 1000;
  summary.writeSeconds = summary.seconds - summary.checkSeconds - summary.scheduleSeconds;
  return summary;
}
