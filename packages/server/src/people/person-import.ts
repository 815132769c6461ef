import { copyCsvField } from "../db/csv.ts";
import { once } from "node:events";
import { createReadStream, createWriteStream, statSync } from "node:fs";
import { basename } from "node:path";
import type { Readable } from "node:stream";
import { decideAccess, hasPermission } from "@cordon/domain/accounts/roles";
import {
  type ColumnMap,
  FirstClaims,
  type ImportField,
  resolveColumns,
  validateImportRow,
} from "@cordon/domain/people/import-row";
import { nameInitials, namePinyin } from "@cordon/domain/people/name-index";
import { isWithin, type RegionLevel, subtreePrefix } from "@cordon/domain/regions/region-code";
import type { FieldError, Message } from "@cordon/domain/shared/result";
import { stringify } from "csv-stringify";
import ExcelJS from "exceljs";
import { v7 as uuidv7 } from "uuid";
import { recordAudit } from "../audit/audit.service.ts";
import { type Db, sqlState } from "../db/db.ts";
import { type RequestContext, requireActor, type SessionActor } from "../http/context.ts";
import { AppError, forbidden } from "../http/errors.ts";
import { localDate } from "../http/time.ts";
import { findRegions } from "../regions/region.repository.ts";
import { PERSON_INSERT_COLUMNS } from "./person.repository.ts";
import { cellText } from "../files/cell-text.ts";

/** A file to import: its name as the user knows it, and a way to read its bytes (twice: sniff, then read). */
export interface ImportSource {
  name: string;
  open(): Readable;
  /** Bytes, when known: progress is reported against it. */
  size?: number;
}

export function fileSource(path: string): ImportSource {
  return {
    name: basename(path),
    open: () => createReadStream(path, { highWaterMark: 1 << 20 }),
    size: statSync(path).size,
  };
}

export interface ImportCounts {
  /** Data rows read (blank rows are skipped, not counted). */
  read: number;
  /** New people registered. */
  written: number;
  /** Valid rows whose document number was already registered: same number, same person, nothing written. */
  unchanged: number;
  rejected: number;
}

export interface ImportProgress extends ImportCounts {
  bytesRead: number;
  totalBytes: number | null;
}

/** One rejected row: its number as a spreadsheet shows it (the header is row 1), its cells and every reason. */
export interface RejectedRow {
  row: number;
  values: readonly string[];
  errors: readonly FieldError[];
}

export interface ImportOptions {
  /** Target field → source header, overriding the recognised headers. */
  map?: Partial<Record<ImportField, string>>;
  /**
   * The region the file comes from: must lie inside the importer's jurisdiction; every row must lie
   * inside it; it is the current region of rows that have none (the column may then be absent).
   */
  regionCode?: string;
  /** Rows written per transaction. */
  batchSize?: number;
  /** Batches written at once (default: 2 on a PostgreSQL server, 1 on PGlite). */
  concurrency?: number;
  onHeader?: (header: readonly string[]) => void;
  onRejected?: (r: RejectedRow) => void | Promise<void>;
  onProgress?: (p: ImportProgress) => void;
}

export interface ImportSummary extends ImportCounts {
  importId: string;
  file: string;
  format: "csv" | "xlsx";
  encoding: string | null;
  seconds: number;
  rowsPerSecond: number;
}

type Format = { kind: "xlsx" } | { kind: "csv"; encoding: CsvEncoding; delimiter: string };
type CsvEncoding = "utf-8" | "gb18030" | "utf-16le" | "utf-16be";

const SNIFF_BYTES = 64 * 1024;
const DEFAULT_BATCH = 10_000;

const yieldToIo = () => new Promise<void>((resolve) => setImmediate(resolve));

const unreadable = (msg: Message) => new AppError(422, "import.unreadable", msg);

