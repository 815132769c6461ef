import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { Db } from "../db/db.ts";
import { errorResponses, IsoDateTime, RegionCode, Uuid } from "../http/schemas.ts";
import type { RegionRow, ResponsibleRow } from "./region.repository.ts";
import {
  addResponsible,
  createGrid,
  findRegionsByName,
  regionOverview,
  removeResponsible,
} from "./region.service.ts";

const RegionSchema = z
  .object({
    code: z.string(),
    parentCode: z.string().nullable(),
    level: z.enum(["country", "province", "city", "county", "township", "community", "grid"]),
    name: z.string(),
    population: z.number().nullable(),
    populationSource: z.enum(["census2020", "estimate"]).nullable(),
    populationNote: z.string().nullable(),
    source: z.string(),
  })
  .meta({ id: "Region" });

const ResponsibleSchema = z
  .object({
    id: z.string(),
    regionCode: z.string(),
    name: z.string(),
    title: z.string(),
    phone: z.string(),
    createdAt: IsoDateTime,
  })
  .meta({ id: "Responsible" });

const responsibleOut = (r: ResponsibleRow) => ({ ...r, createdAt: r.createdAt.toISOString() });
const regionOut = (r: RegionRow) => r;

export const regionRoutes: FastifyPluginAsyncZod<{ db: Db }> = async (app, { db }) => {
  app.get(
    "/api/regions/:code",
    {
      schema: {
        tags: ["regions"],
        summary: "A region: its path, children (with registered people), population and responsible persons",
        params: z.strictObject({ code: RegionCode }),
        response: {
          200: z.object({
            region: RegionSchema,
            path: z.array(RegionSchema),
            children: z.array(
              RegionSchema.extend({ childCount: z.number(), personCount: z.number().nullable() }),
            ),
            responsibles: z.array(ResponsibleSchema),
            personCount: z.number().nullable(),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const o = await regionOverview(db, req.ctx, req.params.code);
      return { ...o, responsibles: o.responsibles.map(responsibleOut) };
    },
  );

  app.get(
    "/api/regions",
    {
      schema: {
        tags: ["regions"],
        summary: "Find regions of the whole country by name or code prefix (GB/T 2260 names are public)",
        querystring: z.strictObject({
          q: z.string().min(1).max(50),
          limit: z.coerce.number().int().min(1).max(100).default(20),
        }),
        response: { 200: z.object({ items: z.array(RegionSchema) }), ...errorResponses },
      },
    },
    async (req) => ({
      items: (await findRegionsByName(db, req.ctx, req.query.q, req.query.limit)).map(regionOut),
    }),
  );

  app.post(
    "/api/regions/:code/responsibles",
    {
      schema: {
        tags: ["regions"],
        summary: "Name a person responsible for a region or grid (市包县、县包乡、乡包村、村包户)",
        params: z.strictObject({ code: RegionCode }),
        body: z.strictObject({
          name: z.string().max(50),
          title: z.string().max(50),
          phone: z.string().max(30),
        }),
        response: { 201: ResponsibleSchema, ...errorResponses },
      },
    },
    async (req, reply) =>
      reply.status(201).send(responsibleOut(await addResponsible(db, req.ctx, req.params.code, req.body))),
  );

  app.delete(
    "/api/responsibles/:id",
    {
      schema: {
        tags: ["regions"],
        summary: "Remove a responsible person",
        params: z.strictObject({ id: Uuid }),
        response: { 204: z.null(), ...errorResponses },
      },
    },
    async (req, reply) => {
      await removeResponsible(db, req.ctx, req.params.id);
      return reply.status(204).send(null);
    },
  );

  app.post(
    "/api/regions/:code/grids",
    {
      schema: {
        tags: ["regions"],
        summary: "Draw a grid inside a community or village",
        params: z.strictObject({ code: RegionCode }),
        body: z.strictObject({ name: z.string().max(50) }),
        response: { 201: RegionSchema, ...errorResponses },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await createGrid(db, req.ctx, req.params.code, req.body.name)),
  );
};
