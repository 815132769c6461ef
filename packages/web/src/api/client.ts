import createClient, { type Middleware } from "openapi-fetch";
import { currentLang } from "../i18n/i18n.ts";
import type { components, paths } from "./schema.d.ts";

export type ErrorBody = components["schemas"]["Error"];
export type FieldProblem = NonNullable<ErrorBody["error"]["fields"]>[number];

/** A failed API call: the server's code and message (already in the UI language), or a network failure (status 0). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly fields: FieldProblem[];
  constructor(status: number, code: string, message: string, fields: FieldProblem[] = []) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.fields = fields;
  }
}

let onUnauthorized: (() => void) | null = null;

/** Who to tell when a call comes back 401 (the session expired or was ended elsewhere). */
export function setUnauthorizedHandler(handler: (() => void) | null): void {
  onUnauthorized = handler;
}

const READS = new Set(["GET", "HEAD", "OPTIONS"]);

const cordonHeaders: Middleware = {
  onRequest({ request }) {
    request.headers.set("Accept-Language", currentLang());
    // The server refuses writes without this header: a cross-site form cannot set it (CSRF defence).
    if (!READS.has(request.method)) request.headers.set("X-Cordon-Client", "web");
    return request;
  },
  onResponse({ request, response }) {
    const path = new URL(request.url, window.location.origin).pathname;
    if (response.status === 401 && path !== "/api/auth/login" && path !== "/api/auth/me") onUnauthorized?.();
    return response;
  },
};

export const api = createClient<paths>({ baseUrl: window.location.origin, credentials: "same-origin" });
api.use(cordonHeaders);

function isErrorBody(v: unknown): v is ErrorBody {
  if (typeof v !== "object" || v === null || !("error" in v)) return false;
  const e = (v as { error: unknown }).error;
  return typeof e === "object" && e !== null && "code" in e && "message" in e;
}

interface Outcome<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** Awaits an API call and returns its data, or throws an ApiError carrying the server's error. */
export async function unwrap<T>(call: Promise<Outcome<T>>): Promise<T> {
  let outcome: Outcome<T>;
  try {
    outcome = await call;
  } catch (e) {
    if (e instanceof DOMException && e.name === "AbortError") throw e;
    throw new ApiError(0, "network", e instanceof Error ? e.message : String(e));
  }
  const { data, error, response } = outcome;
  if (response.ok) return data as T;
  if (isErrorBody(error)) {
    throw new ApiError(response.status, error.error.code, error.error.message, error.error.fields ?? []);
  }
  throw new ApiError(response.status, "http", response.statusText);
}
