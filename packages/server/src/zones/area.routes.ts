import { AREA_KINDS, type AreaKind } from "@cordon/domain/zones/area";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { Db } from "../db/db.ts";
import { errorResponses, IsoDateTime, RegionCode, Uuid } from "../http/schemas.ts";
import type { AreaInForceRow, AreaRow } from "./area.repository.ts";
import { designateArea, endDesignation, listAreas, type PublicArea, publicAreas } from "./area.service.ts";

export const AreaKindSchema = z.enum(AREA_KINDS as [AreaKind, ...AreaKind[]]).meta({ id: "AreaKind" });
const Instant = z.iso.datetime({ offset: true });

export const AreaSchema = z
  .object({
    id: z.string(),
    regionCode: z.string(),
    placeName: z.string().nullable(),
    kind: AreaKindSchema,
    from: IsoDateTime,
    to: IsoDateTime.nullable(),
    reason: z.string(),
    linkedCase: z.string().nullable(),
    createdBy: z.string().nullable(),
    createdAt: IsoDateTime,
    endedBy: z.string().nullable(),
    endedAt: IsoDateTime.nullable(),
    endReason: z.string().nullable(),
    previousId: z.string().nullable(),
  })
  .meta({ id: "AreaDesignation" });

const AreaInForceSchema = AreaSchema.extend({ regionName: z.string(), regionLevel: z.string() }).meta({
  id: "AreaInForce",
});

const PublicAreaSchema = z
  .object({
    regionCode: z.string(),
    regionName: z.string(),
    path: z.array(z.object({ code: z.string(), name: z.string() })),
    placeName: z.string().nullable(),
    kind: AreaKindSchema,
    from: IsoDateTime,
    to: IsoDateTime.nullable(),
  })
  .meta({ id: "PublicArea" });

const iso = (d: Date | null) => (d ? d.toISOString() : null);
export const areaOut = (r: AreaRow) => ({
  ...r,
  from: r.from.toISOString(),
  to: iso(r.to),
  createdAt: r.createdAt.toISOString(),
  endedAt: iso(r.endedAt),
});
const inForceOut = (r: AreaInForceRow) => ({
  ...areaOut(r),
  regionName: r.regionName,
  regionLevel: r.regionLevel,
});
const publicOut = (r: PublicArea) => ({ ...r, from: r.from.toISOString(), to: iso(r.to) });

export const areaRoutes: FastifyPluginAsyncZod<{ db: Db }> = async (app, { db }) => {
  app.post(
    "/api/areas",
    {
      schema: {
        tags: ["areas"],
        summary:
          "Designate a region or a named compound as a high/medium/low-risk area or a sealed/controlled/precaution zone",
        body: z.strictObject({
          regionCode: RegionCode,
          placeName: z.string().max(200).nullish(),
          kind: z.string().max(20),
          from: Instant,
          to: Instant.nullish(),
          reason: z.string().max(1000),
          linkedCase: z.string().max(200).nullish(),
        }),
        response: { 201: AreaSchema, ...errorResponses },
      },
    },
    async (req, reply) => reply.status(201).send(areaOut(await designateArea(db, req.ctx, req.body))),
  );

  app.post(
    "/api/areas/:id/end",
    {
      schema: {
        tags: ["areas"],
        summary: "End (lift) a designation at a time; its history is kept",
        params: z.strictObject({ id: Uuid }),
        body: z.strictObject({ at: Instant, reason: z.string().max(1000) }),
        response: { 200: AreaSchema, ...errorResponses },
      },
    },
    async (req) => areaOut(await endDesignation(db, req.ctx, req.params.id, req.body)),
  );

  app.get(
    "/api/areas",
    {
      schema: {
        tags: ["areas"],
        summary: "Areas and zones in force at a time (default now) inside the caller's jurisdiction",
        querystring: z.strictObject({
          at: Instant.optional(),
          kind: AreaKindSchema.optional(),
          regionCode: RegionCode.optional(),
          lang: z.enum(["zh-CN", "en"]).optional(),
        }),
        response: { 200: z.object({ items: z.array(AreaInForceSchema) }), ...errorResponses },
      },
    },
    async (req) => ({ items: (await listAreas(db, req.ctx, req.query)).map(inForceOut) }),
  );

  app.get(
    "/api/public/areas",
    {
      config: { public: true },
      schema: {
        tags: ["areas"],
        summary: "Public: risk areas and zones in force at a time (default now), with region names; no login",
        security: [],
        querystring: z.strictObject({ at: Instant.optional(), lang: z.enum(["zh-CN", "en"]).optional() }),
        response: { 200: z.object({ at: IsoDateTime, items: z.array(PublicAreaSchema) }), ...errorResponses },
      },
    },
    async (req) => ({
      at: req.query.at ? new Date(req.query.at).toISOString() : req.ctx.now.toISOString(),
      items: (await publicAreas(db, req.ctx, req.query.at)).map(publicOut),
    }),
  );
};
