import { ApiError, api, type FieldProblem, unwrap } from "../api/client.ts";
import type { components, paths } from "../api/schema.d.ts";
import { currentLang } from "../i18n/i18n.ts";

type Schemas = components["schemas"];

/** The row states of an assist list; the last three are final. */
export type AssistRowState = Schemas["AssistRowState"];
export type AssistList = Schemas["AssistList"];
export type AssistCounts = AssistList["counts"];
export type AssistRow = Schemas["AssistRow"];
export type RejectedRow = Schemas["AssistRejectedRow"];
export type ImportResult = Schemas["AssistImport"];
export type OverdueByRegion = Schemas["AssistOverdue"];
type OutcomePath = paths["/api/assist-lists/{id}/rows/{rowId}/outcome"]["post"];
export type OutcomeBody = NonNullable<OutcomePath["requestBody"]>["content"]["application/json"];
export type AssistOutcome = OutcomeBody["outcome"];

export const ROW_STATES: readonly AssistRowState[] = [
  "ambiguous",
  "unmatched",
  "dispatched",
  "merged",
  "controlled",
  "not_found",
  "forwarded",
];

export interface RowsQuery {
  state?: AssistRowState;
  overdue?: boolean;
  q?: string;
  page: number;
  pageSize: number;
}

const XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/** The Content-Type the server expects for a file, from its name (browsers disagree on File.type for CSV). */
export function uploadContentType(fileName: string): string | null {
  const lower = fileName.toLowerCase();
  if (lower.endsWith(".csv") || lower.endsWith(".txt")) return "text/csv";
  if (lower.endsWith(".xlsx")) return XLSX_TYPE;
  return null;
}

function isErrorBody(v: unknown): v is { error: { code: string; message: string; fields?: FieldProblem[] } } {
  if (typeof v !== "object" || v === null || !("error" in v)) return false;
  const e = (v as { error: unknown }).error;
  return typeof e === "object" && e !== null && "code" in e && "message" in e;
}

/**
 * A call with the headers every Cordon call carries (language, and the X-Cordon-Client header the
 * server requires on writes) whose failure throws the ApiError the rest of the web app understands.
 * Only for the raw file upload, which the generated JSON client cannot send.
 */
async function call<T>(
  method: "GET" | "POST",
  path: string,
  init: {
    query?: Record<string, string | number | boolean | undefined>;
    body?: BodyInit;
    type?: string;
  } = {},
): Promise<T> {
  const url = new URL(path, window.location.origin);
  for (const [k, v] of Object.entries(init.query ?? {})) {
    if (v !== undefined && v !== "") url.searchParams.set(k, String(v));
  }
  const headers: Record<string, string> = { "Accept-Language": currentLang() };
  if (method !== "GET") headers["X-Cordon-Client"] = "web";
  if (init.type) headers["Content-Type"] = init.type;
  let response: Response;
  try {
    response = await fetch(url, { method, headers, body: init.body, credentials: "same-origin" });
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
  if (response.ok) return json as T;
  if (isErrorBody(json)) {
    throw new ApiError(response.status, json.error.code, json.error.message, json.error.fields ?? []);
  }
  throw new ApiError(response.status, "http", response.statusText);
}

/**
 * Uploads a list file as its raw bytes (CSV or XLSX) and returns the stored list and the rejected rows.
 * The generated client sends JSON only, so the file goes through `call` above.
 */
export function importList(
  file: File,
  meta: { name: string; source: string; regionCode?: string },
): Promise<ImportResult> {
  const type = uploadContentType(file.name) ?? (file.type || "application/octet-stream");
  return call<ImportResult>("POST", "/api/assist-lists", {
    query: { ...meta, fileName: file.name, lang: currentLang() },
    body: file,
    type,
  });
}

export function fetchLists(regionCode?: string): Promise<{ items: AssistList[] }> {
  return unwrap(api.GET("/api/assist-lists", { params: { query: { regionCode } } }));
}

export function fetchList(id: string): Promise<AssistList> {
  return unwrap(api.GET("/api/assist-lists/{id}", { params: { path: { id } } }));
}

export function fetchRows(id: string, q: RowsQuery): Promise<{ items: AssistRow[]; total: number }> {
  return unwrap(
    api.GET("/api/assist-lists/{id}/rows", {
      params: {
        path: { id },
        query: {
          state: q.state,
          overdue: q.overdue ? "true" : undefined,
          q: q.q,
          page: q.page,
          pageSize: q.pageSize,
          lang: currentLang(),
        },
      },
    }),
  );
}

export function matchRow(
  listId: string,
  rowId: string,
  body: { personId: string | null; version: number },
): Promise<AssistRow> {
  return unwrap(
    api.POST("/api/assist-lists/{id}/rows/{rowId}/match", {
      params: { path: { id: listId, rowId } },
      body,
    }),
  );
}

export function recordOutcome(listId: string, rowId: string, body: OutcomeBody): Promise<AssistRow> {
  return unwrap(
    api.POST("/api/assist-lists/{id}/rows/{rowId}/outcome", {
      params: { path: { id: listId, rowId } },
      body,
    }),
  );
}

export function fetchOverdue(regionCode?: string): Promise<OverdueByRegion> {
  return unwrap(
    api.GET("/api/assist-lists/overdue", { params: { query: { regionCode, lang: currentLang() } } }),
  );
}
