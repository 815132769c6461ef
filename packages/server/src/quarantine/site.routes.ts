import {
  ROOM_STATES,
  ROOM_TYPES,
  type RoomState,
  type RoomType,
  SITE_KINDS,
  type SiteKind,
} from "@cordon/domain/quarantine/sites";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { Db } from "../db/db.ts";
import { errorResponses, IsoDateTime, RegionCode, Uuid } from "../http/schemas.ts";
import type { RoomRow } from "./site.repository.ts";
import {
  capacityByCounty,
  changeRoomState,
  createRooms,
  createSite,
  editSite,
  listSitesWithOccupancy,
  siteDetail,
  type SiteWithOccupancy,
} from "./site.service.ts";

const SiteKindSchema = z.enum(SITE_KINDS as [SiteKind, ...SiteKind[]]).meta({ id: "QuarantineSiteKind" });
const RoomTypeSchema = z.enum(ROOM_TYPES as [RoomType, ...RoomType[]]).meta({ id: "QuarantineRoomType" });
const RoomStateSchema = z
  .enum(ROOM_STATES as [RoomState, ...RoomState[]])
  .meta({ id: "QuarantineRoomState" });
const MessageSchema = z.object({ zh: z.string(), en: z.string() });

const OccupancySchema = z
  .object({ free: z.int(), occupied: z.int(), cleaning: z.int(), out_of_service: z.int() })
  .meta({
    id: "QuarantineOccupancy",
    description: "Rooms per effective state (occupied: people are placed in it, or staff set it so)",
  });

const SiteSchema = z
  .object({
    id: z.string(),
    kind: SiteKindSchema,
    name: z.string(),
    address: z.string().nullable(),
    regionCode: z.string(),
    reserve: z.boolean(),
    capacityNote: z.string().nullable(),
    createdBy: z.string().nullable(),
    createdAt: IsoDateTime,
    updatedBy: z.string().nullable(),
    updatedAt: IsoDateTime,
    version: z.int(),
    rooms: z.int(),
    occupancy: OccupancySchema,
  })
  .meta({ id: "QuarantineSite" });

const RoomSchema = z
  .object({
    siteId: z.string(),
    id: z.string(),
    number: z.string(),
    type: RoomTypeSchema,
    state: RoomStateSchema,
    stateReason: z.string().nullable(),
    stateChangedAt: IsoDateTime,
    createdAt: IsoDateTime,
  })
  .meta({ id: "QuarantineRoom" });

const CountyCapacitySchema = z
  .object({
    regionCode: z.string(),
    name: z.string(),
    population: z.int().nullable(),
    populationSource: z.enum(["census2020", "estimate"]).nullable(),
    populationNote: z.string().nullable(),
    sites: z.int(),
    rooms: z.int(),
    reserveRooms: z.int(),
    outOfService: z.int(),
    otherRooms: z.int(),
    required: z.int().nullable(),
    shortfall: z.int().nullable(),
    shortfallWithReserve: z.int().nullable(),
    perTenThousand: z.number().nullable(),
    perTenThousandWithReserve: z.number().nullable(),
    message: MessageSchema,
  })
  .meta({ id: "QuarantineCountyCapacity" });

const siteOut = (s: SiteWithOccupancy) => ({
  id: s.id,
  kind: s.kind,
  name: s.name,
  address: s.address,
  regionCode: s.regionCode,
  reserve: s.reserve,
  capacityNote: s.capacityNote,
  createdBy: s.createdBy,
  createdAt: s.createdAt.toISOString(),
  updatedBy: s.updatedBy,
  updatedAt: s.updatedAt.toISOString(),
  version: s.version,
  rooms: s.rooms,
  occupancy: s.occupancy,
});
const roomOut = (r: RoomRow) => ({
  ...r,
  stateChangedAt: r.stateChangedAt.toISOString(),
  createdAt: r.createdAt.toISOString(),
});

const Text = (max: number) => z.string().max(max);
const Lang = z.enum(["zh-CN", "en"]).optional();

