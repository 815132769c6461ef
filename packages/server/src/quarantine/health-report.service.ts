import { decideAccess } from "@cordon/domain/accounts/roles";
import {
  type Alert,
  assessReport,
  DEFAULT_CUTOFFS,
  FEVER_THRESHOLD_C,
  type MissingReport,
  missingReports,
  type MonitoringOptions,
} from "@cordon/domain/quarantine/monitoring";
import { type Course, courseSpan } from "@cordon/domain/quarantine/schedule";
import { structuralAncestors } from "@cordon/domain/regions/region-code";
import type { FieldError } from "@cordon/domain/shared/result";
import { isDate, shanghaiDateOf, shanghaiDayStart } from "@cordon/domain/shared/shanghai-time";
import { v7 as uuidv7 } from "uuid";
import { recordAudit } from "../audit/audit.service.ts";
import type { Db } from "../db/db.ts";
import { type RequestContext, requireActor } from "../http/context.ts";
import { AppError, forbidden, invalid, notFound } from "../http/errors.ts";
import { findPerson } from "../people/person.repository.ts";
import {
  currentPlacementIdOf,
  findReportPlacement,
  findReportPlacements,
  type HealthReportRow,
  insertHealthReports,
  myCurrentPlacement,
  placementsOfSiteBetween,
  type ReportPlacement,
  reportsOfPlacement,
  reportsOfSiteBetween,
} from "./health-report.repository.ts";
import { findSite } from "./site.repository.ts";
import { SITE } from "./site.service.ts";

/**
 * The monitoring settings in force: the domain's defaults (fever at 37.3 °C, glossary.md; every
 * checklist symptom alerts; readings outside 34–43 °C refused). There is no settings table: a
 * deployment that needs another threshold passes its own options to the routes (`monitoring`).
 */
export const HEALTH_MONITORING: MonitoringOptions = { feverThresholdC: FEVER_THRESHOLD_C };

export const PLACEMENT = { zh: "隔离安置记录", en: "Quarantine placement" };
const DAY = 86_400_000;
/** Most reports a batch may carry (all or nothing, one transaction). */
export const MAX_BATCH = 1000;

/** A report as the API receives it. */
export interface ReportInput {
  at?: string | undefined;
  temperatureC: number;
  symptoms: readonly string[];
}

export interface StoredReport {
  report: HealthReportRow;
  alerts: Alert[];
}

/** A refused report: the platform's validation error (422), field by field. */
const refused = (fields: FieldError[]) => invalid(fields);

const notPlaced = () =>
  new AppError(409, "health_report.not_placed", {
    zh: "该人员不在隔离中（已解除或已结束），不能再报告体温和症状",
    en: "This person is no longer in quarantine (released or ended): no more reports can be recorded",
  });

function access(ctx: RequestContext, regionCode: string) {
  const d = decideAccess(requireActor(ctx), "quarantine.place", [regionCode]);
  if (!d.allowed) throw forbidden(d.reason);
}

/**
 * Checks and assesses one report for a placement: a plausible temperature (assessReport), known
 * symptoms, a time neither in the future nor before the person was placed. Returns the row to store,
 * or the field errors (prefixed, for a batch).
 */
function prepare(
  ctx: RequestContext,
  placement: ReportPlacement,
  input: ReportInput,
  reportedBy: HealthReportRow["reportedBy"],
  options: MonitoringOptions,
  prefix: string,
): { ok: true; row: HealthReportRow } | { ok: false; errors: FieldError[] } {
  const at = input.at ?? ctx.now.toISOString();
  // Stored to a tenth of a degree (numeric(3,1)): the alert is raised on the value that is kept.
  const temperatureC = Math.round(input.temperatureC * 10) / 10;
  const symptoms = [...new Set(input.symptoms)];
  const v = assessReport({ personId: placement.personId, at, temperatureC, symptoms }, options);
  const errors: FieldError[] = v.ok ? [] : [...v.errors];
  const t = Date.parse(at);
  if (v.ok || !errors.some((e) => e.field === "at")) {
    if (t > ctx.now.getTime())
      errors.push({
        field: "at",
        code: "report.in_future",
        message: {
          zh: `报告时间 ${at} 晚于当前时间，不能预先报告`,
          en: `The report time ${at} is in the future: reports cannot be entered ahead`,
        },
      });
    else if (t < placement.placedAt.getTime())
      errors.push({
        field: "at",
        code: "report.before_placement",
        message: {
          zh: `报告时间 ${at} 早于入住隔离时间 ${placement.placedAt.toISOString()}：此时该人员尚未在此隔离`,
          en: `The report time ${at} is before the placement (${placement.placedAt.toISOString()}): the person was not there yet`,
        },
      });
  }
  if (errors.length)
    return { ok: false, errors: errors.map((e) => ({ ...e, field: `${prefix}${e.field}` })) };
  return {
    ok: true,
    row: {
      personId: placement.personId,
      placementId: placement.id,
      id: uuidv7(),
      reportedAt: new Date(t),
      temperatureC,
      symptoms,
      reportedBy,
      recordedBy: requireActor(ctx).userId,
      alerts: v.ok ? v.value : [],
      recordedAt: ctx.now,
    },
  };
}