/**
 * Imports people from a CSV or XLSX file with a header row. Each row is validated as a clerk's form
 * would be (`validatePerson`), plus: its current region exists, is a community or grid, and lies in
 * the importer's jurisdiction; its document number appears in no earlier row of the file. A document
 * number already registered leaves the row unchanged: one number, one person. Valid rows are written
 * in batches, each in one transaction (see BatchWriter: COPY, or COPY into a temporary table then
 * INSERT … SELECT … ON CONFLICT DO NOTHING, so concurrent imports and clerks never make a second person
 * of a number). Rejected rows go to `onRejected`; nothing of them is written. A file that is not a
 * CSV/XLSX or lacks a required column fails as a whole (AppError 422) before anything is written. The
 * file is streamed: memory holds a few batches, not the file. One audit entry for the whole import.
 */
export async function importPeople(
  db: Db,
  ctx: RequestContext,
  source: ImportSource,
  options: ImportOptions = {},
): Promise<ImportSummary> {
  const actor = requireActor(ctx);
  if (!hasPermission(actor.role, "people.import")) throw forbidden("permission");
  const importRegion = options.regionCode ? await checkImportRegion(db, ctx, options.regionCode) : undefined;
  const started = performance.now();
  const format = await sniffFormat(source);
  const batchSize = options.batchSize ?? DEFAULT_BATCH;
  const progress: ImportProgress = {
    read: 0,
    written: 0,
    unchanged: 0,
    rejected: 0,
    bytesRead: 0,
    totalBytes: source.size ?? null,
  };
  const onBytes = (n: number) => {
    progress.bytesRead += n;
  };
  const rows = format.kind === "csv" ? csvRows(source, format, onBytes) : xlsxRows(source, onBytes);
  const importId = uuidv7();
  // Batches being written. On a server, two at once: each uses a core of the database while Node reads
  // and checks the next (PGlite runs them one after the other anyway).
  const writing = new Set<Promise<void>>();
  const maxWriting = options.concurrency ?? (db.engine === "postgres" ? 2 : 1);
  let writeFailure: unknown = null;
  let began = false;
  let failure: unknown = null;
  try {
    const { header, columns } = await readHeader(
      rows,
      options.map,
      importRegion ? ["currentRegionCode"] : [],
    );
    options.onHeader?.(header);
    began = true;
    const checker = new RowChecker({
      ctx,
      columns,
      headerLength: header.length,
      importRegion,
    });
    await checker.loadRegions(db);
    const writer = new BatchWriter(db);
    const write = async (ready: Ready) => {
      const written = await writer.write(ready);
      progress.written += written;
      progress.unchanged += ready.count - written;
      options.onProgress?.({ ...progress });
    };
    const report = async (r: RejectedRow | null) => {
      if (!r) return;
      progress.rejected++;
      const wait = options.onRejected?.(r);
      if (wait) await wait;
    };
    for await (const r of rows) {
      if (r.error) {
        await report({ row: r.row, values: r.values, errors: [r.error] });
      } else {
        if (r.values.every((v) => v.trim() === "")) continue;
        let result = checker.add(r.row, r.values);
        if (result === "lookup") {
          await checker.lookUpRegion(db, r.values);
          result = checker.add(r.row, r.values);
        }
        await report(result as RejectedRow | null);
      }
      progress.read++;
      // Let the event loop run now and then: the batch being written needs it to stream to the database.
      if ((progress.read & 255) === 0) await yieldToIo();
      if (checker.count >= batchSize) {
        // The next batch is read and checked while this one is written: the database and Node work at once.
        while (writing.size >= maxWriting) await Promise.race(writing);
        if (writeFailure) throw writeFailure;
        const w: Promise<void> = write(checker.take()).then(
          () => void writing.delete(w),
          (e: unknown) => {
            writeFailure ??= e;
            writing.delete(w);
          },
        );
        writing.add(w);
      }
    }
    await Promise.all(writing);
    if (writeFailure) throw writeFailure;
    await write(checker.take());
  } catch (e) {
    failure = e;
    // A batch still in flight commits or fails on its own; wait so the counts are true.
    await Promise.all(writing);
  } finally {
    await rows.return(undefined);
  }
  const seconds = (performance.now() - started) / 1000;
  const counts: ImportCounts = {
    read: progress.read,
    written: progress.written,
    unchanged: progress.unchanged,
    rejected: progress.rejected,
  };
  if (began) {
    const after = {
      file: source.name,
      format: format.kind,
      ...counts,
      ...(failure ? { failed: failure instanceof Error ? failure.message : String(failure) } : {}),
    };
    await recordAudit(db, ctx, {
      action: "person.import",
      entityType: "import",
      entityId: importId,
      regionCode: importRegion ?? actor.jurisdiction,
      after,
    });
  }
  if (failure) throw failure;
  return {
    importId,
    file: source.name,
    format: format.kind,
    encoding: format.kind === "csv" ? format.encoding : null,
    ...counts,
    seconds,
    rowsPerSecond: seconds > 0 ? counts.read / seconds : 0,
  };
}

