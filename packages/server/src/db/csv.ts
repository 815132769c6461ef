import { stringify } from "csv-stringify/sync";

/** Rows as CSV text for COPY ... WITH (FORMAT csv): NULL is an unquoted empty field. */
export function toCopyCsv(rows: readonly (readonly unknown[])[]): string {
  return stringify(
    rows.map((r) =>
      r.map((v) => (v === null || v === undefined ? null : v instanceof Date ? v.toISOString() : v)),
    ),
    { quoted_string: true, cast: { boolean: (b) => (b ? "true" : "false") } },
  );
}

/** One value as a COPY CSV field: NULL (null/undefined) is an unquoted empty field, anything else is quoted. */
export function copyCsvField(v: string | null | undefined): string {
  if (v === null || v === undefined) return "";
  return v.includes('"') ? `"${v.replaceAll('"', '""')}"` : `"${v}"`;
}

const TEXT_SPECIAL = /[\\\n\r\t]/;
const TEXT_SPECIALS = /[\\\n\r\t]/g;
const TEXT_ESCAPE: Record<string, string> = { "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/**
 * One value as a field of COPY's text format: `\N` for NULL; backslash, newline, carriage return and
 * tab escaped. JSON from `JSON.stringify` has no raw control characters, so it is usually copied as is.
 */
export function copyTextValue(v: string | null | undefined): string {
  if (v === null || v === undefined) return "\\N";
  return TEXT_SPECIAL.test(v) ? v.replace(TEXT_SPECIALS, (c) => TEXT_ESCAPE[c]!) : v;
}
