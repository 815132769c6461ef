import { CONTROL_STEPS, type ControlStep } from "@cordon/domain/arrivals/control-task";
import { type LoadedPack, measuresSchema, testBlockSchema } from "@cordon/domain/policies/pack-schema";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { Db } from "../db/db.ts";
import { errorResponses, IsoDateTime, RegionCode, Uuid } from "../http/schemas.ts";
import { loadShippedPacks } from "../policies/policy-packs.ts";
import { PersonFactsSchema } from "../policies/policy.routes.ts";
import type { TaskRow } from "./arrival.repository.ts";
import {
  arrivalCounts,
  findPlaces,
  listControlTasks,
  listMyArrivals,
  type RegisteredArrival,
  registerArrival,
  selfReportArrival,
  type TaskListItem,
  takeStep,
} from "./arrival.service.ts";

const Instant = z.iso.datetime({ offset: true });
const StepSchema = z.enum(CONTROL_STEPS as [ControlStep, ...ControlStep[]]).meta({ id: "ControlStep" });
const StatusSchema = z.enum(["pending", ...CONTROL_STEPS]).meta({ id: "ControlTaskStatus" });
const MessageSchema = z.object({ zh: z.string(), en: z.string() });
const StepRecordSchema = z.object({ step: StepSchema, at: IsoDateTime, by: z.string() });

const TaskSchema = z
  .object({
    id: z.string(),
    arrivalId: z.string(),
    personId: z.string(),
    regionCode: z.string(),
    status: StatusSchema,
    dueAt: IsoDateTime,
    steps: z.array(StepRecordSchema),
    createdAt: IsoDateTime,
    updatedAt: IsoDateTime,
    version: z.int(),
  })
  .meta({ id: "ControlTask" });

/** The decision's combined measures (the shape of PolicyCombinedMeasures). */
const DecidedMeasuresSchema = measuresSchema.extend({
  tests: z.array(testBlockSchema.extend({ ruleId: z.string() })).optional(),
});

const TaskListItemSchema = z
  .object({
    id: z.string(),
    arrivalId: z.string(),
    personId: z.string(),
    personName: z.string(),
    documentNumberMasked: z.string(),
    regionCode: z.string(),
    regionName: z.string(),
    arrivalAt: IsoDateTime,
    reportedBy: z.enum(["grid_worker", "citizen"]),
    originRegionCode: z.string().nullable(),
    originRegionName: z.string().nullable(),
    route: z.string().nullable(),
    status: StatusSchema,
    statusLabel: MessageSchema,
    dueAt: IsoDateTime,
    overdue: z.boolean(),
    packId: z.string().nullable(),
    packTitle: MessageSchema.nullable(),
    decidedMeasures: DecidedMeasuresSchema.nullable().meta({
      description: "The decision's combined measures, to be said in words (null: no measures)",
    }),
    steps: z.array(StepRecordSchema.extend({ byName: z.string().nullable() })),
    version: z.int(),
  })
  .meta({ id: "ControlTaskListItem" });

const ArrivalSchema = z
  .object({
    id: z.string(),
    personId: z.string(),
    originRegionCode: z.string().nullable(),
    route: z.string().nullable(),
    arrivalAt: IsoDateTime,
    destinationRegionCode: z.string(),
    reportedBy: z.enum(["grid_worker", "citizen"]),
    decision: z.unknown().meta({ description: "The policy engine's decision, with its explanation" }),
    createdAt: IsoDateTime,
  })
  .meta({ id: "Arrival" });

const MyArrivalSchema = z
  .object({
    id: z.string(),
    arrivalAt: IsoDateTime,
    destinationRegionCode: z.string(),
    destinationName: z.string(),
    originRegionCode: z.string().nullable(),
    route: z.string().nullable(),
    decision: z.unknown().meta({ description: "The policy engine's decision, with its explanation" }),
    createdAt: IsoDateTime,
    task: z
      .object({
        id: z.string(),
        status: StatusSchema,
        dueAt: IsoDateTime,
        steps: z.array(z.object({ step: StepSchema, at: IsoDateTime })),
      })
      .nullable(),
  })
  .meta({ id: "MyArrival" });

