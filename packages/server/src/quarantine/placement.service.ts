/**
 * Quarantine placements (安置), issue 4: placing a person or a household at a site with the course
 * their measures give, the closed-loop transfer, test results, a changed last exposure, release on
 * schedule or early, extension, the day's lists per site and the room board. Access over the SITE's
 * region: `quarantine.place` to place and record, `quarantine.override` for early release and
 * extension, `people.read` to read. Every change is audited in its own transaction.
 */
import { decideAccess, type Permission } from "@cordon/domain/accounts/roles";
import { maskIdNumber } from "@cordon/domain/people/masking";
import {
  type CombinedMeasures,
  decideMeasures,
  type PersonFacts,
  type RiskArea,
} from "@cordon/domain/policies/engine";
import type { LoadedPack } from "@cordon/domain/policies/pack-schema";
import { readDecision } from "@cordon/domain/policies/stored-decision";
import {
  checkExtension,
  checkReleaseTime,
  checkRoom,
  checkSampleDate,
  checkSiteForMeasures,
  checkTransfer,
  type ClosedLoop,
  closedLoop,
  type DayResult,
  type DueTest,
  hasIsolationDays,
  MAX_HOUSEHOLD,
  plannedEndOf,
  type Suggestions,
  suggestRooms,
  testsOfDay,
} from "@cordon/domain/quarantine/placement";
import { checkHospital, checkToHospital, checkUpgrade } from "@cordon/domain/quarantine/placement-end";
import { decideRelease, type ReleaseDecision } from "@cordon/domain/quarantine/release";
import { type Course, reschedule, schedule, type StartFacts } from "@cordon/domain/quarantine/schedule";
import type { RoomState, RoomType, SiteKind } from "@cordon/domain/quarantine/sites";
import { courseFrom, type StoredCourse } from "@cordon/domain/quarantine/stored-course";
import { isWithin, subtreePrefix } from "@cordon/domain/regions/region-code";
import type { FieldError, Message } from "@cordon/domain/shared/result";
import { shanghaiDateOf } from "@cordon/domain/shared/shanghai-time";
import { v4 as uuidv4, v7 as uuidv7 } from "uuid";
import { recordAudit } from "../audit/audit.service.ts";
import type { Db, Queryable } from "../db/db.ts";
import { type RequestContext, requireActor } from "../http/context.ts";
import { AppError, forbidden, invalid, notFound } from "../http/errors.ts";
import { recordedRiskAreas } from "../policies/policy.service.ts";
import { type HealthReportRow, reportsOfPlacement } from "./health-report.repository.ts";
import {
  currentlyPlaced,
  type DayResultRow,
  type DayRow,
  findPlacement,
  findResult,
  findTaskSource,
  findTransfer,
  insertPlacement,
  listPlacements,
  occupantsOf,
  personBrief,
  type PlacementListRow,
  type PlacementRow,
  placedAtSite,
  previousPlacement,
  type ResultRow,
  resultsAtSites,
  resultsOf,
  roomOccupants,
  storedCourses,
  type TransferRow,
  updatePlacement,
  upsertResult,
  upsertTransfer,
} from "./placement.repository.ts";
import {
  findRoom,
  findSite,
  listSites,
  lockRoom,
  roomsOf,
  setRoomState,
  type SiteRow,
} from "./site.repository.ts";
import { SITE } from "./site.service.ts";

export const PLACEMENT = { zh: "隔离安置记录", en: "Placement" };

function access(ctx: RequestContext, permission: Permission, codes: readonly string[]) {
  const d = decideAccess(requireActor(ctx), permission, codes);
  if (!d.allowed) throw forbidden(d.reason);
}

const today = (ctx: RequestContext) => shanghaiDateOf(ctx.now.getTime());
const dayOf = (d: Date) => shanghaiDateOf(d.getTime());

async function siteOrThrow(q: Queryable, id: string): Promise<SiteRow> {
  const site = await findSite(q, id);
  if (!site) throw notFound(SITE);
  return site;
}

/** A placement and its site, with access checked over the site's region. */
async function placementFor(
  q: Queryable,
  ctx: RequestContext,
  id: string,
  permission: Permission,
  forUpdate = false,
): Promise<{ p: PlacementRow; site: SiteRow }> {
  const p = await findPlacement(q, id, forUpdate);
  if (!p) throw notFound(PLACEMENT);
  const site = await siteOrThrow(q, p.siteId);
  access(ctx, permission, [site.regionCode]);
  return { p, site };
}

const ENDS: Record<string, Message> = {
  to_hospital: { zh: "已转定点医院", en: "was moved to a designated hospital" },
  upgraded: { zh: "已升级为密接重新安置", en: "was upgraded to close contact and placed again" },
};

const notPlaced = (p: PlacementRow) => {
  const end = p.status === "ended" && p.releaseKind ? ENDS[p.releaseKind] : undefined;
  const on = p.releasedAt ? dayOf(p.releasedAt) : null;
  return new AppError(
    409,
    "placement.not_placed",
    end
      ? {
          zh: `此人${on ? `于 ${on} ` : ""}${end.zh}，本次安置记录不能再更改`,
          en: `This person ${end.en}${on ? ` on ${on}` : ""}; the placement can no longer change`,
        }
      : {
          zh: `此人已于 ${on ?? "此前"} 解除隔离，记录不能再更改`,
          en: `This person was released${on ? ` on ${on}` : ""}; the placement can no longer change`,
        },
  );
};

export interface PlacePerson {
  personId: string;
  lastExposureAt?: string | undefined;
  arrivalAt?: string | undefined;
  facts?: PersonFacts | undefined;
}

export interface PlaceInput {
  siteId: string;
  roomId?: string | null | undefined;
  placedAt?: string | undefined;
  /** When the person was identified; for manual placements defaults to the placement time. */
  identifiedAt?: string | undefined;
  source?: { kind: "arrival_task" | "manual"; id?: string | undefined } | undefined;
  people: PlacePerson[];
}

/** The latest close/secondary exposure among the facts' contacts, if any. */
function lastExposureOf(facts: PersonFacts | undefined): string | undefined {
  let best: { t: number; s: string } | undefined;
  for (const c of facts?.contacts ?? []) {
    const t = Date.parse(c.lastExposureAt);
    if (!Number.isNaN(t) && (!best || t > best.t)) best = { t, s: c.lastExposureAt };
  }
  return best?.s;
}

