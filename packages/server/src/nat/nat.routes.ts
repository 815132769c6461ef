import { POOL_SIZES } from "@cordon/domain/nat/policy";
import { acceptFiles, uploadedFile } from "../http/file-body.ts";
import { RESOURCE_KINDS, type ResourceKind } from "@cordon/domain/nat/planner";
import { DOCUMENT_TYPES, type DocumentType } from "@cordon/domain/people/person";
import type { LoadedPack } from "@cordon/domain/policies/pack-schema";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { Db } from "../db/db.ts";
import { decodeCsv } from "../assist/assist-file.ts";
import { AppError, invalid } from "../http/errors.ts";
import { errorResponses, IsoDateTime, RegionCode, Uuid } from "../http/schemas.ts";
import { loadShippedPacks } from "../policies/policy-packs.ts";
import {
  type Campaign,
  type CampaignDetail,
  campaignDetail,
  campaignRecall,
  campaignUnsampled,
  campaigns,
  createCampaign,
  planScreeningRound,
} from "./campaign.service.ts";
import { importLabFile, type LabBatch, MAX_LAB_ROWS, receiveLabResults } from "./lab-result.service.ts";
import type { CampaignRow, RoundRow, SamplingPointRow } from "./nat.repository.ts";
import { importSamplingRecords, lineFields } from "./sampling-bulk.ts";
import {
  addSwabToTube,
  createSamplingPoint,
  openTubeAtDesk,
  samplingPoints,
  sealTubeAtDesk,
  type TubeView,
  tubeDetail,
} from "./sampling.service.ts";

/** A result file may be up to 32 MiB (200,000 rows of about 80 bytes is 16 MiB). */
export const LAB_FILE_LIMIT = 32 * 1024 * 1024;

const Instant = z.iso.datetime({ offset: true });
const Lang = z.enum(["zh-CN", "en"]).optional();
const MessageSchema = z.object({ zh: z.string(), en: z.string() });
const Barcode = z.string().min(1).max(64);
const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

const SamplingPointSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    address: z.string(),
    regionCode: z.string(),
    hours: z.string(),
    desks: z.int(),
    capacityPerHour: z.int(),
    createdBy: z.string().nullable(),
    createdAt: IsoDateTime,
  })
  .meta({ id: "NatSamplingPoint" });
const pointOut = (p: SamplingPointRow) => ({ ...p, createdAt: iso(p.createdAt)! });

const PoolRuleSchema = z.union([
  z.object({ kind: z.literal("pool"), size: z.int() }),
  z.object({ kind: z.literal("household") }),
]);
const PoolDecisionSchema = z
  .object({
    rule: PoolRuleSchema,
    basis: z.string(),
    maxSize: z.union([z.int(), z.literal("household")]),
    reason: MessageSchema,
  })
  .meta({ id: "NatPoolDecision", description: "The person's pool rule (poolRuleFor) and why" });

const TubeSchema = z
  .object({
    barcode: z.string(),
    roundId: z.string(),
    samplingPointId: z.string(),
    regionCode: z.string(),
    size: z.int(),
    mode: z.enum(["pool", "household"]),
    purpose: z.enum(["screening", "retest"]),
    householdKey: z.string().nullable(),
    openedAt: IsoDateTime,
    openedBy: z.string().nullable(),
    sealedAt: IsoDateTime.nullable(),
    sealedBy: z.string().nullable(),
    members: z.array(
      z.object({
        personId: z.string(),
        sampledAt: IsoDateTime,
        result: z.enum(["negative", "positive", "pool_positive"]).nullable(),
      }),
    ),
    full: z.boolean(),
  })
  .meta({ id: "NatTube" });
const tubeOut = (t: TubeView) => ({
  ...t,
  openedAt: iso(t.openedAt)!,
  sealedAt: iso(t.sealedAt),
  members: t.members.map((m) => ({ ...m, sampledAt: iso(m.sampledAt)! })),
});

