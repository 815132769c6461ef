import { ASSIST_STATES, type AssistState } from "@cordon/domain/assist/assist-list";
import { acceptFiles, uploadedFile } from "../http/file-body.ts";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { Db } from "../db/db.ts";
import { AppError } from "../http/errors.ts";
import { errorResponses, IsoDateTime, Page, PageSize, RegionCode, Uuid } from "../http/schemas.ts";
import { CSV_TYPE, NOT_TABULAR, XLSX_TYPE } from "./assist-file.ts";
import {
  type AssistList,
  type AssistRow,
  decideMatch,
  getAssistList,
  importAssistList,
  listAssistLists,
  listAssistRows,
  overdueByRegion,
  recordOutcome,
} from "./assist.service.ts";

/** A list file may be up to 64 MiB (100,000 rows with long addresses and extra columns). */
export const ASSIST_BODY_LIMIT = 64 * 1024 * 1024;

/** Content types a list file may be sent as; the bytes then decide between CSV and XLSX. */
const FILE_TYPES = new Set([
  CSV_TYPE,
  XLSX_TYPE,
  "application/vnd.ms-excel",
  "application/octet-stream",
  "text/plain",
]);

const Instant = z.iso.datetime({ offset: true });
const Lang = z.enum(["zh-CN", "en"]).optional();
const StateSchema = z.enum(ASSIST_STATES as [AssistState, ...AssistState[]]).meta({ id: "AssistRowState" });
const MessageSchema = z.object({ zh: z.string(), en: z.string() });

const CountsSchema = z.object({
  total: z.int(),
  ambiguous: z.int(),
  unmatched: z.int(),
  dispatched: z.int(),
  merged: z.int(),
  controlled: z.int(),
  notFound: z.int(),
  forwarded: z.int(),
  open: z.int(),
  overdue: z.int(),
});

const AssistListSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    source: z.string(),
    regionCode: z.string(),
    fileName: z.string().nullable(),
    receivedAt: IsoDateTime,
    deadlineAt: IsoDateTime,
    importedBy: z.string(),
    counts: CountsSchema,
  })
  .meta({ id: "AssistList" });

const AssistRowSchema = z
  .object({
    id: z.string(),
    rowNumber: z.int(),
    name: z.string(),
    documentNumberMasked: z.string().nullable(),
    phoneMasked: z.string().nullable(),
    reason: z.string().nullable(),
    address: z.string().nullable(),
    extra: z.record(z.string(), z.string()),
    state: StateSchema,
    stateLabel: MessageSchema,
    personId: z.string().nullable(),
    personName: z.string().nullable(),
    regionCode: z.string().nullable(),
    regionName: z.string().nullable(),
    candidates: z.array(
      z.object({
        personId: z.string(),
        name: z.string(),
        documentNumberMasked: z.string(),
        regionCode: z.string(),
        regionName: z.string().nullable(),
      }),
    ),
    mergedInto: z.string().nullable(),
    outcome: z
      .object({
        at: IsoDateTime,
        by: z.string(),
        reason: z.string().nullable(),
        forwardedTo: z.string().nullable(),
      })
      .nullable(),
    overdue: z.boolean(),
    version: z.int(),
  })
  .meta({ id: "AssistRow" });

const RejectedSchema = z
  .object({ row: z.int(), field: z.string(), code: z.string(), message: z.string() })
  .meta({ id: "AssistRejectedRow" });

const listOut = (l: AssistList) => ({
  ...l,
  receivedAt: l.receivedAt.toISOString(),
  deadlineAt: l.deadlineAt.toISOString(),
});
const rowOut = (r: AssistRow) => ({
  ...r,
  outcome: r.outcome ? { ...r.outcome, at: r.outcome.at.toISOString() } : null,
});