const noMeasures = (fields: FieldError[]) =>
  new AppError(
    400,
    "placement.no_measures",
    {
      zh: "没有适用的隔离措施：无有效规则包，或规则包未给此人规定隔离天数",
      en: "No quarantine applies: no pack is in force, or the pack gives this person no days of isolation",
    },
    fields,
  );

/**
 * Places one person, or a household (several people: one household key, one room), at a site. The
 * measures are the arrival's stored decision (source `arrival_task`) or the pack in force for the
 * site's region at the arrival (or placement) time; the course is `schedule` of them. Audited
 * `quarantine.place`, one entry per person. The room is locked while it is checked and the people
 * placed; it is not written: placed people make it occupied (`effectiveRoomState`).
 */
export async function place(
  db: Db,
  ctx: RequestContext,
  packs: readonly LoadedPack[],
  input: PlaceInput,
): Promise<PlacementRow[]> {
  const site = await siteOrThrow(db, input.siteId);
  access(ctx, "quarantine.place", [site.regionCode]);
  return db.transaction((tx) => placeWithin(tx, ctx, packs, site, input));
}

/**
 * A placement that continues another one (an upgrade to close contact): its id is chosen beforehand (the
 * ended placement points to it), and a person who stays in their room keeps it and their household —
 * the room is theirs already, so it is locked but not checked as a room to move into.
 */
interface Continuation {
  id: string;
  roomId: string | null;
  householdKey: string | null;
}

/** `place` inside the caller's transaction, with access to the site already checked. */
async function placeWithin(
  tx: Queryable,
  ctx: RequestContext,
  packs: readonly LoadedPack[],
  site: SiteRow,
  input: PlaceInput,
  continuation?: Continuation,
): Promise<PlacementRow[]> {
  const actor = requireActor(ctx);
  const placedAt = input.placedAt ? new Date(input.placedAt) : ctx.now;
  const errors: FieldError[] = [];
  if (placedAt.getTime() > ctx.now.getTime())
    errors.push({
      field: "placedAt",
      code: "placement.in_future",
      message: { zh: "安置时间不能晚于现在", en: "The placement time is in the future" },
    });
  if (input.people.length < 1 || input.people.length > MAX_HOUSEHOLD)
    throw invalid([
      {
        field: "people",
        code: "placement.people_count",
        message: {
          zh: `一次安置 1 至 ${MAX_HOUSEHOLD} 人（同户）`,
          en: `A placement takes 1 to ${MAX_HOUSEHOLD} people (one household)`,
        },
      },
    ]);
  const roomId = input.roomId ?? null;
  const kind = input.source?.kind ?? "manual";
  // Who: each person once, in the registry, not placed anywhere now.
  const ids = input.people.map((p) => p.personId);
  const known = new Set(
    (await tx.query<{ id: string }>("SELECT id FROM persons WHERE id = ANY($1::uuid[])", [ids])).rows.map(
      (r) => r.id,
    ),
  );
  const placed = await currentlyPlaced(tx, ids);
  input.people.forEach((p, i) => {
    const field = `people.${i}.personId`;
    if (ids.indexOf(p.personId) !== i)
      errors.push({
        field,
        code: "placement.person_repeated",
        message: { zh: "同一人在本次安置中出现两次", en: "The same person is listed twice" },
      });
    else if (!known.has(p.personId))
      errors.push({
        field,
        code: "person.unknown",
        message: { zh: "人员库中没有此人", en: "This person is not in the registry" },
      });
    else if (placed.has(p.personId))
      errors.push({
        field,
        code: "placement.already_placed",
        message: {
          zh: "此人目前已在隔离中（一人同一时间只能有一处安置），请先解除或转运",
          en: "This person is already placed (one place at a time); release them first",
        },
      });
  });

  // What: the measures, per person.
  let identifiedAt = input.identifiedAt ? new Date(input.identifiedAt) : placedAt;
  let sourceId: string | null = null;
  const decided: { measures: CombinedMeasures; packId: string | null; facts: StartFacts }[] = [];
  if (kind === "arrival_task") {
    if (!input.source?.id)
      throw invalid([
        {
          field: "source.id",
          code: "placement.source_required",
          message: { zh: "请给出来返管控任务", en: "Give the arrival's control task" },
        },
      ]);
    const task = await findTaskSource(tx, input.source.id);
    if (!task) throw notFound({ zh: "管控任务", en: "Control task" });
    if (!isWithin(actor.jurisdiction, task.regionCode)) throw forbidden("jurisdiction");
    if (input.people.length !== 1 || input.people[0]!.personId !== task.personId)
      throw invalid([
        {
          field: "people",
          code: "placement.task_person",
          message: {
            zh: "来返管控任务只安置该任务的当事人一人",
            en: "An arrival's control task places its own person, and only them",
          },
        },
      ]);
    sourceId = task.taskId;
    identifiedAt = task.createdAt;
    const d = readDecision(task.decision, packs);
    if (d.status !== "decided" || !hasIsolationDays(d.measures))
      throw noMeasures([
        {
          field: "source.id",
          code: "placement.no_measures",
          message:
            d.status === "decided"
              ? {
                  zh: "该来返人员的管控决定中没有隔离天数",
                  en: "The arrival's decision gives no days of isolation",
                }
              : d.reason,
        },
      ]);
    const p = input.people[0]!;
    const lastExposureAt = p.lastExposureAt ?? lastExposureOf(task.facts);
    decided.push({
      measures: d.measures,
      packId: d.pack.id,
      facts: {
        arrivalAt: task.arrivalAt.toISOString(),
        ...(lastExposureAt ? { lastExposureAt } : {}),
        placedAt: placedAt.toISOString(),
      },
    });
  } else {
    const riskAreas: RiskArea[] = await recordedRiskAreas(tx);
    const noMeasureFields: FieldError[] = [];
    input.people.forEach((p, i) => {
      const at = p.arrivalAt ?? placedAt.toISOString();
      const d = decideMeasures({
        facts: p.facts ?? {},
        arrivalAt: at,
        destinationRegion: site.regionCode,
        riskAreas,
        packs,
      });
      if (d.status !== "decided" || !hasIsolationDays(d.measures)) {
        noMeasureFields.push({
          field: `people.${i}.facts`,
          code: d.status === "decided" ? "placement.no_isolation" : `placement.${d.status}`,
          message:
            d.status === "decided"
              ? {
                  zh: `规则包 ${d.pack.id} 未给此人规定隔离天数（仅 ${Object.keys(d.measures).join("、")}）`,
                  en: `Pack ${d.pack.id} gives this person no days of isolation (only ${Object.keys(d.measures).join(", ")})`,
                }
              : d.reason,
        });
        return;
      }
      const lastExposureAt = p.lastExposureAt ?? lastExposureOf(p.facts);
      decided.push({
        measures: d.measures,
        packId: d.pack.id,
        facts: {
          ...(p.arrivalAt ? { arrivalAt: p.arrivalAt } : {}),
          ...(lastExposureAt ? { lastExposureAt } : {}),
          placedAt: placedAt.toISOString(),
        },
      });
    });
    if (noMeasureFields.length) {
      if (errors.length) throw invalid(errors);
      throw noMeasures(noMeasureFields);
    }
  }

  // The courses, and the site and room they go to.
  const courses: Course[] = [];
  decided.forEach((d, i) => {
    errors.push(
      ...checkSiteForMeasures(site.kind, d.measures).map((e) => ({ ...e, field: `people.${i}.siteId` })),
    );
    const c = schedule(d.measures, d.facts);
    if (!c.ok) errors.push(...c.errors.map((e) => ({ ...e, field: `people.${i}.${e.field}` })));
    else courses.push(c.value);
  });
  if (roomId !== null && continuation?.roomId === roomId) await lockRoom(tx, site.id, roomId);
  else if (roomId !== null) {
    const room = site.kind === "home" ? null : await findRoom(tx, site.id, roomId, true);
    const occupants = room ? await roomOccupants(tx, site.id, roomId) : 0;
    errors.push(
      ...checkRoom({
        siteKind: site.kind,
        room: room ? { number: room.number, type: room.type, state: room.state } : null,
        roomId,
        householdSize: input.people.length,
        occupants,
      }),
    );
  }
  if (errors.length) throw invalid(errors);

  const householdKey = continuation ? continuation.householdKey : input.people.length > 1 ? uuidv7() : null;
  const rows: PlacementRow[] = decided.map((d, i) => ({
    id: continuation?.id ?? uuidv7(),
    personId: input.people[i]!.personId,
    siteId: site.id,
    roomId,
    householdKey,
    sourceKind: kind,
    sourceId,
    identifiedAt,
    packId: d.packId,
    measures: d.measures,
    startFacts: d.facts,
    course: courses[i]!,
    status: "placed",
    placedAt,
    plannedEnd: plannedEndOf(courses[i]!),
    releasedAt: null,
    releaseKind: null,
    releaseReason: null,
    certificateId: null,
    endSiteId: null,
    nextPlacementId: null,
    createdBy: actor.userId,
    createdAt: ctx.now,
    updatedAt: ctx.now,
    version: 1,
  }));
  for (const r of rows) {
    await insertPlacement(tx, r);
    await recordAudit(tx, ctx, {
      action: "quarantine.place",
      entityType: "quarantine_placement",
      entityId: r.id,
      regionCode: site.regionCode,
      after: {
        personId: r.personId,
        siteId: r.siteId,
        roomId: r.roomId,
        householdKey: r.householdKey,
        source: { kind: r.sourceKind, id: r.sourceId },
        packId: r.packId,
        placedAt: r.placedAt,
        plannedEnd: r.plannedEnd,
      },
    });
  }
  return rows;
}