const auditSummary = (r: HealthReportRow) => ({
  reportId: r.id,
  at: r.reportedAt,
  temperatureC: r.temperatureC,
  symptoms: r.symptoms,
  reportedBy: r.reportedBy,
  alerts: r.alerts.map((a) => (a.kind === "fever" ? "fever" : `symptom:${a.symptom}`)),
});

async function storeOne(
  db: Db,
  ctx: RequestContext,
  placement: ReportPlacement,
  input: ReportInput,
  reportedBy: HealthReportRow["reportedBy"],
  options: MonitoringOptions,
): Promise<StoredReport> {
  if (placement.status !== "placed") throw notPlaced();
  const p = prepare(ctx, placement, input, reportedBy, options, "");
  if (!p.ok) throw refused(p.errors);
  await db.transaction(async (tx) => {
    await insertHealthReports(tx, [p.row]);
    await recordAudit(tx, ctx, {
      action: "quarantine.health_report",
      entityType: "quarantine_placement",
      entityId: placement.id,
      regionCode: placement.siteRegionCode,
      after: auditSummary(p.row),
    });
  });
  return { report: p.row, alerts: p.row.alerts };
}

/**
 * Staff record a placed person's temperature and symptoms (`quarantine.place` over the site's region);
 * the report is assessed (fever, symptoms), stored with its alerts and audited `quarantine.health_report`.
 */
export async function recordHealthReport(
  db: Db,
  ctx: RequestContext,
  placementId: string,
  input: ReportInput,
  options: MonitoringOptions = HEALTH_MONITORING,
): Promise<StoredReport> {
  const placement = await findReportPlacement(db, placementId);
  if (!placement) throw notFound(PLACEMENT);
  access(ctx, placement.siteRegionCode);
  return storeOne(db, ctx, placement, input, "staff", options);
}

const NO_LINKED_PERSON = () =>
  new AppError(403, "no_linked_person", {
    zh: "您的账号尚未关联居民档案，无法自行报告；请联系所在社区或隔离点",
    en: "Your account is not linked to a resident record, so you cannot report for yourself; contact your community or site",
  });

async function ownPersonId(db: Db, ctx: RequestContext): Promise<string> {
  const actor = requireActor(ctx);
  if (!actor.personId || !(await findPerson(db, actor.personId))) throw NO_LINKED_PERSON();
  return actor.personId;
}

/** A citizen reports for themself, to their current placement, at the time of the request. */
export async function selfReportHealth(
  db: Db,
  ctx: RequestContext,
  input: Omit<ReportInput, "at">,
  options: MonitoringOptions = HEALTH_MONITORING,
): Promise<StoredReport> {
  const personId = await ownPersonId(db, ctx);
  const id = await currentPlacementIdOf(db, personId);
  const placement = id ? await findReportPlacement(db, id) : null;
  if (!placement)
    throw new AppError(409, "health_report.not_placed", {
      zh: "您目前不在隔离中，无需报告体温和症状",
      en: "You are not in quarantine at the moment: there is nothing to report to",
    });
  return storeOne(db, ctx, placement, { ...input, at: ctx.now.toISOString() }, "self", options);
}

/** The region every given region lies in (their nearest common ancestor by code). */
function commonRegion(codes: readonly string[]): string {
  const chains = codes.map(structuralAncestors);
  const first = chains[0] ?? ["000000"];
  let common = first[0] ?? "000000";
  for (const c of first) {
    if (chains.every((ch) => ch.includes(c))) common = c;
    else break;
  }
  return common;
}

