import type { LoadedPack } from "@cordon/domain/policies/pack-schema";
import { CASE_CLASSIFICATIONS, CASE_SOURCES, FOUND_BY } from "@cordon/domain/tracing/cases";
import { type LoopStatus, type LoopSummary, LOOP_STEPS } from "@cordon/domain/tracing/contact-loop";
import type { ExposureFlag } from "@cordon/domain/tracing/exposures";
import { type Clock, MILESTONES } from "@cordon/domain/tracing/investigation";
import { EXPOSURE_SETTINGS, PROXIMITIES } from "@cordon/domain/tracing/policy";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { Db } from "../db/db.ts";
import { errorResponses, IsoDateTime, RegionCode, Uuid } from "../http/schemas.ts";
import { loadShippedPacks } from "../policies/policy-packs.ts";
import {
  caseDetail,
  caseFor,
  changeClassification,
  type ContactView,
  createCase,
  createCaseFromCandidate,
  escalationsOf,
  listCandidates,
  listCasesWithClocks,
  recordMilestone,
} from "./case.service.ts";
import { classifyCase, recordExposure, recordStep } from "./contact.service.ts";
import {
  type CaseRow,
  type ContactRow,
  type ExposureRow,
  exposuresOf,
  type InvestigationRow,
  peopleBrief,
} from "./tracing.repository.ts";

const Instant = z.iso.datetime({ offset: true });
const DateOnly = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "date.format");
const MessageSchema = z.object({ zh: z.string(), en: z.string() });
const Lang = z.enum(["zh-CN", "en"]).optional();
const iso = (d: Date | null) => d?.toISOString() ?? null;
const Classification = z.enum(CASE_CLASSIFICATIONS as [string, ...string[]]);
const Milestone = z.enum(MILESTONES as [string, ...string[]]);
const Step = z.enum(LOOP_STEPS as [string, ...string[]]);

const CaseSchema = z
  .object({
    id: z.string(),
    personId: z.string(),
    personName: z.string(),
    regionCode: z.string(),
    classification: Classification,
    foundBy: z.enum(FOUND_BY as [string, ...string[]]),
    source: z.enum(CASE_SOURCES as [string, ...string[]]),
    linkedCaseId: z.string().nullable(),
    onsetDate: z.string().nullable(),
    samplingDate: z.string().nullable(),
    lastNegativeSamplingDate: z.string().nullable(),
    reportedAt: IsoDateTime,
    confirmedAt: IsoDateTime.nullable(),
    isolatedAt: IsoDateTime.nullable(),
    majorOutbreak: z.boolean(),
    candidateId: z.string().nullable(),
    barcode: z.string().nullable(),
    resultId: z.string().nullable(),
    status: z.enum(["investigating", "closed"]),
    createdAt: IsoDateTime,
    updatedAt: IsoDateTime,
    version: z.int(),
  })
  .meta({ id: "TracingCase" });

const caseOut = (c: CaseRow, personName = "") => ({
  id: c.id,
  personId: c.personId,
  personName,
  regionCode: c.regionCode,
  classification: c.classification,
  foundBy: c.foundBy,
  source: c.source,
  linkedCaseId: c.linkedCaseId,
  onsetDate: c.onsetDate,
  samplingDate: c.samplingDate,
  lastNegativeSamplingDate: c.lastNegativeSamplingDate,
  reportedAt: c.reportedAt.toISOString(),
  confirmedAt: iso(c.confirmedAt),
  isolatedAt: iso(c.isolatedAt),
  majorOutbreak: c.major,
  candidateId: c.candidateId,
  barcode: c.barcode,
  resultId: c.resultId,
  status: c.status,
  createdAt: c.createdAt.toISOString(),
  updatedAt: c.updatedAt.toISOString(),
  version: c.version,
});

const ClockSchema = z
  .object({
    milestone: Milestone,
    label: MessageSchema,
    limitHours: z.number(),
    dueAt: IsoDateTime,
    doneAt: IsoDateTime.nullable(),
    state: z.enum(["pending", "done_on_time", "done_late", "overdue"]),
    remainingMs: z.number().nullable(),
    lateByMs: z.number().nullable(),
  })
  .meta({ id: "TracingClock", description: "A milestone's clock: due time, state, countdown" });
