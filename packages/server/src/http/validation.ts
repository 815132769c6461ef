import type { FieldError } from "@cordon/domain/shared/result";
import type { FastifySchemaValidationError } from "fastify";
import { AppError } from "./errors.ts";

/** Bilingual messages for schema formats that carry a message key (`z.string().regex(re, "key")`). */
const FORMAT_MESSAGES: Record<string, { zh: string; en: string }> = {
  "username.format": {
    zh: "用户名为3-32位，以小写字母开头，可含小写字母、数字和 _ . -",
    en: "A username has 3-32 characters: a lower-case letter first, then lower-case letters, digits, _ . -",
  },
  "region.code": {
    zh: "区划代码应为6、9、12或15位数字（GB/T 2260）",
    en: "A region code has 6, 9, 12 or 15 digits (GB/T 2260)",
  },
};

/** Turns a zod issue (as fastify-type-provider-zod reports it) into a bilingual field error. */
export function zodIssueToField(v: FastifySchemaValidationError): FieldError {
  const p = (v.params ?? {}) as Record<string, unknown>;
  const where = v.instancePath.replace(/^\//, "").replaceAll("/", ".");
  const at = (v as { schemaPath?: string }).schemaPath ?? "";
  const part = at.includes("querystring") ? "query" : "";
  const field = where || part || "body";
  switch (v.keyword) {
    case "invalid_type":
      return {
        field,
        code: "invalid_type",
        message: /received undefined/.test(v.message ?? "")
          ? { zh: "缺少必填字段", en: "Required field is missing" }
          : { zh: `类型错误：应为 ${String(p.expected)}`, en: `Wrong type: expected ${String(p.expected)}` },
      };
    case "unrecognized_keys": {
      const keys = (p.keys as string[] | undefined)?.join(", ") ?? "";
      return {
        field: where ? `${where}.${keys}` : keys,
        code: "unknown_field",
        message: { zh: `未知字段：${keys}`, en: `Unknown field(s): ${keys}` },
      };
    }
    case "too_small":
      return {
        field,
        code: "too_small",
        message: {
          zh: `过短或过小（最小 ${String(p.minimum)}）`,
          en: `Too short or too small (minimum ${String(p.minimum)})`,
        },
      };
    case "too_big":
      return {
        field,
        code: "too_big",
        message: {
          zh: `过长或过大（最大 ${String(p.maximum)}）`,
          en: `Too long or too large (maximum ${String(p.maximum)})`,
        },
      };
    case "invalid_value": {
      const values = (p.values as unknown[] | undefined)?.map(String).join(", ") ?? "";
      return {
        field,
        code: "invalid_value",
        message: { zh: `取值应为：${values}`, en: `Must be one of: ${values}` },
      };
    }
    case "invalid_format":
      {
        const known = v.message ? FORMAT_MESSAGES[v.message] : undefined;
        if (known) return { field, code: v.message!, message: known };
      }
      return {
        field,
        code: "invalid_format",
        message: { zh: `格式不正确（${String(p.format)}）`, en: `Invalid format (${String(p.format)})` },
      };
    default:
      return {
        field,
        code: v.keyword,
        message: { zh: v.message ?? "输入不正确", en: v.message ?? "Invalid input" },
      };
  }
}

/** A request refused by its schema: 400 with every field named. */
export function schemaValidationFailed(issues: readonly FastifySchemaValidationError[]): AppError {
  const fields = issues.map(zodIssueToField);
  return new AppError(
    400,
    "validation_failed",
    {
      zh: `请求不符合接口格式（${fields.length} 处）`,
      en: `The request does not match the API schema (${fields.length} problem(s))`,
    },
    fields,
  );
}