/**
 * Many reports at once (a site's round of temperature checks, or a device upload): all or nothing,
 * in one transaction, one INSERT and ONE audit record (`quarantine.health_report`, entity the batch).
 * Every report is checked first; any refusal refuses the batch and names each field.
 */
export async function recordHealthReportBatch(
  db: Db,
  ctx: RequestContext,
  reports: readonly (ReportInput & { placementId: string; at: string })[],
  options: MonitoringOptions = HEALTH_MONITORING,
): Promise<StoredReport[]> {
  requireActor(ctx);
  if (reports.length === 0 || reports.length > MAX_BATCH)
    throw refused([
      {
        field: "reports",
        code: "health_report.batch_size",
        message: {
          zh: `每批 1～${MAX_BATCH} 条报告，收到 ${reports.length} 条`,
          en: `A batch holds 1 to ${MAX_BATCH} reports; got ${reports.length}`,
        },
      },
    ]);
  const placements = await findReportPlacements(db, [...new Set(reports.map((r) => r.placementId))]);
  // Access first: a batch that reaches outside the caller's jurisdiction is refused whole.
  for (const region of new Set([...placements.values()].map((p) => p.siteRegionCode))) access(ctx, region);
  const errors: FieldError[] = [];
  const rows: HealthReportRow[] = [];
  reports.forEach((r, i) => {
    const placement = placements.get(r.placementId);
    if (!placement) {
      errors.push({
        field: `reports.${i}.placementId`,
        code: "placement.unknown",
        message: { zh: "没有此隔离安置记录", en: "No such placement" },
      });
      return;
    }
    if (placement.status !== "placed") {
      errors.push({
        field: `reports.${i}.placementId`,
        code: "health_report.not_placed",
        message: {
          zh: "该人员已解除或结束隔离，不能再报告",
          en: "This person is no longer in quarantine: no more reports can be recorded",
        },
      });
      return;
    }
    const p = prepare(ctx, placement, r, "staff", options, `reports.${i}.`);
    if (p.ok) rows.push(p.row);
    else errors.push(...p.errors);
  });
  if (errors.length) throw refused(errors);
  const regions = [...new Set([...placements.values()].map((p) => p.siteRegionCode))];
  await db.transaction(async (tx) => {
    await insertHealthReports(tx, rows);
    await recordAudit(tx, ctx, {
      action: "quarantine.health_report",
      entityType: "health_report_batch",
      entityId: null,
      regionCode: commonRegion(regions),
      after: {
        count: rows.length,
        placements: placements.size,
        fever: rows.filter((r) => r.alerts.some((a) => a.kind === "fever")).length,
        withAlerts: rows.filter((r) => r.alerts.length > 0).length,
        first: rows[0]!.reportedAt,
        last: rows.at(-1)!.reportedAt,
      },
    });
  });
  return rows.map((row) => ({ report: row, alerts: row.alerts }));
}

export interface MyPlacement {
  id: string;
  status: "placed";
  placedAt: Date;
  plannedEnd: string | null;
  site: { id: string; name: string; kind: string; address: string | null };
  room: { id: string; number: string } | null;
  course: { start: string | null; end: string | null; testDates: string[] };
  today: string;
  todayReports: HealthReportRow[];
  cutoffs: readonly string[];
  feverThresholdC: number;
}

/** The citizen's current placement with today's (Beijing) reports, or null when they are not placed. */
export async function myPlacement(
  db: Db,
  ctx: RequestContext,
  options: MonitoringOptions = HEALTH_MONITORING,
): Promise<MyPlacement | null> {
  const personId = await ownPersonId(db, ctx);
  const p = await myCurrentPlacement(db, personId);
  if (!p) return null;
  const course = p.course as Course;
  const span = courseSpan(course);
  const start = shanghaiDayStart(ctx.now.getTime());
  return {
    id: p.id,
    status: p.status,
    placedAt: p.placedAt,
    plannedEnd: p.plannedEnd,
    site: { id: p.siteId, name: p.siteName, kind: p.siteKind, address: p.siteAddress },
    room: p.roomId && p.roomNumber ? { id: p.roomId, number: p.roomNumber } : null,
    course: {
      start: span.start,
      end: p.plannedEnd ?? span.end,
      testDates: [...new Set((course.appointments ?? []).map((a) => a.date))],
    },
    today: shanghaiDateOf(ctx.now.getTime()),
    todayReports: await reportsOfPlacement(db, personId, p.id, {
      from: new Date(start),
      to: new Date(start + DAY),
    }),
    cutoffs: DEFAULT_CUTOFFS,
    feverThresholdC: options.feverThresholdC ?? FEVER_THRESHOLD_C,
  };
}

