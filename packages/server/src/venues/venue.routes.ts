import type { LoadedPack } from "@cordon/domain/policies/pack-schema";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { Db } from "../db/db.ts";
import { bulkIds } from "../db/ids.ts";
import { AppError, invalid } from "../http/errors.ts";
import {
  ErrorSchema,
  errorResponses,
  IsoDateTime,
  Page,
  PageSize,
  RegionCode,
  Uuid,
} from "../http/schemas.ts";
import { loadShippedPacks } from "../policies/policy-packs.ts";
import { findRegion } from "../regions/region.repository.ts";
import { checkinSettings, prepareGateUpload, selfCheckin } from "./checkin.service.ts";
import { loadDeviceSecret, verifyDeviceToken } from "./device-token.ts";
import { DeviceRateLimiter, LoopDelayGuard } from "./load-shedding.ts";
import { checkinUrl, renderPoster } from "./poster.ts";
import { purgeExpiredScans, ScanPartitions } from "./scan-partitions.ts";
import { type GateOutcome, ScanWriter, type ScanWriterOptions, WriterOverloaded } from "./scan-writer.ts";
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

const Colour = z.enum(["green", "yellow", "red", "grey"]);
const Instant = z.iso.datetime({ offset: true });
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

const GateBody = z.strictObject({
  seq: z.int().min(0).max(Number.MAX_SAFE_INTEGER),
  deviceTime: Instant,
  scans: z
    .array(
      z.strictObject({
        ref: z.string().max(64),
        colour: Colour,
        vaccination: z.int(),
        temperature: z.number().min(30).max(45).nullable(),
        at: Instant,
        decision: z.enum(["admit", "refuse"]),
        reason: z.string().max(200).optional(),
      }),
    )
    .min(1)
    .max(1000),
});

export interface CheckinOptions {
  writer?: ScanWriterOptions;
  /** Uploads a second per device (bursts of twice that). */
  deviceRate?: number;
  /** Event-loop delay (median over a second, ms) above which uploads are refused with 503. */
  maxLoopDelayMs?: number;
}

function envNumber(name: string): number | undefined {
  const v = process.env[name];
  return v && Number.isFinite(Number(v)) ? Number(v) : undefined;
}

/** Check-in tuning from the environment (docs/capabilities/venues.md). */
export function checkinOptionsFromEnv(): CheckinOptions {
  const writer: ScanWriterOptions = {};
  const queued = envNumber("CORDON_CHECKIN_QUEUE_SCANS");
  if (queued !== undefined) writer.maxQueuedScans = queued;
  const wait = envNumber("CORDON_CHECKIN_FLUSH_MS");
  if (wait !== undefined) writer.maxWaitMs = wait;
  const inFlight = envNumber("CORDON_CHECKIN_WRITERS");
  if (inFlight !== undefined) writer.maxInFlight = inFlight;
  const o: CheckinOptions = { writer };
  const rate = envNumber("CORDON_CHECKIN_DEVICE_RATE");
  if (rate !== undefined) o.deviceRate = rate;
  const delay = envNumber("CORDON_CHECKIN_MAX_LOOP_DELAY_MS");
  if (delay !== undefined) o.maxLoopDelayMs = delay;
  return o;
}

const HOUR = 3_600_000;

function shed(reply: FastifyReply, status: 429 | 503, seconds: number, code: string, zh: string, en: string) {
  reply.header("retry-after", String(seconds));
  return new AppError(status, code, { zh, en });
}

function gateAnswer(o: GateOutcome): { accepted: number; duplicate: boolean } {
  switch (o.kind) {
    case "stored":
      return { accepted: o.accepted, duplicate: false };
    case "duplicate":
      return { accepted: o.accepted, duplicate: true };
    case "unknown_device":
      throw new AppError(401, "device.unknown", {
        zh: "扫码设备未登记：请在场所管理中重新登记设备",
        en: "This gate device is not registered: register it again under the venue",
      });
    case "revoked":
      throw new AppError(403, "device.revoked", {
        zh: "该扫码设备已被注销，上传被拒绝",
        en: "This gate device has been revoked; the upload is refused",
      });
    case "venue_inactive":
      throw new AppError(409, "checkin.venue_inactive", {
        zh: "场所已停用，暂不接受扫码登记",
        en: "The venue is inactive and takes no check-ins",
      });
    case "seq_conflict":
      throw new AppError(409, "checkin.seq_reused", {
        zh: "该批次序号已用于内容不同的上传：每批须用新的序号",
        en: "This seq was already used for an upload with other content: every batch needs a new seq",
      });
    case "retry":
      throw new AppError(503, "checkin.retry", {
        zh: "同一批次正在另一处理进程中写入，请稍后重试",
        en: "The same batch is being written by another process; retry shortly",
      });
  }
}

