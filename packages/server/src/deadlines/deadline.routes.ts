import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { Db } from "../db/db.ts";
import { errorResponses, RegionCode } from "../http/schemas.ts";
import { getDeadlines, setDeadlines } from "./deadline.service.ts";

const RuleSchema = z
  .discriminatedUnion("kind", [
    z.strictObject({ kind: z.literal("hours"), hours: z.int() }),
    z.strictObject({ kind: z.literal("end_of_day") }),
  ])
  .meta({
    id: "DeadlineRule",
    description: "Hours after receipt, or midnight (Asia/Shanghai) of the day received",
  });

const Effective = z.object({ rule: RuleSchema, setBy: z.string().nullable() });

const DeadlinesSchema = z
  .object({
    regionCode: z.string(),
    own: z
      .object({ arrivalTask: RuleSchema.nullable(), assistList: RuleSchema.nullable(), version: z.int() })
      .nullable(),
    effective: z.object({ arrivalTask: Effective, assistList: Effective }),
  })
  .meta({ id: "Deadlines" });

export const deadlineRoutes: FastifyPluginAsyncZod<{ db: Db }> = async (app, { db }) => {
  app.get(
    "/api/deadlines",
    {
      schema: {
        tags: ["deadlines"],
        summary:
          "Deadlines in force for a region (default: the caller's jurisdiction): arrival control tasks and assist lists, and which region set them",
        querystring: z.strictObject({ regionCode: RegionCode.optional() }),
        response: { 200: DeadlinesSchema, ...errorResponses },
      },
    },
    async (req) => getDeadlines(db, req.ctx, req.query.regionCode),
  );

  app.put(
    "/api/deadlines/:regionCode",
    {
      schema: {
        tags: ["deadlines"],
        summary: "Set a region's own deadlines for its subtree; null inherits from the region above",
        params: z.strictObject({ regionCode: RegionCode }),
        body: z.strictObject({
          arrivalTask: RuleSchema.nullable(),
          assistList: RuleSchema.nullable(),
          version: z.int().min(0).optional(),
        }),
        response: { 200: DeadlinesSchema, ...errorResponses },
      },
    },
    async (req) => setDeadlines(db, req.ctx, req.params.regionCode, req.body),
  );
};