export const quarantineSiteRoutes: FastifyPluginAsyncZod<{ db: Db }> = async (app, { db }) => {
  app.post(
    "/api/quarantine/sites",
    {
      schema: {
        tags: ["quarantine"],
        summary:
          "Register a quarantine site: a centralized site (hotel), a designated hospital, or home quarantine for one community; reserve = prepared in advance (备用)",
        body: z.strictObject({
          kind: Text(40),
          name: Text(200),
          address: Text(400).nullish(),
          regionCode: RegionCode,
          reserve: z.boolean().optional(),
          capacityNote: Text(2000).nullish(),
        }),
        response: { 201: SiteSchema, ...errorResponses },
      },
    },
    async (req, reply) => reply.status(201).send(siteOut(await createSite(db, req.ctx, req.body))),
  );

  app.put(
    "/api/quarantine/sites/:id",
    {
      schema: {
        tags: ["quarantine"],
        summary:
          "Change a site's name, address, reserve flag or capacity note (kind and region stay); 409 when `version` is stale",
        params: z.strictObject({ id: Uuid }),
        body: z.strictObject({
          name: Text(200),
          address: Text(400).nullish(),
          reserve: z.boolean(),
          capacityNote: Text(2000).nullish(),
          version: z.int().min(1),
        }),
        response: { 200: SiteSchema, ...errorResponses },
      },
    },
    async (req) => siteOut(await editSite(db, req.ctx, req.params.id, req.body)),
  );

  app.get(
    "/api/quarantine/sites",
    {
      schema: {
        tags: ["quarantine"],
        summary: "Sites inside the caller's jurisdiction (or a region in it), each with its rooms per state",
        querystring: z.strictObject({
          regionCode: RegionCode.optional(),
          kind: SiteKindSchema.optional(),
          reserve: z.enum(["true", "false"]).optional(),
          lang: Lang,
        }),
        response: { 200: z.object({ items: z.array(SiteSchema) }), ...errorResponses },
      },
    },
    async (req) => ({
      items: (
        await listSitesWithOccupancy(db, req.ctx, {
          regionCode: req.query.regionCode,
          kind: req.query.kind,
          reserve: req.query.reserve === undefined ? undefined : req.query.reserve === "true",
        })
      ).map(siteOut),
    }),
  );

  app.get(
    "/api/quarantine/sites/:id",
    {
      schema: {
        tags: ["quarantine"],
        summary: "One site with its rooms, their states, and the counts per state",
        params: z.strictObject({ id: Uuid }),
        querystring: z.strictObject({ lang: Lang }),
        response: {
          200: SiteSchema.extend({ roomList: z.array(RoomSchema) }).meta({ id: "QuarantineSiteDetail" }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const s = await siteDetail(db, req.ctx, req.params.id);
      return { ...siteOut(s), roomList: s.roomList.map(roomOut) };
    },
  );

  app.post(
    "/api/quarantine/sites/:id/rooms",
    {
      schema: {
        tags: ["quarantine"],
        summary:
          "Create rooms from…to (e.g. 101–140, optional building prefix) of one type, all free; one audit entry",
        params: z.strictObject({ id: Uuid }),
        body: z.strictObject({
          from: z.number(),
          to: z.number(),
          prefix: Text(40).nullish(),
          type: Text(40),
        }),
        response: { 201: z.object({ items: z.array(RoomSchema) }), ...errorResponses },
      },
    },
    async (req, reply) =>
      reply
        .status(201)
        .send({ items: (await createRooms(db, req.ctx, req.params.id, req.body)).map(roomOut) }),
  );

  app.post(
    "/api/quarantine/sites/:id/rooms/:roomId/state",
    {
      schema: {
        tags: ["quarantine"],
        summary:
          "Move a room's stored state along the allowed transitions (free → occupied → cleaning → free; out of service only back through cleaning); a reason is required to take it out of service. A room with people placed in it is occupied by them and cannot be changed by hand (422 room.has_placed_people)",
        params: z.strictObject({ id: Uuid, roomId: Uuid }),
        body: z.strictObject({ to: Text(40), reason: Text(1000).nullish() }),
        response: { 200: RoomSchema, ...errorResponses },
      },
    },
    async (req) => roomOut(await changeRoomState(db, req.ctx, req.params.id, req.params.roomId, req.body)),
  );

  app.get(
    "/api/quarantine/capacity",
    {
      schema: {
        tags: ["quarantine"],
        summary:
          "Isolation rooms per county against the standard (default 20 per 10,000 population, seed 000): population and its source, rooms in service, reserve rooms, required, shortfall without and with reserve sites",
        querystring: z.strictObject({
          regionCode: RegionCode.optional(),
          roomsPer10000: z.coerce.number().optional(),
          lang: Lang,
        }),
        response: {
          200: z.object({
            regionCode: z.string(),
            roomsPer10000: z.number(),
            counties: z.array(CountyCapacitySchema),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => capacityByCounty(db, req.ctx, req.query),
  );
};