export interface AlertItem {
  reportId: string;
  placementId: string;
  personId: string;
  personName: string;
  roomNumber: string | null;
  at: Date;
  temperatureC: number;
  symptoms: string[];
  reportedBy: "staff" | "self";
  alerts: Alert[];
}

export interface MissingItem extends MissingReport {
  placementId: string;
  personName: string;
  roomNumber: string | null;
}

export interface SiteAlerts {
  date: string;
  cutoffs: readonly string[];
  feverThresholdC: number;
  alerts: AlertItem[];
  missing: MissingItem[];
}

/**
 * A site's day (Beijing date, default today): the reports that raised fever or symptom alerts, and who
 * missed which reporting cut-off (missingReports over DEFAULT_CUTOFFS) among the people who were at
 * the site at that cut-off. For a past day every cut-off has passed; for today, those up to now.
 */
export async function siteAlerts(
  db: Db,
  ctx: RequestContext,
  siteId: string,
  date?: string | undefined,
  options: MonitoringOptions = HEALTH_MONITORING,
): Promise<SiteAlerts> {
  const site = await findSite(db, siteId);
  if (!site) throw notFound(SITE);
  access(ctx, site.regionCode);
  const day = date ?? shanghaiDateOf(ctx.now.getTime());
  if (!isDate(day))
    throw refused([
      {
        field: "date",
        code: "date.invalid",
        message: { zh: `${day} 不是有效日期（YYYY-MM-DD）`, en: `${day} is not a valid date (YYYY-MM-DD)` },
      },
    ]);
  const from = Date.parse(`${day}T00:00:00+08:00`);
  const to = from + DAY;
  const [people, reports] = await Promise.all([
    placementsOfSiteBetween(db, siteId, new Date(from), new Date(to)),
    reportsOfSiteBetween(db, siteId, new Date(from), new Date(to)),
  ]);
  const byPlacement = new Map(people.map((p) => [p.placementId, p]));
  const alerts: AlertItem[] = reports
    .filter((r) => r.alerts.length > 0)
    .map((r) => ({
      reportId: r.id,
      placementId: r.placementId,
      personId: r.personId,
      personName: byPlacement.get(r.placementId)?.personName ?? "",
      roomNumber: byPlacement.get(r.placementId)?.roomNumber ?? null,
      at: r.reportedAt,
      temperatureC: r.temperatureC,
      symptoms: r.symptoms,
      reportedBy: r.reportedBy,
      alerts: r.alerts,
    }));
  // The end of the day for a past day; now for today (cut-offs still ahead are not missed yet).
  const asOf = Math.min(ctx.now.getTime(), to - 1);
  let missing: MissingItem[] = [];
  if (asOf >= from) {
    const m = missingReports(
      [...new Set(people.map((p) => p.placementId))],
      reports.map((r) => ({ personId: r.placementId, at: r.reportedAt.toISOString() })),
      new Date(asOf).toISOString(),
      DEFAULT_CUTOFFS,
    );
    if (!m.ok) throw refused(m.errors);
    missing = m.value.flatMap((x) => {
      const p = byPlacement.get(x.personId)!;
      const cutoffAt = Date.parse(`${x.date}T${x.cutoff}:00+08:00`);
      // Only people who were there at the cut-off can have missed it.
      if (p.placedAt.getTime() > cutoffAt || (p.leftAt && p.leftAt.getTime() <= cutoffAt)) return [];
      return [
        {
          ...x,
          personId: p.personId,
          placementId: p.placementId,
          personName: p.personName,
          roomNumber: p.roomNumber,
        },
      ];
    });
  }
  return {
    date: day,
    cutoffs: DEFAULT_CUTOFFS,
    feverThresholdC: options.feverThresholdC ?? FEVER_THRESHOLD_C,
    alerts,
    missing,
  };
}