const PersonRefSchema = z
  .strictObject({
    personId: Uuid.optional(),
    documentType: z.enum(DOCUMENT_TYPES as [DocumentType, ...DocumentType[]]).optional(),
    documentNumber: z.string().trim().min(1).max(40).optional(),
  })
  .refine((p) => (p.personId === undefined) !== (p.documentNumber === undefined), {
    message: "give either personId or documentNumber",
    path: ["personId"],
  })
  .meta({ id: "NatPersonRef", description: "The person scanned: by id, or by document number (their code)" });

const RoundSchema = z
  .object({
    id: z.string(),
    number: z.int(),
    startsAt: IsoDateTime,
    deadlineAt: IsoDateTime,
    windowFrom: z.string(),
    windowTo: z.string(),
  })
  .meta({ id: "NatRound" });
const roundOut = (r: RoundRow) => ({
  id: r.id,
  number: r.number,
  startsAt: iso(r.startsAt)!,
  deadlineAt: iso(r.deadlineAt)!,
  windowFrom: r.windowFrom,
  windowTo: r.windowTo,
});

const CampaignKind = z.enum(["designated_area", "whole_population"]).meta({ id: "NatCampaignKind" });
const CampaignFields = {
  id: z.string(),
  name: z.string(),
  kind: CampaignKind,
  regionCodes: z.array(z.string()),
  population: z.int(),
  startsAt: IsoDateTime,
  deadlineHours: z.number(),
  deadlineAt: IsoDateTime,
  deadlineReason: MessageSchema,
  intervalDays: z.int(),
  rounds: z.int(),
  packId: z.string().nullable(),
  notes: z.array(MessageSchema),
  createdBy: z.string().nullable(),
  createdAt: IsoDateTime,
};
const CampaignSummarySchema = z.object(CampaignFields).meta({ id: "NatCampaignSummary" });
const CampaignSchema = z
  .object({ ...CampaignFields, roundList: z.array(RoundSchema) })
  .meta({ id: "NatCampaign" });
const campaignRowOut = (c: CampaignRow) => ({
  ...c,
  startsAt: iso(c.startsAt)!,
  deadlineAt: iso(c.deadlineAt)!,
  createdAt: iso(c.createdAt)!,
});
const campaignOut = (c: Campaign) => ({ ...campaignRowOut(c), roundList: c.roundList.map(roundOut) });

const CoverageRowSchema = z.object({
  code: z.string(),
  level: z.string(),
  target: z.int(),
  sampled: z.int(),
  coverage: z.number().nullable(),
  remaining: z.int(),
});
const TurnaroundSchema = z.object({
  lab: z.string(),
  n: z.int(),
  median: z.number().nullable(),
  p90: z.number().nullable(),
  withinTarget: z.number().nullable(),
  pending: z.int(),
  overdue: z.int(),
});
const CampaignDetailSchema = z
  .object({
    ...CampaignFields,
    roundList: z.array(RoundSchema),
    round: RoundSchema,
    counts: z.object({
      tubes: z.int(),
      sealed: z.int(),
      swabs: z.int(),
      retests: z.int(),
      negative: z.int(),
      positive: z.int(),
      poolPositive: z.int(),
      conflicts: z.int(),
      late: z.int(),
    }),
    coverage: z.array(CoverageRowSchema),
    turnaround: z.array(TurnaroundSchema),
    pending: z.object({ tubes: z.int(), overdue: z.int() }),
    turnaroundTargetHours: z.number(),
  })
  .meta({ id: "NatCampaignDetail" });
const detailOut = (d: CampaignDetail) => ({
  ...campaignOut(d),
  round: roundOut(d.round),
  counts: d.counts,
  coverage: d.coverage,
  turnaround: d.turnaround,
  pending: d.pending,
  turnaroundTargetHours: d.turnaroundTargetHours,
});

