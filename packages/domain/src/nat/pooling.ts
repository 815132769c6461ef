/**
 * Pooled sampling (混采): which pool size a person's swab goes into, and the rules of filling a tube.
 * Pure validators; the server keeps the tubes and asks these functions before each change.
 *
 * Sources (protocols.md §3.2): pooling by zone, Langfang 2022 — "isolation sites and key people:
 * single-sample, single-test; 封控区: single-sample or 1 tube per household; 管控区: 10合1; 防范区 and
 * others: 20合1"; Guideline v2 — "sealed compounds 1 tube per household; others 5混1/10混1". The sizes
 * themselves come from the policy (`NatPolicy.pooling`).
 */
import type { FieldError, Message, Validated } from "../shared/result.ts";
import { fieldError } from "../shared/result.ts";
import { AREA_KIND_LABELS, type AreaKind } from "../zones/area.ts";
import type { NatPolicy, PoolRule, PoolSize } from "./policy.ts";

/** Where a person's pool rule came from. */
export type PoolBasis = AreaKind | "elsewhere" | "key_group";

export interface PoolDecision {
  rule: PoolRule;
  basis: PoolBasis;
  /** The largest tube this person's swab may go into: 1 for single tubes and household tubes of one. */
  maxSize: PoolSize | "household";
  reason: Message;
}

export interface PoolFacts {
  /** The zone and risk-area kinds the person's home lies in now (several when designations overlap). */
  areaKinds: readonly AreaKind[];
  /** Isolation sites and key groups (重点人群) are sampled as the policy's `keyGroups` rule says. */
  keyGroup?: boolean;
}

/** Strictness: a single tube first, then one tube per household, then pools by size. */
const rank = (r: PoolRule) => (r.kind === "household" ? 1.5 : r.size);

const describe = (r: PoolRule): Message =>
  r.kind === "household"
    ? { zh: "一户一管", en: "one tube per household" }
    : r.size === 1
      ? { zh: "单采单检", en: "single tube" }
      : { zh: `${r.size}合1混采`, en: `${r.size}-in-1 pool` };

/**
 * The pool rule for a person: Langfang 2022 "封控区: single-sample or 1 tube per household; 管控区: 10合1;
 * 防范区 and others: 20合1", with the sizes the policy gives. A key-group person takes the `keyGroups`
 * rule; a home in several designations takes the strictest; no designation takes `elsewhere`, and so
 * does a kind the policy gives no rule for (said in the reason).
 */
export function poolRuleFor(facts: PoolFacts, policy: NatPolicy): PoolDecision {
  const p = policy.pooling;
  const candidates: { rule: PoolRule; basis: PoolBasis }[] = [];
  const unmapped: AreaKind[] = [];
  if (facts.keyGroup) candidates.push({ rule: p.keyGroups, basis: "key_group" });
  for (const k of facts.areaKinds) {
    const rule = p.byArea[k];
    if (rule) candidates.push({ rule, basis: k });
    else unmapped.push(k);
  }
  if (!candidates.length) candidates.push({ rule: p.elsewhere, basis: "elsewhere" });
  const chosen = candidates.reduce((a, b) => (rank(b.rule) < rank(a.rule) ? b : a));
  const what = describe(chosen.rule);
  const where: Message =
    chosen.basis === "key_group"
      ? { zh: "重点人群", en: "a key group" }
      : chosen.basis === "elsewhere"
        ? { zh: "未划入管控区域", en: "no designated zone" }
        : AREA_KIND_LABELS[chosen.basis];
  const gap: Message | null = unmapped.length
    ? {
        zh: `；规则未规定${unmapped.map((k) => AREA_KIND_LABELS[k].zh).join("、")}的混采方式，按其他地区执行`,
        en: `; the policy gives no pool rule for ${unmapped.map((k) => AREA_KIND_LABELS[k].en).join(", ")}, so the rule for elsewhere applies`,
      }
    : null;
  return {
    rule: chosen.rule,
    basis: chosen.basis,
    maxSize: chosen.rule.kind === "household" ? "household" : chosen.rule.size,
    reason: {
      zh: `${where.zh}：${what.zh}${gap?.zh ?? ""}`,
      en: `${where.en}: ${what.en}${gap?.en ?? ""}`,
    },
  };
}

/**
 * The tubes for one household under "1 tube per household" (Guideline v2, "sealed compounds 1 tube per
 * household"): the smallest allowed size that holds everyone; a household larger than the largest size
 * fills several tubes of the largest size, the rest in the smallest that holds it.
 */
