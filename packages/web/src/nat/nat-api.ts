import { ApiError, api, unwrap } from "../api/client.ts";
import type { components, paths } from "../api/schema.d.ts";
import { currentLang } from "../i18n/i18n.ts";

type Schemas = components["schemas"];

export type SamplingPoint = Schemas["NatSamplingPoint"];
export type CampaignSummary = Schemas["NatCampaignSummary"];
export type Campaign = Schemas["NatCampaign"];
export type CampaignDetail = Schemas["NatCampaignDetail"];
export type CampaignKind = CampaignSummary["kind"];
export type Round = Schemas["NatRound"];
export type CoverageRow = CampaignDetail["coverage"][number];
export type TurnaroundRow = CampaignDetail["turnaround"][number];
export type RecallLists = Schemas["NatRecallLists"];
export type RecallGroup = RecallLists["groups"][number];
export type RecallMember = RecallGroup["members"][number];
export type Unsampled = Schemas["NatUnsampled"];
export type UnsampledGrid = Unsampled["grids"][number];
export type Tube = Schemas["NatTube"];
export type PoolDecision = Schemas["NatPoolDecision"];
export type LabBatch = Schemas["NatLabBatch"];
export type LabOutcome = LabBatch["outcomes"][number];
export type Plan = Schemas["NatPlan"];
export type PlanGap = Plan["gaps"][number];
type Body<P extends keyof paths, M extends "post"> = paths[P][M] extends {
  requestBody?: { content: { "application/json": infer B } };
}
  ? B
  : never;
export type PointBody = Body<"/api/nat/sampling-points", "post">;
export type CampaignBody = Body<"/api/nat/campaigns", "post">;
export type PlanBody = Body<"/api/nat/plan", "post">;
export type PoolSize = 1 | 5 | 10 | 20;

/** What the sampler scanned for a person: an id (a code carrying it) or a document number. */
export type PersonRef = { personId: string } | { documentNumber: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A scanned code holding a person's id is sent as the id; anything else is a document number. */
export function personRef(scanned: string): PersonRef {
  const text = scanned.trim();
  return UUID.test(text) ? { personId: text.toLowerCase() } : { documentNumber: text.toUpperCase() };
}

const lang = () => currentLang();

function isErrorBody(v: unknown): v is {
  error: { code: string; message: string; fields?: { field: string; code: string; message: string }[] };
} {
  if (typeof v !== "object" || v === null || !("error" in v)) return false;
  const e = (v as { error: unknown }).error;
  return typeof e === "object" && e !== null && "code" in e && "message" in e;
}

/**
 * Sends a lab's result file as its raw bytes (the generated client sends JSON only): the answer says
 * what each row did; a refused file throws an ApiError naming every bad row.
 */
export async function importLabFile(file: File): Promise<LabBatch> {
  const url = new URL("/api/nat/lab-results/import", window.location.origin);
  url.searchParams.set("fileName", file.name);
  url.searchParams.set("lang", lang());
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { "Accept-Language": lang(), "X-Cordon-Client": "web", "Content-Type": "text/csv" },
      body: file,
      credentials: "same-origin",
    });
  } catch (e) {
    throw new ApiError(0, "network", e instanceof Error ? e.message : String(e));
  }
  const text = await response.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (response.ok) return json as LabBatch;
  if (isErrorBody(json))
    throw new ApiError(response.status, json.error.code, json.error.message, json.error.fields ?? []);
  throw new ApiError(response.status, "http", response.statusText);
}

export const natApi = {
  points: () => unwrap(api.GET("/api/nat/sampling-points", { params: { query: { lang: lang() } } })),
  createPoint: (body: PointBody) => unwrap(api.POST("/api/nat/sampling-points", { body })),
  campaigns: () => unwrap(api.GET("/api/nat/campaigns", { params: { query: { lang: lang() } } })),
  createCampaign: (body: CampaignBody) => unwrap(api.POST("/api/nat/campaigns", { body })),
  campaign: (id: string, round?: number) =>
    unwrap(api.GET("/api/nat/campaigns/{id}", { params: { path: { id }, query: { round, lang: lang() } } })),
  recall: (id: string) =>
    unwrap(api.GET("/api/nat/campaigns/{id}/recall", { params: { path: { id }, query: { lang: lang() } } })),
  unsampled: (id: string, round?: number) =>
    unwrap(
      api.GET("/api/nat/campaigns/{id}/unsampled", {
        params: { path: { id }, query: { round, lang: lang() } },
      }),
    ),
  tube: (barcode: string) =>
    unwrap(api.GET("/api/nat/tubes/{barcode}", { params: { path: { barcode }, query: { lang: lang() } } })),
  openTube: (body: {
    barcode: string;
    roundId: string;
    samplingPointId: string;
    person: PersonRef;
    size?: PoolSize;
  }) => unwrap(api.POST("/api/nat/tubes", { body })),
  addSwab: (barcode: string, person: PersonRef) =>
    unwrap(api.POST("/api/nat/tubes/{barcode}/swabs", { params: { path: { barcode } }, body: person })),
  seal: (barcode: string) =>
    unwrap(api.POST("/api/nat/tubes/{barcode}/seal", { params: { path: { barcode } } })),
  plan: (body: PlanBody) => unwrap(api.POST("/api/nat/plan", { body })),
};