const RecallSchema = z
  .object({
    people: z.int(),
    unplaced: z.int(),
    message: MessageSchema,
    groups: z.array(
      z.object({
        communityCode: z.string().nullable(),
        communityName: z.string().nullable(),
        deadline: IsoDateTime,
        barcodes: z.array(z.string()),
        members: z.array(
          z.object({
            personId: z.string(),
            name: z.string(),
            address: z.string(),
            addressCode: z.string().nullable(),
            barcodes: z.array(z.string()),
            retest: z.object({ barcode: z.string(), result: z.string(), at: IsoDateTime }).nullable(),
          }),
        ),
      }),
    ),
  })
  .meta({ id: "NatRecallLists" });

const LabBatchSchema = z
  .object({
    batchId: z.string(),
    received: z.int(),
    recorded: z.int(),
    late: z.int(),
    unchanged: z.int(),
    conflicts: z.int(),
    unknown: z.int(),
    testsClosed: z.int(),
    caseCandidates: z.int(),
    recalled: z.int(),
    message: MessageSchema,
    outcomes: z.array(
      z.object({
        field: z.string(),
        line: z.int().nullable(),
        barcode: z.string(),
        status: z.enum(["recorded", "late", "unchanged", "conflict", "unknown_tube"]),
        effect: z.enum(["tests_closed", "case_candidate", "recall"]).nullable(),
        differs: z.array(z.string()),
        notes: z.array(MessageSchema),
        message: MessageSchema,
      }),
    ),
  })
  .meta({ id: "NatLabBatch" });
const batchOut = (b: LabBatch) => b;

const ResourcesSchema = z.strictObject(
  Object.fromEntries(RESOURCE_KINDS.map((k) => [k, z.int().min(0).optional()])) as Record<
    ResourceKind,
    z.ZodOptional<z.ZodInt>
  >,
);
const FigureSchema = z.object({ kind: z.string(), value: z.int(), ratio: z.number(), basis: MessageSchema });

const FILE_TYPES = new Set([
  "text/csv",
  "text/plain",
  "application/octet-stream",
  "application/vnd.ms-excel",
]);

