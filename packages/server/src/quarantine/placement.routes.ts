import type { LoadedPack } from "@cordon/domain/policies/pack-schema";
import { measuresSchema, testBlockSchema } from "@cordon/domain/policies/pack-schema";
import { PHASE_ORDER, type PhaseKind } from "@cordon/domain/quarantine/schedule";
import { ROOM_STATES, ROOM_TYPES, SITE_KINDS } from "@cordon/domain/quarantine/sites";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { Db } from "../db/db.ts";
import { errorResponses, IsoDateTime, RegionCode, Uuid } from "../http/schemas.ts";
import { loadShippedPacks } from "../policies/policy-packs.ts";
import { PersonFactsSchema } from "../policies/policy.routes.ts";
import type { PlacementRow, ResultRow, TransferRow } from "./placement.repository.ts";
import {
  changeExposure,
  extendPlacement,
  listSitePlacements,
  place,
  placementDetail,
  recordResult,
  recordTransfer,
  releasePlacement,
  roomSuggestions,
  transferToHospital,
  upgradeToCloseContact,
  siteBoard,
  regionToday,
  siteToday,
} from "./placement.service.ts";

const Instant = z.iso.datetime({ offset: true });
const DateOnly = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "date.format");
const MessageSchema = z.object({ zh: z.string(), en: z.string() });
const Text = (max: number) => z.string().max(max);
const Lang = z.enum(["zh-CN", "en"]).optional();

const MeasuresSchema = measuresSchema
  .extend({ tests: z.array(testBlockSchema.extend({ ruleId: z.string() })).optional() })
  .meta({ id: "QuarantineMeasures" });

const StartFactsSchema = z
  .object({
    arrivalAt: z.string().optional(),
    lastExposureAt: z.string().optional(),
    placedAt: z.string().optional(),
  })
  .meta({ id: "QuarantineStartFacts" });

const CourseSchema = z
  .object({
    measures: MeasuresSchema,
    facts: StartFactsSchema,
    options: z.object({ exposureDayNumber: z.int() }),
    anchor: z.enum(["arrival", "last_exposure", "placement"]),
    anchorDate: z.string(),
    arrivalOn: z.string().nullable(),
    lastExposureOn: z.string().nullable(),
    placedOn: z.string().nullable(),
    phases: z.array(
      z.object({
        kind: z.enum(PHASE_ORDER as [PhaseKind, ...PhaseKind[]]),
        days: z.int().nullable(),
        start: z.string().nullable(),
        end: z.string().nullable(),
      }),
    ),
    appointments: z.array(
      z.object({
        date: z.string(),
        phase: z.string(),
        dayNumber: z.int(),
        sample: z.string(),
        countedFrom: z.string(),
        ruleId: z.string(),
        doubleSampling: z.boolean().optional(),
        alsoAskedBy: z.array(z.string()).optional(),
        beforePlacement: z.boolean(),
      }),
    ),
    release: MeasuresSchema.shape.release.unwrap(),
    notes: z.array(MessageSchema),
  })
  .meta({ id: "QuarantineCourse", description: "The course: phases with dates and test appointments" });

const PlacementSchema = z
  .object({
    id: z.string(),
    personId: z.string(),
    siteId: z.string(),
    roomId: z.string().nullable(),
    householdKey: z.string().nullable(),
    sourceKind: z.enum(["arrival_task", "contact", "zone_resident", "manual"]),
    sourceId: z.string().nullable(),
    identifiedAt: IsoDateTime,
    packId: z.string().nullable(),
    measures: MeasuresSchema,
    startFacts: StartFactsSchema,
    course: CourseSchema,
    status: z.enum(["placed", "released", "ended"]),
    placedAt: IsoDateTime,
    plannedEnd: z.string().nullable(),
    releasedAt: IsoDateTime.nullable(),
    releaseKind: z.enum(["on_schedule", "early", "to_hospital", "upgraded"]).nullable(),
    releaseReason: z.string().nullable(),
    certificateId: z.string().nullable(),
    endSiteId: z.string().nullable(),
    nextPlacementId: z.string().nullable(),
    createdBy: z.string().nullable(),
    createdAt: IsoDateTime,
    updatedAt: IsoDateTime,
    version: z.int(),
  })
  .meta({ id: "QuarantinePlacement" });

