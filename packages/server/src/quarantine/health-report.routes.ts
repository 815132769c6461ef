import { type MonitoringOptions, SYMPTOMS } from "@cordon/domain/quarantine/monitoring";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { Db } from "../db/db.ts";
import { errorResponses, IsoDateTime, Uuid } from "../http/schemas.ts";
import type { HealthReportRow } from "./health-report.repository.ts";
import {
  HEALTH_MONITORING,
  MAX_BATCH,
  myPlacement,
  recordHealthReport,
  recordHealthReportBatch,
  selfReportHealth,
  siteAlerts,
  type StoredReport,
} from "./health-report.service.ts";

const Instant = z.iso.datetime({ offset: true });
const MessageSchema = z.object({ zh: z.string(), en: z.string() });
/** Symptom codes: checked against the checklist by the service, so that an unknown one gets its own message. */
const SymptomCodes = z
  .array(z.string().max(60))
  .max(Object.keys(SYMPTOMS).length * 2)
  .meta({ description: `Codes from the checklist: ${Object.keys(SYMPTOMS).join(", ")}` });

const AlertSchema = z
  .discriminatedUnion("kind", [
    z.object({ kind: z.literal("fever"), temperatureC: z.number(), message: MessageSchema }),
    z.object({ kind: z.literal("symptom"), symptom: z.string(), message: MessageSchema }),
  ])
  .meta({ id: "HealthAlert" });

const HealthReportSchema = z
  .object({
    id: z.string(),
    placementId: z.string(),
    personId: z.string(),
    at: IsoDateTime,
    temperatureC: z.number(),
    symptoms: z.array(z.string()),
    reportedBy: z.enum(["staff", "self"]),
    alerts: z.array(AlertSchema),
    recordedAt: IsoDateTime,
  })
  .meta({ id: "HealthReport" });

const StoredSchema = z
  .object({ report: HealthReportSchema, alerts: z.array(AlertSchema) })
  .meta({ id: "HealthReportResult" });

const reportOut = (r: HealthReportRow) => ({
  id: r.id,
  placementId: r.placementId,
  personId: r.personId,
  at: r.reportedAt.toISOString(),
  temperatureC: r.temperatureC,
  symptoms: r.symptoms,
  reportedBy: r.reportedBy,
  alerts: r.alerts,
  recordedAt: r.recordedAt.toISOString(),
});
const storedOut = (s: StoredReport) => ({ report: reportOut(s.report), alerts: s.alerts });

const MyPlacementSchema = z
  .object({
    id: z.string(),
    status: z.literal("placed"),
    placedAt: IsoDateTime,
    plannedEnd: z.string().nullable(),
    site: z.object({ id: z.string(), name: z.string(), kind: z.string(), address: z.string().nullable() }),
    room: z.object({ id: z.string(), number: z.string() }).nullable(),
    course: z.object({
      start: z.string().nullable(),
      end: z.string().nullable(),
      testDates: z.array(z.string()),
    }),
    today: z.string(),
    todayReports: z.array(HealthReportSchema),
    cutoffs: z.array(z.string()),
    feverThresholdC: z.number(),
  })
  .meta({ id: "MyPlacement" });

const SiteAlertsSchema = z
  .object({
    date: z.string(),
    cutoffs: z.array(z.string()),
    feverThresholdC: z.number(),
    alerts: z.array(
      z.object({
        reportId: z.string(),
        placementId: z.string(),
        personId: z.string(),
        personName: z.string(),
        roomNumber: z.string().nullable(),
        at: IsoDateTime,
        temperatureC: z.number(),
        symptoms: z.array(z.string()),
        reportedBy: z.enum(["staff", "self"]),
        alerts: z.array(AlertSchema),
      }),
    ),
    missing: z.array(
      z.object({
        placementId: z.string(),
        personId: z.string(),
        personName: z.string(),
        roomNumber: z.string().nullable(),
        date: z.string(),
        cutoff: z.string(),
        message: MessageSchema,
      }),
    ),
  })
  .meta({ id: "QuarantineSiteAlerts" });

