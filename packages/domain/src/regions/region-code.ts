/**
 * GB/T 2260 region codes and the levels below them, as Cordon stores them:
 *   province 640000 · city 640100 · county 640104 (6 digits, GB/T 2260)
 *   township 640104001 (9 digits) · community 640104001001 (12 digits, statistical division codes)
 *   grid 640104001001001 (15 digits: a community's code and a 3-digit grid number, Cordon's own)
 * The national root is "000000". Every level's code starts with its ancestors' significant prefix,
 * so "is X inside jurisdiction J" is a prefix test.
 */
export type RegionLevel = "country" | "province" | "city" | "county" | "township" | "community" | "grid";

export const REGION_LEVELS: readonly RegionLevel[] = [
  "country",
  "province",
  "city",
  "county",
  "township",
  "community",
  "grid",
];

export const NATIONAL_ROOT = "000000";

const DIGITS = /^\d+$/;

export function regionLevel(code: string): RegionLevel | null {
  if (code === NATIONAL_ROOT) return "country";
  // By length first, then one digits test: this runs for every stay of every arrival in a batch.
  const n = code.length;
  if ((n !== 6 && n !== 9 && n !== 12 && n !== 15) || !DIGITS.test(code)) return null;
  if (n === 15) return "grid";
  if (n === 12) return "community";
  if (n === 9) return "township";
  if (code.endsWith("0000")) return "province";
  if (code.endsWith("00")) return "city";
  return "county";
}

/** The prefix every code inside this region's subtree starts with ("" for the whole country). */
export function subtreePrefix(code: string): string {
  switch (regionLevel(code)) {
    case "country":
      return "";
    case "province":
      return code.slice(0, 2);
    case "city":
      return code.slice(0, 4);
    default:
      return code;
  }
}

/** True when `code` is `jurisdiction` itself or lies below it. */
export function isWithin(jurisdiction: string, code: string): boolean {
  if (regionLevel(code) === null || regionLevel(jurisdiction) === null) return false;
  if (jurisdiction === code) return true;
  if (code === NATIONAL_ROOT) return false;
  return code.startsWith(subtreePrefix(jurisdiction));
}

/**
 * The code of the level above, by the code's structure. The stored tree is authoritative (some
 * counties hang directly under a province); this is the default for codes that follow the pattern.
 */
export function structuralParent(code: string): string | null {
  switch (regionLevel(code)) {
    case "grid":
      return code.slice(0, 12);
    case "community":
      return code.slice(0, 9);
    case "township":
      return code.slice(0, 6);
    case "county":
      return `${code.slice(0, 4)}00`;
    case "city":
      return `${code.slice(0, 2)}0000`;
    case "province":
      return NATIONAL_ROOT;
    default:
      return null;
  }
}

/** Region codes from the root down to this code, by structure: 640104001 → [000000, 640000, 640100, 640104, 640104001]. */
export function structuralAncestors(code: string): string[] {
  const chain: string[] = [];
  let c: string | null = code;
  while (c) {
    chain.unshift(c);
    c = structuralParent(c);
  }
  return chain;
}
