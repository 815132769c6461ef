import type { LoadedPack } from "@cordon/domain/policies/pack-schema";
import { acceptFiles, uploadedFile } from "../http/file-body.ts";
import { isCalendarDate } from "@cordon/domain/tracing/line-list";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { Db } from "../db/db.ts";
import { AppError } from "../http/errors.ts";
import { errorResponses } from "../http/schemas.ts";
import { loadShippedPacks } from "../policies/policy-packs.ts";
import { analyzeLineListFile, exportLineList, MAX_FILE_ISSUES } from "./line-list.service.ts";

/** An uploaded line list may be up to 32 MiB, as a lab's result file (about 300,000 cases). */
export const LINE_LIST_FILE_LIMIT = 32 * 1024 * 1024;

/** Content types a line-list file may be sent as (browsers disagree on a .csv file's type). */
const FILE_TYPES = new Set([
  "text/csv",
  "text/plain",
  "application/octet-stream",
  "application/vnd.ms-excel",
]);

const MessageSchema = z.object({ zh: z.string(), en: z.string() });
const Lang = z.enum(["zh-CN", "en"]).optional();
const CalendarDate = z.string().refine(isCalendarDate, "date");

const FileIssueSchema = z
  .object({
    severity: z
      .enum(["error", "flag"])
      .describe("error: the value or row was refused; flag: kept, worth a look"),
    code: z
      .string()
      .describe(
        "unknown_column, missing_case_id, duplicate_case_id, bad_date, future_date, bad_sex, bad_age, self_infection, infector_not_in_list, infector_cycle, exposure_before_lookback, …",
      ),
    row: z.int().nullable().describe("1-based data row (the header is row 0); null for the whole file"),
    field: z.string().nullable(),
    caseId: z.string().nullable(),
    message: MessageSchema,
  })
  .meta({ id: "TracingLineListIssue" });

const CaseRef = z.object({
  caseId: z.string(),
  personName: z.string().describe("Always empty: a line list has no names"),
});

const LineListAnalysisSchema = z
  .object({
    rows: z.int().describe("Data rows read (the header not counted)"),
    unknownColumns: z.array(z.string()).describe("Header columns that are not line-list columns: ignored"),
    cases: z.int().describe("Cases read (rows refused by the reader not counted)"),
    pairs: z.int().describe("Distinct infector → infectee pairs between cases of the file"),
    clusters: z.object({
      count: z.int().describe("Connected components of two or more cases"),
      isolatedCases: z.int(),
      largest: z
        .array(
          z.object({
            clusterId: z
              .string()
              .describe("The cluster's smallest case id (a file's clusters are not stored)"),
            size: z.int(),
            generations: z.int(),
            indexCases: z.array(CaseRef).describe("The first three index cases"),
            indexCaseCount: z.int(),
          }),
        )
        .describe("The largest clusters, largest first"),
      sizes: z.array(z.object({ size: z.int(), clusters: z.int() })),
    }),
    generations: z.object({
      counts: z.array(z.object({ generation: z.int(), cases: z.int() })),
      max: z.int(),
      inCycles: z.int(),
      withoutGeneration: z.int(),
    }),
    superspreaders: z.array(
      z.object({ caseId: z.string(), personName: z.string(), secondaryCases: z.int() }),
    ),
    superspreaderThreshold: z.int().describe("The policy's in force at the caller's jurisdiction"),
    lookBackDays: z.int().describe("The policy's close-contact look-back, for exposure_before_lookback"),
    serialInterval: z.object({
      n: z.int(),
      mean: z.number().nullable(),
      sd: z.number().nullable(),
      negativeShare: z.number().nullable(),
    }),
    issues: z
      .array(FileIssueSchema)
      .describe(`The reader's issues, then the analysis's: the first ${MAX_FILE_ISSUES}`),
    issuesTotal: z.int(),
  })
  .meta({ id: "TracingLineListAnalysis" });

export const lineListRoutes: FastifyPluginAsyncZod<{ db: Db; packs?: readonly LoadedPack[] }> = async (
  app,
  { db, packs: given },
) => {
  const packs = given ?? loadShippedPacks();
  acceptFiles(app, {
    types: ["text/csv", "text/plain"],
    limit: LINE_LIST_FILE_LIMIT,
    tooLarge: {
      zh: "文件过大（上限 32 MiB）：请拆分后分别分析",
      en: "The file is too large (limit 32 MiB): split it and analyse the parts",
    },
  });

  app.get(
    "/api/tracing/line-list.csv",
    {
      schema: {
        tags: ["tracing"],
        summary:
          "The caller's jurisdiction's cases as a line list (docs/capabilities/tracing.md): UTF-8 CSV with BOM, one row per case; infector_id from the stored chain links (the first when several), exposure_setting from the exposure behind that link; audited",
        produces: ["text/csv"],
        querystring: z.strictObject({ lang: Lang }),
        response: { 200: z.string().describe("text/csv"), ...errorResponses },
      },
    },
    async (req, reply) => {
      const r = await exportLineList(db, req.ctx);
      return reply
        .header("content-type", "text/csv; charset=utf-8")
        .header("content-disposition", `attachment; filename="${r.fileName}"`)
        .header("cache-control", "no-store")
        .send(r.csv);
    },
  );

  app.post(
    "/api/tracing/line-list/analyze",
    {
      bodyLimit: LINE_LIST_FILE_LIMIT,
      schema: {
        tags: ["tracing"],
        summary:
          "Analyse an uploaded line list (the body is the CSV itself, up to 32 MiB) as `cordon tracing analyze --file` does, with the policy's super-spreader threshold and look-back at the caller's jurisdiction: the figures of GET /api/tracing/analysis and the reader's issues (unknown columns, refused values and rows, by row). Nothing is stored; a file that is no line list → 400",
        querystring: z.strictObject({
          largest: z.coerce.number().int().min(0).max(50).default(5).describe("How many largest clusters"),
          infectorOnsetFrom: CalendarDate.optional().describe(
            "Serial intervals only for pairs whose infector fell ill on or after this date",
          ),
          infectorOnsetTo: CalendarDate.optional().describe(
            "Serial intervals only for pairs whose infector fell ill on or before this date",
          ),
          lang: Lang,
        }),
        response: { 200: LineListAnalysisSchema, ...errorResponses, 413: errorResponses[422] },
      },
    },
    async (req) => {
      const file = uploadedFile(
        req,
        FILE_TYPES,
        new AppError(400, "tracing.not_a_line_list", {
          zh: "请上传 CSV 格式的病例一览表（text/csv）",
          en: "Upload the case line list as a CSV file (text/csv)",
        }),
      );
      return analyzeLineListFile(req.ctx, packs, file.bytes, {
        largest: req.query.largest,
        infectorOnsetFrom: req.query.infectorOnsetFrom,
        infectorOnsetTo: req.query.infectorOnsetTo,
      });
    },
  );
};
