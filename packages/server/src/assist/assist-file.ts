import { MAX_ASSIST_ROWS } from "@cordon/domain/assist/assist-list";
import type { Message } from "@cordon/domain/shared/result";
import { parse } from "csv-parse/sync";
import ExcelJS from "exceljs";
import { AppError } from "../http/errors.ts";
import { cellText } from "../files/cell-text.ts";

export const CSV_TYPE = "text/csv";
export const XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/** A list file read into rows of text: the header, then data rows with their row numbers (header = 1). */
export interface AssistSheet {
  format: "csv" | "xlsx";
  encoding: "utf-8" | "gb18030" | null;
  header: string[];
  rows: { row: number; cells: string[] }[];
}

const refused = (msg: Message) => new AppError(422, "assist.file_refused", msg);

export const NOT_TABULAR: Message = {
  zh: "文件不是 CSV 或 XLSX 表格，请另存为 CSV（UTF-8）或 Excel 工作簿（.xlsx）后再导入",
  en: "The file is not a CSV or XLSX spreadsheet: save it as CSV (UTF-8) or Excel workbook (.xlsx) and import again",
};

/**
 * Decodes a CSV's bytes: UTF-8 (with or without BOM) when they are valid UTF-8, else GB18030 (what
 * Excel saves on a Chinese Windows), decoded by Node's own ICU TextDecoder — no extra dependency.
 * Bytes that are neither, or text with the control characters binary files are full of, are no CSV.
 */
export function decodeCsv(bytes: Uint8Array): { text: string; encoding: "utf-8" | "gb18030" } {
  if (bytes.includes(0)) throw refused(NOT_TABULAR);
  let text: string;
  let encoding: "utf-8" | "gb18030";
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    encoding = "utf-8";
  } catch {
    try {
      text = new TextDecoder("gb18030", { fatal: true }).decode(bytes);
      encoding = "gb18030";
    } catch {
      throw refused(NOT_TABULAR);
    }
  }
  for (let i = 0; i < Math.min(text.length, 65536); i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && c !== 0x0c) throw refused(NOT_TABULAR);
  }
  return { text, encoding };
}

const isBlank = (cells: readonly string[]) => cells.every((c) => c.trim() === "");

const tooMany = () =>
  refused({
    zh: `文件超过一份名单的上限 ${MAX_ASSIST_ROWS} 行：请拆分后分批导入`,
    en: `The file has more than ${MAX_ASSIST_ROWS} rows, the most one list may have: split it and import the parts`,
  });

function sheetOf(
  format: "csv" | "xlsx",
  encoding: AssistSheet["encoding"],
  all: { row: number; cells: string[] }[],
): AssistSheet {
  const first = all.findIndex((r) => !isBlank(r.cells));
  if (first < 0) throw refused({ zh: "文件是空的", en: "The file is empty" });
  const header = all[first]!.cells.map((c) => c.trim());
  const rows = all.slice(first + 1).filter((r) => !isBlank(r.cells));
  if (rows.length > MAX_ASSIST_ROWS) throw tooMany();
  return { format, encoding, header, rows };
}

/**
 * Reads a list file whole (it is in memory already, at most 64 MiB). The bytes decide, not the
 * declared type: a ZIP is an XLSX (its first worksheet), anything else must decode as CSV text
 * (delimiter: comma, tab or semicolon, whichever splits the header most). Refused whole (422): empty,
 * binary, old .xls, unreadable XLSX, more than 200,000 rows.
 */
export async function readAssistFile(bytes: Buffer): Promise<AssistSheet> {
  if (bytes.length === 0) throw refused({ zh: "文件是空的", en: "The file is empty" });
  if (bytes.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04]))) return readXlsx(bytes);
  if (bytes.subarray(0, 4).equals(Buffer.from([0xd0, 0xcf, 0x11, 0xe0])))
    throw refused({
      zh: "这是旧版 Excel 97-2003（.xls）文件：请另存为 .xlsx 或 CSV（UTF-8）后再导入",
      en: "This is an old Excel 97-2003 (.xls) file: save it as .xlsx or CSV (UTF-8) and import again",
    });
  const { text, encoding } = decodeCsv(bytes);
  const nl = text.search(/\r?\n/);
  const firstLine = nl < 0 ? text : text.slice(0, nl);
  const delimiter = [",", "\t", ";"].reduce(
    (best, d) => (firstLine.split(d).length > firstLine.split(best).length ? d : best),
    ",",
  );
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, {
      bom: true,
      delimiter,
      info: true,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      to_line: MAX_ASSIST_ROWS + 1000,
    }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (e) {
    throw refused({
      zh: `无法读取该 CSV 文件：${e instanceof Error ? e.message : String(e)}`,
      en: `The CSV file cannot be read: ${e instanceof Error ? e.message : String(e)}`,
    });
  }
  let overcount = 0;
  return sheetOf(
    "csv",
    encoding,
    records.map((r) => {
      // A record ends on line `info.lines`; it starts as many lines earlier as its quoted cells hold
      // line breaks. csv-parse counts a CR LF inside quotes as two lines, here and for every later record.
      let lf = 0;
      let crlf = 0;
      for (const c of r.record) {
        if (!c.includes("\n")) continue;
        lf += c.match(/\n/g)!.length;
        crlf += c.match(/\r\n/g)?.length ?? 0;
      }
      const row = r.info.lines - lf - crlf - overcount;
      overcount += crlf;
      return { row, cells: r.record };
    }),
  );
}

async function readXlsx(bytes: Buffer): Promise<AssistSheet> {
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(bytes as unknown as ArrayBuffer);
  } catch (e) {
    throw refused({
      zh: `无法读取该 XLSX 文件：${e instanceof Error ? e.message : String(e)}`,
      en: `The XLSX file cannot be read: ${e instanceof Error ? e.message : String(e)}`,
    });
  }
  const ws = wb.worksheets[0];
  if (!ws) throw refused({ zh: "工作簿中没有工作表", en: "The workbook has no worksheet" });
  if (ws.actualRowCount > MAX_ASSIST_ROWS + 1) throw tooMany();
  const all: { row: number; cells: string[] }[] = [];
  ws.eachRow({ includeEmpty: false }, (r, n) => {
    const values = r.values as unknown[];
    const cells: string[] = [];
    for (let i = 1; i < values.length; i++) cells.push(cellText(values[i]).trim());
    all.push({ row: n, cells });
  });
  return sheetOf("xlsx", null, all);
}
