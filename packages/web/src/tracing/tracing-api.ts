import { api, unwrap } from "../api/client.ts";
import type { components, paths } from "../api/schema.d.ts";
import { currentLang } from "../i18n/i18n.ts";

type Schemas = components["schemas"];

export type TracingCase = Schemas["TracingCase"];
export type Clock = Schemas["TracingClock"];
export type Contact = Schemas["TracingContact"];
export type LoopSummary = Schemas["TracingLoopSummary"];
export type LoopStatus = Schemas["TracingLoopStatus"];
export type CaseDetail = Schemas["TracingCaseDetail"];
export type Candidate = Schemas["TracingCaseCandidate"];
type Ok<P extends keyof paths, M extends "get" | "post"> = paths[P][M] extends {
  responses: { 200: { content: { "application/json": infer R } } };
}
  ? R
  : never;
type Body<P extends keyof paths> = paths[P]["post"] extends {
  requestBody?: { content: { "application/json": infer B } };
}
  ? B
  : never;
export type CaseListItem = Ok<"/api/tracing/cases", "get">["items"][number];
export type Escalation = Ok<"/api/tracing/escalations", "get">["items"][number];
export type ExposureItem = Ok<"/api/tracing/cases/{id}/exposures", "get">["items"][number];
export type ClassifyResult = Ok<"/api/tracing/cases/{id}/classify", "post">;
export type NewCaseBody = Body<"/api/tracing/cases">;
export type FromCandidateBody = Body<"/api/tracing/cases/from-candidate/{candidateId}">;
export type ExposureBody = Body<"/api/tracing/cases/{id}/exposures">;
export type ReclassifyBody = Body<"/api/tracing/cases/{id}/classification">;
export type Milestone = Clock["milestone"];
export type Step = "verify" | "transfer" | "test" | "isolate";

const lang = () => currentLang();

export const tracingApi = {
  candidates: () => unwrap(api.GET("/api/tracing/candidates", { params: { query: { lang: lang() } } })),
  cases: (overdue: boolean) =>
    unwrap(
      api.GET("/api/tracing/cases", {
        params: { query: { overdue: overdue ? "true" : undefined, lang: lang() } },
      }),
    ),
  escalations: () => unwrap(api.GET("/api/tracing/escalations", { params: { query: { lang: lang() } } })),
  createCase: (body: NewCaseBody) => unwrap(api.POST("/api/tracing/cases", { body })),
  fromCandidate: (candidateId: string, body: FromCandidateBody) =>
    unwrap(
      api.POST("/api/tracing/cases/from-candidate/{candidateId}", {
        params: { path: { candidateId } },
        body,
      }),
    ),
  detail: (id: string) =>
    unwrap(api.GET("/api/tracing/cases/{id}", { params: { path: { id }, query: { lang: lang() } } })),
  exposures: (id: string) =>
    unwrap(
      api.GET("/api/tracing/cases/{id}/exposures", { params: { path: { id }, query: { lang: lang() } } }),
    ),
  reclassify: (id: string, body: ReclassifyBody) =>
    unwrap(api.POST("/api/tracing/cases/{id}/classification", { params: { path: { id } }, body })),
  milestone: (id: string, milestone: Milestone) =>
    unwrap(api.POST("/api/tracing/cases/{id}/milestones", { params: { path: { id } }, body: { milestone } })),
  recordExposure: (id: string, body: ExposureBody) =>
    unwrap(api.POST("/api/tracing/cases/{id}/exposures", { params: { path: { id } }, body })),
  classify: (id: string) =>
    unwrap(api.POST("/api/tracing/cases/{id}/classify", { params: { path: { id } } })),
  step: (contactId: string, step: Step) =>
    unwrap(
      api.POST("/api/tracing/contacts/{id}/steps", { params: { path: { id: contactId } }, body: { step } }),
    ),
};