export interface PlacementSummary extends Omit<PlacementListRow, "documentNumber"> {
  documentNumberMasked: string;
}

/** A site's placements (placed, released, or all), newest first. */
export async function listSitePlacements(
  db: Db,
  ctx: RequestContext,
  f: { siteId: string; status?: "placed" | "released" | undefined },
): Promise<PlacementSummary[]> {
  const site = await siteOrThrow(db, f.siteId);
  access(ctx, "people.read", [site.regionCode]);
  return (await listPlacements(db, f)).map(({ documentNumber, ...r }) => ({
    ...r,
    documentNumberMasked: maskIdNumber(documentNumber),
  }));
}

type SampledResult = Pick<ResultRow, "sampledOn" | "outcome">;

const toResults = (rows: readonly SampledResult[]) =>
  rows.map((r) => ({ date: r.sampledOn, result: r.outcome }));

/** The release verdict for a placement on a day: decideRelease, plus an extension's later last day. */
function releaseVerdict(
  p: Pick<PlacementRow, "course" | "plannedEnd">,
  results: readonly SampledResult[],
  on: string,
): ReleaseDecision | null {
  const v = decideRelease(p.course, { on, results: toResults(results.filter((r) => r.sampledOn <= on)) });
  if (!v.ok) return null;
  const courseEnd = plannedEndOf(p.course);
  if (p.plannedEnd !== null && courseEnd !== null && p.plannedEnd > courseEnd && on < p.plannedEnd) {
    const extended = {
      code: "extended",
      message: {
        zh: `隔离已延长至 ${p.plannedEnd}`,
        en: `Quarantine was extended to ${p.plannedEnd}`,
      },
    };
    if (v.value.status === "releasable")
      return { status: "not_yet", stage: v.value.stage, met: v.value.met, unmet: [extended] };
    if (v.value.status === "not_yet") return { ...v.value, unmet: [...v.value.unmet, extended] };
  }
  return v.value;
}

export interface PlacementDetail {
  placement: PlacementRow;
  person: { id: string; name: string; documentNumberMasked: string };
  site: { id: string; name: string; kind: SiteKind; regionCode: string };
  room: { id: string; number: string } | null;
  transfer: TransferRow | null;
  results: ResultRow[];
  healthReports: HealthReportRow[];
  release: ReleaseDecision | null;
  loop: ClosedLoop;
  /** The designated hospital an ended placement went to. */
  endSite: { id: string; name: string } | null;
  /** The placement this one continues (an upgrade to close contact ended it). */
  previousPlacementId: string | null;
  /** Placed as a secondary contact (`checkUpgrade`): may be upgraded to close contact. */
  upgradable: boolean;
}

/** A placement with its person, site, room, transfer, results, health reports, today's release verdict and closed loop. */
export async function placementDetail(
  db: Db,
  ctx: RequestContext,
  id: string,
  packs: readonly LoadedPack[] = [],
): Promise<PlacementDetail> {
  const { p, site } = await placementFor(db, ctx, id, "people.read");
  const [person, room, transfer, results, healthReports, endSite, previousPlacementId] = await Promise.all([
    personBrief(db, p.personId),
    p.roomId ? findRoom(db, p.siteId, p.roomId) : Promise.resolve(null),
    findTransfer(db, p.personId, p.id),
    resultsOf(db, p.personId, p.id),
    reportsOfPlacement(db, p.personId, p.id),
    p.endSiteId ? findSite(db, p.endSiteId) : Promise.resolve(null),
    previousPlacement(db, p.personId, p.id),
  ]);
  const on = p.releasedAt ? dayOf(p.releasedAt) : today(ctx);
  return {
    placement: p,
    person: {
      id: person!.id,
      name: person!.name,
      documentNumberMasked: maskIdNumber(person!.documentNumber),
    },
    site: { id: site.id, name: site.name, kind: site.kind, regionCode: site.regionCode },
    room: room ? { id: room.id, number: room.number } : null,
    transfer,
    results,
    healthReports,
    release: p.status === "placed" ? releaseVerdict(p, results, on) : null,
    loop: closedLoop(p.identifiedAt, transfer?.arrivedAt ?? null),
    endSite: endSite && { id: endSite.id, name: endSite.name },
    previousPlacementId,
    upgradable: p.status === "placed" && checkUpgrade(p.measures, packOf(packs, p.packId)).ok,
  };
}

