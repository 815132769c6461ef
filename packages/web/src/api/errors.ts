import type { FormInstance } from "antd";
import type { TFunction } from "i18next";
import { ApiError } from "./client.ts";

/** A failure as the user should read it: the server's own message, or ours for network and unknown failures. */
export function errorText(t: TFunction, e: unknown): string {
  if (e instanceof ApiError) {
    if (e.status === 0) return t("errors.network");
    if (e.code === "http") return t("errors.unexpected", { status: e.status });
    return e.message;
  }
  return e instanceof Error ? e.message : String(e);
}

/**
 * Shows a server rejection on a form: each field error under the form item of that name, and returns
 * what could not be placed on a field (the summary message, errors on fields the form does not have)
 * for the caller to show as a message; null when every problem found its field.
 */
export function applyServerErrors(
  form: FormInstance,
  fieldNames: readonly string[],
  t: TFunction,
  e: unknown,
): string | null {
  if (!(e instanceof ApiError) || e.fields.length === 0) return errorText(t, e);
  const placed = e.fields.filter((f) => fieldNames.includes(f.field));
  const unplaced = e.fields.filter((f) => !fieldNames.includes(f.field));
  const byField = new Map<string, string[]>();
  for (const f of placed) byField.set(f.field, [...(byField.get(f.field) ?? []), f.message]);
  form.setFields([...byField].map(([name, errors]) => ({ name, errors })));
  const first = placed[0];
  if (first) form.scrollToField(first.field, { block: "center" });
  if (unplaced.length > 0) return [e.message, ...unplaced.map((f) => f.message)].join(" · ");
  return placed.length > 0 ? null : e.message;
}
