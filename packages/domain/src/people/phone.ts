import { type FieldError, fieldError } from "../shared/result.ts";

/** Strips spaces, dashes and a +86/0086 prefix from a mainland mobile number as people type it. */
export function normalizeMobile(raw: string): string {
  return raw.replace(/[\s-]/g, "").replace(/^(\+86|0086)/, "");
}

/** Mainland China mobile numbers: 11 digits starting 13-19. */
export function validateMobile(
  raw: string,
  field = "phone",
): { ok: true; value: string } | { ok: false; errors: FieldError[] } {
  const phone = normalizeMobile(raw);
  if (/^1[3-9]\d{9}$/.test(phone)) return { ok: true, value: phone };
  return {
    ok: false,
    errors: [
      fieldError(
        field,
        "phone.format",
        `手机号“${raw}”格式不正确：应为以13-19开头的11位数字`,
        `"${raw}" is not a mainland mobile number: 11 digits starting with 13 to 19`,
      ),
    ],
  };
}
