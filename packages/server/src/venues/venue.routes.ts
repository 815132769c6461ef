import type { FastifyReply, FastifyRequest } from "fastify";
import {
  type FastifyPluginAsyncZod,
  serializerCompiler,
  type ZodTypeProvider,
} from "fastify-type-provider-zod";
import { z } from "zod";
import type { Db } from "../db/db.ts";
import {
  ErrorSchema,
  errorResponses,
  IsoDateTime,
  Page,
  PageSize,
  RegionCode,
  Uuid,
} from "../http/schemas.ts";
import { findRegion } from "../regions/region.repository.ts";
import { selfCheckin } from "./checkin.service.ts";
import {
  Colour,
  GateBody,
  gateAnswerJson,
  type GateIngest,
  parseJsonText,
  ShedError,
} from "./gate-ingest.ts";
import { checkinUrl, renderPoster } from "./poster.ts";
import { purgeExpiredScans } from "./scan-partitions.ts";
import type { DeviceRow, ScanRow, VenueRow } from "./venue.repository.ts";
import {
  changeVenue,
  createVenue,
  findVenues,
  getVenue,
  registerDevice,
  revokeVenueDevice,
  VENUE_KINDS,
  venueDevices,
  venueForCheckin,
  venueScans,
} from "./venue.service.ts";

export const VenueKindSchema = z.enum(VENUE_KINDS).meta({ id: "VenueKind" });

const VenueSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    kind: VenueKindSchema,
    regionCode: z.string(),
    address: z.string(),
    capacity: z.number().nullable(),
    lat: z.number().nullable(),
    lon: z.number().nullable(),
    active: z.boolean(),
    createdBy: z.string().nullable(),
    createdAt: IsoDateTime,
    updatedAt: IsoDateTime,
    version: z.number(),
  })
  .meta({ id: "Venue" });

const VenueListItemSchema = VenueSchema.extend({ regionName: z.string(), devices: z.number() }).meta({
  id: "VenueListItem",
});

const DeviceSchema = z
  .object({
    id: z.string(),
    venueId: z.string(),
    name: z.string(),
    createdAt: IsoDateTime,
    revokedAt: IsoDateTime.nullable(),
  })
  .meta({ id: "VenueDevice" });

const ScanSchema = z
  .object({
    id: z.string(),
    at: IsoDateTime,
    way: z.enum(["self", "gate"]),
    colour: Colour,
    vaccination: z.number().nullable(),
    temperature: z.number().nullable(),
    decision: z.enum(["admit", "refuse"]),
    reason: z.string().nullable(),
    deviceId: z.string().nullable(),
    receivedAt: IsoDateTime,
  })
  .meta({ id: "VenueScan" });

const venueOut = (v: VenueRow) => ({
  ...v,
  kind: v.kind as (typeof VENUE_KINDS)[number],
  createdAt: v.createdAt.toISOString(),
  updatedAt: v.updatedAt.toISOString(),
});
const deviceOut = (d: DeviceRow) => ({
  id: d.id,
  venueId: d.venueId,
  name: d.name,
  createdAt: d.createdAt.toISOString(),
  revokedAt: d.revokedAt ? d.revokedAt.toISOString() : null,
});
const scanOut = (s: ScanRow) => ({
  ...s,
  colour: s.colour as z.infer<typeof Colour>,
  at: s.at.toISOString(),
  receivedAt: s.receivedAt.toISOString(),
});

const VenueBody = {
  name: z.string().max(1000),
  kind: z.string().max(40),
  regionCode: RegionCode,
  address: z.string().max(2000),
  capacity: z.int().nullish(),
  lat: z.number().nullish(),
  lon: z.number().nullish(),
};

const HOUR = 3_600_000;

/**
 * Venues, their posters and gate devices, and check-in. Registers a background job per process:
 * partitions of the coming days made ahead, and scans past retention dropped (hourly).
 */
