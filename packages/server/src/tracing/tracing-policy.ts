import { packInForce } from "@cordon/domain/policies/engine";
import type { LoadedPack } from "@cordon/domain/policies/pack-schema";
import type { Message } from "@cordon/domain/shared/result";
import { DEFAULT_TRACING_POLICY, type TracingPolicy } from "@cordon/domain/tracing/policy";

export interface TracingPolicyInForce {
  policy: TracingPolicy;
  /** The pack in force for the region at the time; null when none is. */
  packId: string | null;
  /** "pack": the pack's `tracing` block; "default": the national figures (no pack, or a pack without one). */
  origin: "pack" | "default";
  basis: Message;
}

/**
 * The case investigation and contact tracing policy for a region at a time: the `tracing` block of the
 * pack in force there (`packInForce`: the most specific jurisdiction wins), or the national figures
 * (`DEFAULT_TRACING_POLICY`, seed 000's clocks) when that pack has none or no pack is in force.
 */
export function tracingPolicyAt(
  packs: readonly LoadedPack[],
  regionCode: string,
  at: Date,
): TracingPolicyInForce {
  const p = packInForce(packs, regionCode, at.getTime());
  if (p?.pack.tracing)
    return {
      policy: p.pack.tracing,
      packId: p.pack.id,
      origin: "pack",
      basis: {
        zh: `规则包 ${p.pack.id}（${p.pack.title.zh}）的流调与密接追踪规定`,
        en: `the case investigation and contact tracing block of pack ${p.pack.id} (${p.pack.title.en})`,
      },
    };
  return {
    policy: DEFAULT_TRACING_POLICY,
    packId: p?.pack.id ?? null,
    origin: "default",
    basis: p
      ? {
          zh: `规则包 ${p.pack.id} 未作流调规定，按国家指南和宁夏（种子 000）的时限`,
          en: `pack ${p.pack.id} sets no tracing figures: the national and seed 000 limits apply`,
        }
      : {
          zh: "当时当地没有生效的规则包，按国家指南和宁夏（种子 000）的时限",
          en: "no pack is in force there and then: the national and seed 000 limits apply",
        },
  };
}
