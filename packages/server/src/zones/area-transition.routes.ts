import type { LoadedPack } from "@cordon/domain/policies/pack-schema";
import { AREA_EVENT_KINDS, type AreaEventKind, type Proposal } from "@cordon/domain/zones/transitions";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { Db } from "../db/db.ts";
import { errorResponses, IsoDateTime, RegionCode, Uuid } from "../http/schemas.ts";
import { loadShippedPacks } from "../policies/policy-packs.ts";
import type { AreaEventRow } from "./area-event.repository.ts";
import { AreaKindSchema, areaOut, AreaSchema } from "./area.routes.ts";
import type { AreaInForceRow } from "./area.repository.ts";
import {
  confirmTransition,
  listAreaEvents,
  listProposals,
  recordAreaEvent,
} from "./area-transition.service.ts";

const Instant = z.iso.datetime({ offset: true });
const MessageSchema = z.object({ zh: z.string(), en: z.string() });

const AreaEventSchema = z
  .object({
    id: z.string(),
    designationId: z.string(),
    kind: z.enum(AREA_EVENT_KINDS as [AreaEventKind, ...AreaEventKind[]]),
    at: IsoDateTime,
    result: z.enum(["negative", "positive"]).nullable(),
    note: z.string().nullable(),
    linkedCase: z.string().nullable(),
    createdBy: z.string().nullable(),
    createdAt: IsoDateTime,
  })
  .meta({ id: "AreaEvent" });

const ProposalSchema = z
  .object({
    designationId: z.string(),
    fromKind: AreaKindSchema,
    toKind: AreaKindSchema.nullable(),
    packId: z.string(),
    packFile: z.string(),
    transitionId: z.string(),
    source: z.object({ quote: z.string(), en: z.string() }),
    note: MessageSchema.nullable(),
    silentPackId: z.string().nullable(),
    status: z.enum(["ready", "pending"]),
    countFrom: z.string(),
    daysMetAt: z.string(),
    conditions: z.array(
      z.object({
        code: z.string(),
        met: z.boolean(),
        message: MessageSchema,
        dates: z.record(z.string(), z.string().nullable()),
      }),
    ),
    fingerprint: z.string(),
  })
  .meta({ id: "AreaProposal" });

const AreaProposalItemSchema = z
  .object({
    area: AreaSchema.extend({ regionName: z.string(), regionLevel: z.string() }),
    proposal: ProposalSchema,
  })
  .meta({ id: "AreaProposalItem" });

const eventOut = (e: AreaEventRow) => ({
  ...e,
  at: e.at.toISOString(),
  createdAt: e.createdAt.toISOString(),
});
const proposalOut = (p: Proposal) => ({ ...p, note: p.note ?? null });
const inForceOut = (a: AreaInForceRow) => ({
  ...areaOut(a),
  regionName: a.regionName,
  regionLevel: a.regionLevel,
});

/** Facts recorded on designations, and the downgrades and lifts the pack in force proposes from them. */
export const areaTransitionRoutes: FastifyPluginAsyncZod<{ db: Db; packs?: readonly LoadedPack[] }> = async (
  app,
  { db, packs: given },
) => {
  const packs = given ?? loadShippedPacks();

  app.post(
    "/api/areas/:id/events",
    {
      schema: {
        tags: ["areas"],
        summary:
          "Record a fact on a designation: a new infection, an area-wide screening round (negative/positive) or the last close contact released",
        params: z.strictObject({ id: Uuid }),
        body: z.strictObject({
          kind: z.enum(AREA_EVENT_KINDS as [AreaEventKind, ...AreaEventKind[]]),
          at: Instant,
          result: z.enum(["negative", "positive"]).nullish(),
          note: z.string().max(1000).nullish(),
          linkedCase: z.string().max(200).nullish(),
        }),
        response: { 201: AreaEventSchema, ...errorResponses },
      },
    },
    async (req, reply) =>
      reply.status(201).send(eventOut(await recordAreaEvent(db, req.ctx, req.params.id, req.body))),
  );

  app.get(
    "/api/areas/:id/events",
    {
      schema: {
        tags: ["areas"],
        summary: "The facts recorded on a designation, oldest first",
        params: z.strictObject({ id: Uuid }),
        querystring: z.strictObject({ lang: z.enum(["zh-CN", "en"]).optional() }),
        response: { 200: z.object({ items: z.array(AreaEventSchema) }), ...errorResponses },
      },
    },
    async (req) => ({ items: (await listAreaEvents(db, req.ctx, req.params.id)).map(eventOut) }),
  );

  app.get(
    "/api/areas/proposals",
    {
      schema: {
        tags: ["areas"],
        summary:
          "Downgrades and lifts the pack in force proposes at a time (default now) for the designations in force in the caller's jurisdiction: ready ones, then pending ones with their unmet conditions",
        querystring: z.strictObject({
          at: Instant.optional(),
          regionCode: RegionCode.optional(),
          lang: z.enum(["zh-CN", "en"]).optional(),
        }),
        response: {
          200: z.object({ at: IsoDateTime, items: z.array(AreaProposalItemSchema) }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const r = await listProposals(db, req.ctx, packs, req.query);
      return {
        at: r.at.toISOString(),
        items: r.items.map((i) => ({ area: inForceOut(i.area), proposal: proposalOut(i.proposal) })),
      };
    },
  );

  app.post(
    "/api/areas/:id/transition",
    {
      schema: {
        tags: ["areas"],
        summary:
          "Confirm a proposed downgrade (opens the lower kind, linked) or lift at a time; refused when its conditions do not hold",
        params: z.strictObject({ id: Uuid }),
        body: z.strictObject({
          to: AreaKindSchema.nullable(),
          at: Instant,
          reason: z.string().max(1000),
          fingerprint: z.string().max(64),
        }),
        response: {
          200: z
            .object({ ended: AreaSchema, opened: AreaSchema.nullable(), proposal: ProposalSchema })
            .meta({ id: "AreaTransitionResult" }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const r = await confirmTransition(db, req.ctx, packs, req.params.id, req.body);
      return {
        ended: areaOut(r.ended),
        opened: r.opened ? areaOut(r.opened) : null,
        proposal: proposalOut(r.proposal),
      };
    },
  );
};
