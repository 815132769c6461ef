import { type FieldError, fieldError } from "../shared/result.ts";

/**
 * Resident identity number, GB 11643-1999: 6-digit address code, 8-digit birth date (YYYYMMDD),
 * 3-digit sequence (odd = male, even = female), 1 check character (ISO 7064 MOD 11-2, 10 written X).
 */
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const CHECK_CHARS = "10X98765432";

/** Province-level codes that can open a resident ID (GB/T 2260 plus 81/82/83 residence permits). */
const PROVINCE_PREFIXES = new Set([
  "11",
  "12",
  "13",
  "14",
  "15",
  "21",
  "22",
  "23",
  "31",
  "32",
  "33",
  "34",
  "35",
  "36",
  "37",
  "41",
  "42",
  "43",
  "44",
  "45",
  "46",
  "50",
  "51",
  "52",
  "53",
  "54",
  "61",
  "62",
  "63",
  "64",
  "65",
  "71",
  "81",
  "82",
  "83",
]);

export type Sex = "male" | "female";

export interface ResidentIdFacts {
  idNumber: string;
  addressCode: string;
  birthDate: string; // ISO date YYYY-MM-DD
  sex: Sex;
}

export function residentIdCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i]!;
  return CHECK_CHARS[sum % 11]!;
}

/** Uppercases a trailing x and strips spaces, as clerks type it. */
export function normalizeResidentId(raw: string): string {
  return raw.replace(/\s+/g, "").toUpperCase();
}

function isRealDate(y: number, m: number, d: number): boolean {
  const dt = new Date(Date.UTC(y, m - 1, d));
  return dt.getUTCFullYear() === y && dt.getUTCMonth() === m - 1 && dt.getUTCDate() === d;
}

/**
 * Parses and verifies a resident ID number. `today` (YYYY-MM-DD) bounds the birth date: nobody is
 * born in the future. Returns the derived facts or the reasons it is not a valid number.
 */
export function parseResidentId(
  raw: string,
  today: string,
  field = "idNumber",
): { ok: true; value: ResidentIdFacts } | { ok: false; errors: FieldError[] } {
  const id = normalizeResidentId(raw);
  const fail = (code: string, zh: string, en: string) => ({
    ok: false as const,
    errors: [fieldError(field, code, zh, en)],
  });
  if (!/^\d{17}[\dX]$/.test(id)) {
    return fail(
      "id_number.format",
      "身份证号应为18位：17位数字加1位校验码（数字或X）",
      "A resident ID number has 18 characters: 17 digits and a check character (digit or X)",
    );
  }
  if (!PROVINCE_PREFIXES.has(id.slice(0, 2))) {
    return fail(
      "id_number.region",
      `身份证号前两位“${id.slice(0, 2)}”不是有效的省级行政区划代码`,
      `The first two digits "${id.slice(0, 2)}" are not a province-level region code`,
    );
  }
  const y = Number(id.slice(6, 10));
  const m = Number(id.slice(10, 12));
  const d = Number(id.slice(12, 14));
  const birthDate = `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`;
  if (y < 1900 || !isRealDate(y, m, d)) {
    return fail(
      "id_number.birth_date",
      `身份证号中的出生日期 ${birthDate} 不是有效日期`,
      `The birth date ${birthDate} in the ID number is not a valid date`,
    );
  }
  if (birthDate > today) {
    return fail(
      "id_number.birth_date_future",
      `身份证号中的出生日期 ${birthDate} 晚于今天`,
      `The birth date ${birthDate} in the ID number is in the future`,
    );
  }
  const expected = residentIdCheckChar(id.slice(0, 17));
  if (id[17] !== expected) {
    return fail(
      "id_number.check_digit",
      `身份证号校验码错误：最后一位应为 ${expected}`,
      `Wrong check character: the last character should be ${expected}`,
    );
  }
  return {
    ok: true,
    value: {
      idNumber: id,
      addressCode: id.slice(0, 6),
      birthDate,
      sex: Number(id[16]) % 2 === 1 ? "male" : "female",
    },
  };
}

/** Builds a valid resident ID from its parts (used by the synthetic population and tests). */
export function makeResidentId(addressCode: string, birthDate: string, sequence: number): string {
  const first17 = `${addressCode}${birthDate.replaceAll("-", "")}${String(sequence).padStart(3, "0")}`;
  return first17 + residentIdCheckChar(first17);
}