const placementOut = (p: PlacementRow) => ({
  ...p,
  identifiedAt: p.identifiedAt.toISOString(),
  placedAt: p.placedAt.toISOString(),
  releasedAt: p.releasedAt?.toISOString() ?? null,
  createdAt: p.createdAt.toISOString(),
  updatedAt: p.updatedAt.toISOString(),
});

const PlacementSummarySchema = z
  .object({
    id: z.string(),
    personId: z.string(),
    personName: z.string(),
    documentNumberMasked: z.string(),
    siteId: z.string(),
    roomId: z.string().nullable(),
    roomNumber: z.string().nullable(),
    householdKey: z.string().nullable(),
    sourceKind: z.string(),
    status: z.enum(["placed", "released", "ended"]),
    placedAt: IsoDateTime,
    plannedEnd: z.string().nullable(),
    releasedAt: IsoDateTime.nullable(),
    releaseKind: z.string().nullable(),
    packId: z.string().nullable(),
  })
  .meta({ id: "QuarantinePlacementSummary" });

const TransferSchema = z
  .object({
    vehicle: z.string(),
    escort: z.string(),
    pickedUpAt: IsoDateTime,
    arrivedAt: IsoDateTime.nullable(),
    recordedBy: z.string().nullable(),
    recordedAt: IsoDateTime,
  })
  .meta({ id: "QuarantineTransfer" });
const transferOut = (t: TransferRow) => ({
  vehicle: t.vehicle,
  escort: t.escort,
  pickedUpAt: t.pickedUpAt.toISOString(),
  arrivedAt: t.arrivedAt?.toISOString() ?? null,
  recordedBy: t.recordedBy,
  recordedAt: t.recordedAt.toISOString(),
});

const SampleSchema = z.enum(["nasopharyngeal", "oropharyngeal", "unspecified"]);
const OutcomeSchema = z.enum(["negative", "positive", "pending"]);
const ResultSchema = z
  .object({
    id: z.string(),
    placementId: z.string(),
    sampledOn: z.string(),
    sample: SampleSchema,
    outcome: OutcomeSchema,
    labReference: z.string(),
    recordedBy: z.string().nullable(),
    recordedAt: IsoDateTime,
  })
  .meta({ id: "QuarantineTestResult" });
const resultOut = (r: ResultRow) => ({
  id: r.id,
  placementId: r.placementId,
  sampledOn: r.sampledOn,
  sample: r.sample,
  outcome: r.outcome,
  labReference: r.labReference,
  recordedBy: r.recordedBy,
  recordedAt: r.recordedAt.toISOString(),
});

const ConditionSchema = z.object({ code: z.string(), message: MessageSchema });
const ReleaseDecisionSchema = z
  .union([
    z.object({
      status: z.literal("releasable"),
      stage: z.enum(["isolation", "course"]),
      met: z.array(ConditionSchema),
      from: z.array(z.string()),
      next: z
        .object({
          kind: z.string(),
          days: z.int().nullable(),
          start: z.string().nullable(),
          end: z.string().nullable(),
        })
        .nullable(),
    }),
    z.object({
      status: z.literal("not_yet"),
      stage: z.enum(["isolation", "course"]),
      met: z.array(ConditionSchema),
      unmet: z.array(ConditionSchema),
    }),
    z.object({ status: z.enum(["upgrade_to_close_contact", "positive"]), reason: MessageSchema }),
  ])
  .meta({ id: "QuarantineReleaseDecision" });

const LoopSchema = z
  .object({
    identifiedAt: IsoDateTime,
    arrivedAt: IsoDateTime.nullable(),
    hours: z.number().nullable(),
    limitHours: z.number(),
    withinLimit: z.boolean().nullable(),
  })
  .meta({ id: "QuarantineClosedLoop", description: "Identified → arrived at the site, against 48 hours" });

const PlacementDetailSchema = PlacementSchema.extend({
  person: z.object({ id: z.string(), name: z.string(), documentNumberMasked: z.string() }),
  site: z.object({ id: z.string(), name: z.string(), kind: z.enum(SITE_KINDS), regionCode: z.string() }),
  room: z.object({ id: z.string(), number: z.string() }).nullable(),
  transfer: TransferSchema.nullable(),
  results: z.array(ResultSchema),
  healthReports: z.array(
    z.object({
      id: z.string(),
      reportedAt: IsoDateTime,
      temperatureC: z.number(),
      symptoms: z.array(z.string()),
      reportedBy: z.enum(["staff", "self"]),
      alerts: z.unknown(),
    }),
  ),
  release: ReleaseDecisionSchema.nullable(),
  loop: LoopSchema,
  endSite: z.object({ id: z.string(), name: z.string() }).nullable(),
  previousPlacementId: z.string().nullable(),
  upgradable: z.boolean(),
}).meta({ id: "QuarantinePlacementDetail" });

