import type { FieldError, Message } from "@cordon/domain/shared/result";

export type Lang = "zh-CN" | "en";

/** An expected failure with its HTTP status, a stable code and a bilingual message. */
export class AppError extends Error {
  readonly status: number;
  readonly code: string;
  readonly msg: Message;
  readonly fields: FieldError[] | undefined;
  constructor(status: number, code: string, msg: Message, fields?: FieldError[]) {
    super(msg.en);
    this.status = status;
    this.code = code;
    this.msg = msg;
    this.fields = fields;
  }
}

export const notFound = (what: Message) =>
  new AppError(404, "not_found", { zh: `未找到${what.zh}`, en: `${what.en} not found` });

export const forbidden = (reason: "permission" | "jurisdiction") =>
  reason === "permission"
    ? new AppError(403, "forbidden", { zh: "您的角色无权执行此操作", en: "Your role does not allow this" })
    : new AppError(403, "outside_jurisdiction", {
        zh: "该记录不在您的管辖范围内",
        en: "This record is outside your jurisdiction",
      });

export const unauthenticated = () =>
  new AppError(401, "unauthenticated", { zh: "请先登录", en: "Please log in first" });

export const invalid = (fields: FieldError[]) =>
  new AppError(
    422,
    "validation_failed",
    { zh: `有 ${fields.length} 处输入不正确`, en: `${fields.length} field(s) are not valid` },
    fields,
  );

/** A body over the server's limit (1 MiB). */
export const payloadTooLarge = () =>
  new AppError(413, "payload_too_large", {
    zh: "请求体过大（上限 1 MiB）",
    en: "Request body too large (limit 1 MiB)",
  });

/** A body that is not JSON where JSON is taken. */
export const unsupportedMediaType = () =>
  new AppError(415, "unsupported_media_type", { zh: "请求体须为 JSON", en: "The request body must be JSON" });

/** An error the server did not expect: its details go to the log, not to the client. */
export const internalError = () =>
  new AppError(500, "internal", { zh: "服务器内部错误，已记录", en: "Internal error; it has been logged" });

export function pick(msg: Message, lang: Lang): string {
  return lang === "en" ? msg.en : msg.zh;
}

export interface ErrorBody {
  error: { code: string; message: string; fields?: { field: string; code: string; message: string }[] };
}

export function errorBody(e: AppError, lang: Lang): ErrorBody {
  const body: ErrorBody = { error: { code: e.code, message: pick(e.msg, lang) } };
  if (e.fields)
    body.error.fields = e.fields.map((f) => ({
      field: f.field,
      code: f.code,
      message: pick(f.message, lang),
    }));
  return body;
}

/** Language of a request: ?lang=, then Accept-Language; zh-CN unless English is asked for first. */
export function requestLang(acceptLanguage: string | undefined, query?: string): Lang {
  if (query === "en" || query === "zh-CN") return query;
  const first = (acceptLanguage ?? "").split(",")[0]?.trim().toLowerCase() ?? "";
  return first.startsWith("en") ? "en" : "zh-CN";
}