/** Rows above the header that a sheet may have: a title, a date, who filled it in. */
const MAX_TITLE_ROWS = 5;

/**
 * The header row: the first row whose cells name the required columns. Offices often put a title
 * such as "崇安社区常住人口登记表" above it, so a few rows are tried; if none will do, the first row's
 * problem is the file's.
 */
async function readHeader(
  rows: AsyncGenerator<RawRow>,
  map: ImportOptions["map"],
  optional: readonly ImportField[],
): Promise<{ header: string[]; columns: ColumnMap }> {
  let problem: AppError | null = null;
  for (let i = 0; i <= MAX_TITLE_ROWS; i++) {
    const next = await rows.next();
    if (next.done) break;
    if (next.value.error) continue;
    const resolved = resolveColumns(next.value.values, map, optional);
    if (resolved.ok) return { header: next.value.values, columns: resolved.value };
    problem ??= new AppError(422, resolved.code, resolved.error);
  }
  throw problem ?? unreadable({ zh: "文件中没有表头行", en: "The file has no header row" });
}

/** `--region`: it must exist and lie inside the importer's jurisdiction, as any record they write. */
async function checkImportRegion(db: Db, ctx: RequestContext, code: string): Promise<string> {
  const d = decideAccess(requireActor(ctx), "people.import", [code]);
  if (!d.allowed) throw forbidden(d.reason);
  const [region] = await findRegions(db, [code]);
  if (!region)
    throw new AppError(422, "region.unknown", {
      zh: `区划代码 ${code} 不存在`,
      en: `Region ${code} does not exist`,
    });
  return code;
}

// ---------------------------------------------------------------------------------------------
// Rows: validation, region and jurisdiction checks, first claim of each document number.

/** Rows checked and first to claim their document number, as COPY text for persons and person_documents. */
interface Ready {
  personsCsv: string;
  documentsCsv: string;
  count: number;
}

const REGION_CODE_RE = /^(\d{6}|\d{9}|\d{12}|\d{15})$/;

/** Beyond this many communities and grids in a jurisdiction, regions are looked up as rows name them. */
const REGION_PRELOAD_LIMIT = 200_000;

interface CheckerSettings {
  ctx: RequestContext;
  columns: ColumnMap;
  headerLength: number;
  importRegion: string | undefined;
}

/**
 * Checks rows one by one, in file order, and collects the valid ones as COPY text. Everything a row
 * needs is at hand (the region levels are loaded first), so a row is done with as soon as it is read:
 * nothing of it is kept but its line of COPY text, or its report if rejected.
 */
class RowChecker {
  /** Region code → level, or null when there is no such region. */
  private readonly regions = new Map<string, RegionLevel | null>();
  private readonly claims = new FirstClaims();
  private readonly names = new NameIndexCache();
  private readonly actor: SessionActor;
  private readonly columns: ColumnMap;
  private readonly headerLength: number;
  private readonly today: string;
  private readonly importRegion: string | undefined;
  /** created_at, updated_at, version of every new person. */
  private readonly stamp: string;
  private personsCsv = "";
  private documentsCsv = "";
  count = 0;

  constructor(s: CheckerSettings) {
    this.actor = requireActor(s.ctx);
    this.columns = s.columns;
    this.headerLength = s.headerLength;
    this.today = localDate(s.ctx.now);
    this.importRegion = s.importRegion;
    this.stamp = `${s.ctx.now.toISOString()},${s.ctx.now.toISOString()},1`;
  }

