import type { LoadedPack } from "@cordon/domain/policies/pack-schema";
import { STAY_KINDS } from "@cordon/domain/tracing/itinerary";
import { AREA_KINDS, type AreaKind } from "@cordon/domain/zones/area";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { Db } from "../db/db.ts";
import { errorResponses, IsoDateTime, RegionCode, Uuid } from "../http/schemas.ts";
import { loadShippedPacks } from "../policies/policy-packs.ts";
import { assistRequestsOf } from "./contact.service.ts";
import type { AreaProposalRow, SubmittedProposalRow } from "./stay.repository.ts";
import {
  confirmProposal,
  listStays,
  proposalsOfCase,
  recordStay,
  rejectProposal,
  removeStay,
  type StayView,
  submitProposals,
  waitingProposals,
} from "./stay.service.ts";

const Instant = z.iso.datetime({ offset: true });
const MessageSchema = z.object({ zh: z.string(), en: z.string() });
const Lang = z.enum(["zh-CN", "en"]).optional();
const AreaKindSchema = z.enum(AREA_KINDS as [AreaKind, ...AreaKind[]]);
const iso = (d: Date | null) => d?.toISOString() ?? null;

const StaySchema = z
  .object({
    id: z.string(),
    caseId: z.string(),
    kind: z.enum(STAY_KINDS as [string, ...string[]]),
    regionCode: z.string(),
    placeName: z.string().nullable(),
    from: IsoDateTime,
    to: IsoDateTime,
    frequentHigherRisk: z.boolean(),
    flags: z.array(z.object({ code: z.string(), message: MessageSchema })),
    inWindow: z.boolean(),
    recordedAt: IsoDateTime,
  })
  .meta({ id: "TracingStay", description: "One stay of a case's itinerary (行程)" });
const stayOut = (s: StayView) => ({
  id: s.id,
  caseId: s.caseId,
  kind: s.kind,
  regionCode: s.regionCode,
  placeName: s.placeName,
  from: s.from.toISOString(),
  to: s.to.toISOString(),
  frequentHigherRisk: s.frequentHigherRisk,
  flags: s.flags,
  inWindow: s.inWindow,
  recordedAt: s.recordedAt.toISOString(),
});

const SubmittedSchema = z
  .object({
    id: z.string(),
    caseId: z.string(),
    regionCode: z.string(),
    placeName: z.string().nullable(),
    kind: AreaKindSchema,
    reason: z.string(),
    explanation: MessageSchema,
    stayIds: z.array(z.string()),
    status: z.enum(["submitted", "confirmed", "rejected"]),
    submittedAt: IsoDateTime,
    decidedAt: IsoDateTime.nullable(),
    decisionReason: z.string().nullable(),
    designationId: z.string().nullable(),
  })
  .meta({
    id: "TracingAreaProposal",
    description: "A risk-area or zone proposal from an itinerary, submitted",
  });
const submittedOut = (p: AreaProposalRow) => ({
  id: p.id,
  caseId: p.caseId,
  regionCode: p.regionCode,
  placeName: p.placeName,
  kind: p.kind,
  reason: p.reason,
  explanation: p.explanation,
  stayIds: p.stayIds,
  status: p.status,
  submittedAt: p.submittedAt.toISOString(),
  decidedAt: iso(p.decidedAt),
  decisionReason: p.decisionReason,
  designationId: p.designationId,
});
const waitingOut = (p: SubmittedProposalRow) => ({
  ...submittedOut(p),
  regionName: p.regionName,
  casePersonName: p.personName,
});

