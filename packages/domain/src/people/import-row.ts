import { type FieldError, fieldError, type Message } from "../shared/result.ts";
import {
  type DocumentType,
  PERSON_INPUT_FIELDS,
  type PersonFacts,
  type PersonInput,
  validatePerson,
} from "./person.ts";
import type { Sex } from "./resident-id.ts";

/**
 * The rules of a people import that do not need the database: which column is which, how a cell's
 * text becomes a person's fact, and which earlier row already claimed a document number.
 */
export type ImportField = (typeof PERSON_INPUT_FIELDS)[number];

export const IMPORT_FIELDS: readonly ImportField[] = PERSON_INPUT_FIELDS;

/** Columns without which no row could be a person. The others are optional or needed only by some rows. */
export const REQUIRED_IMPORT_FIELDS: readonly ImportField[] = [
  "name",
  "documentNumber",
  "phone",
  "currentRegionCode",
  "currentAddress",
];

export const IMPORT_FIELD_LABELS: Record<ImportField, Message> = {
  name: { zh: "姓名", en: "name" },
  documentType: { zh: "证件类型", en: "document type" },
  documentNumber: { zh: "证件号码", en: "document number" },
  birthDate: { zh: "出生日期", en: "birth date" },
  sex: { zh: "性别", en: "sex" },
  nationality: { zh: "国籍", en: "nationality" },
  phone: { zh: "手机号", en: "phone" },
  householdRegionCode: { zh: "户籍地", en: "household registration region" },
  currentRegionCode: { zh: "现住地区划", en: "current region" },
  currentAddress: { zh: "现住址", en: "current address" },
};

/**
 * Header names recognised without `--map`, in order of preference (a sheet with both 手机号 and
 * 联系电话 takes the mobile column). Compared after `normalizeHeader`.
 */
export const HEADER_ALIASES: Record<ImportField, readonly string[]> = {
  name: ["姓名", "name"],
  documentType: ["证件类型", "documentType"],
  documentNumber: ["证件号码", "身份证号", "身份证号码", "证件号", "documentNumber", "idNumber"],
  birthDate: ["出生日期", "birthDate"],
  sex: ["性别", "sex", "gender"],
  nationality: ["国籍", "nationality"],
  phone: ["手机号", "手机号码", "联系电话", "phone", "mobile"],
  householdRegionCode: ["户籍地", "户籍地区划", "户籍地区划代码", "householdRegionCode"],
  currentRegionCode: ["现住地区划", "现住地区划代码", "currentRegionCode"],
  currentAddress: ["现住址", "详细地址", "currentAddress"],
};

/** "姓名*", " Document_Type ", "手机号（必填）" → comparable keys: no BOM, case, spaces, underscores or notes. */
export function normalizeHeader(h: string): string {
  return h
    .replace(/^\uFEFF/, "")
    .replace(/[（(][^）)]*[）)]/g, "")
    .replace(/[\s_*＊-]/g, "")
    .toLowerCase();
}

/** Where each field is in a row: the column's index, or absent. */
export type ColumnMap = Partial<Record<ImportField, number>>;

/** `--map name=姓名,phone=电话`: the target field and the source header it comes from. */
export function parseColumnMap(
  spec: string,
): { ok: true; value: Partial<Record<ImportField, string>> } | { ok: false; error: Message } {
  const value: Partial<Record<ImportField, string>> = {};
  for (const part of spec.split(",")) {
    if (!part.trim()) continue;
    const eq = part.indexOf("=");
    const target = eq > 0 ? part.slice(0, eq).trim() : "";
    const source = eq > 0 ? part.slice(eq + 1).trim() : "";
    if (!target || !source) {
      return {
        ok: false,
        error: {
          zh: `列映射“${part}”应写成 字段=表头`,
          en: `Column mapping "${part}" should read target=Header`,
        },
      };
    }
    if (!(IMPORT_FIELDS as readonly string[]).includes(target)) {
      return {
        ok: false,
        error: {
          zh: `未知的目标字段“${target}”，可用：${IMPORT_FIELDS.join(", ")}`,
          en: `Unknown target field "${target}"; use one of ${IMPORT_FIELDS.join(", ")}`,
        },
      };
    }
    value[target as ImportField] = source;
  }
  return { ok: true, value };
}

/**
 * Finds each field's column in a header row. `map` overrides the default aliases. `optional` lists
 * required fields that may be absent (a file for one community may leave the region to `--region`).
 */
