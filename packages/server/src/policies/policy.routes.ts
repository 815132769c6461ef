import type { LoadedPack } from "@cordon/domain/policies/pack-schema";
import { measuresSchema, ruleSchema, testBlockSchema } from "@cordon/domain/policies/pack-schema";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { Db } from "../db/db.ts";
import { errorResponses, RegionCode } from "../http/schemas.ts";
import { loadShippedPacks } from "./policy-packs.ts";
import { explainPolicy, getPack, listPacks } from "./policy.service.ts";

/** "2020-12-25", "2020-12-25T10:00", "2020-12-25T10:00:00+08:00"; without an offset, Beijing time. */
const Time = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})?)?$/, "instant.format");

const MessageSchema = z.object({ zh: z.string(), en: z.string() }).meta({ id: "PolicyMessage" });

/** The person's facts: the same shape as the `cordon policy explain --facts` file's `facts`. */
export const PersonFactsSchema = z
  .strictObject({
    travelHistory: z.array(z.strictObject({ regionCode: RegionCode, from: Time, to: Time })).optional(),
    inboundOverseas: z.boolean().optional(),
    contacts: z
      .array(
        z.strictObject({
          kind: z.enum(["close", "secondary", "co_presence"]),
          lastExposureAt: Time,
          linkedCaseOrContact: z.string().max(200).optional(),
        }),
      )
      .max(100)
      .optional(),
    zoneResidence: z.enum(["sealed", "controlled", "precaution"]).nullable().optional(),
    occupation: z.enum(["cold_chain", "quarantine_site", "fever_clinic"]).nullable().optional(),
    leftClosedLoop: z.boolean().optional(),
    festivalReturnee: z.boolean().optional(),
    releasedFromQuarantineElsewhere: z.boolean().optional(),
  })
  .meta({ id: "PersonFacts" });

const RiskAreaSchema = z.strictObject({
  regionCode: RegionCode,
  level: z.enum(["high", "medium", "low"]),
  from: Time,
  to: Time.nullable(),
});

const PackSourceSchema = z.object({
  title: z.string(),
  number: z.string().nullable().optional(),
  date: z.string(),
  seedFile: z.string().optional(),
  quotedFrom: z.string().optional(),
});

const PackSummarySchema = z
  .object({
    id: z.string(),
    file: z.string(),
    title: MessageSchema,
    issuer: MessageSchema,
    jurisdiction: z.string(),
    jurisdictionName: z.string().nullable(),
    effectiveFrom: z.string(),
    effectiveTo: z.string().nullable(),
    validityNote: MessageSchema.nullable(),
    source: PackSourceSchema,
    ruleCount: z.int(),
  })
  .meta({ id: "PolicyPackSummary" });

const PolicyMeasuresSchema = measuresSchema.meta({ id: "PolicyMeasures" });
const PolicyRuleSchema = ruleSchema.extend({ measures: PolicyMeasuresSchema }).meta({ id: "PolicyRule" });

const PackDetailSchema = PackSummarySchema.extend({ rules: z.array(PolicyRuleSchema) }).meta({
  id: "PolicyPack",
});

const PackRefSchema = z.object({
  id: z.string(),
  title: MessageSchema,
  jurisdiction: z.string(),
  file: z.string(),
});

const CombinedMeasuresSchema = measuresSchema
  .extend({ tests: z.array(testBlockSchema.extend({ ruleId: z.string() })).optional() })
  .meta({ id: "PolicyCombinedMeasures" });

const RuleExplanationSchema = z
  .object({
    packId: z.string(),
    ruleId: z.string(),
    category: z.string(),
    source: z.object({ quote: z.string(), en: z.string() }),
    note: MessageSchema.optional(),
    measures: PolicyMeasuresSchema,
    matchedFacts: z.array(
      z.object({ fact: z.string(), description: MessageSchema, endedAt: z.string().optional() }),
    ),
  })
  .meta({ id: "PolicyRuleExplanation" });

const DecisionSchema = z
  .union([
    z.object({
      status: z.literal("decided"),
      pack: PackRefSchema,
      measures: CombinedMeasuresSchema,
      measureSources: z.record(z.string(), z.array(z.string())),
      explanation: z.array(RuleExplanationSchema),
    }),
    z.object({
      status: z.literal("no_rule_matched"),
      pack: PackRefSchema,
      measures: z.object({}),
      explanation: z.array(RuleExplanationSchema),
      reason: MessageSchema,
    }),
    z.object({ status: z.literal("no_pack"), reason: MessageSchema, invalidInput: z.boolean().optional() }),
  ])
  .meta({ id: "PolicyDecision" });

export const policyRoutes: FastifyPluginAsyncZod<{ db: Db; packs?: readonly LoadedPack[] }> = async (
  app,
  { db, packs: given },
) => {
  // Loaded once at startup from the folder the CLI reads; a bad pack stops the server with the reasons.
  const packs = given ?? loadShippedPacks();

  app.get(
    "/api/policies",
    {
      schema: {
        tags: ["policies"],
        summary:
          "The control policy packs: who issued them, where and when they are in force, and their source",
        response: { 200: z.object({ items: z.array(PackSummarySchema) }), ...errorResponses },
      },
    },
    async (req) => ({ items: await listPacks(db, req.ctx, packs) }),
  );

  app.get(
    "/api/policies/:id",
    {
      schema: {
        tags: ["policies"],
        summary: "One policy pack with its rules, each with the quoted source sentence and an English gloss",
        params: z.strictObject({ id: z.string().max(100) }),
        response: { 200: PackDetailSchema, ...errorResponses },
      },
    },
    async (req) => getPack(db, req.ctx, packs, req.params.id),
  );

  app.post(
    "/api/policies/explain",
    {
      schema: {
        tags: ["policies"],
        summary:
          "Decide a person's measures under the pack in force at the arrival time and destination, with the rules and quotes behind them",
        body: z.strictObject({
          at: Time,
          regionCode: RegionCode,
          facts: PersonFactsSchema.default({}),
          riskAreas: z.array(RiskAreaSchema).max(1000).optional(),
        }),
        response: { 200: DecisionSchema, ...errorResponses },
      },
    },
    async (req) => explainPolicy(db, req.ctx, packs, req.body),
  );
};