/** Free rooms of a site for a household of N, kept together, as the site's kind allows. */
export async function roomSuggestions(
  db: Db,
  ctx: RequestContext,
  siteId: string,
  people: number,
): Promise<Suggestions> {
  const site = await siteOrThrow(db, siteId);
  access(ctx, "quarantine.place", [site.regionCode]);
  const v = suggestRooms(site.kind, await roomsOf(db, siteId), people);
  if (!v.ok) throw invalid(v.errors);
  return v.value;
}

/** Records (or corrects) the closed-loop transfer; audited `quarantine.transfer` with before and after. */
export async function recordTransfer(
  db: Db,
  ctx: RequestContext,
  id: string,
  input: { vehicle: string; escort: string; pickedUpAt: string; arrivedAt?: string | null | undefined },
): Promise<TransferRow> {
  const actor = requireActor(ctx);
  return db.transaction(async (tx) => {
    const { p, site } = await placementFor(tx, ctx, id, "quarantine.place", true);
    const t: TransferRow = {
      personId: p.personId,
      placementId: p.id,
      vehicle: input.vehicle.trim(),
      escort: input.escort.trim(),
      pickedUpAt: new Date(input.pickedUpAt),
      arrivedAt: input.arrivedAt ? new Date(input.arrivedAt) : null,
      recordedBy: actor.userId,
      recordedAt: ctx.now,
    };
    const errors = checkTransfer(t, ctx.now);
    if (!t.vehicle)
      errors.push({
        field: "vehicle",
        code: "transfer.required",
        message: { zh: "请填写车辆", en: "Give the vehicle" },
      });
    if (!t.escort)
      errors.push({
        field: "escort",
        code: "transfer.required",
        message: { zh: "请填写随车人员", en: "Give the escort" },
      });
    if (errors.length) throw invalid(errors);
    const before = await findTransfer(tx, p.personId, p.id);
    await upsertTransfer(tx, t);
    await recordAudit(tx, ctx, {
      action: "quarantine.transfer",
      entityType: "quarantine_placement",
      entityId: p.id,
      regionCode: site.regionCode,
      before: before && {
        vehicle: before.vehicle,
        escort: before.escort,
        pickedUpAt: before.pickedUpAt,
        arrivedAt: before.arrivedAt,
      },
      after: {
        vehicle: t.vehicle,
        escort: t.escort,
        pickedUpAt: t.pickedUpAt,
        arrivedAt: t.arrivedAt,
        loop: closedLoop(p.identifiedAt, t.arrivedAt),
      },
    });
    return t;
  });
}

/**
 * Records a test result (manual entry with a lab reference); a second result for the same day and
 * sample corrects the first. The date must be a day the person was there. Audited `quarantine.result`.
 */
export async function recordResult(
  db: Db,
  ctx: RequestContext,
  id: string,
  input: {
    sampledOn: string;
    sample: ResultRow["sample"];
    outcome: ResultRow["outcome"];
    labReference: string;
  },
): Promise<ResultRow> {
  const actor = requireActor(ctx);
  return db.transaction(async (tx) => {
    const { p, site } = await placementFor(tx, ctx, id, "quarantine.place", true);
    const errors = checkSampleDate(
      {
        placedOn: dayOf(p.placedAt),
        releasedOn: p.releasedAt ? dayOf(p.releasedAt) : null,
        today: today(ctx),
      },
      input.sampledOn,
    );
    if (!input.labReference.trim())
      errors.push({
        field: "labReference",
        code: "result.lab_reference_required",
        message: { zh: "请填写检测机构报告编号", en: "Give the lab's report reference" },
      });
    if (errors.length) throw invalid(errors);
    const before = await findResult(tx, p.personId, p.id, input.sampledOn, input.sample);
    const row: ResultRow = {
      personId: p.personId,
      placementId: p.id,
      id: before?.id ?? uuidv7(),
      sampledOn: input.sampledOn,
      sample: input.sample,
      outcome: input.outcome,
      labReference: input.labReference.trim(),
      recordedBy: actor.userId,
      recordedAt: ctx.now,
    };
    await upsertResult(tx, row);
    await recordAudit(tx, ctx, {
      action: "quarantine.result",
      entityType: "quarantine_placement",
      entityId: p.id,
      regionCode: site.regionCode,
      before: before && {
        sampledOn: before.sampledOn,
        sample: before.sample,
        outcome: before.outcome,
        labReference: before.labReference,
      },
      after: {
        sampledOn: row.sampledOn,
        sample: row.sample,
        outcome: row.outcome,
        labReference: row.labReference,
      },
    });
    return row;
  });
}

/** A new last exposure given with its reason: the reason is required, the exposure not in the future. */
function newExposureErrors(
  input: { reason: string; lastExposureAt: string },
  now: Date,
  reasonRequired: Message,
): FieldError[] {
  const errors: FieldError[] = [];
  if (!input.reason.trim())
    errors.push({ field: "reason", code: "placement.reason_required", message: reasonRequired });
  if (Date.parse(input.lastExposureAt) > now.getTime())
    errors.push({
      field: "lastExposureAt",
      code: "exposure.in_future",
      message: { zh: "末次暴露时间不能晚于现在", en: "The last exposure is in the future" },
    });
  return errors;
}

/**
 * A changed last exposure (e.g. the case's timeline was corrected): the course is rescheduled from it
 * and the answer says what moved and why. Audited `quarantine.exposure` with before and after.
 */