const clockOut = (k: Clock) => ({ ...k, dueAt: k.dueAt.toISOString(), doneAt: iso(k.doneAt) });

const LoopStatusSchema = z
  .object({
    personId: z.string(),
    state: z.enum(["not_started", "on_time", "late", "open", "overdue"]),
    limitHours: z.number(),
    dueAt: IsoDateTime.nullable(),
    nextStep: Step.nullable(),
    loopMs: z.number().nullable(),
    remainingMs: z.number().nullable(),
    lateByMs: z.number().nullable(),
  })
  .meta({ id: "TracingLoopStatus" });
const loopOut = (l: LoopStatus) => ({ ...l, dueAt: iso(l.dueAt) });

const LoopSummarySchema = z
  .object({
    limitHours: z.number(),
    contacts: z.int(),
    byState: z.record(z.string(), z.int()),
    atStep: z.record(z.string(), z.int()),
    overdue: z.array(z.string()),
    slowest: z
      .object({ personId: z.string(), loopMs: z.number(), state: z.enum(["on_time", "late"]) })
      .nullable(),
    closed: z.object({ at: IsoDateTime, withinLimit: z.boolean() }).nullable(),
  })
  .meta({ id: "TracingLoopSummary", description: "The loop of the case's close and secondary contacts" });
const summaryOut = (s: LoopSummary) => ({
  ...s,
  closed: s.closed && { at: s.closed.at.toISOString(), withinLimit: s.closed.withinLimit },
});

const RuleSchema = z.object({ id: z.string(), label: MessageSchema, source: z.string() });
const ContactSchema = z
  .object({
    id: z.string(),
    caseId: z.string(),
    personId: z.string(),
    personName: z.string(),
    kind: z.enum(["close", "secondary", "general"]),
    rule: RuleSchema.nullable(),
    explanation: MessageSchema,
    viaPersonId: z.string(),
    exposureIds: z.array(z.string()),
    firstExposureAt: IsoDateTime,
    lastExposureAt: IsoDateTime,
    regionCode: z.string().nullable(),
    assist: z.boolean(),
    steps: z.object({
      verify: IsoDateTime.nullable(),
      transfer: IsoDateTime.nullable(),
      test: IsoDateTime.nullable(),
      isolate: IsoDateTime.nullable(),
    }),
    placementId: z.string().nullable(),
    loop: LoopStatusSchema.nullable(),
    ownCaseId: z.string().nullable(),
    version: z.int(),
  })
  .meta({ id: "TracingContact" });
const contactOut = (
  t: ContactRow,
  extra: { personName: string; loop: LoopStatus | null; ownCaseId: string | null },
) => ({
  id: t.id,
  caseId: t.caseId,
  personId: t.personId,
  personName: extra.personName,
  kind: t.kind,
  rule: t.rule,
  explanation: t.explanation,
  viaPersonId: t.viaPersonId,
  exposureIds: t.exposureIds,
  firstExposureAt: t.firstExposureAt.toISOString(),
  lastExposureAt: t.lastExposureAt.toISOString(),
  regionCode: t.regionCode,
  assist: t.assist,
  steps: {
    verify: iso(t.verifyAt),
    transfer: iso(t.transferAt),
    test: iso(t.testAt),
    isolate: iso(t.isolateAt),
  },
  placementId: t.placementId,
  loop: extra.loop && loopOut(extra.loop),
  ownCaseId: extra.ownCaseId,
  version: t.version,
});
const viewOut = (v: ContactView) => contactOut(v.contact, v);

const FlagSchema = z.object({
  code: z.string(),
  exposureId: z.string().nullable(),
  personId: z.string().nullable(),
  message: MessageSchema,
});
const FieldErrorSchema = z.object({ field: z.string(), code: z.string(), message: MessageSchema });

