import { DEFAULT_NAT_POLICY, type NatPolicy } from "@cordon/domain/nat/policy";
import { packInForce } from "@cordon/domain/policies/engine";
import type { LoadedPack } from "@cordon/domain/policies/pack-schema";
import type { Message } from "@cordon/domain/shared/result";

export interface NatPolicyInForce {
  policy: NatPolicy;
  /** The pack in force for the region at the time; null when none is. */
  packId: string | null;
  /** "pack": the pack's `nat` block; "default": the national figures (no pack, or a pack without one). */
  origin: "pack" | "default";
  basis: Message;
}

/**
 * The nucleic acid testing policy for a region at a time: the `nat` block of the pack in force there
 * (the same lookup every capability uses, `packInForce`: the most specific jurisdiction wins), or the
 * national figures when that pack has none or no pack is in force.
 */
export function natPolicyAt(packs: readonly LoadedPack[], regionCode: string, at: Date): NatPolicyInForce {
  const p = packInForce(packs, regionCode, at.getTime());
  if (p?.pack.nat)
    return {
      policy: p.pack.nat,
      packId: p.pack.id,
      origin: "pack",
      basis: {
        zh: `规则包 ${p.pack.id}（${p.pack.title.zh}）的核酸检测规定`,
        en: `the nucleic acid testing block of pack ${p.pack.id} (${p.pack.title.en})`,
      },
    };
  return {
    policy: DEFAULT_NAT_POLICY,
    packId: p?.pack.id ?? null,
    origin: "default",
    basis: p
      ? {
          zh: `规则包 ${p.pack.id} 未作核酸检测规定，按国家指南的数值`,
          en: `pack ${p.pack.id} sets no testing figures: the national guidelines' figures apply`,
        }
      : {
          zh: "当时当地没有生效的规则包，按国家指南的数值",
          en: "no pack is in force there and then: the national guidelines' figures apply",
        },
  };
}