export async function changeExposure(
  db: Db,
  ctx: RequestContext,
  id: string,
  input: { lastExposureAt: string; reason: string },
): Promise<{ placement: PlacementRow; changes: Message[] }> {
  return db.transaction(async (tx) => {
    const { p, site } = await placementFor(tx, ctx, id, "quarantine.place", true);
    if (p.status !== "placed") throw notPlaced(p);
    const errors = newExposureErrors(input, ctx.now, {
      zh: "更改末次暴露时间须说明原因",
      en: "Changing the last exposure needs a reason",
    });
    if (errors.length) throw invalid(errors);
    const r = reschedule(p.course, { lastExposureAt: input.lastExposureAt });
    if (!r.ok) throw invalid(r.errors);
    const courseEnd = plannedEndOf(r.value.course);
    const oldCourseEnd = plannedEndOf(p.course);
    // An extension beyond the old course stays, unless the new course ends later still.
    const extended = p.plannedEnd !== null && oldCourseEnd !== null && p.plannedEnd > oldCourseEnd;
    const plannedEnd = extended && courseEnd !== null && p.plannedEnd! > courseEnd ? p.plannedEnd : courseEnd;
    const next: PlacementRow = {
      ...p,
      startFacts: { ...p.startFacts, lastExposureAt: input.lastExposureAt },
      course: r.value.course,
      plannedEnd,
      updatedAt: ctx.now,
      version: p.version + 1,
    };
    await updatePlacement(tx, next);
    await recordAudit(tx, ctx, {
      action: "quarantine.exposure",
      entityType: "quarantine_placement",
      entityId: p.id,
      regionCode: site.regionCode,
      before: {
        lastExposureAt: p.startFacts.lastExposureAt ?? null,
        plannedEnd: p.plannedEnd,
        tests: p.course.appointments.map((a) => a.date),
      },
      after: {
        lastExposureAt: input.lastExposureAt,
        plannedEnd,
        tests: r.value.course.appointments.map((a) => a.date),
        reason: input.reason.trim(),
        changes: r.value.changes,
      },
    });
    return { placement: next, changes: r.value.changes };
  });
}

/**
 * Writes a placement that ends (released, to hospital, or moved on by an upgrade) and leaves its room:
 * the room is stored as cleaning once its last occupant has left. The room's lock is taken first: two
 * people of one room leaving at once would each still see the other. Returns the room's new stored state.
 */
async function leaveRoom(
  tx: Queryable,
  ctx: RequestContext,
  p: PlacementRow,
  next: PlacementRow,
): Promise<RoomState | null> {
  if (p.roomId) await lockRoom(tx, p.siteId, p.roomId);
  await updatePlacement(tx, next);
  if (p.roomId && (await roomOccupants(tx, p.siteId, p.roomId)) === 0) {
    await setRoomState(tx, p.siteId, p.roomId, "cleaning", null, ctx.now);
    return "cleaning";
  }
  return null;
}

/**
 * Release: on schedule when decideRelease says releasable (anyone with `quarantine.place`), early
 * with a reason (`quarantine.override`). Sets the certificate id; the room goes to cleaning once its
 * last occupant has left. Audited `quarantine.release`.
 */
export async function releasePlacement(
  db: Db,
  ctx: RequestContext,
  id: string,
  input: { kind: "on_schedule" | "early"; reason?: string | null | undefined; at?: string | undefined },
): Promise<PlacementRow> {
  return db.transaction(async (tx) => {
    const { p, site } = await placementFor(
      tx,
      ctx,
      id,
      input.kind === "early" ? "quarantine.override" : "quarantine.place",
      true,
    );
    if (p.status !== "placed") throw notPlaced(p);
    const at = input.at ? new Date(input.at) : ctx.now;
    const errors = checkReleaseTime(p.placedAt, at, ctx.now, input.kind, input.reason);
    if (errors.length) throw invalid(errors);
    const results = await resultsOf(tx, p.personId, p.id);
    const verdict = releaseVerdict(p, results, dayOf(at));
    if (input.kind === "on_schedule") {
      if (!verdict)
        throw invalid([
          {
            field: "at",
            code: "release.invalid",
            message: { zh: "无法按此日期判定解除", en: "Release cannot be decided for this date" },
          },
        ]);
      if (verdict.status === "positive" || verdict.status === "upgrade_to_close_contact")
        throw new AppError(409, `release.${verdict.status}`, verdict.reason);
      if (verdict.status === "not_yet")
        throw new AppError(
          409,
          "release.conditions_unmet",
          {
            zh: `尚不能按期解除：${verdict.unmet.map((u) => u.message.zh).join("；")}`,
            en: `Not releasable on schedule yet: ${verdict.unmet.map((u) => u.message.en).join("; ")}`,
          },
          verdict.unmet.map((u) => ({ field: "conditions", code: u.code, message: u.message })),
        );
    }
    const next: PlacementRow = {
      ...p,
      status: "released",
      releasedAt: at,
      releaseKind: input.kind,
      releaseReason: input.reason?.trim() || null,
      certificateId: uuidv4(),
      updatedAt: ctx.now,
      version: p.version + 1,
    };
    const roomState = await leaveRoom(tx, ctx, p, next);
    await recordAudit(tx, ctx, {
      action: "quarantine.release",
      entityType: "quarantine_placement",
      entityId: p.id,
      regionCode: site.regionCode,
      before: { status: p.status, plannedEnd: p.plannedEnd },
      after: {
        status: next.status,
        kind: input.kind,
        at,
        reason: next.releaseReason,
        certificateId: next.certificateId,
        roomState,
        verdict:
          verdict === null
            ? null
            : verdict.status === "releasable" || verdict.status === "not_yet"
              ? { status: verdict.status, unmet: verdict.status === "not_yet" ? verdict.unmet : [] }
              : { status: verdict.status },
      },
    });
    return next;
  });
}

/**
 * Transfer to a designated hospital (定点医院; seed 000: a positive person is moved there by closed-loop
 * transfer). Allowed with `quarantine.place` when the person has a positive result in this placement;
 * otherwise only with a reason and `quarantine.override`. The hospital must be a designated hospital
 * inside the caller's jurisdiction. Ends the placement (`ended`, `to_hospital`, the hospital in
 * `endSiteId`), issues no certificate, and leaves the room as release does. Audited `quarantine.to_hospital`.
 */
