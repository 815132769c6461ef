import type { LoadedPack } from "@cordon/domain/policies/pack-schema";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { Db } from "../db/db.ts";
import { errorResponses, IsoDateTime, Uuid } from "../http/schemas.ts";
import { loadShippedPacks } from "../policies/policy-packs.ts";
import type { CodeChange } from "./code.repository.ts";
import { KeyRing } from "./code-keys.ts";
import {
  type CodeDeps,
  decideOverride,
  myCode,
  type OverrideRow,
  overrideReport,
  personCode,
  requestOverride,
  revocationList,
  revokeOverride,
  rotateKey,
  scannerConfig,
} from "./code.service.ts";

const Lang = z.enum(["zh-CN", "en"]).optional();
const ColourSchema = z.enum(["green", "yellow", "red", "grey"]).meta({ id: "CodeColour" });
const MessageSchema = z.object({ zh: z.string(), en: z.string() });
const iso = (d: Date | null) => (d ? d.toISOString() : null);

const ReasonSchema = z
  .object({
    code: z.string(),
    colour: ColourSchema,
    since: IsoDateTime,
    message: MessageSchema,
    clears: MessageSchema.nullable(),
  })
  .meta({ id: "CodeReason" });

const OverrideSchema = z
  .object({
    id: z.string(),
    personId: z.string(),
    colour: ColourSchema,
    reason: z.string(),
    hours: z.number(),
    regionCode: z.string(),
    requestedBy: z.string(),
    requestedByName: z.string().nullable(),
    requestedAt: IsoDateTime,
    status: z.enum(["pending", "approved", "rejected", "revoked", "withdrawn"]),
    decidedBy: z.string().nullable(),
    decidedByName: z.string().nullable(),
    decidedAt: IsoDateTime.nullable(),
    decisionNote: z.string().nullable(),
    expiresAt: IsoDateTime.nullable(),
    revokedBy: z.string().nullable(),
    revokedAt: IsoDateTime.nullable(),
    revokeReason: z.string().nullable(),
  })
  .meta({ id: "CodeOverride" });

const ChangeSchema = z
  .object({
    id: z.string(),
    at: IsoDateTime,
    fromColour: ColourSchema.nullable(),
    toColour: ColourSchema,
    reasons: z.array(ReasonSchema),
    cause: z.string(),
    packId: z.string().nullable(),
  })
  .meta({ id: "CodeChange" });

const reasonsOut = (rs: { since: Date }[]) => rs.map((r) => ({ ...r, since: r.since.toISOString() }));
export const overrideOut = (o: OverrideRow) => ({
  ...o,
  requestedAt: o.requestedAt.toISOString(),
  decidedAt: iso(o.decidedAt),
  expiresAt: iso(o.expiresAt),
  revokedAt: iso(o.revokedAt),
});
const changeOut = (c: CodeChange) => ({
  id: c.id,
  at: c.at.toISOString(),
  fromColour: c.fromColour,
  toColour: c.toColour,
  reasons: reasonsOut(c.reasons) as z.infer<typeof ReasonSchema>[],
  cause: c.cause,
  packId: c.packId,
});

