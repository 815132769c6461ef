import type { LoadedPack } from "@cordon/domain/policies/pack-schema";
import { acceptFiles, uploadedFile } from "../http/file-body.ts";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { Db } from "../db/db.ts";
import { AppError } from "../http/errors.ts";
import { errorResponses, IsoDateTime, Uuid } from "../http/schemas.ts";
import { loadShippedPacks } from "../policies/policy-packs.ts";
import {
  type Candidate,
  coPresenceOf,
  confirmCoPresence,
  importLocationPoints,
} from "./copresence.service.ts";

/** A location-points file may be up to 16 MiB (200,000 rows of about 70 bytes). */
export const POINTS_FILE_LIMIT = 16 * 1024 * 1024;

const FILE_TYPES = new Set([
  "text/csv",
  "text/plain",
  "application/octet-stream",
  "application/vnd.ms-excel",
]);
const Lang = z.enum(["zh-CN", "en"]).optional();
const BasisSchema = z.enum(["venue", "grid_cell"]);

const CandidateSchema = z
  .object({
    personId: z.string(),
    personNameMasked: z.string().describe("The name masked (张*三), as in lists"),
    documentNumberMasked: z.string(),
    regionCode: z.string().nullable().describe("Where the person lives"),
    basis: BasisSchema.describe(
      "venue: the venue rule (scans); grid_cell: the grid-cell rule (location points)",
    ),
    venueId: z.string().nullable(),
    venueName: z.string().nullable(),
    cell: z.string().nullable().describe('The grid cell, "<metres>:<row>:<col>"'),
    from: IsoDateTime.describe("The first overlap with the case at this place starts"),
    to: IsoDateTime.describe("The last overlap ends"),
    minutes: z.number().describe("Minutes of overlap in all (overlaps merged)"),
    confirmed: z.boolean().describe("Already confirmed as a co-presence contact of this case"),
  })
  .meta({
    id: "CoPresenceCandidate",
    description: "A person who shared a place with the case at the same time",
  });

const candidateOut = (c: Candidate) => ({ ...c, from: c.from.toISOString(), to: c.to.toISOString() });

const ContactSchema = z
  .object({
    id: z.string(),
    caseId: z.string(),
    personId: z.string(),
    basis: BasisSchema,
    venueId: z.string().nullable(),
    cell: z.string().nullable(),
    overlapFrom: IsoDateTime,
    overlapTo: IsoDateTime,
    confirmedAt: IsoDateTime,
  })
  .meta({
    id: "CoPresenceContact",
    description: "A co-presence contact (时空伴随者) confirmed by an investigator",
  });

export const coPresenceRoutes: FastifyPluginAsyncZod<{ db: Db; packs?: readonly LoadedPack[] }> = async (
  app,
  { db, packs: given },
) => {
  const packs = given ?? loadShippedPacks();
  acceptFiles(app, {
    types: ["text/csv", "text/plain"],
    limit: POINTS_FILE_LIMIT,
    tooLarge: {
      zh: "文件过大（上限 16 MiB）：请拆分后分批上传",
      en: "The file is too large (limit 16 MiB): split it and upload the parts",
    },
  });

  app.get(
    "/api/tracing/cases/:id/co-presence",
    {
      schema: {
        tags: ["tracing"],
        summary:
          "Co-presence candidates (时空伴随) of a case over the policy's look-back window: people with a venue scan overlapping one of the case's visits (each check-in assumed to last the policy's stay, the visit widened by its buffer), and people whose location points dwell in one of the case's 800 m grid cells with it for more than the policy's minutes; one per person and place, the case's classified contacts left out, names masked",
        params: z.strictObject({ id: Uuid }),
        querystring: z.strictObject({ lang: Lang }),
        response: {
          200: z.object({
            caseId: z.string(),
            window: z.object({ from: IsoDateTime, to: IsoDateTime }),
            policy: z.object({
              bufferMinutes: z.number(),
              assumedStayMinutes: z.number(),
              gridCellMeters: z.number(),
              minMinutes: z.number(),
              minCellHours: z.number(),
              lookbackDays: z.number(),
              packId: z.string().nullable(),
              origin: z.enum(["pack", "default"]),
            }),
            visits: z.int().describe("The case's venue scans in the window"),
            points: z.int().describe("The case's location points in the window"),
            candidates: z.array(CandidateSchema),
            excludedContacts: z.int().describe("People left out: already classified contacts of the case"),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const v = await coPresenceOf(db, req.ctx, packs, req.params.id);
      return {
        ...v,
        window: { from: v.window.from.toISOString(), to: v.window.to.toISOString() },
        candidates: v.candidates.map(candidateOut),
      };
    },
  );

  app.post(
    "/api/tracing/cases/:id/co-presence/confirm",
    {
      schema: {
        tags: ["tracing"],
        summary:
          "Confirm candidates as co-presence contacts of the case (their codes turn yellow under the pack in force). Each must be a candidate of a fresh search (the overlap stored is the server's); otherwise 422 and nothing stored. Confirming again stores nothing more. Audited",
        params: z.strictObject({ id: Uuid }),
        querystring: z.strictObject({ lang: Lang }),
        body: z.strictObject({
          candidates: z
            .array(
              z.strictObject({
                personId: Uuid,
                basis: BasisSchema,
                venueId: Uuid.nullish(),
                cell: z.string().max(64).nullish(),
              }),
            )
            .min(1)
            .max(5000),
        }),
        response: {
          200: z.object({ confirmed: z.array(ContactSchema), alreadyConfirmed: z.int() }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const r = await confirmCoPresence(db, req.ctx, packs, req.params.id, req.body.candidates);
      return {
        alreadyConfirmed: r.alreadyConfirmed,
        confirmed: r.confirmed.map((x) => ({
          id: x.id,
          caseId: x.caseId,
          personId: x.personId,
          basis: x.basis,
          venueId: x.venueId,
          cell: x.cell,
          overlapFrom: x.overlapFrom.toISOString(),
          overlapTo: x.overlapTo.toISOString(),
          confirmedAt: x.confirmedAt.toISOString(),
        })),
      };
    },
  );

  app.post(
    "/api/tracing/location-points",
    {
      bodyLimit: POINTS_FILE_LIMIT,
      schema: {
        tags: ["tracing"],
        summary:
          "Upload location points for the grid-cell rule: the body is the CSV itself (UTF-8 or GB18030), columns person_id or document_number, at (ISO 8601 with offset, or YYYY-MM-DD HH:MM Beijing time), lat, lon (WGS-84), up to 200,000 rows; all or nothing, every bad line named (the first 1,000). A person's point at a time already stored is a duplicate, not stored again. Audited",
        querystring: z.strictObject({
          source: z
            .string()
            .trim()
            .min(1)
            .max(100)
            .default("upload")
            .describe("Where the points come from (an operator, an app)"),
          fileName: z.string().max(255).optional(),
          lang: Lang,
        }),
        response: {
          200: z.object({
            batchId: z.string(),
            read: z.int(),
            stored: z.int(),
            duplicates: z.int(),
            people: z.int(),
          }),
          ...errorResponses,
          413: errorResponses[422],
        },
      },
    },
    async (req) => {
      const file = uploadedFile(
        req,
        FILE_TYPES,
        new AppError(422, "co_presence.file_refused", {
          zh: "位置点文件须为 CSV（text/csv）",
          en: "The location-points file must be CSV (text/csv)",
        }),
      );
      return importLocationPoints(db, req.ctx, packs, file.bytes, {
        source: req.query.source,
        fileName: req.query.fileName ?? null,
      });
    },
  );
};
