import type { LoadedPack } from "@cordon/domain/policies/pack-schema";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { Db } from "../db/db.ts";
import { errorResponses, IsoDateTime, Page } from "../http/schemas.ts";
import { loadShippedPacks } from "../policies/policy-packs.ts";
import { chainAnalysis, clusterGraph, listClusters, recomputeChains } from "./chain.service.ts";

const MessageSchema = z.object({ zh: z.string(), en: z.string() });
const Lang = z.enum(["zh-CN", "en"]).optional();
const iso = (d: Date | null) => d?.toISOString() ?? null;

const Freshness = {
  computedAt: IsoDateTime.nullable().describe(
    "When the stored chains were last recomputed (POST /api/tracing/chains/recompute); null: never",
  ),
  stale: z
    .boolean()
    .describe(
      "A case or an exposure was created or changed after the last recompute (or none was made yet): recompute to include it",
    ),
};

const CaseRefSchema = z
  .object({ caseId: z.string(), personName: z.string() })
  .meta({ id: "TracingCaseRef", description: "A case and its person's name" });

const IssueSchema = z
  .object({
    severity: z.enum(["error", "flag"]).describe("error: the link was left out; flag: kept, worth a look"),
    code: z.string().describe("infector_cycle, infector_not_in_list, exposure_before_lookback, …"),
    row: z.int().nullable(),
    field: z.string().nullable(),
    caseId: z.string().nullable(),
    message: MessageSchema,
  })
  .meta({ id: "TracingChainIssue" });

const AnalysisSchema = z
  .object({
    ...Freshness,
    cases: z.int().describe("Cases of the caller's jurisdiction in the stored chains"),
    pairs: z.int().describe("Distinct infector → infectee pairs whose infectee is one of them"),
    clusters: z.object({
      count: z.int().describe("Connected components of two or more cases"),
      isolatedCases: z.int().describe("Cases with no link to another case of the jurisdiction"),
      largest: z
        .array(
          z.object({
            clusterId: z.string().describe("The stored cluster it belongs to (for its graph)"),
            size: z.int(),
            generations: z.int().describe("The highest generation reached"),
            indexCases: z.array(CaseRefSchema).describe("The first three index cases"),
            indexCaseCount: z.int(),
          }),
        )
        .describe("The largest clusters, largest first"),
      sizes: z
        .array(z.object({ size: z.int(), clusters: z.int() }))
        .describe("How many clusters have each size, by size ascending"),
    }),
    generations: z.object({
      counts: z.array(z.object({ generation: z.int(), cases: z.int() })),
      max: z.int(),
      inCycles: z.int().describe("Cases on a cycle of infector links or downstream of one"),
      withoutGeneration: z.int().describe("Cases only a cycle reaches"),
    }),
    superspreaders: z
      .array(z.object({ caseId: z.string(), personName: z.string(), secondaryCases: z.int() }))
      .describe("Cases with at least the threshold's secondary cases, most first"),
    superspreaderThreshold: z.int().describe("The policy's super-spreader threshold (default 5)"),
    serialInterval: z
      .object({
        n: z.int(),
        mean: z.number().nullable(),
        sd: z.number().nullable().describe("Sample standard deviation (n − 1); null below two pairs"),
        negativeShare: z.number().nullable().describe("Share of pairs where the infectee fell ill first"),
      })
      .describe("Infectee's onset − infector's onset, in days, over the pairs with both onsets"),
    issues: z.array(IssueSchema).describe("The first 200 issues"),
    issuesTotal: z.int(),
  })
  .meta({ id: "TracingChainAnalysis" });

const ClusterItemSchema = z
  .object({
    clusterId: z.string().describe("The cluster's id: its smallest case id"),
    size: z.int(),
    generations: z.int().describe("The highest generation reached"),
    indexCases: z.array(CaseRefSchema).describe("Up to three index cases, earliest reported first"),
    superspreaders: z.int().describe("Its cases with at least the threshold's secondary cases"),
    regions: z.array(z.string()).describe("Up to five distinct region codes of its cases"),
    firstOnset: z.string().nullable(),
    lastOnset: z.string().nullable(),
    lastReportedAt: IsoDateTime.nullable(),
  })
  .meta({ id: "TracingClusterItem" });

const NodeSchema = z
  .object({
    caseId: z.string(),
    personId: z.string(),
    name: z.string().describe("The person's name; empty for a case outside the caller's jurisdiction"),
    classification: z.string(),
    generation: z.int().nullable().describe("Null when only a cycle of links reaches the case"),
    onsetDate: z.string().nullable(),
    reportedAt: IsoDateTime,
    regionCode: z.string(),
    secondaryCases: z.int(),
    index: z.boolean().describe("An index case: no known infector (generation 0)"),
    superspreader: z.boolean(),
    inCycle: z.boolean().describe("On a cycle of infector links or downstream of one"),
    outsideJurisdiction: z.boolean(),
  })
  .meta({ id: "TracingClusterNode" });