export const venueRoutes: FastifyPluginAsyncZod<{
  db: Db;
  /** The gate uploads' state (writer, limits, partitions): shared with the server's fast path. */
  gate: GateIngest;
  posterFontPath?: string;
}> = async (app, { db, gate, posterFontPath }) => {
  const partitions = gate.partitions;

  async function maintain() {
    const now = new Date();
    await partitions.ensureAround(now, 1, 2);
    await purgeExpiredScans(db, now, gate.settings(now).retentionDays, partitions);
  }
  let timer: NodeJS.Timeout | null = null;
  // A serving process keeps the partitions ahead and the retention applied; in-process test apps
  // (inject, no listening) make their partitions on demand and purge when a test says so.
  app.addHook("onListen", async () => {
    await maintain();
    timer = setInterval(() => void maintain().catch((e: unknown) => app.log.error(e)), HOUR);
    timer.unref();
  });
  app.addHook("onClose", async () => {
    if (timer) clearInterval(timer);
    await gate.close();
  });

  const devices = new WeakMap<FastifyRequest, string>();
  /** A callback hook, not an async one: this runs for every upload at the peak. */
  const admitUpload = (req: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void): void => {
    const refused = (e: unknown) => {
      if (e instanceof ShedError) reply.header("retry-after", String(e.retryAfter));
      done(e as Error);
    };
    const admitted = (deviceId: string) => {
      devices.set(req, deviceId);
      done();
    };
    try {
      const d = gate.admit(req.headers.authorization, Date.now());
      if (typeof d === "string") admitted(d);
      else d.then(admitted, refused);
    } catch (e) {
      refused(e);
    }
  };

  // In a context of its own, for its JSON parser (parseJsonText). A listening server takes this URL in
  // its fast path (gate-fast-path.ts) before the framework; this route answers the same, from the same
  // GateIngest, for the OpenAPI document, in-process requests and URLs with a query string.
  await app.register(async (child) => {
    const route = child.withTypeProvider<ZodTypeProvider>();
    // JSON only: any other type is 415, as in the fast path (the framework would take text/plain).
    route.removeAllContentTypeParsers();
    route.addContentTypeParser("application/json", { parseAs: "string" }, (_req, body, done) => {
      try {
        done(null, parseJsonText(body as string));
      } catch (e) {
        done(e as Error, undefined);
      }
    });
    route.post(
      "/api/checkin/gate",
      {
        config: { bearer: true },
        onRequest: admitUpload,
        // The answer written out directly rather than checked against its zod schema first: two fields,
        // every upload. Errors (4xx/5xx) keep the default serializer.
        serializerCompiler: (r) =>
          r.httpStatus === "200"
            ? (a: { accepted: number; duplicate: boolean }) => gateAnswerJson(a)
            : serializerCompiler(r as unknown as Parameters<typeof serializerCompiler>[0]),
        schema: {
          tags: ["checkin"],
          summary:
            "A gate device's upload of the codes it scanned (1–1,000 scans; a single scan is a batch of one), answered only after it is committed; idempotent by (device, seq). Bearer device token, no session. 429/503 with Retry-After under load",
          security: [],
          body: GateBody,
          response: {
            200: z.object({ accepted: z.number(), duplicate: z.boolean() }).meta({ id: "GateUploadResult" }),
            ...errorResponses,
            429: ErrorSchema,
            503: ErrorSchema,
          },
        },
      },
      async (req, reply) => {
        try {
          return await gate.store(devices.get(req)!, req.body, req.ctx.now, (e) => req.log.error(e));
        } catch (e) {
          if (e instanceof ShedError) reply.header("retry-after", String(e.retryAfter));
          throw e;
        }
      },
    );
  });

  app.post(
    "/api/checkin/self",
    {
      schema: {
        tags: ["checkin"],
        summary:
          "A citizen checks in at a venue by scanning its venue code: stored with the colour of their code now and the gate policy's decision",
        body: z.strictObject({ venueId: Uuid }),
        response: {
          200: z
            .object({
              venue: z.object({ id: z.string(), name: z.string(), address: z.string() }),
              colour: Colour,
              decision: z.enum(["admit", "refuse"]),
              at: IsoDateTime,
            })
            .meta({ id: "SelfCheckin" }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const r = await selfCheckin(db, req.ctx, partitions, gate.settings(req.ctx.now), req.body.venueId);
      return { ...r, at: r.at.toISOString() };
    },
  );

  app.get(
    "/api/checkin/venues/:id",
    {
      schema: {
        tags: ["checkin"],
        summary:
          "The venue a scanned venue code names (any logged-in user): name, address, kind, open or not",
        params: z.strictObject({ id: Uuid }),
        querystring: z.strictObject({ lang: z.enum(["zh-CN", "en"]).optional() }),
        response: {
          200: z
            .object({
              id: z.string(),
              name: z.string(),
              address: z.string(),
              kind: VenueKindSchema,
              active: z.boolean(),
            })
            .meta({ id: "CheckinVenue" }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const v = await venueForCheckin(db, req.ctx, req.params.id);
      return { ...v, kind: v.kind as (typeof VENUE_KINDS)[number] };
    },
  );

  app.post(
    "/api/venues",
    {
      schema: {
        tags: ["venues"],
        summary: "Register a venue (场所) with its kind, region, address and capacity",
        body: z.strictObject(VenueBody),
        response: { 201: VenueSchema, ...errorResponses },
      },
    },
    async (req, reply) => reply.status(201).send(venueOut(await createVenue(db, req.ctx, req.body))),
  );

  app.get(
    "/api/venues",
    {
      schema: {
        tags: ["venues"],
        summary: "Venues inside the caller's jurisdiction (or a region of it), by name or address",
        querystring: z.strictObject({
          regionCode: RegionCode.optional(),
          q: z.string().max(200).optional(),
          kind: VenueKindSchema.optional(),
          active: z.enum(["true", "false"]).optional(),
          page: Page,
          pageSize: PageSize,
          lang: z.enum(["zh-CN", "en"]).optional(),
        }),
        response: {
          200: z.object({ items: z.array(VenueListItemSchema), total: z.number() }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const { active, ...rest } = req.query;
      const r = await findVenues(db, req.ctx, {
        ...rest,
        active: active === undefined ? undefined : active === "true",
      });
      return {
        total: r.total,
        items: r.items.map((v) => ({ ...venueOut(v), regionName: v.regionName, devices: v.devices })),
      };
    },
  );

  app.get(
    "/api/venues/:id",
    {
      schema: {
        tags: ["venues"],
        summary: "One venue",
        params: z.strictObject({ id: Uuid }),
        querystring: z.strictObject({ lang: z.enum(["zh-CN", "en"]).optional() }),
        response: { 200: VenueSchema, ...errorResponses },
      },
    },
    async (req) => venueOut(await getVenue(db, req.ctx, req.params.id)),
  );

  app.patch(
    "/api/venues/:id",
    {
      schema: {
        tags: ["venues"],
        summary:
          "Change a venue (give the version read; 409 when someone changed it since); active=false closes it to check-ins",
        params: z.strictObject({ id: Uuid }),
        body: z.strictObject({
          name: VenueBody.name.optional(),
          kind: VenueBody.kind.optional(),
          regionCode: RegionCode.optional(),
          address: VenueBody.address.optional(),
          capacity: VenueBody.capacity,
          lat: VenueBody.lat,
          lon: VenueBody.lon,
          active: z.boolean().optional(),
          version: z.int().min(1),
        }),
        response: { 200: VenueSchema, ...errorResponses },
      },
    },
    async (req) => venueOut(await changeVenue(db, req.ctx, req.params.id, req.body)),
  );

  app.get(
    "/api/venues/:id/poster.pdf",
    {
      schema: {
        tags: ["venues"],
        summary:
          "The venue-code poster (场所码) to print, A4 PDF: name, address and a QR code of <origin>/checkin?venue=<id>; 503 when the server lacks the CJK font",
        params: z.strictObject({ id: Uuid }),
        response: {
          200: z.any().meta({ description: "application/pdf" }),
          ...errorResponses,
          503: ErrorSchema,
        },
      },
    },
    async (req, reply) => {
      const v = await getVenue(db, req.ctx, req.params.id);
      const region = await findRegion(db, v.regionCode);
      const url = checkinUrl(`${req.protocol}://${req.host}`, v.id);
      const pdf = await renderPoster(
        { id: v.id, name: v.name, address: v.address, regionName: region?.name ?? v.regionCode },
        url,
        req.ctx.now,
        posterFontPath,
      );
      return reply
        .header("content-type", "application/pdf")
        .header("content-disposition", `inline; filename="venue-code-${v.id}.pdf"`)
        .header("cache-control", "no-store")
        .send(pdf);
    },
  );

  app.post(
    "/api/venues/:id/devices",
    {
      schema: {
        tags: ["venues"],
        summary:
          "Register a gate device at the venue: returns its bearer token once (it is not stored and cannot be shown again)",
        params: z.strictObject({ id: Uuid }),
        body: z.strictObject({ name: z.string().max(1000) }),
        response: {
          201: z.object({ device: DeviceSchema, token: z.string() }).meta({ id: "RegisteredDevice" }),
          ...errorResponses,
        },
      },
    },
    async (req, reply) => {
      const r = await registerDevice(db, req.ctx, await gate.deviceSecret(), req.params.id, req.body);
      return reply.status(201).send({ device: deviceOut(r.device), token: r.token });
    },
  );

  app.get(
    "/api/venues/:id/devices",
    {
      schema: {
        tags: ["venues"],
        summary: "The venue's gate devices, revoked ones included",
        params: z.strictObject({ id: Uuid }),
        querystring: z.strictObject({ lang: z.enum(["zh-CN", "en"]).optional() }),
        response: { 200: z.object({ items: z.array(DeviceSchema) }), ...errorResponses },
      },
    },
    async (req) => ({ items: (await venueDevices(db, req.ctx, req.params.id)).map(deviceOut) }),
  );

  app.post(
    "/api/venues/:id/devices/:deviceId/revoke",
    {
      schema: {
        tags: ["venues"],
        summary: "Revoke a gate device: its uploads are refused from now on",
        params: z.strictObject({ id: Uuid, deviceId: Uuid }),
        response: { 200: DeviceSchema, ...errorResponses },
      },
    },
    async (req) => deviceOut(await revokeVenueDevice(db, req.ctx, req.params.id, req.params.deviceId)),
  );

  app.get(
    "/api/venues/:id/scans",
    {
      schema: {
        tags: ["venues"],
        summary:
          "The venue's check-ins of the last hours (default 24), newest first (at most 200), with counts",
        params: z.strictObject({ id: Uuid }),
        querystring: z.strictObject({
          hours: z.coerce
            .number()
            .int()
            .min(1)
            .max(24 * 30)
            .default(24),
          lang: z.enum(["zh-CN", "en"]).optional(),
        }),
        response: {
          200: z.object({
            from: IsoDateTime,
            to: IsoDateTime,
            admitted: z.number(),
            refused: z.number(),
            items: z.array(ScanSchema),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const r = await venueScans(db, req.ctx, req.params.id, req.query.hours);
      return { ...r, from: r.from.toISOString(), to: r.to.toISOString(), items: r.items.map(scanOut) };
    },
  );
};
