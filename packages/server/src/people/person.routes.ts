import { DOCUMENT_TYPES } from "@cordon/domain/people/person";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { Db } from "../db/db.ts";
import { errorResponses, IsoDateTime, Page, PageSize, RegionCode, Uuid } from "../http/schemas.ts";
import type { PersonRow } from "./person.repository.ts";
import {
  createHousehold,
  createPerson,
  listPersons,
  readPerson,
  updatePersonRecord,
} from "./person.service.ts";

const DocumentTypeSchema = z.enum(DOCUMENT_TYPES as [string, ...string[]]);
const SexSchema = z.enum(["male", "female"]);

const PersonSummarySchema = z
  .object({
    id: Uuid,
    name: z.string(),
    documentType: DocumentTypeSchema,
    documentNumberMasked: z.string(),
    phoneMasked: z.string(),
    sex: SexSchema,
    birthDate: z.string(),
    currentRegionCode: z.string(),
    currentAddress: z.string(),
    householdId: z.string().nullable(),
  })
  .meta({ id: "PersonSummary" });

const PersonSchema = z
  .object({
    id: Uuid,
    name: z.string(),
    documentType: DocumentTypeSchema,
    documentNumber: z.string(),
    birthDate: z.string(),
    sex: SexSchema,
    nationality: z.string(),
    phone: z.string(),
    householdRegionCode: z.string().nullable(),
    currentRegionCode: z.string(),
    currentAddress: z.string(),
    householdId: z.string().nullable(),
    householdRelation: z.string().nullable(),
    createdAt: IsoDateTime,
    updatedAt: IsoDateTime,
    version: z.number().int(),
  })
  .meta({ id: "Person" });

const RegionRef = z.object({ code: z.string(), name: z.string(), level: z.string() });

const PersonDetailSchema = z
  .object({
    person: PersonSchema,
    regionPath: z.array(RegionRef),
    household: z
      .object({
        id: z.string(),
        address: z.string(),
        regionCode: z.string(),
        members: z.array(PersonSummarySchema),
      })
      .nullable(),
  })
  .meta({ id: "PersonDetail" });

const PersonWriteSchema = z.strictObject({
  name: z.string().max(100),
  documentType: DocumentTypeSchema,
  documentNumber: z.string().max(40),
  birthDate: z.string().max(10).nullable().optional(),
  sex: SexSchema.nullable().optional(),
  nationality: z.string().max(3).nullable().optional(),
  phone: z.string().max(30),
  householdRegionCode: z.string().max(15).nullable().optional(),
  currentRegionCode: z.string().max(15),
  currentAddress: z.string().max(300),
  householdId: Uuid.nullable().optional(),
  householdRelation: z.string().max(20).nullable().optional(),
});

function personOut(p: PersonRow) {
  return { ...p, createdAt: p.createdAt.toISOString(), updatedAt: p.updatedAt.toISOString() };
}

export const personRoutes: FastifyPluginAsyncZod<{ db: Db }> = async (app, { db }) => {
  app.get(
    "/api/people",
    {
      schema: {
        tags: ["people"],
        summary:
          "Search the registry: name (or pinyin initials), ID number or its last digits, phone, region",
        description:
          "q: Chinese characters match the start of the name; latin letters match pinyin initials or full pinyin; " +
          "18 characters match an ID number; 11 digits starting 1 match a phone; 3+ digits match the end of an ID " +
          "number or phone. Identifiers come masked; the total stops counting at 10,000 (totalIsLowerBound).",
        querystring: z.strictObject({
          q: z.string().max(50).optional(),
          regionCode: RegionCode.optional(),
          sort: z.enum(["name", "createdAt", "birthDate"]).optional(),
          order: z.enum(["asc", "desc"]).optional(),
          page: Page,
          pageSize: PageSize,
        }),
        response: {
          200: z.object({
            items: z.array(PersonSummarySchema),
            total: z.number(),
            totalIsLowerBound: z.boolean(),
            page: z.number(),
            pageSize: z.number(),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => listPersons(db, req.ctx, req.query),
  );

  app.get(
    "/api/people/:id",
    {
      schema: {
        tags: ["people"],
        summary: "A person's full record with unmasked identifiers (the read is audited)",
        params: z.strictObject({ id: Uuid }),
        response: { 200: PersonDetailSchema, ...errorResponses },
      },
    },
    async (req) => {
      const d = await readPerson(db, req.ctx, req.params.id);
      return {
        person: personOut(d.person),
        regionPath: d.regionPath.map((r) => ({ code: r.code, name: r.name, level: r.level })),
        household: d.household,
      };
    },
  );

  app.post(
    "/api/people",
    {
      schema: {
        tags: ["people"],
        summary: "Register a person; one document number is one person",
        body: PersonWriteSchema,
        response: { 201: PersonSchema, ...errorResponses },
      },
    },
    async (req, reply) => {
      const p = await createPerson(db, req.ctx, req.body as Parameters<typeof createPerson>[2]);
      return reply.status(201).send(personOut(p));
    },
  );

  app.put(
    "/api/people/:id",
    {
      schema: {
        tags: ["people"],
        summary: "Change a person; `version` must be the version read (optimistic concurrency)",
        params: z.strictObject({ id: Uuid }),
        body: PersonWriteSchema.extend({ version: z.number().int().min(1) }),
        response: { 200: PersonSchema, ...errorResponses },
      },
    },
    async (req) => {
      const { version, ...w } = req.body;
      return personOut(
        await updatePersonRecord(
          db,
          req.ctx,
          req.params.id,
          version,
          w as Parameters<typeof createPerson>[2],
        ),
      );
    },
  );

  app.post(
    "/api/households",
    {
      schema: {
        tags: ["people"],
        summary: "Create a household at an address in a community or grid",
        body: z.strictObject({ regionCode: RegionCode, address: z.string().max(200) }),
        response: {
          201: z.object({
            id: z.string(),
            regionCode: z.string(),
            address: z.string(),
            createdAt: IsoDateTime,
          }),
          ...errorResponses,
        },
      },
    },
    async (req, reply) => {
      const h = await createHousehold(db, req.ctx, req.body.regionCode, req.body.address);
      return reply.status(201).send({ ...h, createdAt: h.createdAt.toISOString() });
    },
  );
};