export function householdTubeSizes(members: number, allowedSizes: readonly PoolSize[]): PoolSize[] {
  const sizes = [...allowedSizes].sort((a, b) => a - b);
  const largest = sizes[sizes.length - 1] ?? 1;
  const out: PoolSize[] = [];
  let left = members;
  while (left > largest) {
    out.push(largest);
    left -= largest;
  }
  if (left > 0) out.push(sizes.find((s) => s >= left) ?? largest);
  return out;
}

export interface TubeMember {
  personId: string;
  householdId: string | null;
  sampledAt: Date;
}

export interface Tube {
  barcode: string;
  roundId: string;
  size: PoolSize;
  /** "household": the tube takes one household only. */
  mode: "pool" | "household";
  /** For a household tube: the household, set by the first member. */
  householdId: string | null;
  members: TubeMember[];
  /** Sealed: no more swabs, and the barcode cannot be opened again. */
  sealedAt: Date | null;
}

export interface OpenTubeRequest {
  barcode: string;
  roundId: string;
  size: number;
  mode: "pool" | "household";
}

const BARCODE = /^[A-Za-z0-9-]{1,64}$/;

/** A barcode as printed on a tube: letters, digits and hyphens, up to 64 characters. */
export function checkBarcode(barcode: string, field = "barcode"): FieldError[] {
  return BARCODE.test(barcode)
    ? []
    : [
        fieldError(
          field,
          "nat.invalid_barcode",
          `试管条码“${barcode}”无效：只能包含字母、数字和连字符，最多64个字符`,
          `tube barcode "${barcode}" is invalid: letters, digits and hyphens only, at most 64 characters`,
        ),
      ];
}

const time = (d: Date) => d.toISOString();

/**
 * Scanning a tube's barcode at a desk: a new barcode opens a new tube; the barcode of a tube still open
 * in the same round resumes it; a sealed tube, or one from another round, is refused ("a tube scanned
 * twice", issue 5 Deliver 6). The size must be one the policy allows.
 */
export function openTube(
  request: OpenTubeRequest,
  existing: Tube | undefined,
  policy: NatPolicy,
): Validated<{ tube: Tube; resumed: boolean }> {
  const errors = checkBarcode(request.barcode);
  if (!(policy.pooling.allowedSizes as number[]).includes(request.size)) {
    errors.push(
      fieldError(
        "size",
        "nat.pool_size_not_allowed",
        `试管规格 ${request.size} 不在规则允许的 ${policy.pooling.allowedSizes.join("、")} 之内`,
        `a tube of ${request.size} is not allowed; the policy allows ${policy.pooling.allowedSizes.join(", ")}`,
      ),
    );
  }
  if (errors.length) return { ok: false, errors };
  if (existing) {
    if (existing.sealedAt !== null) {
      return {
        ok: false,
        errors: [
          fieldError(
            "barcode",
            "nat.tube_scanned_twice",
            `试管 ${existing.barcode} 已于 ${time(existing.sealedAt)} 封管，不能再次开管`,
            `tube ${existing.barcode} was sealed at ${time(existing.sealedAt)} and cannot be opened again`,
          ),
        ],
      };
    }
    if (existing.roundId !== request.roundId) {
      return {
        ok: false,
        errors: [
          fieldError(
            "barcode",
            "nat.tube_other_round",
            `试管 ${existing.barcode} 属于另一轮次（${existing.roundId}），不能用于本轮`,
            `tube ${existing.barcode} belongs to another round (${existing.roundId}) and cannot be used in this one`,
          ),
        ],
      };
    }
    if (existing.size !== request.size || existing.mode !== request.mode) {
      return {
        ok: false,
        errors: [
          fieldError(
            "size",
            "nat.tube_size_changed",
            `试管 ${existing.barcode} 已按 ${existing.size} 人${existing.mode === "household" ? "（一户一管）" : ""}开管，不能改为 ${request.size} 人`,
            `tube ${existing.barcode} was opened for ${existing.size}${existing.mode === "household" ? " (one household)" : ""}; it cannot become a tube of ${request.size}`,
          ),
        ],
      };
    }
    return { ok: true, value: { tube: existing, resumed: true } };
  }
  return {
    ok: true,
    value: {
      tube: {
        barcode: request.barcode,
        roundId: request.roundId,
        size: request.size as PoolSize,
        mode: request.mode,
        householdId: null,
        members: [],
        sealedAt: null,
      },
      resumed: false,
    },
  };
}

export interface SwabRequest {
  personId: string;
  householdId: string | null;
  /** The person's pool rule (`poolRuleFor`). */
  pool: PoolDecision;
  /** The barcode of the tube the person is already in this round, if any. */
  tubeThisRound: string | null;
  at: Date;
}