/**
 * Venues, their posters and gate devices, and check-in. Registers a background job per process:
 * partitions of the coming days made ahead, and scans past retention dropped (hourly).
 */
export const venueRoutes: FastifyPluginAsyncZod<{
  db: Db;
  packs?: readonly LoadedPack[];
  checkin?: CheckinOptions;
  posterFontPath?: string;
}> = async (app, { db, packs: given, checkin = checkinOptionsFromEnv(), posterFontPath }) => {
  const packs = given ?? loadShippedPacks();
  // Read on first use, not at registration: building the app (the OpenAPI export) needs no database.
  let secret: Promise<Buffer> | null = null;
  const deviceSecret = () =>
    (secret ??= loadDeviceSecret(db, new Date()).catch((e: unknown) => {
      secret = null;
      throw e;
    }));
  const partitions = new ScanPartitions(db);
  // The settings change only with the packs: computed once a second at most, not per upload.
  let settingsAt = -1;
  let settings = checkinSettings(packs, new Date());
  const settingsNow = (now: Date) => {
    const second = Math.floor(now.getTime() / 1000);
    if (second !== settingsAt) {
      settings = checkinSettings(packs, now);
      settingsAt = second;
    }
    return settings;
  };
  const nextScanId = bulkIds();
  const writer = new ScanWriter(db, checkin.writer);
  const limiter = new DeviceRateLimiter(checkin.deviceRate ?? 20);
  // On the embedded engine the database runs on this event loop, so its delay measures the queries,
  // not overload (a busy test machine tripped it): the guard is for API processes over a server.
  const guard = new LoopDelayGuard(checkin.maxLoopDelayMs ?? (db.engine === "pglite" ? Infinity : 200));

  async function maintain() {
    const now = new Date();
    await partitions.ensureAround(now, 1, 2);
    await purgeExpiredScans(db, now, checkinSettings(packs, now).retentionDays, partitions);
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
    guard.close();
    await writer.drain();
  });

  const devices = new WeakMap<FastifyRequest, string>();

  app.post(
    "/api/checkin/gate",
    {
      config: { bearer: true },
      // Refused before the body is read: no token, a bad one, a device over its rate, an overloaded process.
      onRequest: async (req, reply) => {
        const auth = req.headers.authorization;
        const token = auth?.startsWith("Bearer ") ? auth.slice(7).trim() : "";
        if (!token)
          throw new AppError(401, "device.token_missing", {
            zh: "缺少扫码设备凭据（Authorization: Bearer <设备令牌>）",
            en: "The gate device's credential is missing (Authorization: Bearer <device token>)",
          });
        const deviceId = verifyDeviceToken(await deviceSecret(), token);
        if (!deviceId)
          throw new AppError(401, "device.token_invalid", {
            zh: "扫码设备凭据无效：请重新登记设备",
            en: "The gate device's credential is not valid: register the device again",
          });
        const wait = limiter.take(deviceId, Date.now());
        if (wait)
          throw shed(
            reply,
            429,
            wait,
            "checkin.device_rate",
            `该设备上传过于频繁，请 ${wait} 秒后重试（多次扫码可合并为一批上传）`,
            `This device uploads too often: retry in ${wait} s (several scans can go in one batch)`,
          );
        if (guard.overloaded || writer.queuedScans >= (checkin.writer?.maxQueuedScans ?? 50_000))
          throw shed(
            reply,
            503,
            1,
            "checkin.overloaded",
            "服务繁忙，请1秒后重试",
            "The server is busy: retry in 1 s",
          );
        devices.set(req, deviceId);
      },
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
      const deviceId = devices.get(req)!;
      const prep = prepareGateUpload(deviceId, req.body, req.ctx.now, settingsNow(req.ctx.now), nextScanId);
      if (!prep.ok) throw invalid(prep.errors);
      if (!partitions.covers(prep.days)) await partitions.ensure(prep.days);
      let outcome: GateOutcome;
      try {
        outcome = await writer.submit(prep.upload);
      } catch (e) {
        if (e instanceof WriterOverloaded)
          throw shed(
            reply,
            503,
            1,
            "checkin.overloaded",
            "服务繁忙，请1秒后重试",
            "The server is busy: retry in 1 s",
          );
        req.log.error(e);
        throw shed(
          reply,
          503,
          2,
          "checkin.store_failed",
          "扫码记录暂时无法保存（未保存），请稍后重试",
          "The scans could not be stored just now (nothing was stored); retry shortly",
        );
      }
      return gateAnswer(outcome);
    },
  );

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
      const r = await selfCheckin(
        db,
        req.ctx,
        partitions,
        checkinSettings(packs, req.ctx.now),
        req.body.venueId,
      );
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
      const r = await registerDevice(db, req.ctx, await deviceSecret(), req.params.id, req.body);
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