  /** Loads the communities and grids rows may live in: inside the import's region, or the importer's jurisdiction. */
  async loadRegions(db: Db): Promise<void> {
    const prefix = subtreePrefix(this.importRegion ?? this.actor.jurisdiction);
    const rows = await communitiesUnder(db, prefix, REGION_PRELOAD_LIMIT + 1);
    if (rows.length > REGION_PRELOAD_LIMIT) return;
    for (const r of rows) this.regions.set(r.code, r.level);
  }

  private inScope(code: string): boolean {
    return (
      decideAccess(this.actor, "people.import", [code]).allowed &&
      (!this.importRegion || isWithin(this.importRegion, code))
    );
  }

  /** Looks up the region a row names, when `add` asked for it. */
  async lookUpRegion(db: Db, values: readonly string[]): Promise<void> {
    const code = this.regionCodeOf(values);
    const [r] = await findRegions(db, [code]);
    this.regions.set(code, r ? r.level : null);
  }

  private regionCodeOf(values: readonly string[]): string {
    const i = this.columns.currentRegionCode;
    return ((i === undefined ? "" : values[i]) ?? "").trim() || this.importRegion || "";
  }

  /**
   * Checks one row. Returns null when it is valid (and now part of the batch), the rejection when it
   * is not, or "lookup" when its region must be looked up first (then call again).
   */
  add(row: number, values: readonly string[]): RejectedRow | null | "lookup" {
    const code = this.regionCodeOf(values);
    // A region not loaded is looked up only when it matters: inside the jurisdiction, yet no community or grid there.
    if (REGION_CODE_RE.test(code) && !this.regions.has(code) && this.inScope(code)) return "lookup";
    const errors: FieldError[] = [];
    if (values.length > this.headerLength && values.slice(this.headerLength).some((v) => v.trim() !== "")) {
      // Usually an unquoted comma inside an address: every later cell has moved one column right.
      errors.push({
        field: "row",
        code: "row.column_count",
        message: {
          zh: `该行有 ${values.length} 列，多于表头的 ${this.headerLength} 列（地址中的逗号需要用引号括起来）`,
          en: `The row has ${values.length} cells, more than the header's ${this.headerLength} (quote addresses that contain commas)`,
        },
      });
    }
    const v = validateImportRow(values, this.columns, this.today, this.importRegion);
    if (!v.ok) errors.push(...v.errors);
    if (REGION_CODE_RE.test(code) && !errors.some((e) => e.field === "currentRegionCode")) {
      const e = this.regionError(code);
      if (e) errors.push(e);
    }
    if (v.ok && errors.length === 0) {
      const f = v.value;
      const first = this.claims.claim(f.documentType, f.documentNumber, row);
      if (first !== null) {
        errors.push({
          field: "documentNumber",
          code: "document_number.duplicate_in_file",
          message: {
            zh: `证件号码与第 ${first} 行重复：同一证件号只能对应一人`,
            en: `The document number repeats row ${first}: one number, one person`,
          },
        });
      } else {
        const id = uuidv7();
        const [initials, pinyin] = this.names.get(f.name);
        // COPY's CSV: every text quoted (so an empty text is not NULL), NULL as nothing.
        this.personsCsv += `${id},${q(f.name)},${q(initials)},${q(pinyin)},${f.documentType},${q(f.documentNumber)},${f.birthDate},${f.sex},${q(f.nationality)},${q(f.phone)},${f.householdRegionCode === null ? "" : q(f.householdRegionCode)},${q(f.currentRegionCode)},${q(f.currentAddress)},${this.stamp}\n`;
        this.documentsCsv += `${f.documentType},${q(f.documentNumber)},${id}\n`;
        this.count++;
        return null;
      }
    }
    return { row, values, errors };
  }

  /** The batch so far, and a fresh one begins. */
  take(): Ready {
    const ready = { personsCsv: this.personsCsv, documentsCsv: this.documentsCsv, count: this.count };
    this.personsCsv = "";
    this.documentsCsv = "";
    this.count = 0;
    return ready;
  }

