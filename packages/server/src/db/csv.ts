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