export const healthReportRoutes: FastifyPluginAsyncZod<{ db: Db; monitoring?: MonitoringOptions }> = async (
  app,
  { db, monitoring = HEALTH_MONITORING },
) => {
  app.post(
    "/api/quarantine/placements/:id/health-reports",
    {
      schema: {
        tags: ["quarantine"],
        summary:
          "Record a placed person's temperature and symptoms (staff); assessed for fever (≥ 37.3 °C) and symptoms, stored with its alerts. Implausible readings, a time in the future or before placement: 400",
        params: z.strictObject({ id: Uuid }),
        body: z.strictObject({ at: Instant.optional(), temperatureC: z.number(), symptoms: SymptomCodes }),
        response: { 201: StoredSchema, ...errorResponses },
      },
    },
    async (req, reply) =>
      reply
        .status(201)
        .send(storedOut(await recordHealthReport(db, req.ctx, req.params.id, req.body, monitoring))),
  );

  app.post(
    "/api/quarantine/health-reports/batch",
    {
      schema: {
        tags: ["quarantine"],
        summary: `Record up to ${MAX_BATCH} reports at once: all or nothing, one transaction, one audit record`,
        body: z.strictObject({
          reports: z
            .array(
              z.strictObject({
                placementId: Uuid,
                at: Instant,
                temperatureC: z.number(),
                symptoms: SymptomCodes,
              }),
            )
            .min(1)
            .max(MAX_BATCH),
        }),
        response: { 201: z.object({ items: z.array(StoredSchema) }), ...errorResponses },
      },
    },
    async (req, reply) =>
      reply.status(201).send({
        items: (await recordHealthReportBatch(db, req.ctx, req.body.reports, monitoring)).map(storedOut),
      }),
  );

  app.get(
    "/api/me/placement",
    {
      schema: {
        tags: ["quarantine"],
        summary:
          "A citizen's current placement (site, room, course dates, today's reports, the cut-offs), or null when not in quarantine",
        response: { 200: MyPlacementSchema.nullable(), ...errorResponses },
      },
    },
    async (req) => {
      const p = await myPlacement(db, req.ctx, monitoring);
      return (
        p && {
          ...p,
          placedAt: p.placedAt.toISOString(),
          cutoffs: [...p.cutoffs],
          todayReports: p.todayReports.map(reportOut),
        }
      );
    },
  );

  app.post(
    "/api/me/health-reports",
    {
      schema: {
        tags: ["quarantine"],
        summary:
          "A citizen reports their own temperature and symptoms to their current placement (time = now); 409 when not in quarantine",
        body: z.strictObject({ temperatureC: z.number(), symptoms: SymptomCodes }),
        response: { 201: StoredSchema, ...errorResponses },
      },
    },
    async (req, reply) =>
      reply.status(201).send(storedOut(await selfReportHealth(db, req.ctx, req.body, monitoring))),
  );

  app.get(
    "/api/quarantine/sites/:id/alerts",
    {
      schema: {
        tags: ["quarantine"],
        summary:
          "A site's day (Beijing date, default today): fever and symptom alerts, and who missed which reporting cut-off (10:00, 18:00)",
        params: z.strictObject({ id: Uuid }),
        querystring: z.strictObject({
          date: z.string().max(10).optional(),
          lang: z.enum(["zh-CN", "en"]).optional(),
        }),
        response: { 200: SiteAlertsSchema, ...errorResponses },
      },
    },
    async (req) => {
      const r = await siteAlerts(db, req.ctx, req.params.id, req.query.date, monitoring);
      return {
        ...r,
        cutoffs: [...r.cutoffs],
        alerts: r.alerts.map((a) => ({ ...a, at: a.at.toISOString() })),
      };
    },
  );
};