  private regionError(code: string): FieldError | null {
    if (!decideAccess(this.actor, "people.import", [code]).allowed) {
      return {
        field: "currentRegionCode",
        code: "outside_jurisdiction",
        message: {
          zh: `现住地区划 ${code} 不在您的管辖范围（${this.actor.jurisdiction}）内`,
          en: `Region ${code} is outside your jurisdiction (${this.actor.jurisdiction})`,
        },
      };
    }
    if (this.importRegion && !isWithin(this.importRegion, code)) {
      return {
        field: "currentRegionCode",
        code: "region.outside_import",
        message: {
          zh: `现住地区划 ${code} 不在本次导入的区划 ${this.importRegion} 内`,
          en: `Region ${code} is outside this import's region ${this.importRegion}`,
        },
      };
    }
    const level = this.regions.get(code);
    if (!level) {
      return {
        field: "currentRegionCode",
        code: "region.unknown",
        message: { zh: `区划代码 ${code} 不存在`, en: `Region ${code} does not exist` },
      };
    }
    if (level !== "community" && level !== "grid") {
      return {
        field: "currentRegionCode",
        code: "region.level",
        message: {
          zh: "现住地应选到社区（村）或网格",
          en: "The current region must be a community/village or a grid",
        },
      };
    }
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// Storage: the import's own SQL.

/** Communities and grids whose codes start with `prefix` ("" for all), at most `limit`. */
async function communitiesUnder(
  db: Db,
  prefix: string,
  limit: number,
): Promise<{ code: string; level: RegionLevel }[]> {
  return (
    await db.query<{ code: string; level: RegionLevel }>(
      "SELECT code, level FROM regions WHERE code LIKE $1 AND level IN ('community', 'grid') LIMIT $2",
      [`${prefix}%`, limit],
    )
  ).rows;
}

// ---------------------------------------------------------------------------------------------
// Writing: one transaction per batch.

/** What an import writes of a person: all but household membership, which a list does not give. */
const PERSON_COPY_COLUMNS = PERSON_INSERT_COLUMNS.filter(
  (c) => c !== "household_id" && c !== "household_relation",
);
const DOCUMENT_COPY_COLUMNS = ["document_type", "document_number", "person_id"] as const;

const STAGE = "person_import_stage";
const CREATE_STAGE = `CREATE TEMPORARY TABLE ${STAGE} (
  id uuid NOT NULL, name text NOT NULL, name_initials text NOT NULL, name_pinyin text NOT NULL, document_type text NOT NULL,
  document_number text NOT NULL, birth_date date NOT NULL, sex text NOT NULL, nationality text NOT NULL, phone text NOT NULL,
  household_region_code text, current_region_code text NOT NULL, current_address text NOT NULL,
  created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL, version integer NOT NULL
) ON COMMIT DROP`;

// The document is claimed first: a number registered before, or by a concurrent import or clerk, makes
// ON CONFLICT skip the row, and only the people whose number was claimed are inserted. Claims are taken
// in key order, so two imports never wait on each other in a cycle.
const CLAIM_AND_INSERT = `WITH claimed AS (
  INSERT INTO person_documents (document_type, document_number, person_id)
  SELECT document_type, document_number, id FROM ${STAGE} ORDER BY document_number, document_type
  ON CONFLICT (document_number, document_type) DO NOTHING
  RETURNING person_id
)
INSERT INTO persons (${PERSON_COPY_COLUMNS.join(", ")})
SELECT ${PERSON_COPY_COLUMNS.map((c) => `s.${c}`).join(", ")} FROM ${STAGE} s JOIN claimed c ON c.person_id = s.id`;

/** SQLSTATEs after which a batch is written again through the staging table. */
const RETRY_STAGED = new Set(["23505", "40P01"]);

/**
 * Writes one batch and returns how many people were new. While nothing in the file is registered yet
 * (the common case: a new district's list), the batch is COPYed straight into person_documents, then
 * persons: the primary key of person_documents refuses any number registered meanwhile, and then the
 * whole batch is written again through the staging table, which skips those numbers. After a batch
 * with registered numbers the staging path is used until a batch has none.
 */
class BatchWriter {
  direct = true;
  private readonly db: Db;

  constructor(db: Db) {
    this.db = db;
  }

  async write(ready: Ready): Promise<number> {
    if (ready.count === 0) return 0;
    if (this.direct) {
      try {
        return await this.db.transaction(async (tx) => {
          await tx.copyCsv("person_documents", DOCUMENT_COPY_COLUMNS, ready.documentsCsv);
          await tx.copyCsv("persons", PERSON_COPY_COLUMNS, ready.personsCsv);
          return ready.count;
        });
      } catch (e) {
        if (!RETRY_STAGED.has(sqlState(e) ?? "")) throw e;
      }
    }
    for (let attempt = 1; ; attempt++) {
      try {
        const written = await this.db.transaction(async (tx) => {
          await tx.exec(CREATE_STAGE);
          await tx.copyCsv(STAGE, PERSON_COPY_COLUMNS, ready.personsCsv);
          return (await tx.query(CLAIM_AND_INSERT)).rowCount;
        });
        this.direct = written === ready.count;
        return written;
      } catch (e) {
        // A deadlock victim (another import's direct COPY took numbers in file order) tries again.
        if (sqlState(e) !== "40P01" || attempt >= 5) throw e;
      }
    }
  }
}

/** Pinyin initials and full pinyin of names seen recently: names repeat, and pinyin is the costliest check. */
class NameIndexCache {
  private readonly known = new Map<string, readonly [string, string]>();

  get(name: string): readonly [string, string] {
    let v = this.known.get(name);
    if (!v) {
      if (this.known.size >= 100_000) this.known.clear();
      v = [nameInitials(name), namePinyin(name)];
      this.known.set(name, v);
    }
    return v;
  }
}

const q = copyCsvField;

// ---------------------------------------------------------------------------------------------
// Reading: format detection, CSV in its encoding, XLSX's first sheet.

interface RawRow {
  row: number;
  values: string[];
  error?: FieldError;
}

async function readHead(source: ImportSource): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  const s = source.open();
  try {
    for await (const c of s) {
      const b = Buffer.isBuffer(c) ? c : Buffer.from(c as string);
      chunks.push(b);
      n += b.length;
      if (n >= SNIFF_BYTES) break;
    }
  } finally {
    s.destroy();
  }
  return Buffer.concat(chunks).subarray(0, SNIFF_BYTES);
}

const NOT_TABULAR: Message = {
  zh: "文件不是 CSV 或 XLSX 表格，请另存为 CSV（UTF-8）或 Excel 工作簿（.xlsx）后再导入",
  en: "The file is not a CSV or XLSX spreadsheet: save it as CSV (UTF-8) or Excel workbook (.xlsx) and import again",
};

/** Looks at the first bytes: a ZIP is an XLSX; text is a CSV in UTF-8, UTF-16 (BOM) or else GB18030. */
export async function sniffFormat(source: ImportSource): Promise<Format> {
  const head = await readHead(source);
  if (head.length === 0) throw unreadable({ zh: "文件是空的", en: "The file is empty" });
  if (head.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04]))) return { kind: "xlsx" };
  if (head.subarray(0, 4).equals(Buffer.from([0xd0, 0xcf, 0x11, 0xe0]))) {
    throw unreadable({
      zh: "这是旧版 Excel 97-2003（.xls）文件：请另存为 .xlsx 或 CSV（UTF-8）后再导入",
      en: "This is an old Excel 97-2003 (.xls) file: save it as .xlsx or CSV (UTF-8) and import again",
    });
  }
  let encoding: CsvEncoding;
  if (head[0] === 0xff && head[1] === 0xfe) encoding = "utf-16le";
  else if (head[0] === 0xfe && head[1] === 0xff) encoding = "utf-16be";
  else {
    if (head.includes(0)) throw unreadable(NOT_TABULAR);
    try {
      new TextDecoder("utf-8", { fatal: true }).decode(head, { stream: true });
      encoding = "utf-8";
    } catch {
      encoding = "gb18030";
    }
  }
  const text = new TextDecoder(encoding).decode(head, { stream: true });
  if (hasControlCharacters(text)) throw unreadable(NOT_TABULAR);
  const firstLine = text.slice(0, text.search(/\r?\n|$/));
  const delimiter = [",", "\t", ";"].reduce(
    (best, d) => (firstLine.split(d).length > firstLine.split(best).length ? d : best),
    ",",
  );
  return { kind: "csv", encoding, delimiter };
}