const TravelHistorySchema = z
  .array(z.strictObject({ regionCode: RegionCode, from: z.string().max(40), to: z.string().max(40) }))
  .max(200);

/** What a citizen knows about themself; contact status is for the investigators to establish. */
const CitizenFactsSchema = PersonFactsSchema.pick({
  inboundOverseas: true,
  occupation: true,
  leftClosedLoop: true,
  festivalReturnee: true,
  releasedFromQuarantineElsewhere: true,
});

const CountsSchema = z
  .object({
    regionCode: z.string(),
    items: z.array(
      z.object({
        code: z.string(),
        name: z.string(),
        level: z.string(),
        registered: z.int(),
        overdue: z.int(),
        released: z.int(),
      }),
    ),
  })
  .meta({ id: "ArrivalCounts" });

const stepsOut = (steps: TaskRow["steps"]) => steps.map((s) => ({ ...s, at: s.at.toISOString() }));
const taskOut = (t: TaskRow) => ({
  ...t,
  dueAt: t.dueAt.toISOString(),
  steps: stepsOut(t.steps),
  createdAt: t.createdAt.toISOString(),
  updatedAt: t.updatedAt.toISOString(),
});
const arrivalOut = ({ arrival: a, decision }: RegisteredArrival) => ({
  id: a.id,
  personId: a.personId,
  originRegionCode: a.originRegionCode,
  route: a.route,
  arrivalAt: a.arrivalAt.toISOString(),
  destinationRegionCode: a.destinationRegionCode,
  reportedBy: a.reportedBy,
  decision,
  createdAt: a.createdAt.toISOString(),
});
const myOut = (a: Awaited<ReturnType<typeof listMyArrivals>>[number]) => ({
  ...a,
  arrivalAt: a.arrivalAt.toISOString(),
  createdAt: a.createdAt.toISOString(),
  task: a.task && {
    ...a.task,
    dueAt: a.task.dueAt.toISOString(),
    steps: a.task.steps.map((s) => ({ step: s.step as ControlStep, at: s.at.toISOString() })),
  },
});
const listOut = (t: TaskListItem) => ({
  ...t,
  arrivalAt: t.arrivalAt.toISOString(),
  dueAt: t.dueAt.toISOString(),
  steps: t.steps.map((s) => ({ ...s, at: s.at.toISOString() })),
});

