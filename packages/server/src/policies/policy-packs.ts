import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { formatPackErrors, loadPacks } from "@cordon/domain/policies/pack-loader";
import type { LoadedPack } from "@cordon/domain/policies/pack-schema";

/** Resolved from this file, not the working directory, so the packs are found from anywhere. */
export const POLICIES_DIR = join(import.meta.dirname, "../../../../policies");

/** Loads and validates every pack in the policies folder; throws a bilingual message listing the errors. */
export function loadShippedPacks(dir = POLICIES_DIR): LoadedPack[] {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".yaml") || f.endsWith(".yml"))
    .sort()
    .map((f) => ({ file: `policies/${f}`, text: readFileSync(join(dir, f), "utf8") }));
  const r = loadPacks(files);
  if (!r.ok) {
    throw new Error(`policy packs rejected / 规则包校验失败:\n${formatPackErrors(r.errors)}`);
  }
  const digests = new Map(
    files.map((f) => [f.file, createHash("sha256").update(f.text).digest("hex").slice(0, 16)]),
  );
  return r.packs.map((p) => ({ ...p, digest: digests.get(p.file)! }));
}
