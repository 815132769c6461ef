import { ApiError, api, unwrap } from "../api/client.ts";
import type { components, paths } from "../api/schema.d.ts";
import { currentLang } from "../i18n/i18n.ts";

type Schemas = components["schemas"];
type Ok<P extends keyof paths, M extends "get" | "post"> = paths[P][M] extends {
  responses: { 200: { content: { "application/json": infer R } } };
}
  ? R
  : never;

export type ChainAnalysis = Schemas["TracingChainAnalysis"];
export type ChainIssue = Schemas["TracingChainIssue"];
export type ClusterItem = Schemas["TracingClusterItem"];
export type ClusterNode = Schemas["TracingClusterNode"];
export type ClusterEdge = Schemas["TracingClusterEdge"];
export type ClusterPage = Ok<"/api/tracing/clusters", "get">;
export type ClusterGraph = Ok<"/api/tracing/clusters/{clusterId}/graph", "get">;
export type Recomputed = Ok<"/api/tracing/chains/recompute", "post">;
export type LineListAnalysis = Schemas["TracingLineListAnalysis"];

export interface ClusterQuery {
  minSize: number;
  q: string;
  page: number;
  pageSize: number;
}

const lang = () => currentLang();

function isErrorBody(v: unknown): v is {
  error: { code: string; message: string; fields?: { field: string; code: string; message: string }[] };
} {
  if (typeof v !== "object" || v === null || !("error" in v)) return false;
  const e = (v as { error: unknown }).error;
  return typeof e === "object" && e !== null && "code" in e && "message" in e;
}

/** A raw call (a file up or down: the generated client speaks JSON only); a failure throws an ApiError. */
async function rawCall(path: string, init: RequestInit): Promise<Response> {
  const url = new URL(path, window.location.origin);
  url.searchParams.set("lang", lang());
  let response: Response;
  try {
    response = await fetch(url, {
      ...init,
      headers: { "Accept-Language": lang(), ...(init.headers as Record<string, string>) },
      credentials: "same-origin",
    });
  } catch (e) {
    throw new ApiError(0, "network", e instanceof Error ? e.message : String(e));
  }
  if (response.ok) return response;
  const text = await response.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (isErrorBody(json))
    throw new ApiError(response.status, json.error.code, json.error.message, json.error.fields ?? []);
  throw new ApiError(response.status, "http", response.statusText);
}

/** Downloads the jurisdiction's cases as a line-list CSV, under the server's dated file name. */
async function exportLineList(): Promise<string> {
  const response = await rawCall("/api/tracing/line-list.csv", { method: "GET" });
  const name =
    /filename="([^"]+)"/.exec(response.headers.get("content-disposition") ?? "")?.[1] ?? "line-list.csv";
  const url = URL.createObjectURL(await response.blob());
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
  return name;
}

/** Sends a line-list file to be analysed (nothing is stored). */
async function analyzeLineList(file: File): Promise<LineListAnalysis> {
  const response = await rawCall("/api/tracing/line-list/analyze", {
    method: "POST",
    headers: { "X-Cordon-Client": "web", "Content-Type": "text/csv" },
    body: file,
  });
  return (await response.json()) as LineListAnalysis;
}

/**
 * The transmission chains over the database's cases: recompute, the analysis, clusters, a cluster's graph;
 * the line list out (a CSV download) and a line-list file's analysis.
 */
export const chainsApi = {
  exportLineList,
  analyzeLineList,
  recompute: () => unwrap(api.POST("/api/tracing/chains/recompute")),
  analysis: () =>
    unwrap(api.GET("/api/tracing/analysis", { params: { query: { largest: 5, lang: lang() } } })),
  clusters: (query: ClusterQuery) =>
    unwrap(
      api.GET("/api/tracing/clusters", {
        params: {
          query: {
            minSize: query.minSize,
            q: query.q.trim() || undefined,
            page: query.page,
            pageSize: query.pageSize,
            lang: lang(),
          },
        },
      }),
    ),
  graph: (clusterId: string) =>
    unwrap(
      api.GET("/api/tracing/clusters/{clusterId}/graph", {
        params: { path: { clusterId }, query: { lang: lang() } },
      }),
    ),
};