const DayTestSchema = z.object({
  placementId: z.string(),
  personId: z.string(),
  personName: z.string(),
  roomNumber: z.string().nullable(),
  plannedEnd: z.string().nullable(),
  date: z.string(),
  dayNumber: z.int(),
  phase: z.string(),
  sample: z.string(),
  result: z
    .object({ sampledOn: z.string(), sample: z.string(), outcome: OutcomeSchema, labReference: z.string() })
    .nullable(),
});

const SiteDaySchema = z
  .object({
    date: z.string(),
    dueTests: z.array(DayTestSchema),
    missedTests: z.array(DayTestSchema),
    releasable: z.array(
      z.object({
        placementId: z.string(),
        personId: z.string(),
        personName: z.string(),
        roomNumber: z.string().nullable(),
        plannedEnd: z.string().nullable(),
        message: MessageSchema,
      }),
    ),
  })
  .meta({ id: "QuarantineSiteDay" });

const RegionDaySchema = z
  .object({
    date: z.string(),
    sites: z.array(
      z.object({
        siteId: z.string(),
        name: z.string(),
        kind: z.enum(SITE_KINDS),
        regionCode: z.string(),
        dueTests: z.int(),
        dueWithResult: z.int(),
        missedTests: z.int(),
        releasable: z.int(),
      }),
    ),
  })
  .meta({ id: "QuarantineRegionDay" });

const BoardSchema = z
  .object({
    site: z.object({ id: z.string(), name: z.string(), kind: z.enum(SITE_KINDS), regionCode: z.string() }),
    rooms: z.array(
      z.object({
        id: z.string(),
        number: z.string(),
        type: z.enum(ROOM_TYPES),
        state: z.enum(ROOM_STATES),
        occupants: z.array(
          z.object({
            placementId: z.string(),
            personName: z.string(),
            since: IsoDateTime,
            plannedEnd: z.string().nullable(),
          }),
        ),
      }),
    ),
  })
  .meta({ id: "QuarantineBoard" });

const SuggestionsSchema = z
  .object({
    rooms: z.array(
      z.object({ id: z.string(), number: z.string(), type: z.enum(ROOM_TYPES), capacity: z.int() }),
    ),
    message: MessageSchema.nullable(),
  })
  .meta({ id: "QuarantineRoomSuggestions" });