export const assistRoutes: FastifyPluginAsyncZod<{ db: Db }> = async (app, { db }) => {
  acceptFiles(app, {
    types: [CSV_TYPE, XLSX_TYPE],
    limit: ASSIST_BODY_LIMIT,
    tooLarge: {
      zh: "文件过大（上限 64 MiB）：请拆分后分批导入",
      en: "The file is too large (limit 64 MiB): split it and import the parts",
    },
  });

  app.post(
    "/api/assist-lists",
    {
      bodyLimit: ASSIST_BODY_LIMIT,
      schema: {
        tags: ["assist-lists"],
        summary:
          "Import an assist list (协查名单): the body is the file itself (text/csv in UTF-8 or GB18030, or XLSX), up to 64 MiB and 200,000 rows; " +
          "rows are matched to the registry, merged, dispatched or forwarded; bad rows are reported, good rows stored",
        querystring: z.strictObject({
          name: z.string().trim().min(1).max(200),
          source: z.string().trim().max(200).default(""),
          regionCode: RegionCode.optional(),
          fileName: z.string().max(255).optional(),
          lang: Lang,
        }),
        response: {
          201: z
            .object({ list: AssistListSchema, rejected: z.array(RejectedSchema) })
            .meta({ id: "AssistImport" }),
          ...errorResponses,
          413: errorResponses[422],
        },
      },
    },
    async (req, reply) => {
      const file = uploadedFile(req, FILE_TYPES, new AppError(422, "assist.file_refused", NOT_TABULAR));
      const r = await importAssistList(db, req.ctx, {
        name: req.query.name,
        source: req.query.source,
        regionCode: req.query.regionCode,
        fileName: req.query.fileName ?? null,
        bytes: file.bytes,
      });
      return reply.status(201).send({ list: listOut(r.list), rejected: r.rejected });
    },
  );

  app.get(
    "/api/assist-lists",
    {
      schema: {
        tags: ["assist-lists"],
        summary: "Assist lists received inside a region (default: the caller's jurisdiction), newest first",
        querystring: z.strictObject({ regionCode: RegionCode.optional(), lang: Lang }),
        response: { 200: z.object({ items: z.array(AssistListSchema) }), ...errorResponses },
      },
    },
    async (req) => ({ items: (await listAssistLists(db, req.ctx, req.query.regionCode)).map(listOut) }),
  );

  app.get(
    "/api/assist-lists/overdue",
    {
      schema: {
        tags: ["assist-lists"],
        summary: "The command's view: open and overdue assist-list rows per child region",
        querystring: z.strictObject({ regionCode: RegionCode.optional(), lang: Lang }),
        response: {
          200: z
            .object({
              regionCode: z.string(),
              items: z.array(
                z.object({
                  code: z.string(),
                  name: z.string(),
                  level: z.string(),
                  open: z.int(),
                  overdue: z.int(),
                }),
              ),
            })
            .meta({ id: "AssistOverdue" }),
          ...errorResponses,
        },
      },
    },
    async (req) => overdueByRegion(db, req.ctx, req.query.regionCode),
  );

  app.get(
    "/api/assist-lists/:id",
    {
      schema: {
        tags: ["assist-lists"],
        summary: "One assist list with its counts",
        params: z.strictObject({ id: Uuid }),
        querystring: z.strictObject({ lang: Lang }),
        response: { 200: AssistListSchema, ...errorResponses },
      },
    },
    async (req) => listOut(await getAssistList(db, req.ctx, req.params.id)),
  );

  app.get(
    "/api/assist-lists/:id/rows",
    {
      schema: {
        tags: ["assist-lists"],
        summary: "A list's rows, overdue first then by row number; ID and phone numbers masked",
        params: z.strictObject({ id: Uuid }),
        querystring: z.strictObject({
          state: StateSchema.optional(),
          overdue: z.enum(["true", "false"]).optional(),
          q: z.string().max(100).optional(),
          page: Page,
          pageSize: PageSize,
          lang: Lang,
        }),
        response: { 200: z.object({ items: z.array(AssistRowSchema), total: z.int() }), ...errorResponses },
      },
    },
    async (req) => {
      const r = await listAssistRows(db, req.ctx, req.params.id, {
        state: req.query.state,
        overdue: req.query.overdue === undefined ? undefined : req.query.overdue === "true",
        q: req.query.q,
        page: req.query.page,
        pageSize: req.query.pageSize,
      });
      return { items: r.items.map(rowOut), total: r.total };
    },
  );

  app.post(
    "/api/assist-lists/:id/rows/:rowId/match",
    {
      schema: {
        tags: ["assist-lists"],
        summary: "Decide an ambiguous row: one of its candidates, or null for none of them",
        params: z.strictObject({ id: Uuid, rowId: Uuid }),
        body: z.strictObject({ personId: Uuid.nullable(), version: z.int().min(1) }),
        response: { 200: AssistRowSchema, ...errorResponses },
      },
    },
    async (req) => rowOut(await decideMatch(db, req.ctx, req.params.id, req.params.rowId, req.body)),
  );

  app.post(
    "/api/assist-lists/:id/rows/:rowId/outcome",
    {
      schema: {
        tags: ["assist-lists"],
        summary: "Close a row: controlled, not found (with a reason) or forwarded (outside the jurisdiction)",
        params: z.strictObject({ id: Uuid, rowId: Uuid }),
        body: z.strictObject({
          outcome: z.enum(["controlled", "not_found", "forwarded"]),
          at: Instant,
          reason: z.string().max(1000).optional(),
          forwardedTo: RegionCode.optional(),
          version: z.int().min(1),
        }),
        response: { 200: AssistRowSchema, ...errorResponses },
      },
    },
    async (req) => rowOut(await recordOutcome(db, req.ctx, req.params.id, req.params.rowId, req.body)),
  );
};
