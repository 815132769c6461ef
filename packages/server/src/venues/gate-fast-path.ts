/**
 * The listening server's fast path for gate uploads: `POST /api/checkin/gate` is answered straight from
 * Node's HTTP server, before the framework's routing, hooks and reply pipeline, which cost a fifth of
 * the API process's time per single-scan upload at the peak (docs/benchmarks.md, "Check-in at the
 * peak"). Everything that decides the answer is shared with the framework's route (GateIngest, the zod
 * schema, the error mapping), and gate-fast-path.int.test.ts compares the two answer for answer. Any
 * other method or URL (a query string too) goes to the framework.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { FastifySchemaValidationError } from "fastify";
import { validatorCompiler } from "fastify-type-provider-zod";
import {
  AppError,
  errorBody,
  internalError,
  payloadTooLarge,
  requestLang,
  unsupportedMediaType,
} from "../http/errors.ts";
import { schemaValidationFailed } from "../http/validation.ts";
import type { GateUploadInput } from "./checkin.service.ts";
import { GateBody, gateAnswerJson, type GateIngest, parseJsonText, ShedError } from "./gate-ingest.ts";

export const GATE_PATH = "/api/checkin/gate";
const JSON_TYPE = /^application\/json\s*(;|$)/i;

export interface FastPathOptions {
  /** The server's clock (tests pass a fixed one). */
  now: () => Date;
  /** Largest body taken, bytes (the framework's bodyLimit). */
  bodyLimit: number;
  log: (e: unknown) => void;
}

/** A request handler that answers gate uploads and returns false for every other request. */
export function gateFastPath(
  gate: GateIngest,
  opts: FastPathOptions,
): (req: IncomingMessage, res: ServerResponse) => boolean {
  // The same validator the framework compiles for the route's body.
  const validate = validatorCompiler({ schema: GateBody, method: "POST", url: GATE_PATH, httpPart: "body" });

  return (req, res) => {
    if (req.method !== "POST" || req.url !== GATE_PATH) return false;
    const lang = requestLang(req.headers["accept-language"]);
    const send = (status: number, body: string, retryAfter?: number) => {
      const headers: Record<string, string | number> = {
        "content-type": "application/json; charset=utf-8",
        "content-length": Buffer.byteLength(body),
      };
      if (retryAfter !== undefined) headers["retry-after"] = String(retryAfter);
      res.writeHead(status, headers).end(body);
    };
    const fail = (e: unknown) => {
      const a = e instanceof AppError ? e : internalError();
      if (a.status >= 500) opts.log(e); // as the framework's error handler does
      send(a.status, JSON.stringify(errorBody(a, lang)), a instanceof ShedError ? a.retryAfter : undefined);
    };

    const readBody = (deviceId: string) => {
      const type = req.headers["content-type"];
      if (!type || !JSON_TYPE.test(type)) return fail(unsupportedMediaType());
      if (Number(req.headers["content-length"] ?? 0) > opts.bodyLimit) return fail(payloadTooLarge());
      const chunks: Buffer[] = [];
      let size = 0;
      let refused = false;
      req.on("data", (c: Buffer) => {
        if (refused) return;
        size += c.length;
        if (size > opts.bodyLimit) {
          refused = true;
          fail(payloadTooLarge());
          return;
        }
        chunks.push(c);
      });
      req.on("end", () => {
        if (refused) return;
        let body: unknown;
        try {
          body = parseJsonText(Buffer.concat(chunks, size).toString("utf8"));
        } catch (e) {
          return fail(e);
        }
        // fastify-type-provider-zod's validator answers { value } or { error: issues } (synchronously).
        const checked = validate(body) as { value?: unknown; error?: FastifySchemaValidationError[] };
        if (checked.error) return fail(schemaValidationFailed(checked.error));
        gate
          .store(deviceId, checked.value as GateUploadInput, opts.now(), opts.log)
          .then((a) => send(200, gateAnswerJson(a)), fail);
      });
    };

    try {
      const d = gate.admit(req.headers.authorization, Date.now());
      if (typeof d === "string") readBody(d);
      else d.then(readBody, fail);
    } catch (e) {
      fail(e);
    }
    return true;
  };
}
