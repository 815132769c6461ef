/**
 * Two ways a placement ends besides release (issue 4, item 5): transfer to a designated hospital
 * (定点医院) and upgrade of a secondary contact to close contact. Pure: times are parameters; every
 * refusal is a bilingual field error.
 *
 * Choices (docs/capabilities/quarantine.md, "Release"):
 * - To hospital: seed 000 moves a positive person by closed-loop transfer to a designated hospital. With a
 *   positive result in the placement, no reason is needed; without one, a reason is (and the server asks
 *   for `quarantine.override`, as for early release). The hospital is a site of kind
 *   `designated_hospital` inside the caller's jurisdiction.
 * - Upgrade: the 9th edition upgrades a secondary contact whose linked close contact is positive in their
 *   first two tests. A placement is a secondary contact's when its measures came from a rule of category
 *   `secondary_contact` of its pack — they carry that rule's tests (each test keeps its rule id), or, for a
 *   rule without tests, they are that rule's measures — and from no `close_contact` rule: where a pack
 *   gives both the same measures (Qilin 2020: "密切接触者、密切接触的密切接触者一律集中隔离14天"), the
 *   person is already managed as a close contact and there is nothing to upgrade.
 */
import type { CombinedMeasures } from "../policies/engine.ts";
import type { Category, Rule } from "../policies/pack-schema.ts";
import { isWithin } from "../regions/region-code.ts";
import { type FieldError, fieldError, type Validated } from "../shared/result.ts";
import { checkReleaseTime } from "./placement.ts";
import type { SiteKind } from "./sites.ts";

export interface HospitalCandidate {
  kind: SiteKind;
  name: string;
  regionCode: string;
}

/** The site a positive person is moved to: a designated hospital, inside the caller's jurisdiction. */
export function checkHospital(site: HospitalCandidate | null, jurisdiction: string): FieldError[] {
  if (!site)
    return [
      fieldError(
        "hospitalSiteId",
        "hospital.unknown",
        "没有这个定点医院",
        "There is no such designated hospital",
      ),
    ];
  if (site.kind !== "designated_hospital")
    return [
      fieldError(
        "hospitalSiteId",
        "hospital.not_designated",
        `${site.name} 不是定点医院，请选择定点医院`,
        `${site.name} is not a designated hospital; choose a designated hospital`,
      ),
    ];
  if (!isWithin(jurisdiction, site.regionCode))
    return [
      fieldError(
        "hospitalSiteId",
        "hospital.outside_jurisdiction",
        `定点医院 ${site.name}（${site.regionCode}）不在您的辖区内`,
        `The designated hospital ${site.name} (${site.regionCode}) is outside your jurisdiction`,
      ),
    ];
  return [];
}

/**
 * The time of the transfer to hospital (not before placement, not in the future) and, without a positive
 * result in the placement, its reason.
 */
export function checkToHospital(c: {
  placedAt: Date;
  at: Date;
  now: Date;
  positive: boolean;
  reason: string | null | undefined;
}): FieldError[] {
  const errors = checkReleaseTime(c.placedAt, c.at, c.now, "on_schedule", null);
  if (!c.positive && !c.reason?.trim())
    errors.unshift(
      fieldError(
        "reason",
        "to_hospital.reason_required",
        "此人在本次隔离中没有阳性结果，转定点医院须说明理由",
        "This person has no positive result in this placement: a transfer to hospital needs a reason",
      ),
    );
  return errors;
}

/** Key-order-independent JSON text, to compare measures with a rule's. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (v && typeof v === "object")
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  return JSON.stringify(v);
}

/** The rules of a category the measures came from: their tests carry the rule's id, or (no tests) they are its measures. */
export function rulesBehind(
  measures: CombinedMeasures,
  rules: readonly Rule[],
  category: Category,
): string[] {
  const text = canonical(measures);
  return rules
    .filter(
      (r) =>
        r.category === category &&
        ((measures.tests ?? []).some((t) => t.ruleId === r.id) ||
          (!r.measures.tests && canonical(r.measures) === text)),
    )
    .map((r) => r.id);
}

/** Whether a placement with these measures (from this pack's rules) is a secondary contact's, to be upgraded. */
export function checkUpgrade(
  measures: CombinedMeasures,
  pack: { id: string; rules: readonly Rule[] } | null,
): Validated<{ ruleId: string }> {
  const secondary = pack ? rulesBehind(measures, pack.rules, "secondary_contact") : [];
  if (!pack || secondary.length === 0)
    return {
      ok: false,
      errors: [
        fieldError(
          "id",
          "upgrade.not_secondary",
          `此人的隔离措施不是按“密接的密接”规则确定的${pack ? `（规则包 ${pack.id}）` : ""}，不能升级为密接`,
          `This person's measures did not come from a secondary-contact rule${pack ? ` (pack ${pack.id})` : ""}; only a secondary contact is upgraded to close contact`,
        ),
      ],
    };
  const close = rulesBehind(measures, pack.rules, "close_contact");
  if (close.length)
    return {
      ok: false,
      errors: [
        fieldError(
          "id",
          "upgrade.already_close",
          `规则包 ${pack.id} 对密接和密接的密接规定相同措施（${close[0]}），此人已按密接管理，无需升级`,
          `Pack ${pack.id} gives close and secondary contacts the same measures (${close[0]}): this person is already managed as a close contact`,
        ),
      ],
    };
  return { ok: true, value: { ruleId: secondary[0]! } };
}