/** Text files hold tabs and line ends, not the other control characters that binary files are full of. */
function hasControlCharacters(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && c !== 0x0c) return true;
  }
  return false;
}

/** One record of a CSV: the line it starts on, its cells, or why it could not be read. */
export interface CsvRecord {
  line: number;
  values: string[];
  malformed?: string;
}

const MAX_RECORD_CHARS = 64 * 1024;

/**
 * Splits CSV text into records as RFC 4180 says, with Excel's leniency: a quote inside an unquoted
 * cell is a quote, text after a closing quote is kept. Empty lines are skipped. A quote that never
 * closes (within 64 KiB, or by the end) makes its first line a malformed record and reading goes on
 * at the next line, so one stray quote cannot swallow the rest of a file. Lines without quotes, nearly
 * all of them, take a fast path (csv-parse was a quarter of the import's CPU time).
 */
export class CsvSplitter {
  private buf = "";
  private line = 1;
  private readonly delimiter: string;

  constructor(delimiter = ",") {
    this.delimiter = delimiter;
  }

  *push(text: string): Generator<CsvRecord> {
    this.buf = this.buf.length ? this.buf + text : text;
    yield* this.drain(false);
  }

  *end(): Generator<CsvRecord> {
    yield* this.drain(true);
  }

  private *drain(final: boolean): Generator<CsvRecord> {
    const buf = this.buf;
    const d = this.delimiter;
    let pos = 0;
    // Where the next quote is, looked up again only once passed: searching from every line would be quadratic.
    let quote = -1;
    while (pos < buf.length) {
      const nl = buf.indexOf("\n", pos);
      if (nl < 0 && !final) break;
      const lineEnd = nl < 0 ? buf.length : nl;
      if (quote !== Infinity && quote < pos) {
        quote = buf.indexOf('"', pos);
        if (quote < 0) quote = Infinity;
      }
      if (quote > lineEnd) {
        const text =
          buf.charCodeAt(lineEnd - 1) === 13 ? buf.slice(pos, lineEnd - 1) : buf.slice(pos, lineEnd);
        if (text.length) yield { line: this.line, values: text.split(d) };
        this.line++;
        pos = lineEnd + 1;
        continue;
      }
      const r = parseQuoted(buf, pos, d, final);
      if (r === null) {
        if (!final && buf.length - pos <= MAX_RECORD_CHARS) break;
        // An unclosed quote: give up on this line only.
        yield { line: this.line, values: [buf.slice(pos, lineEnd)], malformed: "unclosed quote" };
        this.line++;
        pos = lineEnd + 1;
        continue;
      }
      yield { line: this.line, values: r.values };
      for (let i = pos; i < r.next; i++) if (buf.charCodeAt(i) === 10) this.line++;
      pos = r.next;
    }
    this.buf = pos >= buf.length ? "" : buf.slice(pos);
  }
}