const ExposureSchema = z
  .object({
    id: z.string(),
    caseId: z.string(),
    sourcePersonId: z.string(),
    exposedPersonId: z.string(),
    at: IsoDateTime,
    until: IsoDateTime,
    durationMinutes: z.number().nullable(),
    setting: z.string(),
    proximity: z.string(),
    enclosed: z.boolean().nullable(),
    protected: z.boolean(),
    judgedClose: z.boolean(),
    exposedRegionCode: z.string().nullable(),
    place: z.string(),
    flags: z.array(FlagSchema),
  })
  .meta({ id: "TracingExposure" });
const exposureOut = (e: ExposureRow, flags: ExposureFlag[]) => ({
  id: e.id,
  caseId: e.caseId,
  sourcePersonId: e.sourcePersonId,
  exposedPersonId: e.exposedPersonId,
  at: e.at.toISOString(),
  until: e.until.toISOString(),
  durationMinutes: e.durationMinutes,
  setting: e.setting,
  proximity: e.proximity,
  enclosed: e.enclosed,
  protected: e.protected,
  judgedClose: e.judgedClose,
  exposedRegionCode: e.exposedRegionCode,
  place: e.place,
  flags,
});

const InvestigationSchema = z
  .object({
    packId: z.string().nullable(),
    openedAt: IsoDateTime,
    milestones: z.record(z.string(), z.object({ at: IsoDateTime.nullable(), by: z.string().nullable() })),
  })
  .meta({ id: "TracingInvestigation" });
const investigationOut = (i: InvestigationRow) => ({
  packId: i.packId,
  openedAt: i.openedAt.toISOString(),
  milestones: Object.fromEntries(MILESTONES.map((m) => [m, { at: iso(i[`${m}At`]), by: i[`${m}By`] }])),
});

const CaseDetailSchema = z
  .object({
    case: CaseSchema,
    policy: z.object({
      packId: z.string().nullable(),
      origin: z.enum(["pack", "default"]),
      basis: MessageSchema,
    }),
    investigation: InvestigationSchema.nullable(),
    clocks: z.array(ClockSchema),
    escalations: z.array(
      z.object({ milestone: Milestone, dueAt: IsoDateTime, overdueByMs: z.number(), message: MessageSchema }),
    ),
    window: z
      .object({
        start: IsoDateTime,
        startDate: z.string(),
        basis: z.enum(["onset", "sampling", "last_negative"]),
        explanation: MessageSchema,
        end: IsoDateTime,
        endBasis: z.enum(["isolation", "now"]),
      })
      .nullable(),
    contacts: z.array(ContactSchema),
    loop: LoopSummarySchema,
    asContact: z.array(
      z.object({
        caseId: z.string(),
        kind: z.string(),
        classifiedAt: IsoDateTime,
        isolatedAt: IsoDateTime.nullable(),
      }),
    ),
  })
  .meta({ id: "TracingCaseDetail" });

const CaseBody = {
  classification: Classification,
  source: z.enum(CASE_SOURCES as [string, ...string[]]),
  linkedCaseId: Uuid.nullish(),
  onsetDate: DateOnly.nullish(),
  lastNegativeSamplingDate: DateOnly.nullish(),
  reportedAt: Instant.optional(),
  confirmedAt: Instant.nullish(),
  isolatedAt: Instant.nullish(),
  majorOutbreak: z.boolean().optional(),
};

const CandidateSchema = z
  .object({
    id: z.string(),
    personId: z.string(),
    personName: z.string(),
    regionCode: z.string(),
    barcode: z.string(),
    resultId: z.string(),
    ct: z.object({ orf1ab: z.number().nullable(), n: z.number().nullable() }),
    sampledAt: IsoDateTime.nullable(),
    testedAt: IsoDateTime.nullable(),
    lab: z.string().nullable(),
    createdAt: IsoDateTime,
  })
  .meta({ id: "TracingCaseCandidate", description: "A positive single tube waiting to become a case" });