export function resolveColumns(
  header: readonly string[],
  map: Partial<Record<ImportField, string>> = {},
  optional: readonly ImportField[] = [],
):
  | { ok: true; value: ColumnMap }
  | { ok: false; code: "import.mapped_column_missing" | "import.missing_columns"; error: Message } {
  const keys = header.map(normalizeHeader);
  const columns: ColumnMap = {};
  for (const field of IMPORT_FIELDS) {
    const mapped = map[field];
    if (mapped !== undefined) {
      const i = keys.indexOf(normalizeHeader(mapped));
      if (i < 0) {
        return {
          ok: false,
          code: "import.mapped_column_missing",
          error: {
            zh: `文件中没有列映射指定的表头“${mapped}”（用于${IMPORT_FIELD_LABELS[field].zh}）`,
            en: `The file has no column "${mapped}" (mapped to ${field})`,
          },
        };
      }
      columns[field] = i;
      continue;
    }
    for (const alias of HEADER_ALIASES[field]) {
      const i = keys.indexOf(normalizeHeader(alias));
      if (i >= 0) {
        columns[field] = i;
        break;
      }
    }
  }
  const missing = REQUIRED_IMPORT_FIELDS.filter((f) => columns[f] === undefined && !optional.includes(f));
  if (missing.length) {
    const found =
      header
        .map((h) => h.trim())
        .filter(Boolean)
        .join(", ") || "—";
    return {
      ok: false,
      code: "import.missing_columns",
      error: {
        zh: `缺少必需的列：${missing.map((f) => `${IMPORT_FIELD_LABELS[f].zh}（${HEADER_ALIASES[f].join("/")}）`).join("、")}。文件中的表头：${found}。可用 --map 字段=表头 指定。`,
        en: `Missing required column(s): ${missing.map((f) => `${f} (${HEADER_ALIASES[f].join("/")})`).join(", ")}. Headers found: ${found}. Use --map field=Header to name them.`,
      },
    };
  }
  return { ok: true, value: columns };
}

const DOCUMENT_TYPE_VALUES: Record<string, DocumentType> = {
  "": "resident_id",
  居民身份证: "resident_id",
  身份证: "resident_id",
  resident_id: "resident_id",
  护照: "passport",
  passport: "passport",
  港澳通行证: "hk_mo_permit",
  港澳居民来往内地通行证: "hk_mo_permit",
  hk_mo_permit: "hk_mo_permit",
  台胞证: "tw_permit",
  台湾居民来往大陆通行证: "tw_permit",
  tw_permit: "tw_permit",
};

const SEX_VALUES: Record<string, Sex | null> = {
  "": null,
  男: "male",
  女: "female",
  male: "male",
  female: "female",
  m: "male",
  f: "female",
};

/** 1990/3/8, 1990.3.8, 1990年3月8日, 19900308 → 1990-03-08; anything else is returned as typed, for validation to name. */
export function normalizeDateText(s: string): string {
  const t = s.trim();
  const m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/.exec(t) ?? /^(\d{4})(\d{2})(\d{2})$/.exec(t);
  if (!m) return t;
  return `${m[1]}-${m[2]!.padStart(2, "0")}-${m[3]!.padStart(2, "0")}`;
}

function cell(values: readonly string[], columns: ColumnMap, field: ImportField): string {
  const i = columns[field];
  return i === undefined ? "" : (values[i] ?? "").trim();
}

/**
 * Validates one data row as a person: the cell texts are read (document type and sex in Chinese or
 * English), then checked by the same `validatePerson` as a clerk's form. `defaultRegionCode` fills an
 * absent or empty current region. `today` is the jurisdiction's date.
 */
