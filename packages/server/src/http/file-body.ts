import type { Message } from "@cordon/domain/shared/result";
import type { FastifyInstance } from "fastify";
import { AppError } from "./errors.ts";

/**
 * Lets the routes of one plugin take files as raw bytes (scoped to that plugin: JSON bodies still
 * parse as JSON there). `types` are the content types named; anything else also arrives raw, so the
 * route refuses a wrong file with its own 422 rather than a 415. A file over `limit` bytes is a 413
 * whose message names this limit (`tooLarge`), not the app-wide 1 MiB one; other errors go on to the
 * app-wide handler.
 */
export function acceptFiles(
  app: FastifyInstance,
  opts: { types: string[]; limit: number; tooLarge: Message },
): void {
  const raw = (_req: unknown, body: Buffer, done: (err: null, body: Buffer) => void) => done(null, body);
  app.addContentTypeParser(opts.types, { parseAs: "buffer", bodyLimit: opts.limit }, raw);
  app.addContentTypeParser("*", { parseAs: "buffer", bodyLimit: opts.limit }, raw);
  app.setErrorHandler((err) => {
    if ((err as { code?: string }).code === "FST_ERR_CTP_BODY_TOO_LARGE")
      throw new AppError(413, "payload_too_large", opts.tooLarge);
    throw err;
  });
}

/**
 * The uploaded file of a route that `acceptFiles` set up: its content type (lower case, without
 * parameters) and bytes, or `refused` thrown when the type is not one of `types`.
 */
export function uploadedFile(
  req: { headers: Record<string, string | string[] | undefined>; body: unknown },
  types: ReadonlySet<string>,
  refused: AppError,
): { type: string; bytes: Buffer } {
  const header = req.headers["content-type"];
  const type = (typeof header === "string" ? header : "").split(";")[0]!.trim().toLowerCase();
  if (!types.has(type) || !Buffer.isBuffer(req.body)) throw refused;
  return { type, bytes: req.body };
}
