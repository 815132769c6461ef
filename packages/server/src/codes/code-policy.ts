import { DEFAULT_HEALTH_CODE_POLICY, type HealthCodePolicy } from "@cordon/domain/codes/policy";
import { packInForce } from "@cordon/domain/policies/engine";
import type { LoadedPack } from "@cordon/domain/policies/pack-schema";

export interface HealthCodePolicyInForce {
  policy: HealthCodePolicy;
  /** The pack in force for the region at the time; null when none is. */
  packId: string | null;
  /** "pack": the pack's `healthCode` block; "default": the defaults (no pack, or a pack without one). */
  origin: "pack" | "default";
}

/**
 * The health-code policy for a region at a time: the `healthCode` block of the pack in force there
 * (`packInForce`: the most specific jurisdiction wins), or `DEFAULT_HEALTH_CODE_POLICY` when that pack
 * has none or no pack is in force (docs/capabilities/health-code-rules.md).
 */
export function healthCodePolicyAt(
  packs: readonly LoadedPack[],
  regionCode: string,
  at: Date,
): HealthCodePolicyInForce {
  const p = packInForce(packs, regionCode, at.getTime());
  const block = (p?.pack as { healthCode?: HealthCodePolicy } | undefined)?.healthCode;
  if (block) return { policy: block, packId: p!.pack.id, origin: "pack" };
  return { policy: DEFAULT_HEALTH_CODE_POLICY, packId: p?.pack.id ?? null, origin: "default" };
}

/** The longest a code signed anywhere may live, with the skew: how long revocations and retired keys stay published. */
export function longestCodeLifeSeconds(packs: readonly LoadedPack[]): number {
  let s = DEFAULT_HEALTH_CODE_POLICY.code.validitySeconds + DEFAULT_HEALTH_CODE_POLICY.code.skewSeconds;
  for (const p of packs) {
    const block = (p.pack as { healthCode?: HealthCodePolicy }).healthCode;
    if (block) s = Math.max(s, block.code.validitySeconds + block.code.skewSeconds);
  }
  return s;
}