/**
 * Adding a person's swab to a tube: a tube takes at most its size ("10合1": ten people); a person once a
 * round (the error names the first tube); a household tube takes one household only; a person whose
 * zone asks for smaller pools (管控区 10合1, not 20) cannot go into a bigger tube. Returns the tube
 * with the member added, and whether it is now full.
 */
export function addSwab(tube: Tube, swab: SwabRequest): Validated<{ tube: Tube; full: boolean }> {
  const refuse = (field: string, code: string, zh: string, en: string): Validated<never> => ({
    ok: false,
    errors: [fieldError(field, code, zh, en)],
  });
  if (tube.sealedAt !== null) {
    return refuse(
      "barcode",
      "nat.tube_sealed",
      `试管 ${tube.barcode} 已封管，不能再加入样本`,
      `tube ${tube.barcode} is sealed; no more swabs can be added`,
    );
  }
  if (swab.tubeThisRound !== null) {
    return swab.tubeThisRound === tube.barcode
      ? refuse(
          "personId",
          "nat.person_already_in_tube",
          `此人已在试管 ${tube.barcode} 中，不能重复采样`,
          `this person is already in tube ${tube.barcode}`,
        )
      : refuse(
          "personId",
          "nat.person_already_sampled",
          `此人本轮已采样，在试管 ${swab.tubeThisRound} 中，不能再加入试管 ${tube.barcode}`,
          `this person was already sampled this round, in tube ${swab.tubeThisRound}; they cannot be added to tube ${tube.barcode}`,
        );
  }
  if (tube.members.length >= tube.size) {
    return refuse(
      "barcode",
      "nat.tube_full",
      `试管 ${tube.barcode} 已满（${tube.size}/${tube.size}），请封管并换新管`,
      `tube ${tube.barcode} is full (${tube.size}/${tube.size}); seal it and open a new one`,
    );
  }
  if (tube.mode === "household") {
    if (swab.householdId === null) {
      return refuse(
        "householdId",
        "nat.household_unknown",
        `试管 ${tube.barcode} 为一户一管，此人没有登记户，不能加入`,
        `tube ${tube.barcode} is a household tube and this person has no registered household`,
      );
    }
    if (tube.householdId !== null && tube.householdId !== swab.householdId) {
      return refuse(
        "householdId",
        "nat.household_mismatch",
        `试管 ${tube.barcode} 为一户一管，已装户 ${tube.householdId} 的样本，不能加入户 ${swab.householdId} 的人员`,
        `tube ${tube.barcode} holds household ${tube.householdId}; a member of household ${swab.householdId} cannot be added`,
      );
    }
  }
  // The person's rule caps the tube: a single tube, or a household tube (or a single tube), or a pool
  // no bigger than the zone's.
  const max = swab.pool.maxSize;
  const fits =
    max === "household"
      ? tube.mode === "household" || tube.size === 1
      : tube.mode === "pool" && tube.size <= max;
  if (!fits) {
    return refuse(
      "barcode",
      "nat.pool_size_mismatch",
      `此人按“${swab.pool.reason.zh}”采样，不能放入${tube.mode === "household" ? "一户一管" : `${tube.size}合1`}试管 ${tube.barcode}`,
      `this person is sampled as "${swab.pool.reason.en}"; they cannot go into ${tube.mode === "household" ? "household" : `${tube.size}-in-1`} tube ${tube.barcode}`,
    );
  }
  const members = [
    ...tube.members,
    { personId: swab.personId, householdId: swab.householdId, sampledAt: swab.at },
  ];
  const householdId = tube.mode === "household" ? (tube.householdId ?? swab.householdId) : null;
  return {
    ok: true,
    value: { tube: { ...tube, householdId, members }, full: members.length >= tube.size },
  };
}

/** Sealing a tube (封管): once, and only with at least one swab in it. */
export function sealTube(tube: Tube, at: Date): Validated<Tube> {
  if (tube.sealedAt !== null) {
    return {
      ok: false,
      errors: [
        fieldError(
          "barcode",
          "nat.tube_scanned_twice",
          `试管 ${tube.barcode} 已于 ${time(tube.sealedAt)} 封管`,
          `tube ${tube.barcode} was already sealed at ${time(tube.sealedAt)}`,
        ),
      ],
    };
  }
  if (!tube.members.length) {
    return {
      ok: false,
      errors: [
        fieldError(
          "barcode",
          "nat.tube_empty",
          `试管 ${tube.barcode} 中没有样本，不能封管`,
          `tube ${tube.barcode} has no swab in it and cannot be sealed`,
        ),
      ],
    };
  }
  return { ok: true, value: { ...tube, sealedAt: at } };
}