export const tracingRoutes: FastifyPluginAsyncZod<{ db: Db; packs?: readonly LoadedPack[] }> = async (
  app,
  { db, packs: given },
) => {
  const packs = given ?? loadShippedPacks();

  app.get(
    "/api/tracing/candidates",
    {
      schema: {
        tags: ["tracing"],
        summary:
          "Positive single tubes (case candidates from the lab results) of the caller's jurisdiction not yet made a case, oldest first",
        querystring: z.strictObject({
          limit: z.coerce.number().int().min(1).max(1000).default(200),
          lang: Lang,
        }),
        response: { 200: z.object({ items: z.array(CandidateSchema) }), ...errorResponses },
      },
    },
    async (req) => ({
      items: (await listCandidates(db, req.ctx, req.query.limit)).map((k) => ({
        id: k.id,
        personId: k.personId,
        personName: k.personName,
        regionCode: k.regionCode,
        barcode: k.barcode,
        resultId: k.resultId,
        ct: { orf1ab: k.ctOrf1ab, n: k.ctN },
        sampledAt: iso(k.sampledAt),
        testedAt: iso(k.testedAt),
        lab: k.lab,
        createdAt: k.createdAt.toISOString(),
      })),
    }),
  );

  app.post(
    "/api/tracing/cases",
    {
      schema: {
        tags: ["tracing"],
        summary:
          "Make a case by hand (one per person): classification, how found, source, onset/sampling dates, report and confirmation times; its investigation opens with the clocks of the policy in force",
        body: z.strictObject({
          personId: Uuid,
          foundBy: z.enum(FOUND_BY as [string, ...string[]]),
          samplingDate: DateOnly.nullish(),
          ...CaseBody,
        }),
        response: { 201: CaseSchema, ...errorResponses },
      },
    },
    async (req, reply) => reply.status(201).send(caseOut(await createCase(db, req.ctx, packs, req.body))),
  );

  app.post(
    "/api/tracing/cases/from-candidate/:candidateId",
    {
      schema: {
        tags: ["tracing"],
        summary:
          "Make a case from a positive single tube: the person, the sampling date and the last negative sampling come from the testing records; the candidate is taken once (409 after)",
        params: z.strictObject({ candidateId: Uuid }),
        body: z.strictObject({ foundBy: z.enum(FOUND_BY as [string, ...string[]]).optional(), ...CaseBody }),
        response: { 201: CaseSchema, ...errorResponses },
      },
    },
    async (req, reply) =>
      reply
        .status(201)
        .send(caseOut(await createCaseFromCandidate(db, req.ctx, packs, req.params.candidateId, req.body))),
  );

  app.get(
    "/api/tracing/cases",
    {
      schema: {
        tags: ["tracing"],
        summary:
          "The caller's jurisdiction's cases, newest report first, each with its investigation clocks and its contacts' loop; overdue=true keeps those with an overdue milestone or contact",
        querystring: z.strictObject({
          status: z.enum(["investigating", "closed"]).optional(),
          overdue: z.enum(["true", "false"]).optional(),
          limit: z.coerce.number().int().min(1).max(500).default(100),
          lang: Lang,
        }),
        response: {
          200: z.object({
            items: z.array(
              z.object({
                case: CaseSchema,
                clocks: z.array(ClockSchema),
                overdue: z.boolean(),
                loop: LoopSummarySchema,
              }),
            ),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => ({
      items: (
        await listCasesWithClocks(db, req.ctx, packs, {
          status: req.query.status,
          overdue: req.query.overdue === "true",
          limit: req.query.limit,
        })
      ).map((s) => ({
        case: caseOut(s.case, s.case.personName),
        clocks: s.clocks.map(clockOut),
        overdue: s.overdue,
        loop: summaryOut(s.loop),
      })),
    }),
  );

  app.get(
    "/api/tracing/cases/:id",
    {
      schema: {
        tags: ["tracing"],
        summary:
          "One case: its investigation and clocks (countdowns, escalations), its look-back window, its contacts with their loop states, the loop summary, and the person's own records as a contact",
        params: z.strictObject({ id: Uuid }),
        querystring: z.strictObject({ lang: Lang }),
        response: { 200: CaseDetailSchema, ...errorResponses },
      },
    },
    async (req) => {
      const d = await caseDetail(db, req.ctx, packs, req.params.id);
      return {
        case: caseOut(d.case, d.personName),
        policy: { packId: d.policy.packId, origin: d.policy.origin, basis: d.policy.basis },
        investigation: d.investigation && investigationOut(d.investigation),
        clocks: d.clocks.map(clockOut),
        escalations: d.escalations.map((e) => ({
          milestone: e.milestone,
          dueAt: e.dueAt.toISOString(),
          overdueByMs: e.overdueByMs,
          message: e.message,
        })),
        window: d.window && {
          start: d.window.start.startsAt.toISOString(),
          startDate: d.window.start.date,
          basis: d.window.start.basis,
          explanation: d.window.start.explanation,
          end: d.window.end.toISOString(),
          endBasis: d.window.endBasis,
        },
        contacts: d.contacts.map(viewOut),
        loop: summaryOut(d.loop),
        asContact: d.asContact.map((a) => ({
          ...a,
          classifiedAt: a.classifiedAt.toISOString(),
          isolatedAt: iso(a.isolatedAt),
        })),
      };
    },
  );

  app.post(
    "/api/tracing/cases/:id/classification",
    {
      schema: {
        tags: ["tracing"],
        summary:
          "Change a case's classification (suspected → confirmed, mild → severe…), confirmation, onset or isolation, with a reason; the whole case is checked again",
        params: z.strictObject({ id: Uuid }),
        body: z.strictObject({
          classification: Classification,
          confirmedAt: Instant.nullish(),
          onsetDate: DateOnly.nullish(),
          isolatedAt: Instant.nullish(),
          majorOutbreak: z.boolean().optional(),
          reason: z.string().min(1).max(1000),
        }),
        response: { 200: CaseSchema, ...errorResponses },
      },
    },
    async (req) => caseOut(await changeClassification(db, req.ctx, req.params.id, req.body)),
  );

  app.post(
    "/api/tracing/cases/:id/milestones",
    {
      schema: {
        tags: ["tracing"],
        summary:
          "Record an investigation milestone (direct report, on site, preliminary judgment, closed) at a time (now by default): in order, not before the report, not in the future, once",
        params: z.strictObject({ id: Uuid }),
        body: z.strictObject({
          milestone: Milestone,
          at: Instant.optional(),
        }),
        response: { 200: z.object({ clocks: z.array(ClockSchema) }), ...errorResponses },
      },
    },
    async (req) => {
      await recordMilestone(db, req.ctx, req.params.id, {
        milestone: req.body.milestone as (typeof MILESTONES)[number],
        at: req.body.at,
      });
      const d = await caseDetail(db, req.ctx, packs, req.params.id);
      return { clocks: d.clocks.map(clockOut) };
    },
  );

  app.post(
    "/api/tracing/cases/:id/exposures",
    {
      schema: {
        tags: ["tracing"],
        summary:
          "Record an exposure: source (the case's person by default, or one of its close contacts), exposed person, when, how long, setting, proximity; refused with field errors (a case infecting itself, a time in the future) or kept with flags (outside the look-back window)",
        params: z.strictObject({ id: Uuid }),
        body: z.strictObject({
          sourcePersonId: Uuid.optional(),
          exposedPersonId: Uuid,
          at: Instant,
          durationMinutes: z.number().nullish(),
          setting: z.enum(EXPOSURE_SETTINGS as [string, ...string[]]),
          proximity: z.enum(PROXIMITIES as [string, ...string[]]),
          enclosed: z.boolean().nullish(),
          protected: z.boolean().optional(),
          judgedClose: z.boolean().optional(),
          exposedRegionCode: RegionCode.nullish(),
          place: z.string().max(500).optional(),
        }),
        response: { 201: ExposureSchema, ...errorResponses },
      },
    },
    async (req, reply) => {
      const r = await recordExposure(db, req.ctx, packs, req.params.id, req.body);
      return reply.status(201).send(exposureOut(r.exposure, r.flags));
    },
  );

  app.get(
    "/api/tracing/cases/:id/exposures",
    {
      schema: {
        tags: ["tracing"],
        summary:
          "The case's recorded exposures in time order (its itinerary: where and when, who was exposed, with their flags), with the people's names",
        params: z.strictObject({ id: Uuid }),
        querystring: z.strictObject({ lang: Lang }),
        response: {
          200: z.object({
            items: z.array(
              ExposureSchema.extend({ sourcePersonName: z.string(), exposedPersonName: z.string() }),
            ),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const c = await caseFor(db, req.ctx, req.params.id, "tracing.view");
      const rows = await exposuresOf(db, c.id);
      const names = await peopleBrief(
        db,
        rows.flatMap((e) => [e.sourcePersonId, e.exposedPersonId]),
      );
      return {
        items: rows.map((e) => ({
          ...exposureOut(e, e.flags),
          sourcePersonName: names.get(e.sourcePersonId)?.name ?? "",
          exposedPersonName: names.get(e.exposedPersonId)?.name ?? "",
        })),
      };
    },
  );

  app.post(
    "/api/tracing/cases/:id/classify",
    {
      schema: {
        tags: ["tracing"],
        summary:
          "Classify the case's contacts from its exposures under the policy in force: close (with the rule), secondary (from close contacts' exposures), general (with why not); outside the caller's jurisdiction → assist. Re-running keeps each contact's steps",
        params: z.strictObject({ id: Uuid }),
        response: {
          200: z.object({
            contacts: z.array(ContactSchema),
            counts: z.object({ close: z.int(), secondary: z.int(), general: z.int(), assist: z.int() }),
            flags: z.array(FlagSchema),
            refused: z.array(z.object({ exposureId: z.string(), errors: z.array(FieldErrorSchema) })),
            notCounted: z.array(
              z.object({
                personId: z.string(),
                viaPersonId: z.string(),
                exposureIds: z.array(z.string()),
                why: MessageSchema,
              }),
            ),
            noLongerFound: z.array(z.string()),
            secondaryEnabled: z.boolean(),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const r = await classifyCase(db, req.ctx, packs, req.params.id);
      return { ...r, contacts: r.contacts.map(viewOut) };
    },
  );

  app.post(
    "/api/tracing/contacts/:id/steps",
    {
      schema: {
        tags: ["tracing"],
        summary:
          "Record a step of a close or secondary contact's loop (verify → transfer → test → isolate) at a time (now by default); the isolate step links the person's quarantine placement (the one given, or the current one)",
        params: z.strictObject({ id: Uuid }),
        body: z.strictObject({
          step: Step,
          at: Instant.optional(),
          placementId: Uuid.optional(),
        }),
        response: { 200: ContactSchema, ...errorResponses },
      },
    },
    async (req) => {
      const r = await recordStep(db, req.ctx, packs, req.params.id, {
        step: req.body.step as (typeof LOOP_STEPS)[number],
        at: req.body.at,
        placementId: req.body.placementId,
      });
      return contactOut(r.contact, r);
    },
  );

  app.get(
    "/api/tracing/escalations",
    {
      schema: {
        tags: ["tracing"],
        summary:
          "For the command: every overdue investigation milestone and every contact past the loop limit in the caller's jurisdiction, most overdue first",
        querystring: z.strictObject({ lang: Lang }),
        response: {
          200: z.object({
            items: z.array(
              z.object({
                caseId: z.string(),
                personName: z.string(),
                regionCode: z.string(),
                kind: z.enum(["milestone", "contact_loop"]),
                milestone: Milestone.nullable(),
                contactId: z.string().nullable(),
                contactPersonId: z.string().nullable(),
                dueAt: IsoDateTime,
                overdueByMs: z.number(),
                message: MessageSchema,
              }),
            ),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => ({
      items: (await escalationsOf(db, req.ctx, packs)).map((e) => ({ ...e, dueAt: e.dueAt.toISOString() })),
    }),
  );
};