export const natRoutes: FastifyPluginAsyncZod<{ db: Db; packs?: readonly LoadedPack[] }> = async (
  app,
  { db, packs: given },
) => {
  const packs = given ?? loadShippedPacks();
  acceptFiles(app, {
    types: ["text/csv", "text/plain"],
    limit: LAB_FILE_LIMIT,
    tooLarge: {
      zh: "文件过大（上限 32 MiB）：请拆分后分批导入",
      en: "The file is too large (limit 32 MiB): split it and import the parts",
    },
  });

  app.post(
    "/api/nat/sampling-points",
    {
      schema: {
        tags: ["nat"],
        summary:
          "Register a sampling point (核酸采样点): address, region, opening hours, desks, capacity per hour",
        body: z.strictObject({
          name: z.string().max(200),
          address: z.string().max(400),
          regionCode: RegionCode,
          hours: z.string().max(100),
          desks: z.int().min(1).max(1000),
          capacityPerHour: z.int().min(1).max(100_000),
        }),
        response: { 201: SamplingPointSchema, ...errorResponses },
      },
    },
    async (req, reply) => reply.status(201).send(pointOut(await createSamplingPoint(db, req.ctx, req.body))),
  );

  app.get(
    "/api/nat/sampling-points",
    {
      schema: {
        tags: ["nat"],
        summary: "Sampling points inside a region (default: the caller's jurisdiction)",
        querystring: z.strictObject({ regionCode: RegionCode.optional(), lang: Lang }),
        response: { 200: z.object({ items: z.array(SamplingPointSchema) }), ...errorResponses },
      },
    },
    async (req) => ({ items: (await samplingPoints(db, req.ctx, req.query.regionCode)).map(pointOut) }),
  );

  app.post(
    "/api/nat/campaigns",
    {
      schema: {
        tags: ["nat"],
        summary:
          "Open a screening campaign (区域核酸 / 全员核酸) over regions: rounds every intervalDays days, each round's deadline from the policy in force for the kind and the registry's population",
        body: z.strictObject({
          name: z.string().max(200),
          kind: CampaignKind,
          regionCodes: z.array(RegionCode).min(1).max(200),
          startsAt: Instant,
          rounds: z.int().min(1).max(60).default(1),
          intervalDays: z.int().min(1).max(30).default(1),
        }),
        response: { 201: CampaignSchema, ...errorResponses },
      },
    },
    async (req, reply) =>
      reply
        .status(201)
        .send(
          campaignOut(
            await createCampaign(db, req.ctx, packs, { ...req.body, startsAt: new Date(req.body.startsAt) }),
          ),
        ),
  );

  app.get(
    "/api/nat/campaigns",
    {
      schema: {
        tags: ["nat"],
        summary: "Campaigns with a region inside a region (default: the caller's jurisdiction), newest first",
        querystring: z.strictObject({ regionCode: RegionCode.optional(), lang: Lang }),
        response: { 200: z.object({ items: z.array(CampaignSummarySchema) }), ...errorResponses },
      },
    },
    async (req) => ({ items: (await campaigns(db, req.ctx, req.query.regionCode)).map(campaignRowOut) }),
  );

  app.get(
    "/api/nat/campaigns/:id",
    {
      schema: {
        tags: ["nat"],
        summary:
          "A campaign and one round of it (default: the latest started): coverage by region (sampled / registry population), counts, lab turnaround (first swab → result) per lab",
        params: z.strictObject({ id: Uuid }),
        querystring: z.strictObject({ round: z.coerce.number().int().min(1).optional(), lang: Lang }),
        response: { 200: CampaignDetailSchema, ...errorResponses },
      },
    },
    async (req) => detailOut(await campaignDetail(db, req.ctx, packs, req.params.id, req.query.round)),
  );

  app.get(
    "/api/nat/campaigns/:id/recall",
    {
      schema: {
        tags: ["nat"],
        summary:
          "Recall lists (单管复核) of a campaign: every member of its positive pools, grouped by community, earliest deadline first, with the retest once back",
        params: z.strictObject({ id: Uuid }),
        querystring: z.strictObject({ lang: Lang }),
        response: { 200: RecallSchema, ...errorResponses },
      },
    },
    async (req) => {
      const r = await campaignRecall(db, req.ctx, packs, req.params.id);
      return {
        ...r,
        groups: r.groups.map((g) => ({
          ...g,
          deadline: iso(g.deadline)!,
          members: g.members.map((m) => ({
            ...m,
            retest: m.retest ? { ...m.retest, at: iso(m.retest.at)! } : null,
          })),
        })),
      };
    },
  );

  app.get(
    "/api/nat/campaigns/:id/unsampled",
    {
      schema: {
        tags: ["nat"],
        summary:
          "People of the campaign's regions not yet sampled in a round (default: the latest started), per grid, the biggest grid first, for door-to-door follow-up",
        params: z.strictObject({ id: Uuid }),
        querystring: z.strictObject({ round: z.coerce.number().int().min(1).optional(), lang: Lang }),
        response: {
          200: z
            .object({
              round: RoundSchema,
              people: z.int(),
              truncated: z.boolean(),
              grids: z.array(
                z.object({
                  gridCode: z.string(),
                  people: z.array(z.object({ personId: z.string(), name: z.string(), address: z.string() })),
                }),
              ),
            })
            .meta({ id: "NatUnsampled" }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const r = await campaignUnsampled(db, req.ctx, req.params.id, req.query.round);
      return { ...r, round: roundOut(r.round) };
    },
  );

  app.post(
    "/api/nat/tubes",
    {
      schema: {
        tags: ["nat"],
        summary:
          "At a desk: scan a tube's barcode and the first person's code. A new barcode opens a tube sized by the person's pool rule (zone at home, key group); the barcode of a tube open in this round resumes it. The person's swab is added",
        body: z.strictObject({
          barcode: Barcode,
          roundId: Uuid,
          samplingPointId: Uuid,
          person: PersonRefSchema,
          size: z
            .union(POOL_SIZES.map((s) => z.literal(s)) as [z.ZodLiteral<number>, ...z.ZodLiteral<number>[]])
            .optional(),
          retest: z.boolean().optional().meta({
            description:
              "A single-tube retest (单管复核) of a member of this round's positive pool, while their recall is open",
          }),
        }),
        response: {
          201: z.object({ tube: TubeSchema, resumed: z.boolean(), pool: PoolDecisionSchema }),
          ...errorResponses,
        },
      },
    },
    async (req, reply) => {
      const r = await openTubeAtDesk(db, req.ctx, packs, req.body);
      return reply.status(201).send({ tube: tubeOut(r.tube), resumed: r.resumed, pool: r.pool });
    },
  );

  app.get(
    "/api/nat/tubes/:barcode",
    {
      schema: {
        tags: ["nat"],
        summary: "A tube and the people in it",
        params: z.strictObject({ barcode: Barcode }),
        querystring: z.strictObject({ lang: Lang }),
        response: { 200: TubeSchema, ...errorResponses },
      },
    },
    async (req) => tubeOut(await tubeDetail(db, req.ctx, req.params.barcode)),
  );

  app.post(
    "/api/nat/tubes/:barcode/swabs",
    {
      schema: {
        tags: ["nat"],
        summary:
          "Add a person's swab to an open tube (scan their code or ID); a refused scan changes nothing",
        params: z.strictObject({ barcode: Barcode }),
        body: PersonRefSchema,
        response: { 201: z.object({ tube: TubeSchema, pool: PoolDecisionSchema }), ...errorResponses },
      },
    },
    async (req, reply) => {
      const r = await addSwabToTube(db, req.ctx, packs, req.params.barcode, req.body);
      return reply.status(201).send({ tube: tubeOut(r.tube), pool: r.pool });
    },
  );

  app.post(
    "/api/nat/tubes/:barcode/seal",
    {
      schema: {
        tags: ["nat"],
        summary: "Seal a tube (封管): once, with at least one swab",
        params: z.strictObject({ barcode: Barcode }),
        response: { 200: TubeSchema, ...errorResponses },
      },
    },
    async (req) => tubeOut(await sealTubeAtDesk(db, req.ctx, req.params.barcode)),
  );

  app.post(
    "/api/nat/lab-results",
    {
      schema: {
        tags: ["nat"],
        summary:
          "A lab's results for tubes (JSON): all or nothing when a result is bad; re-sent results change nothing, different ones are kept as conflicts, late ones flagged, unknown tubes reported",
        body: z.strictObject({
          results: z
            .array(
              z.strictObject({
                barcode: z.string().max(200),
                result: z.string().max(20),
                ct: z.strictObject({ orf1ab: z.number().nullable(), n: z.number().nullable() }).optional(),
                testedAt: Instant,
                lab: z.string().max(200),
              }),
            )
            .min(1)
            .max(10_000),
        }),
        response: { 200: LabBatchSchema, ...errorResponses },
      },
    },
    async (req) =>
      batchOut(
        await receiveLabResults(
          db,
          req.ctx,
          packs,
          req.body.results.map((r, i) => ({
            field: `results[${i}]`,
            line: null,
            input: {
              barcode: r.barcode,
              call: r.result,
              ct: r.ct ?? { orf1ab: null, n: null },
              testedAt: new Date(r.testedAt),
              lab: r.lab,
            },
            raw: r,
          })),
          { kind: "api" },
        ),
      ),
  );

  app.post(
    "/api/nat/lab-results/import",
    {
      bodyLimit: LAB_FILE_LIMIT,
      schema: {
        tags: ["nat"],
        summary: `A lab's result file: the body is the CSV itself (UTF-8 or GB18030), columns barcode, result, ct_orf1ab, ct_n, tested_at, lab (or their Chinese headings), up to ${MAX_LAB_ROWS} rows; a wrong header or any bad row refuses the whole file, every bad row named`,
        querystring: z.strictObject({ fileName: z.string().max(255).optional(), lang: Lang }),
        response: { 200: LabBatchSchema, ...errorResponses, 413: errorResponses[422] },
      },
    },
    async (req) => {
      const file = uploadedFile(
        req,
        FILE_TYPES,
        new AppError(422, "nat.file_refused", {
          zh: "结果文件须为 CSV（text/csv）",
          en: "The result file must be CSV (text/csv)",
        }),
      );
      return batchOut(await importLabFile(db, req.ctx, packs, file.bytes, req.query.fileName ?? null));
    },
  );

  app.post(
    "/api/nat/sampling-records/import",
    {
      bodyLimit: LAB_FILE_LIMIT,
      schema: {
        tags: ["nat"],
        summary:
          "Offline sampling records (a desk's or a district's upload): the body is the CSV itself (UTF-8 or GB18030), columns barcode, person_id or document_number (document_type optional), sampled_at, sampling_point_id, pool_size; all or nothing, every bad line named (the first 1,000)",
        querystring: z.strictObject({ roundId: Uuid, fileName: z.string().max(255).optional(), lang: Lang }),
        response: {
          200: z.object({
            read: z.int(),
            tubes: z.int(),
            tubesCompleted: z.int(),
            swabs: z.int(),
            seconds: z.number(),
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
        new AppError(422, "nat.file_refused", {
          zh: "采样记录文件须为 CSV（text/csv）",
          en: "The sampling-records file must be CSV (text/csv)",
        }),
      );
      let text: string;
      try {
        text = decodeCsv(file.bytes).text;
      } catch (e) {
        if (e instanceof AppError) throw new AppError(422, "nat.file_refused", e.msg);
        throw e;
      }
      const s = await importSamplingRecords(db, req.ctx, packs, text.split("\n"), {
        roundId: req.query.roundId,
        fileName: req.query.fileName ?? null,
      });
      if (!s.stored) throw invalid(lineFields(s.errors));
      return {
        read: s.read,
        tubes: s.tubes,
        tubesCompleted: s.tubesCompleted,
        swabs: s.swabs,
        seconds: s.seconds,
      };
    },
  );

  app.post(
    "/api/nat/plan",
    {
      schema: {
        tags: ["nat"],
        summary:
          "Plan a screening round: desks, samplers, support staff, sampling points and lab tubes/day at the reference round's ratios (the policy in force; Xi'an 2021-12-27 by default), against the resources registered",
        body: z.strictObject({
          regionCode: RegionCode.optional(),
          population: z.int().min(0),
          deadlineHours: z.number().positive(),
          workingHoursPerDay: z.number().positive().max(24),
          poolMix: z
            .array(z.strictObject({ size: z.int(), share: z.number() }))
            .min(1)
            .max(4),
          registered: ResourcesSchema.optional(),
        }),
        response: {
          200: z
            .object({
              regionCode: z.string(),
              basis: MessageSchema,
              plan: z.object({
                samplingHours: z.number(),
                peoplePerDeskHour: z.number(),
                tubes: z.int(),
                figures: z.record(z.string(), FigureSchema),
              }),
              registered: z.record(z.string(), z.int()),
              gaps: z.array(
                z.object({
                  kind: z.string(),
                  needed: z.int(),
                  registered: z.int(),
                  shortfall: z.int(),
                  message: MessageSchema,
                }),
              ),
            })
            .meta({ id: "NatPlan" }),
          ...errorResponses,
        },
      },
    },
    async (req) =>
      planScreeningRound(db, req.ctx, packs, {
        ...req.body,
        poolMix: req.body.poolMix.map((p) => ({ size: p.size as 1 | 5 | 10 | 20, share: p.share })),
      }),
  );
};