export const quarantinePlacementRoutes: FastifyPluginAsyncZod<{
  db: Db;
  packs?: readonly LoadedPack[];
}> = async (app, { db, packs: given }) => {
  const packs = given ?? loadShippedPacks();

  app.post(
    "/api/quarantine/placements",
    {
      schema: {
        tags: ["quarantine"],
        summary:
          "Place a person, or a household (same room), at a site: measures from the arrival's stored decision or the pack in force for the site's region; the course (phases, test days) is computed and stored",
        body: z.strictObject({
          siteId: Uuid,
          roomId: Uuid.nullish(),
          placedAt: Instant.optional(),
          identifiedAt: Instant.optional(),
          source: z
            .strictObject({ kind: z.enum(["arrival_task", "manual"]), id: Uuid.optional() })
            .optional(),
          people: z
            .array(
              z.strictObject({
                personId: Uuid,
                lastExposureAt: Instant.optional(),
                arrivalAt: Instant.optional(),
                facts: PersonFactsSchema.optional(),
              }),
            )
            .min(1)
            .max(20),
        }),
        response: { 201: z.object({ items: z.array(PlacementSchema) }), ...errorResponses },
      },
    },
    async (req, reply) =>
      reply.status(201).send({ items: (await place(db, req.ctx, packs, req.body)).map(placementOut) }),
  );

  app.get(
    "/api/quarantine/placements",
    {
      schema: {
        tags: ["quarantine"],
        summary: "A site's placements, newest first (placed, released, or all)",
        querystring: z.strictObject({
          siteId: Uuid,
          status: z.enum(["placed", "released"]).optional(),
          lang: Lang,
        }),
        response: { 200: z.object({ items: z.array(PlacementSummarySchema) }), ...errorResponses },
      },
    },
    async (req) => ({
      items: (await listSitePlacements(db, req.ctx, req.query)).map((p) => ({
        ...p,
        placedAt: p.placedAt.toISOString(),
        releasedAt: p.releasedAt?.toISOString() ?? null,
      })),
    }),
  );

  app.get(
    "/api/quarantine/placements/:id",
    {
      schema: {
        tags: ["quarantine"],
        summary:
          "One placement with its person, site, room, course, transfer, results, health reports, today's release verdict and the closed loop (identified → arrived, 48 h)",
        params: z.strictObject({ id: Uuid }),
        querystring: z.strictObject({ lang: Lang }),
        response: { 200: PlacementDetailSchema, ...errorResponses },
      },
    },
    async (req) => {
      const d = await placementDetail(db, req.ctx, req.params.id, packs);
      return {
        ...placementOut(d.placement),
        person: d.person,
        site: d.site,
        room: d.room,
        transfer: d.transfer && transferOut(d.transfer),
        results: d.results.map(resultOut),
        healthReports: d.healthReports.map((h) => ({ ...h, reportedAt: h.reportedAt.toISOString() })),
        release: d.release,
        loop: d.loop,
        endSite: d.endSite,
        previousPlacementId: d.previousPlacementId,
        upgradable: d.upgradable,
      };
    },
  );

  app.get(
    "/api/quarantine/suggestions",
    {
      schema: {
        tags: ["quarantine"],
        summary:
          "Free rooms of a site for a household of N kept together (family suites first for N > 1); a home site takes no rooms",
        querystring: z.strictObject({ siteId: Uuid, people: z.coerce.number().int().default(1), lang: Lang }),
        response: { 200: SuggestionsSchema, ...errorResponses },
      },
    },
    async (req) => roomSuggestions(db, req.ctx, req.query.siteId, req.query.people),
  );

  app.put(
    "/api/quarantine/placements/:id/transfer",
    {
      schema: {
        tags: ["quarantine"],
        summary: "Record (or correct) the closed-loop transfer: vehicle, escort, picked up, arrived",
        params: z.strictObject({ id: Uuid }),
        body: z.strictObject({
          vehicle: Text(100),
          escort: Text(200),
          pickedUpAt: Instant,
          arrivedAt: Instant.nullish(),
        }),
        response: { 200: TransferSchema, ...errorResponses },
      },
    },
    async (req) => transferOut(await recordTransfer(db, req.ctx, req.params.id, req.body)),
  );

  app.post(
    "/api/quarantine/placements/:id/results",
    {
      schema: {
        tags: ["quarantine"],
        summary:
          "Record a test result with the lab's reference (a second one for the same day and sample corrects it); the date must be a day the person was there",
        params: z.strictObject({ id: Uuid }),
        body: z.strictObject({
          sampledOn: DateOnly,
          sample: SampleSchema,
          outcome: OutcomeSchema,
          labReference: Text(100),
        }),
        response: { 201: ResultSchema, ...errorResponses },
      },
    },
    async (req, reply) =>
      reply.status(201).send(resultOut(await recordResult(db, req.ctx, req.params.id, req.body))),
  );

  app.put(
    "/api/quarantine/placements/:id/exposure",
    {
      schema: {
        tags: ["quarantine"],
        summary: "Change the last exposure: the course is rescheduled and the answer says what moved and why",
        params: z.strictObject({ id: Uuid }),
        body: z.strictObject({ lastExposureAt: Instant, reason: Text(1000) }),
        response: {
          200: z.object({ placement: PlacementSchema, changes: z.array(MessageSchema) }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const r = await changeExposure(db, req.ctx, req.params.id, req.body);
      return { placement: placementOut(r.placement), changes: r.changes };
    },
  );

  app.post(
    "/api/quarantine/placements/:id/release",
    {
      schema: {
        tags: ["quarantine"],
        summary:
          "Release: on schedule when the pack's conditions hold (409 lists the unmet ones), or early with a reason (command); sets the certificate id, the room goes to cleaning",
        params: z.strictObject({ id: Uuid }),
        body: z.strictObject({
          kind: z.enum(["on_schedule", "early"]),
          reason: Text(1000).nullish(),
          at: Instant.optional(),
        }),
        response: { 200: PlacementSchema, ...errorResponses },
      },
    },
    async (req) => placementOut(await releasePlacement(db, req.ctx, req.params.id, req.body)),
  );

  app.post(
    "/api/quarantine/placements/:id/to-hospital",
    {
      schema: {
        tags: ["quarantine"],
        summary:
          "Transfer to a designated hospital (定点医院) of the caller's jurisdiction: with a positive result in the placement; otherwise only with a reason (command). Ends the placement (no certificate), the room goes to cleaning",
        params: z.strictObject({ id: Uuid }),
        body: z.strictObject({
          hospitalSiteId: Uuid,
          at: Instant.optional(),
          reason: Text(1000).nullish(),
        }),
        response: { 200: PlacementSchema, ...errorResponses },
      },
    },
    async (req) => placementOut(await transferToHospital(db, req.ctx, req.params.id, req.body)),
  );

  app.post(
    "/api/quarantine/placements/:id/upgrade",
    {
      schema: {
        tags: ["quarantine"],
        summary:
          "Upgrade a secondary contact to close contact (9th edition): ends the placement and places the person again as a close contact from the given last exposure, under the pack in force, at the same site and room unless another is given; the answer says what changed",
        params: z.strictObject({ id: Uuid }),
        body: z.strictObject({
          lastExposureAt: Instant,
          reason: Text(1000),
          siteId: Uuid.optional(),
          roomId: Uuid.nullish(),
        }),
        response: {
          200: z.object({
            ended: PlacementSchema,
            placement: PlacementSchema,
            changes: z.object({
              plannedEnd: z.object({ before: z.string().nullable(), after: z.string().nullable() }),
              tests: z.object({ before: z.array(z.string()), after: z.array(z.string()) }),
              messages: z.array(MessageSchema),
            }),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const r = await upgradeToCloseContact(db, req.ctx, packs, req.params.id, req.body);
      return { ended: placementOut(r.ended), placement: placementOut(r.placement), changes: r.changes };
    },
  );

  app.post(
    "/api/quarantine/placements/:id/extend",
    {
      schema: {
        tags: ["quarantine"],
        summary: "Extend the isolation to a later last day, with a reason (command)",
        params: z.strictObject({ id: Uuid }),
        body: z.strictObject({ plannedEnd: DateOnly, reason: Text(1000) }),
        response: { 200: PlacementSchema, ...errorResponses },
      },
    },
    async (req) => placementOut(await extendPlacement(db, req.ctx, req.params.id, req.body)),
  );

  app.get(
    "/api/quarantine/sites/:id/today",
    {
      schema: {
        tags: ["quarantine"],
        summary:
          "A site's day: tests due (with results), tests missed (appointments before the day with no result), people releasable that day",
        params: z.strictObject({ id: Uuid }),
        querystring: z.strictObject({ date: DateOnly.optional(), lang: Lang }),
        response: { 200: SiteDaySchema, ...errorResponses },
      },
    },
    async (req) => siteToday(db, req.ctx, req.params.id, req.query.date),
  );

  app.get(
    "/api/quarantine/today",
    {
      schema: {
        tags: ["quarantine"],
        summary:
          "The morning report of a region (the caller's jurisdiction by default): for every site in it, the day's tests due (and how many have a result), tests missed and people releasable",
        querystring: z.strictObject({
          regionCode: RegionCode.optional(),
          date: DateOnly.optional(),
          lang: Lang,
        }),
        response: { 200: RegionDaySchema, ...errorResponses },
      },
    },
    async (req) => regionToday(db, req.ctx, req.query.regionCode, req.query.date),
  );

  app.get(
    "/api/quarantine/sites/:id/board",
    {
      schema: {
        tags: ["quarantine"],
        summary: "The room board: every room of the site with its state and who is in it",
        params: z.strictObject({ id: Uuid }),
        querystring: z.strictObject({ lang: Lang }),
        response: { 200: BoardSchema, ...errorResponses },
      },
    },
    async (req) => {
      const b = await siteBoard(db, req.ctx, req.params.id);
      return {
        site: b.site,
        rooms: b.rooms.map((r) => ({
          ...r,
          occupants: r.occupants.map((o) => ({ ...o, since: o.since.toISOString() })),
        })),
      };
    },
  );
};