/** A case's itinerary (stays), the area proposals made from it, and its contacts' assist requests. */
export const stayRoutes: FastifyPluginAsyncZod<{ db: Db; packs?: readonly LoadedPack[] }> = async (
  app,
  { db, packs: given },
) => {
  const packs = given ?? loadShippedPacks();

  app.post(
    "/api/tracing/cases/:id/stays",
    {
      schema: {
        tags: ["tracing"],
        summary:
          "Record a stay of the case's itinerary (residence, workplace, place of activity; region, place, from–to, frequent and higher-risk): refused with field errors (ends before it starts, starts in the future, unknown region) or kept with a flag (outside the look-back window)",
        params: z.strictObject({ id: Uuid }),
        body: z.strictObject({
          kind: z.enum(STAY_KINDS as [string, ...string[]]),
          regionCode: RegionCode,
          placeName: z.string().max(100).nullish(),
          from: Instant,
          to: Instant,
          frequentHigherRisk: z.boolean().optional(),
        }),
        response: { 201: StaySchema, ...errorResponses },
      },
    },
    async (req, reply) => {
      const s = await recordStay(db, req.ctx, packs, req.params.id, req.body);
      return reply.status(201).send(stayOut({ ...s, inWindow: s.flags.length === 0 }));
    },
  );

  app.get(
    "/api/tracing/cases/:id/stays",
    {
      schema: {
        tags: ["tracing"],
        summary:
          "The case's itinerary in time order, each stay with its flags and whether it overlaps the look-back window as it stands now",
        params: z.strictObject({ id: Uuid }),
        querystring: z.strictObject({ lang: Lang }),
        response: { 200: z.object({ items: z.array(StaySchema) }), ...errorResponses },
      },
    },
    async (req) => ({ items: (await listStays(db, req.ctx, packs, req.params.id)).map(stayOut) }),
  );

  app.delete(
    "/api/tracing/cases/:id/stays/:stayId",
    {
      schema: {
        tags: ["tracing"],
        summary: "Delete a stay recorded by mistake (what it was stays on the audit record)",
        params: z.strictObject({ id: Uuid, stayId: Uuid }),
        response: { 204: z.null(), ...errorResponses },
      },
    },
    async (req, reply) => {
      await removeStay(db, req.ctx, req.params.id, req.params.stayId);
      return reply.status(204).send(null);
    },
  );

  app.get(
    "/api/tracing/cases/:id/area-proposals",
    {
      schema: {
        tags: ["tracing"],
        summary:
          "Risk-area or zone proposals from the case's stays inside its look-back window (residence or frequent higher-risk place → high / sealed; other work or activity place → medium / controlled), in the scheme of the pack in force, each with its explanation and what was submitted to the command",
        params: z.strictObject({ id: Uuid }),
        querystring: z.strictObject({ lang: Lang }),
        response: {
          200: z.object({
            scheme: z.enum(["risk_areas", "zones"]),
            packId: z.string().nullable(),
            basis: MessageSchema,
            items: z.array(
              z.object({
                key: z.string(),
                regionCode: z.string(),
                placeName: z.string().nullable(),
                kind: AreaKindSchema,
                reason: z.string(),
                explanation: MessageSchema,
                stayIds: z.array(z.string()),
                submitted: SubmittedSchema.nullable(),
              }),
            ),
            outsideWindow: z.array(z.object({ stayId: z.string(), message: MessageSchema })),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const r = await proposalsOfCase(db, req.ctx, packs, req.params.id);
      return {
        scheme: r.scheme,
        packId: r.packId,
        basis: r.basis,
        items: r.items.map((i) => ({
          key: i.key,
          regionCode: i.proposal.designation.regionCode,
          placeName: i.proposal.designation.placeName ?? null,
          kind: i.proposal.kind,
          reason: i.proposal.designation.reason,
          explanation: i.proposal.explanation,
          stayIds: i.proposal.stayIds,
          submitted: i.submitted && submittedOut(i.submitted),
        })),
        outsideWindow: r.outsideWindow,
      };
    },
  );

  app.post(
    "/api/tracing/cases/:id/area-proposals/submit",
    {
      schema: {
        tags: ["tracing"],
        summary:
          "Submit chosen proposals (by key) to the command, who confirms or rejects them on the risk-area page; a place already waiting is not submitted twice",
        params: z.strictObject({ id: Uuid }),
        body: z.strictObject({ keys: z.array(z.string().max(300)).min(1).max(100) }),
        response: {
          200: z.object({ submitted: z.array(SubmittedSchema), alreadyWaiting: z.array(z.string()) }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const r = await submitProposals(db, req.ctx, packs, req.params.id, req.body.keys);
      return { submitted: r.submitted.map(submittedOut), alreadyWaiting: r.alreadyWaiting };
    },
  );

  app.get(
    "/api/tracing/area-proposals",
    {
      schema: {
        tags: ["tracing"],
        summary:
          "For the command (areas.write): proposals from case itineraries waiting to be confirmed in the caller's jurisdiction, oldest first",
        querystring: z.strictObject({ lang: Lang }),
        response: {
          200: z.object({
            items: z.array(SubmittedSchema.extend({ regionName: z.string(), casePersonName: z.string() })),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => ({ items: (await waitingProposals(db, req.ctx)).map(waitingOut) }),
  );

  app.post(
    "/api/tracing/area-proposals/:id/confirm",
    {
      schema: {
        tags: ["tracing"],
        summary:
          "The command confirms a proposal from an itinerary: the risk area or zone is designated (from now, or the time given), linked to the case",
        params: z.strictObject({ id: Uuid }),
        body: z.strictObject({ from: Instant.optional(), reason: z.string().max(1000).optional() }),
        response: { 200: SubmittedSchema, ...errorResponses },
      },
    },
    async (req) => submittedOut(await confirmProposal(db, req.ctx, req.params.id, req.body)),
  );

  app.post(
    "/api/tracing/area-proposals/:id/reject",
    {
      schema: {
        tags: ["tracing"],
        summary: "The command rejects a proposal from an itinerary, with a reason",
        params: z.strictObject({ id: Uuid }),
        body: z.strictObject({ reason: z.string().max(1000) }),
        response: { 200: SubmittedSchema, ...errorResponses },
      },
    },
    async (req) => submittedOut(await rejectProposal(db, req.ctx, req.params.id, req.body.reason)),
  );

  app.get(
    "/api/tracing/cases/:id/assist-requests",
    {
      schema: {
        tags: ["tracing"],
        summary:
          "The case's contacts forwarded as assist requests (协查) to the jurisdiction where they live: the assist list, its row, the region, when",
        params: z.strictObject({ id: Uuid }),
        querystring: z.strictObject({ lang: Lang }),
        response: {
          200: z.object({
            items: z.array(
              z.object({
                contactId: z.string(),
                personId: z.string(),
                listId: z.string(),
                rowId: z.string(),
                regionCode: z.string(),
                regionName: z.string().nullable(),
                sentAt: IsoDateTime,
              }),
            ),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => ({
      items: (await assistRequestsOf(db, req.ctx, req.params.id)).map((f) => ({
        ...f,
        sentAt: f.sentAt.toISOString(),
      })),
    }),
  );
};
