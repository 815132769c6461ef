import { CONTROL_STEPS, type ControlStep } from "@cordon/domain/arrivals/control-task";
import type { LoadedPack } from "@cordon/domain/policies/pack-schema";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { Db } from "../db/db.ts";
import { errorResponses, IsoDateTime, RegionCode, Uuid } from "../http/schemas.ts";
import { loadShippedPacks } from "../policies/policy-packs.ts";
import { PersonFactsSchema } from "../policies/policy.routes.ts";
import type { TaskRow } from "./arrival.repository.ts";
import {
  arrivalCounts,
  listControlTasks,
  registerArrival,
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

const TaskListItemSchema = z
  .object({
    id: z.string(),
    arrivalId: z.string(),
    personId: z.string(),
    personName: z.string(),
    documentNumberMasked: z.string(),
    regionCode: z.string(),
    arrivalAt: IsoDateTime,
    status: StatusSchema,
    statusLabel: MessageSchema,
    dueAt: IsoDateTime,
    overdue: z.boolean(),
    packId: z.string().nullable(),
    measures: z.array(z.string()),
    steps: z.array(StepRecordSchema),
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
const listOut = (t: TaskListItem) => ({
  ...t,
  arrivalAt: t.arrivalAt.toISOString(),
  dueAt: t.dueAt.toISOString(),
  steps: stepsOut(t.steps),
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
          travelHistory: z
            .array(
              z.strictObject({ regionCode: RegionCode, from: z.string().max(40), to: z.string().max(40) }),
            )
            .max(200),
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
      return reply.status(201).send({
        arrival: {
          id: r.arrival.id,
          personId: r.arrival.personId,
          originRegionCode: r.arrival.originRegionCode,
          route: r.arrival.route,
          arrivalAt: r.arrival.arrivalAt.toISOString(),
          destinationRegionCode: r.arrival.destinationRegionCode,
          reportedBy: r.arrival.reportedBy,
          decision: r.arrival.decision,
          createdAt: r.arrival.createdAt.toISOString(),
        },
        task: r.task ? taskOut(r.task) : null,
      });
    },
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
        await listControlTasks(db, req.ctx, {
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
