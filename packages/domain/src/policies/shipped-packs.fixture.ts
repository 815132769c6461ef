/** Test fixture: the shipped packs in /policies, loaded the way the CLI loads them. */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { formatPackErrors, loadPacks } from "./pack-loader.ts";
import type { LoadedPack } from "./pack-schema.ts";

export const POLICIES_DIR = join(import.meta.dirname, "../../../../policies");
export const SEEDS_DIR = join(import.meta.dirname, "../../../../../shared/seeds");
export const PROTOCOLS_MD = join(import.meta.dirname, "../../../../../shared/domain/protocols.md");

export function shippedPacks(): LoadedPack[] {
  const files = readdirSync(POLICIES_DIR)
    .filter((f) => f.endsWith(".yaml"))
    .sort()
    .map((f) => ({ file: f, text: readFileSync(join(POLICIES_DIR, f), "utf8") }));
  const r = loadPacks(files);
  if (!r.ok) throw new Error(formatPackErrors(r.errors));
  return r.packs;
}