const EdgeSchema = z
  .object({
    from: z.string().describe("The infector's case id"),
    to: z.string().describe("The infectee's case id"),
    kind: z
      .enum(["linked", "exposure"])
      .describe(
        "exposure: an exposure recorded on the infector's case names the infectee's person; linked: only the infectee's linked case says so",
      ),
    linked: z.boolean().describe("The infectee's linked case names this infector (also for kind exposure)"),
    setting: z.string().nullable().describe("The earliest exposure's setting; null for linked"),
    at: IsoDateTime.nullable().describe("The earliest exposure's time; null for linked"),
  })
  .meta({ id: "TracingClusterEdge" });

export const chainRoutes: FastifyPluginAsyncZod<{ db: Db; packs?: readonly LoadedPack[] }> = async (
  app,
  { db, packs: given },
) => {
  const packs = given ?? loadShippedPacks();

  app.post(
    "/api/tracing/chains/recompute",
    {
      schema: {
        tags: ["tracing"],
        summary:
          "Recompute the transmission chains of the whole database (clusters, generations, secondary cases) from the cases' linked cases and the exposures between cases, and store them; one at a time (409 while another runs)",
        response: {
          200: z.object({
            cases: z.int(),
            links: z.int().describe("Distinct infector → infectee pairs between cases"),
            clusters: z.int().describe("Clusters of two or more cases"),
            isolatedCases: z.int(),
            computedAt: IsoDateTime,
            durationMs: z.int(),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const r = await recomputeChains(db, req.ctx, packs);
      return { ...r, computedAt: r.computedAt.toISOString() };
    },
  );

  app.get(
    "/api/tracing/analysis",
    {
      schema: {
        tags: ["tracing"],
        summary:
          "The chain analysis of the caller's jurisdiction's cases as of the last recompute, as `cordon tracing analyze` gives it for their line list: clusters, generations, super-spreaders, serial interval, issues",
        querystring: z.strictObject({
          largest: z.coerce.number().int().min(0).max(50).default(5).describe("How many largest clusters"),
          lang: Lang,
        }),
        response: { 200: AnalysisSchema, ...errorResponses },
      },
    },
    async (req) => {
      const a = await chainAnalysis(db, req.ctx, packs, { largest: req.query.largest });
      return { ...a, computedAt: iso(a.computedAt) };
    },
  );

  app.get(
    "/api/tracing/clusters",
    {
      schema: {
        tags: ["tracing"],
        summary:
          "The stored clusters with a case in the caller's jurisdiction, largest first; q keeps those with a case whose id is q or whose person's name contains q",
        querystring: z.strictObject({
          minSize: z.coerce
            .number()
            .int()
            .min(1)
            .max(1_000_000)
            .default(2)
            .describe(
              "Clusters of at least this many cases (a cluster has two or more: 1 lists what 2 lists)",
            ),
          q: z.string().max(100).optional().describe("A case id, or part of a person's name"),
          page: Page,
          pageSize: z.coerce.number().int().min(1).max(200).default(50),
          lang: Lang,
        }),
        response: {
          200: z.object({
            ...Freshness,
            total: z.int(),
            superspreaderThreshold: z.int(),
            items: z.array(ClusterItemSchema),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const r = await listClusters(db, req.ctx, packs, req.query);
      return {
        ...r,
        computedAt: iso(r.computedAt),
        items: r.items.map((k) => ({ ...k, lastReportedAt: iso(k.lastReportedAt) })),
      };
    },
  );

  app.get(
    "/api/tracing/clusters/:clusterId/graph",
    {
      schema: {
        tags: ["tracing"],
        summary:
          "A stored cluster's cases (nodes) and infector → infectee links (edges), for its graph; open when one of its cases is in the caller's jurisdiction, the others shown without names",
        params: z.strictObject({ clusterId: z.string().max(100) }),
        querystring: z.strictObject({ lang: Lang }),
        response: {
          200: z.object({
            ...Freshness,
            clusterId: z.string(),
            superspreaderThreshold: z.int(),
            nodes: z.array(NodeSchema),
            edges: z.array(EdgeSchema),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const g = await clusterGraph(db, req.ctx, packs, req.params.clusterId);
      return {
        computedAt: iso(g.computedAt),
        stale: g.stale,
        clusterId: g.clusterId,
        superspreaderThreshold: g.superspreaderThreshold,
        nodes: g.nodes.map((n) => ({ ...n, reportedAt: n.reportedAt.toISOString() })),
        edges: g.edges.map((e) => ({
          from: e.from,
          to: e.to,
          kind: e.kind,
          linked: e.linked,
          setting: e.setting,
          at: iso(e.at),
        })),
      };
    },
  );
};