/** One record with quotes from `pos`: its cells and where the next record starts, or null if it does not end. */
function parseQuoted(
  buf: string,
  pos: number,
  d: string,
  final: boolean,
): { values: string[]; next: number } | null {
  const values: string[] = [];
  let i = pos;
  for (;;) {
    let field = "";
    if (buf[i] === '"') {
      i++;
      for (;;) {
        const j = buf.indexOf('"', i);
        if (j < 0) return null;
        field += buf.slice(i, j);
        if (buf[j + 1] === '"') {
          field += '"';
          i = j + 2;
        } else {
          i = j + 1;
          break;
        }
      }
    }
    // Unquoted text, or what follows a closing quote: up to the delimiter or the end of the line.
    let k = i;
    while (k < buf.length && buf[k] !== d && buf[k] !== "\n") k++;
    if (k >= buf.length && !final) return null;
    field += buf.slice(i, k);
    if (buf[k] === d) {
      values.push(field);
      i = k + 1;
      continue;
    }
    values.push(field.endsWith("\r") ? field.slice(0, -1) : field);
    return { values, next: k + 1 };
  }
}

async function* csvRows(
  source: ImportSource,
  format: Extract<Format, { kind: "csv" }>,
  onBytes: (n: number) => void,
): AsyncGenerator<RawRow> {
  const input = source.open();
  // TextDecoder drops a byte order mark and keeps a character split across chunks for the next one.
  const decoder = new TextDecoder(format.encoding);
  const splitter = new CsvSplitter(format.delimiter);
  const toRow = (r: CsvRecord): RawRow =>
    r.malformed
      ? {
          row: r.line,
          values: r.values,
          error: {
            field: "row",
            code: "csv.malformed",
            message: {
              zh: "该行不是有效的 CSV：引号没有闭合",
              en: "The row is not valid CSV: a quote is never closed",
            },
          },
        }
      : { row: r.line, values: r.values };
  try {
    for await (const chunk of input) {
      onBytes((chunk as Buffer).length);
      for (const r of splitter.push(decoder.decode(chunk as Buffer, { stream: true }))) yield toRow(r);
    }
    for (const r of splitter.push(decoder.decode())) yield toRow(r);
    for (const r of splitter.end()) yield toRow(r);
  } finally {
    input.destroy();
  }
}