export const arrivalRoutes: FastifyPluginAsyncZod<{ db: Db; packs?: readonly LoadedPack[] }> = async (
  app,
  { db, packs: given },
) => {
  const packs = given ?? loadShippedPacks();

  app.post(
    "/api/arrivals",
    {
      schema: {
        tags: ["arrivals"],
        summary:
          "Register an arrival (来返报备) for a registered person; the policy engine classifies it and a control task goes to the destination",
        body: z.strictObject({
          personId: Uuid,
          arrivalAt: Instant,
          destinationRegionCode: RegionCode,
          originRegionCode: z.string().max(20).nullish(),
          route: z.string().max(1000).nullish(),
          travelHistory: TravelHistorySchema,
          facts: PersonFactsSchema.omit({ travelHistory: true }),
        }),
        response: {
          201: z.object({ arrival: ArrivalSchema, task: TaskSchema.nullable() }),
          ...errorResponses,
        },
      },
    },
    async (req, reply) => {
      const r = await registerArrival(db, req.ctx, packs, req.body);
      return reply.status(201).send({ arrival: arrivalOut(r), task: r.task ? taskOut(r.task) : null });
    },
  );

  app.post(
    "/api/me/arrivals",
    {
      schema: {
        tags: ["arrivals"],
        summary:
          "A citizen reports their own arrival (来返报备) for the person their account is linked to; classified and tasked like a grid worker's registration",
        body: z.strictObject({
          arrivalAt: Instant,
          destinationRegionCode: RegionCode,
          originRegionCode: RegionCode.nullish(),
          route: z.string().max(1000).nullish(),
          travelHistory: TravelHistorySchema,
          facts: CitizenFactsSchema.default({}),
        }),
        response: {
          201: z.object({ arrival: ArrivalSchema, task: TaskSchema.nullable() }),
          ...errorResponses,
        },
      },
    },
    async (req, reply) => {
      const r = await selfReportArrival(db, req.ctx, packs, req.body);
      return reply.status(201).send({ arrival: arrivalOut(r), task: r.task ? taskOut(r.task) : null });
    },
  );

  app.get(
    "/api/me/arrivals/places",
    {
      schema: {
        tags: ["arrivals"],
        summary:
          "Find places by name or code for the self-report (destination, origin, stays); region names are public, so any account may search",
        querystring: z.strictObject({
          q: z.string().min(1).max(50),
          limit: z.coerce.number().int().min(1).max(50).default(20),
        }),
        response: {
          200: z.object({
            items: z.array(
              z.object({
                code: z.string(),
                parentCode: z.string().nullable(),
                level: z.enum(["country", "province", "city", "county", "township", "community", "grid"]),
                name: z.string(),
              }),
            ),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => ({
      items: (await findPlaces(db, req.ctx, req.query.q, req.query.limit)).map((r) => ({
        code: r.code,
        parentCode: r.parentCode,
        level: r.level,
        name: r.name,
      })),
    }),
  );

  app.get(
    "/api/me/arrivals",
    {
      schema: {
        tags: ["arrivals"],
        summary: "A citizen's own arrival reports, newest first, with the measures and where the task stands",
        response: { 200: z.object({ items: z.array(MyArrivalSchema) }), ...errorResponses },
      },
    },
    async (req) => ({ items: (await listMyArrivals(db, req.ctx, packs)).map(myOut) }),
  );

  app.get(
    "/api/arrivals/tasks",
    {
      schema: {
        tags: ["arrivals"],
        summary: "Control tasks inside the caller's jurisdiction, most urgent first, with overdue flags",
        querystring: z.strictObject({
          regionCode: RegionCode.optional(),
          overdue: z.enum(["true", "false"]).optional(),
          lang: z.enum(["zh-CN", "en"]).optional(),
        }),
        response: { 200: z.object({ items: z.array(TaskListItemSchema) }), ...errorResponses },
      },
    },
    async (req) => ({
      items: (
        await listControlTasks(db, req.ctx, packs, {
          regionCode: req.query.regionCode,
          overdue: req.query.overdue === undefined ? undefined : req.query.overdue === "true",
        })
      ).map(listOut),
    }),
  );

  app.post(
    "/api/arrivals/tasks/:id/steps",
    {
      schema: {
        tags: ["arrivals"],
        summary: "Take a control task's next step: verify → transfer → test → control → released",
        params: z.strictObject({ id: Uuid }),
        body: z.strictObject({ step: StepSchema, at: Instant, version: z.int().min(1).optional() }),
        response: { 200: TaskSchema, ...errorResponses },
      },
    },
    async (req) => taskOut(await takeStep(db, req.ctx, req.params.id, req.body)),
  );

  app.get(
    "/api/arrivals/counts",
    {
      schema: {
        tags: ["arrivals"],
        summary: "Daily report: arrivals registered, tasks overdue and released, per child region",
        querystring: z.strictObject({
          regionCode: RegionCode.optional(),
          lang: z.enum(["zh-CN", "en"]).optional(),
        }),
        response: { 200: CountsSchema, ...errorResponses },
      },
    },
    async (req) => arrivalCounts(db, req.ctx, req.query.regionCode),
  );
};