export async function transferToHospital(
  db: Db,
  ctx: RequestContext,
  id: string,
  input: { hospitalSiteId: string; at?: string | undefined; reason?: string | null | undefined },
): Promise<PlacementRow> {
  const actor = requireActor(ctx);
  return db.transaction(async (tx) => {
    const { p, site } = await placementFor(tx, ctx, id, "quarantine.place", true);
    if (p.status !== "placed") throw notPlaced(p);
    const at = input.at ? new Date(input.at) : ctx.now;
    const positives = (await resultsOf(tx, p.personId, p.id)).filter(
      (r) => r.outcome === "positive" && r.sampledOn <= dayOf(at),
    );
    // Without a positive result this is an override, as early release is: the permission first (403).
    if (!positives.length) access(ctx, "quarantine.override", [site.regionCode]);
    const hospital = await findSite(tx, input.hospitalSiteId);
    const errors = [
      ...checkHospital(hospital, actor.jurisdiction),
      ...checkToHospital({
        placedAt: p.placedAt,
        at,
        now: ctx.now,
        positive: positives.length > 0,
        reason: input.reason,
      }),
    ];
    if (errors.length || !hospital) throw invalid(errors);
    const next: PlacementRow = {
      ...p,
      status: "ended",
      releasedAt: at,
      releaseKind: "to_hospital",
      releaseReason: input.reason?.trim() || null,
      endSiteId: hospital.id,
      updatedAt: ctx.now,
      version: p.version + 1,
    };
    const roomState = await leaveRoom(tx, ctx, p, next);
    await recordAudit(tx, ctx, {
      action: "quarantine.to_hospital",
      entityType: "quarantine_placement",
      entityId: p.id,
      regionCode: site.regionCode,
      before: { status: p.status, plannedEnd: p.plannedEnd },
      after: {
        status: next.status,
        at,
        hospital: { id: hospital.id, name: hospital.name, regionCode: hospital.regionCode },
        positiveResults: positives.map((r) => ({ sampledOn: r.sampledOn, labReference: r.labReference })),
        override: positives.length === 0,
        reason: next.releaseReason,
        roomState,
      },
    });
    return next;
  });
}

/** A placement's pack by id, as `checkUpgrade` reads it. */
function packOf(packs: readonly LoadedPack[], id: string | null) {
  const loaded = id ? packs.find((l) => l.pack.id === id) : undefined;
  return loaded ? { id: loaded.pack.id, rules: loaded.pack.rules } : null;
}

export interface UpgradeInput {
  lastExposureAt: string;
  reason: string;
  /** Another site (and room) for the close contact's course; by default the same site and room. */
  siteId?: string | undefined;
  roomId?: string | null | undefined;
}

export interface Upgrade {
  ended: PlacementRow;
  placement: PlacementRow;
  changes: {
    plannedEnd: { before: string | null; after: string | null };
    tests: { before: string[]; after: string[] };
    messages: Message[];
  };
}

const testDays = (c: Course) => c.appointments.filter((a) => !a.beforePlacement).map((a) => a.date);

/**
 * Upgrade of a secondary contact to close contact (9th edition: the linked close contact was positive in
 * their first two tests). Only for a placement whose measures came from a secondary-contact rule of its
 * pack (`checkUpgrade`). Ends it (`ended`, `upgraded`) and places the person again as a close contact
 * with the given last exposure, under the pack in force — `place`'s own path, in the same transaction —
 * at the same site and room unless another is given. Audited `quarantine.upgrade` (and the new
 * placement `quarantine.place`).
 */
export async function upgradeToCloseContact(
  db: Db,
  ctx: RequestContext,
  packs: readonly LoadedPack[],
  id: string,
  input: UpgradeInput,
): Promise<Upgrade> {
  return db.transaction(async (tx) => {
    const { p, site } = await placementFor(tx, ctx, id, "quarantine.place", true);
    if (p.status !== "placed") throw notPlaced(p);
    const up = checkUpgrade(p.measures, packOf(packs, p.packId));
    if (!up.ok) throw new AppError(409, up.errors[0]!.code, up.errors[0]!.message, up.errors);
    const errors = newExposureErrors(input, ctx.now, {
      zh: "升级为密接须说明原因",
      en: "An upgrade to close contact needs a reason",
    });
    if (errors.length) throw invalid(errors);
    const target = input.siteId && input.siteId !== p.siteId ? await siteOrThrow(tx, input.siteId) : site;
    if (target !== site) access(ctx, "quarantine.place", [target.regionCode]);
    const stays = target === site && (input.roomId === undefined || input.roomId === p.roomId);
    const nextId = uuidv7();
    const ended: PlacementRow = {
      ...p,
      status: "ended",
      releasedAt: ctx.now,
      releaseKind: "upgraded",
      releaseReason: input.reason.trim(),
      nextPlacementId: nextId,
      updatedAt: ctx.now,
      version: p.version + 1,
    };
    // Staying in the room: it stays theirs (placing locks it). Moving: it is left as on release.
    let roomState: RoomState | null = null;
    if (stays) await updatePlacement(tx, ended);
    else roomState = await leaveRoom(tx, ctx, p, ended);
    // `place`'s refusals name the person's fields (`people.0.siteId`); here there is one person.
    const unprefixed = (e: unknown) =>
      e instanceof AppError && e.fields
        ? new AppError(
            e.status,
            e.code,
            e.msg,
            e.fields.map((f) => ({ ...f, field: f.field.replace(/^people\.0\./, "") })),
          )
        : e;
    const [next] = await placeWithin(
      tx,
      ctx,
      packs,
      target,
      {
        siteId: target.id,
        roomId: stays ? p.roomId : (input.roomId ?? null),
        identifiedAt: ctx.now.toISOString(),
        people: [
          {
            personId: p.personId,
            lastExposureAt: input.lastExposureAt,
            facts: { contacts: [{ kind: "close", lastExposureAt: input.lastExposureAt }] },
          },
        ],
      },
      { id: nextId, roomId: stays ? p.roomId : null, householdKey: stays ? p.householdKey : null },
    ).catch((e: unknown) => {
      throw unprefixed(e);
    });
    const placement = next!;
    const before = { plannedEnd: p.plannedEnd, tests: testDays(p.course) };
    const after = { plannedEnd: placement.plannedEnd, tests: testDays(placement.course) };
    const none = { zh: "无", en: "none" };
    const messages: Message[] = [
      {
        zh: `由密接的密接（${up.value.ruleId}）升级为密切接触者，按规则包 ${placement.packId} 重新安置，末次暴露 ${dayOf(new Date(input.lastExposureAt))}`,
        en: `Upgraded from secondary contact (${up.value.ruleId}) to close contact, placed again under pack ${placement.packId}, last exposure ${dayOf(new Date(input.lastExposureAt))}`,
      },
      {
        zh: `计划解除日期：${before.plannedEnd ?? none.zh} → ${after.plannedEnd ?? none.zh}`,
        en: `Planned end: ${before.plannedEnd ?? none.en} → ${after.plannedEnd ?? none.en}`,
      },
      {
        zh: `检测日：${before.tests.join("、") || none.zh} → ${after.tests.join("、") || none.zh}`,
        en: `Test days: ${before.tests.join(", ") || none.en} → ${after.tests.join(", ") || none.en}`,
      },
    ];
    if (target !== site)
      messages.push({
        zh: `安置地点：${site.name} → ${target.name}`,
        en: `Site: ${site.name} → ${target.name}`,
      });
    await recordAudit(tx, ctx, {
      action: "quarantine.upgrade",
      entityType: "quarantine_placement",
      entityId: p.id,
      regionCode: site.regionCode,
      before: { status: p.status, packId: p.packId, ruleId: up.value.ruleId, ...before },
      after: {
        status: ended.status,
        nextPlacementId: nextId,
        siteId: placement.siteId,
        roomId: placement.roomId,
        packId: placement.packId,
        lastExposureAt: input.lastExposureAt,
        reason: ended.releaseReason,
        roomState,
        ...after,
      },
    });
    return {
      ended,
      placement,
      changes: {
        plannedEnd: { before: before.plannedEnd, after: after.plannedEnd },
        tests: { before: before.tests, after: after.tests },
        messages,
      },
    };
  });
}