export const codeRoutes: FastifyPluginAsyncZod<{
  db: Db;
  packs?: readonly LoadedPack[];
  keys?: KeyRing;
}> = async (app, { db, packs: given, keys }) => {
  const deps: CodeDeps = { db, packs: given ?? loadShippedPacks(), keys: keys ?? new KeyRing(db) };

  app.get(
    "/api/me/code",
    {
      schema: {
        tags: ["codes"],
        summary:
          "The citizen's own health code: a freshly signed QR text (CDC1, docs/capabilities/health-code-format.md), the colour, since when, and every reason",
        querystring: z.strictObject({ lang: Lang }),
        response: {
          200: z.object({
            code: z.string(),
            colour: ColourSchema,
            since: IsoDateTime,
            reasons: z.array(ReasonSchema),
            issuedAt: IsoDateTime,
            expiresAt: IsoDateTime,
            override: OverrideSchema.nullable(),
          }),
          ...errorResponses,
        },
      },
    },
    async (req, reply) => {
      const c = await myCode(deps, req.ctx);
      reply.header("cache-control", "no-store");
      return {
        code: c.code,
        colour: c.colour,
        since: c.since.toISOString(),
        reasons: reasonsOut(c.reasons) as z.infer<typeof ReasonSchema>[],
        issuedAt: c.issuedAt.toISOString(),
        expiresAt: c.expiresAt.toISOString(),
        override: c.override ? overrideOut(c.override) : null,
      };
    },
  );

  app.get(
    "/api/people/:id/code",
    {
      schema: {
        tags: ["codes"],
        summary:
          "A person's health code for staff: colour, reasons, the history of changes and the overrides",
        params: z.object({ id: Uuid }),
        querystring: z.strictObject({ lang: Lang }),
        response: {
          200: z.object({
            personId: z.string(),
            colour: ColourSchema,
            since: IsoDateTime,
            reasons: z.array(ReasonSchema),
            computedAt: IsoDateTime,
            recheckAt: IsoDateTime.nullable(),
            history: z.array(ChangeSchema),
            overrides: z.array(OverrideSchema),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const c = await personCode(deps, req.ctx, req.params.id);
      return {
        personId: c.personId,
        colour: c.colour,
        since: c.since.toISOString(),
        reasons: reasonsOut(c.reasons) as z.infer<typeof ReasonSchema>[],
        computedAt: c.computedAt.toISOString(),
        recheckAt: iso(c.recheckAt),
        history: c.history.map(changeOut),
        overrides: c.overrides.map(overrideOut),
      };
    },
  );

  app.get(
    "/api/codes/keys",
    {
      config: { public: true },
      schema: {
        tags: ["codes"],
        summary:
          "Public: the issuing authority's Ed25519 public keys (raw, base64url) by key id, and the numbers a scanner or gate needs",
        security: [],
        response: {
          200: z.object({
            keys: z.array(
              z.object({
                kid: z.number(),
                publicKey: z.string(),
                activeFrom: IsoDateTime,
                retiredAt: IsoDateTime.nullable(),
              }),
            ),
            policy: z.object({
              validitySeconds: z.number(),
              skewSeconds: z.number(),
              revocationPollSeconds: z.number(),
              feverCelsius: z.number(),
              admit: z.array(ColourSchema),
            }),
          }),
          ...errorResponses,
        },
      },
    },
    async (req, reply) => {
      const c = await scannerConfig(deps, req.ctx.now);
      reply.header("cache-control", "public, max-age=60");
      return {
        keys: c.keys.map((k) => ({
          ...k,
          activeFrom: k.activeFrom.toISOString(),
          retiredAt: iso(k.retiredAt),
        })),
        policy: c.policy,
      };
    },
  );

  app.get(
    "/api/codes/revocations",
    {
      config: { public: true },
      schema: {
        tags: ["codes"],
        summary:
          "Public: codes downgraded since `since` (pseudonymous refs, 32 hex digits): a code whose ref is listed with downgradedAt at or after its issue is refused",
        security: [],
        querystring: z.strictObject({ since: z.iso.datetime({ offset: true }).optional() }),
        response: {
          200: z.object({
            asOf: IsoDateTime,
            revocations: z.array(z.object({ ref: z.string(), downgradedAt: IsoDateTime })),
          }),
          ...errorResponses,
        },
      },
    },
    async (req, reply) => {
      const r = await revocationList(deps, req.ctx.now, req.query.since ? new Date(req.query.since) : null);
      reply.header("cache-control", "no-store");
      return {
        asOf: r.asOf.toISOString(),
        revocations: r.revocations.map((x) => ({ ref: x.ref, downgradedAt: x.downgradedAt.toISOString() })),
      };
    },
  );

  app.post(
    "/api/codes/keys/rotate",
    {
      schema: {
        tags: ["codes"],
        summary:
          "Rotate the signing key (national administrator): a new key signs from now; the old stays published until its codes expire",
        response: {
          201: z.object({ kid: z.number(), publicKey: z.string(), activeFrom: IsoDateTime }),
          ...errorResponses,
        },
      },
    },
    async (req, reply) => {
      const k = await rotateKey(deps, req.ctx);
      return reply.status(201).send({ ...k, activeFrom: k.activeFrom.toISOString() });
    },
  );

  app.post(
    "/api/people/:id/code/overrides",
    {
      schema: {
        tags: ["codes"],
        summary:
          "Request a colour by hand for one person (人工赋码): a written reason and a duration; takes effect only when a second user approves",
        params: z.object({ id: Uuid }),
        body: z.strictObject({ colour: z.string().max(10), reason: z.string().max(2000), hours: z.number() }),
        response: { 201: OverrideSchema, ...errorResponses },
      },
    },
    async (req, reply) =>
      reply.status(201).send(overrideOut(await requestOverride(deps, req.ctx, req.params.id, req.body))),
  );

  app.post(
    "/api/codes/overrides/:id/decision",
    {
      schema: {
        tags: ["codes"],
        summary: "Approve or reject an override request (a user other than the requester)",
        params: z.object({ id: Uuid }),
        body: z.strictObject({ approve: z.boolean(), note: z.string().max(2000).nullish() }),
        response: { 200: OverrideSchema, ...errorResponses },
      },
    },
    async (req) => overrideOut(await decideOverride(deps, req.ctx, req.params.id, req.body)),
  );

  app.post(
    "/api/codes/overrides/:id/revoke",
    {
      schema: {
        tags: ["codes"],
        summary: "End an approved override early, or withdraw a pending request, with a reason",
        params: z.object({ id: Uuid }),
        body: z.strictObject({ reason: z.string().max(2000) }),
        response: { 200: OverrideSchema, ...errorResponses },
      },
    },
    async (req) => overrideOut(await revokeOverride(deps, req.ctx, req.params.id, req.body)),
  );

  app.get(
    "/api/codes/overrides",
    {
      schema: {
        tags: ["codes"],
        summary:
          "The overrides report: every request in the caller's jurisdiction with requester, approver, reason and expiry",
        querystring: z.strictObject({
          status: z.enum(["pending", "approved", "rejected", "revoked", "withdrawn"]).optional(),
          from: z.iso.datetime({ offset: true }).optional(),
          to: z.iso.datetime({ offset: true }).optional(),
          lang: Lang,
        }),
        response: {
          200: z.object({
            items: z.array(
              OverrideSchema.extend({
                personName: z.string(),
                personDocument: z.string(),
                inForce: z.boolean(),
              }),
            ),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => ({
      items: (
        await overrideReport(deps, req.ctx, {
          status: req.query.status,
          from: req.query.from ? new Date(req.query.from) : undefined,
          to: req.query.to ? new Date(req.query.to) : undefined,
        })
      ).map((o) => ({
        ...overrideOut(o),
        personName: o.personName,
        personDocument: o.personDocument,
        inForce: o.inForce,
      })),
    }),
  );
};