async function* xlsxRows(source: ImportSource, onBytes: (n: number) => void): AsyncGenerator<RawRow> {
  const input = source.open();
  input.on("data", (c: Buffer) => onBytes(c.length));
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(input, {
    sharedStrings: "cache",
    styles: "cache", // dates are numbers styled as dates
    hyperlinks: "ignore",
    worksheets: "emit",
    entries: "ignore",
  });
  try {
    for await (const sheet of reader) {
      for await (const r of sheet) {
        const row = r as { number: number; values: unknown[] };
        const values: string[] = [];
        for (let i = 1; i < row.values.length; i++) values.push(cellText(row.values[i]).trim());
        yield { row: row.number, values };
      }
      return; // the first sheet only
    }
  } catch (e) {
    if (e instanceof AppError) throw e;
    throw unreadable({
      zh: `无法读取该 XLSX 文件：${e instanceof Error ? e.message : String(e)}`,
      en: `The XLSX file cannot be read: ${e instanceof Error ? e.message : String(e)}`,
    });
  } finally {
    input.destroy();
  }
}

// ---------------------------------------------------------------------------------------------
// The report of rejected rows: a CSV a clerk opens in Excel, fixes and imports again.

export interface RejectionReport {
  onHeader(header: readonly string[]): void;
  onRejected(r: RejectedRow): Promise<void> | undefined;
  close(): Promise<void>;
}

/** A CSV (UTF-8 with BOM, for Excel) with one line per problem: row, the row's cells, field, code, reasons. */
export function rejectionReport(path: string): RejectionReport {
  const out = createWriteStream(path);
  out.write("\uFEFF");
  const csv = stringify();
  csv.pipe(out);
  let width = 0;
  const write = (line: unknown[]) => (csv.write(line) ? undefined : once(csv, "drain").then(() => undefined));
  return {
    onHeader(header) {
      width = header.length;
      write(["行号 row", ...header, "字段 field", "代码 code", "原因", "reason"]);
    },
    onRejected(r) {
      const cells = Array.from({ length: Math.max(width, r.values.length) }, (_, i) => r.values[i] ?? "");
      let wait: Promise<void> | undefined;
      for (const e of r.errors)
        wait = write([r.row, ...cells, e.field, e.code, e.message.zh, e.message.en]) ?? wait;
      return wait;
    },
    async close() {
      csv.end();
      await once(out, "finish");
    },
  };
}