/** Extends the isolation to a later last day, with a reason (`quarantine.override`); audited `quarantine.extend`. */
export async function extendPlacement(
  db: Db,
  ctx: RequestContext,
  id: string,
  input: { plannedEnd: string; reason: string },
): Promise<PlacementRow> {
  return db.transaction(async (tx) => {
    const { p, site } = await placementFor(tx, ctx, id, "quarantine.override", true);
    if (p.status !== "placed") throw notPlaced(p);
    const errors = checkExtension(p.plannedEnd, input);
    if (errors.length) throw invalid(errors);
    const next: PlacementRow = {
      ...p,
      plannedEnd: input.plannedEnd,
      updatedAt: ctx.now,
      version: p.version + 1,
    };
    await updatePlacement(tx, next);
    await recordAudit(tx, ctx, {
      action: "quarantine.extend",
      entityType: "quarantine_placement",
      entityId: p.id,
      regionCode: site.regionCode,
      before: { plannedEnd: p.plannedEnd },
      after: { plannedEnd: input.plannedEnd, reason: input.reason.trim() },
    });
    return next;
  });
}

export interface DayEntry {
  placementId: string;
  personId: string;
  personName: string;
  roomNumber: string | null;
  plannedEnd: string | null;
}

export interface SiteDay {
  date: string;
  dueTests: (DayEntry & DueTest)[];
  missedTests: (DayEntry & DueTest)[];
  releasable: (DayEntry & { message: Message })[];
}

/**
 * Stored courses read so far, by id. A stored course never changes (its id is the hash of its text), so
 * each is read and parsed once per process, however many placements and sites follow it.
 */
const courseCache = new Map<string, StoredCourse>();
const COURSE_CACHE_MAX = 20_000;

/** The stored courses the rows follow, each distinct course read once (none again once cached). */
async function coursesOf(q: Queryable, rows: readonly DayRow[]): Promise<Map<string, StoredCourse>> {
  const out = new Map<string, StoredCourse>();
  const missing = new Set<string>();
  for (const r of rows) {
    if (out.has(r.courseId) || missing.has(r.courseId)) continue;
    const c = courseCache.get(r.courseId);
    if (c) out.set(r.courseId, c);
    else missing.add(r.courseId);
  }
  if (missing.size) {
    const read = await storedCourses(q, [...missing]);
    if (courseCache.size + read.length > COURSE_CACHE_MAX) courseCache.clear();
    for (const { id, course } of read) {
      courseCache.set(id, course);
      out.set(id, course);
    }
  }
  return out;
}

/**
 * Release verdicts of the day's lists, by stored course, planned end, day and results (each result's
 * date and outcome up to the day, in order). The verdict depends on nothing else: `decideRelease` reads
 * the course's dates, phases, appointments and release conditions — all in the stored course, none in
 * the facts put back per person — so people of one course with the same results share it.
 */
const verdictCache = new Map<string, ReleaseDecision | null>();
const VERDICT_CACHE_MAX = 100_000;

function dayVerdict(
  row: DayRow,
  stored: StoredCourse,
  results: readonly DayResultRow[],
  on: string,
): ReleaseDecision | null {
  let key = `${row.courseId}|${row.plannedEnd}|${on}`;
  for (const r of results) if (r.sampledOn <= on) key += `|${r.sampledOn}:${r.outcome}`;
  if (verdictCache.has(key)) return verdictCache.get(key)!;
  const course = courseFrom(stored, JSON.parse(row.startFacts!) as StartFacts);
  const v = releaseVerdict({ course, plannedEnd: row.plannedEnd }, results, on);
  if (verdictCache.size >= VERDICT_CACHE_MAX) verdictCache.clear();
  verdictCache.set(key, v);
  return v;
}

const NO_RESULTS: readonly DayResultRow[] = [];

/** A result of the day as its list shows it (the day's results are read with their sample and lab reference). */
function dayResult(r: DayResultRow): DayResult {
  if (r.sample === null || r.labReference === null)
    throw new Error(`result of ${r.sampledOn} read without its sample or lab reference`);
  return { sampledOn: r.sampledOn, sample: r.sample, outcome: r.outcome, labReference: r.labReference };
}

/**
 * The day's lists of sites' placed people, computed from stored courses and results (no recomputation):
 * the tests of each placement's course, and the release verdict of the whole course (with its measures
 * and facts) for release candidates.
 */
export function dayLists(
  rows: readonly DayRow[],
  courses: ReadonlyMap<string, StoredCourse>,
  results: Map<string, DayResultRow[]>,
  date: string,
): SiteDay {
  const out: SiteDay = { date, dueTests: [], missedTests: [], releasable: [] };
  for (const row of rows) {
    const stored = courses.get(row.courseId);
    if (!stored) throw new Error(`placement ${row.id}: course ${row.courseId} not found`);
    const rs = results.get(row.id) ?? NO_RESULTS;
    const { due, missed } = testsOfDay(stored.appointments, rs, date);
    // Each entry written out whole (one object shape for every entry of a list: a city's morning report
    // builds ~80,000 of them).
    for (const d of due)
      out.dueTests.push({
        placementId: row.id,
        personId: row.personId,
        personName: row.personName,
        roomNumber: row.roomNumber,
        plannedEnd: row.plannedEnd,
        date: d.date,
        dayNumber: d.dayNumber,
        phase: d.phase,
        sample: d.sample,
        result: d.result && dayResult(d.result),
      });
    for (const m of missed)
      out.missedTests.push({
        placementId: row.id,
        personId: row.personId,
        personName: row.personName,
        roomNumber: row.roomNumber,
        plannedEnd: row.plannedEnd,
        date: m.date,
        dayNumber: m.dayNumber,
        phase: m.phase,
        sample: m.sample,
        result: null,
      });
    if (row.startFacts !== null) {
      const v = dayVerdict(row, stored, rs, date);
      if (v?.status === "releasable")
        out.releasable.push({
          placementId: row.id,
          personId: row.personId,
          personName: row.personName,
          roomNumber: row.roomNumber,
          plannedEnd: row.plannedEnd,
          message: metMessage(v),
        });
    }
  }
  return out;
}