export function validateImportRow(
  values: readonly string[],
  columns: ColumnMap,
  today: string,
  defaultRegionCode?: string,
): { ok: true; value: PersonFacts } | { ok: false; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const typeText = cell(values, columns, "documentType");
  let documentType = DOCUMENT_TYPE_VALUES[typeText] ?? DOCUMENT_TYPE_VALUES[typeText.toLowerCase()];
  if (!documentType) {
    errors.push(
      fieldError(
        "documentType",
        "document_type.unknown",
        `证件类型“${typeText}”无法识别（可填：居民身份证、护照、港澳通行证、台胞证）`,
        `Document type "${typeText}" is not one of resident_id, passport, hk_mo_permit, tw_permit`,
      ),
    );
    documentType = "resident_id";
  }
  const sexText = cell(values, columns, "sex");
  let sex = SEX_VALUES[sexText.toLowerCase()];
  if (sex === undefined) {
    errors.push(
      fieldError(
        "sex",
        "sex.unknown",
        `性别“${sexText}”无法识别（可填：男、女）`,
        `Sex "${sexText}" is not male or female`,
      ),
    );
    sex = null;
  }
  const documentNumber = cell(values, columns, "documentNumber");
  if (/^\d(\.\d+)?E\+?\d+$/i.test(documentNumber)) {
    // Spreadsheets turn long digit strings into numbers: the digits after the 15th are gone for good.
    errors.push(
      fieldError(
        "documentNumber",
        "document_number.scientific",
        `证件号码“${documentNumber}”已被表格软件转成科学计数法，后几位已丢失：请把该列设为文本后重新导出`,
        `Document number "${documentNumber}" was turned into a number by a spreadsheet and lost digits: format the column as text and export again`,
      ),
    );
  }
  const birthText = cell(values, columns, "birthDate");
  const input: PersonInput = {
    name: cell(values, columns, "name"),
    documentType,
    documentNumber,
    birthDate: birthText ? normalizeDateText(birthText) : null,
    sex,
    nationality: cell(values, columns, "nationality") || null,
    phone: cell(values, columns, "phone"),
    householdRegionCode: cell(values, columns, "householdRegionCode") || null,
    currentRegionCode: cell(values, columns, "currentRegionCode") || defaultRegionCode || "",
    currentAddress: cell(values, columns, "currentAddress"),
  };
  const v = validatePerson(input, today);
  if (errors.length === 0) return v;
  // Facts read from a cell that could not be understood would only repeat the problem: keep the first
  // word. An unknown document type also leaves the number, birth date, sex and nationality unjudged.
  const seen = new Set(errors.map((e) => e.field));
  if (seen.has("documentType"))
    for (const f of ["documentNumber", "birthDate", "sex", "nationality"]) seen.add(f);
  return { ok: false, errors: [...errors, ...(v.ok ? [] : v.errors.filter((e) => !seen.has(e.field)))] };
}

/**
 * Remembers which row first claimed each document number, in about 24 bytes per resident ID (a
 * million-row file needs ~24 MB, not the ~110 MB of a Map of strings): a valid resident ID packs into
 * a double (address code, days since 1900, sequence number). Other documents go into a Map.
 */
export class FirstClaims {
  private keys: Float64Array;
  private rows: Int32Array;
  private used = 0;
  private readonly others = new Map<string, number>();

  /** `capacity`: slots to begin with, a power of two; the table doubles when half full. */
  constructor(capacity = 1 << 16) {
    this.keys = new Float64Array(capacity);
    this.rows = new Int32Array(capacity);
  }

  get size(): number {
    return this.used + this.others.size;
  }

  /** The row that claimed this (validated) document before, or null (and `row` now claims it). */
  claim(type: DocumentType, number: string, row: number): number | null {
    const packed = type === "resident_id" ? packResidentId(number) : null;
    if (packed === null) {
      const key = `${type}:${number}`;
      const first = this.others.get(key);
      if (first !== undefined) return first;
      this.others.set(key, row);
      return null;
    }
    if ((this.used + 1) * 2 > this.keys.length) this.grow();
    const mask = this.keys.length - 1;
    // Keys are ≥ 1, so 0 marks an empty slot. Linear probing from a mixed hash of the key's two halves.
    let i = hash(packed) & mask;
    while (this.keys[i] !== 0) {
      if (this.keys[i] === packed) return this.rows[i]!;
      i = (i + 1) & mask;
    }
    this.keys[i] = packed;
    this.rows[i] = row;
    this.used++;
    return null;
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldRows = this.rows;
    this.keys = new Float64Array(oldKeys.length * 2);
    this.rows = new Int32Array(oldKeys.length * 2);
    const mask = this.keys.length - 1;
    for (let j = 0; j < oldKeys.length; j++) {
      const k = oldKeys[j]!;
      if (k === 0) continue;
      let i = hash(k) & mask;
      while (this.keys[i] !== 0) i = (i + 1) & mask;
      this.keys[i] = k;
      this.rows[i] = oldRows[j]!;
    }
  }
}

const DAY_MS = 86_400_000;
const EPOCH_1900 = Date.UTC(1900, 0, 1);

/** A valid 18-character resident ID as an exact integer below 2^53, or null if it is not one. */
function packResidentId(id: string): number | null {
  if (id.length !== 18) return null;
  const address = Number(id.slice(0, 6));
  const days =
    (Date.UTC(Number(id.slice(6, 10)), Number(id.slice(10, 12)) - 1, Number(id.slice(12, 14))) - EPOCH_1900) /
    DAY_MS;
  const seq = Number(id.slice(14, 17));
  // The 18th character is the check character of the first 17, so it adds nothing to the key.
  if (
    !Number.isInteger(address) ||
    !Number.isInteger(days) ||
    days < 0 ||
    days >= 100_000 ||
    !Number.isInteger(seq)
  )
    return null;
  return (address * 100_000 + days) * 1000 + seq + 1;
}

function hash(k: number): number {
  const lo = k % 4294967296;
  const hi = (k - lo) / 4294967296;
  let h = Math.imul(lo ^ Math.imul(hi, 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