/** The conditions a releasable verdict met, as one message (kept per verdict: verdicts are shared). */
const metMessages = new WeakMap<ReleaseDecision, Message>();
function metMessage(v: Extract<ReleaseDecision, { status: "releasable" }>): Message {
  let m = metMessages.get(v);
  if (!m) {
    m = { zh: v.met.map((c) => c.message.zh).join("；"), en: v.met.map((c) => c.message.en).join("; ") };
    metMessages.set(v, m);
  }
  return m;
}

/** A site's day: tests due (with results), tests missed before it, people releasable that day. */
export async function siteToday(
  db: Db,
  ctx: RequestContext,
  siteId: string,
  date: string | undefined,
): Promise<SiteDay> {
  const site = await siteOrThrow(db, siteId);
  access(ctx, "people.read", [site.regionCode]);
  const on = date ?? today(ctx);
  const [rows, results] = await Promise.all([
    placedAtSite(db, [siteId], on),
    resultsAtSites(db, [siteId], on),
  ]);
  return dayLists(rows, await coursesOf(db, rows), results, on);
}

/**
 * The day's lists of many sites at once (a county's morning report, or every site of a city): the same
 * lists as `siteToday`, read with two queries (run side by side) per group of sites instead of two per
 * site. Measured on 500 sites of 200 people (docs/benchmarks.md): one group reads each table once, where
 * groups of 100 read the placements' pages again for each group.
 */
export async function sitesToday(
  db: Db,
  ctx: RequestContext,
  siteIds: readonly string[],
  date: string | undefined,
  groupSize = 1000,
): Promise<Map<string, SiteDay>> {
  const on = date ?? today(ctx);
  const sites = (
    await db.query<{ id: string; regionCode: string }>(
      `SELECT id, region_code AS "regionCode" FROM quarantine_sites WHERE id = ANY($1::uuid[])`,
      [siteIds],
    )
  ).rows;
  if (sites.length !== new Set(siteIds).size) throw notFound(SITE);
  for (const s of sites) access(ctx, "people.read", [s.regionCode]);
  return listsOfSites(db, siteIds, on, groupSize);
}

/** The day's lists of sites the caller may read (checked by the caller), two queries per group. */
async function listsOfSites(
  db: Db,
  siteIds: readonly string[],
  on: string,
  groupSize = 1000,
): Promise<Map<string, SiteDay>> {
  const out = new Map<string, SiteDay>();
  for (let i = 0; i < siteIds.length; i += groupSize) {
    const group = siteIds.slice(i, i + groupSize);
    const [rows, results] = await Promise.all([placedAtSite(db, group, on), resultsAtSites(db, group, on)]);
    const courses = await coursesOf(db, rows);
    const bySite = new Map<string, DayRow[]>(group.map((id) => [id, []]));
    for (const r of rows) bySite.get(r.siteId)!.push(r);
    for (const [id, list] of bySite) out.set(id, dayLists(list, courses, results, on));
  }
  return out;
}

export interface RegionDay {
  date: string;
  sites: {
    siteId: string;
    name: string;
    kind: SiteKind;
    regionCode: string;
    dueTests: number;
    dueWithResult: number;
    missedTests: number;
    releasable: number;
  }[];
}

/**
 * The morning report of a region (the caller's jurisdiction by default): for every site in it, the day's
 * tests due (and how many already have a result), tests missed and people releasable — `sitesToday`'s
 * lists, counted; each site's own list is `siteToday`.
 */
export async function regionToday(
  db: Db,
  ctx: RequestContext,
  regionCode: string | undefined,
  date: string | undefined,
): Promise<RegionDay> {
  const actor = requireActor(ctx);
  const scope = regionCode ?? actor.jurisdiction;
  access(ctx, "people.read", [scope]);
  const on = date ?? today(ctx);
  const sites = await listSites(db, { regionPrefix: subtreePrefix(scope) });
  // Every site listed lies inside `scope`, which the caller may read: no second look at the sites.
  const days = await listsOfSites(
    db,
    sites.map((s) => s.id),
    on,
  );
  return {
    date: on,
    sites: sites.map((s) => {
      const d = days.get(s.id)!;
      return {
        siteId: s.id,
        name: s.name,
        kind: s.kind,
        regionCode: s.regionCode,
        dueTests: d.dueTests.length,
        dueWithResult: d.dueTests.filter((t) => t.result).length,
        missedTests: d.missedTests.length,
        releasable: d.releasable.length,
      };
    }),
  };
}

export interface Board {
  site: { id: string; name: string; kind: SiteKind; regionCode: string };
  rooms: {
    id: string;
    number: string;
    type: RoomType;
    state: RoomState;
    occupants: { placementId: string; personName: string; since: Date; plannedEnd: string | null }[];
  }[];
}

/** The room board: every room with its state and who is in it. */
export async function siteBoard(db: Db, ctx: RequestContext, siteId: string): Promise<Board> {
  const site = await siteOrThrow(db, siteId);
  access(ctx, "people.read", [site.regionCode]);
  const [rooms, occupants] = await Promise.all([roomsOf(db, siteId), occupantsOf(db, siteId)]);
  const byRoom = new Map<string, Board["rooms"][number]["occupants"]>();
  for (const o of occupants) {
    const list = byRoom.get(o.roomId) ?? [];
    list.push({
      placementId: o.placementId,
      personName: o.personName,
      since: o.placedAt,
      plannedEnd: o.plannedEnd,
    });
    byRoom.set(o.roomId, list);
  }
  return {
    site: { id: site.id, name: site.name, kind: site.kind, regionCode: site.regionCode },
    rooms: rooms.map((r) => ({
      id: r.id,
      number: r.number,
      type: r.type,
      state: r.state,
      occupants: byRoom.get(r.id) ?? [],
    })),
  };
}
