/**
 * A case's itinerary (行程, issue 6, item 3): the places and times where the case stayed, checked against
 * the look-back window, and from them proposals of risk areas or zones for the command to confirm.
 * Nothing is designated here: a proposal is a `DesignationInput` the command accepts, edits or rejects
 * (zones/area.ts `validateDesignation` checks it when stored). Pure: `now` is a parameter.
 *
 * Proposals follow protocols.md §2.2 (9th edition): high risk = "where cases/asymptomatics live, plus
 * their frequent, higher-risk work and activity places"; medium = "work and activity places where a case
 * stayed for some time". In the zone scheme (2021 – mid 2022, §2.3): 封控区 = "case's residence compound
 * plus frequent surrounding areas, or work/activity areas with high spread potential"; 管控区 = "some
 * spread risk". So a residence is proposed high (sealed), a work or activity place medium (controlled),
 * and a place the investigator marks as frequent and higher-risk high (sealed). ⚠ "for some time" has no
 * number in the sources: every work or activity stay inside the window is proposed; the command decides.
 */
import { type DesignationInput, AREA_KIND_LABELS, type AreaKind } from "../zones/area.ts";
import { regionLevel } from "../regions/region-code.ts";
import { type FieldError, fieldError, type Message } from "../shared/result.ts";
import type { TraceWindow } from "./exposures.ts";

export type StayKind = "residence" | "work" | "activity";

export const STAY_KINDS: readonly StayKind[] = ["residence", "work", "activity"];

export const STAY_KIND_LABELS: Record<StayKind, Message> = {
  residence: { zh: "居住地", en: "Residence" },
  work: { zh: "工作场所", en: "Workplace" },
  activity: { zh: "活动场所", en: "Place of activity" },
};

/** One stay of the itinerary: where (a region, and a venue or named place in it), when, what kind. */
export interface Stay {
  id: string;
  kind: StayKind;
  regionCode: string;
  /** A named compound, building or shop ("富兴小区3号楼"); null = the region itself. */
  placeName: string | null;
  /** The venue's id when the place is a registered venue (场所码). */
  venueId: string | null;
  from: Date;
  to: Date;
  /** The investigator judged the place frequent and higher-risk (经常活动且风险较高). */
  frequentHigherRisk: boolean;
}

export interface ItineraryCheck {
  /** Stays overlapping the window, in time order. */
  inWindow: Stay[];
  /** Stays refused, with their errors. */
  refused: { stayId: string; errors: FieldError[] }[];
  /** Stays kept but outside the window (flagged, not dropped). */
  outsideWindow: { stay: Stay; message: Message }[];
}

const iso = (d: Date) => d.toISOString();

/**
 * Check the stays: a stay that is not a known kind, has a bad region code, ends before it starts or
 * starts in the future is refused; one wholly outside the case's look-back window is listed apart.
 */
export function checkItinerary(stays: readonly Stay[], window: TraceWindow, now: Date): ItineraryCheck {
  const out: ItineraryCheck = { inWindow: [], refused: [], outsideWindow: [] };
  for (const s of stays) {
    const errors: FieldError[] = [];
    if (!(STAY_KINDS as readonly string[]).includes(s.kind))
      errors.push(
        fieldError(
          "kind",
          "stay.kind_unknown",
          `未知的停留类型「${s.kind}」`,
          `Unknown kind of stay "${s.kind}"`,
        ),
      );
    if (regionLevel(s.regionCode) === null)
      errors.push(
        fieldError(
          "regionCode",
          "stay.region_invalid",
          `「${s.regionCode}」不是有效的区划代码`,
          `"${s.regionCode}" is not a region code`,
        ),
      );
    if (Number.isNaN(s.from.getTime()) || Number.isNaN(s.to.getTime()))
      errors.push(fieldError("from", "stay.invalid_time", "停留时间无效", "The stay's times are not valid"));
    else {
      if (s.to.getTime() < s.from.getTime())
        errors.push(
          fieldError(
            "to",
            "stay.ends_before_start",
            `离开时间 ${iso(s.to)} 早于到达时间 ${iso(s.from)}`,
            `The stay ends at ${iso(s.to)}, before it starts at ${iso(s.from)}`,
          ),
        );
      if (s.from.getTime() > now.getTime())
        errors.push(
          fieldError(
            "from",
            "stay.future_time",
            `到达时间 ${iso(s.from)} 晚于当前时间`,
            `The stay starts at ${iso(s.from)}, in the future`,
          ),
        );
    }
    if (errors.length) {
      out.refused.push({ stayId: s.id, errors });
      continue;
    }
    if (s.to.getTime() < window.start.getTime() || s.from.getTime() > window.end.getTime())
      out.outsideWindow.push({
        stay: s,
        message: {
          zh: `停留 ${iso(s.from)}–${iso(s.to)} 不在追溯期（${iso(window.start)}–${iso(window.end)}）内：不据此划定风险区`,
          en: `The stay ${iso(s.from)}–${iso(s.to)} is outside the look-back window (${iso(window.start)}–${iso(window.end)}): no area is proposed from it`,
        },
      });
    else out.inWindow.push(s);
  }
  out.inWindow.sort((a, b) => a.from.getTime() - b.from.getTime());
  return out;
}

export type AreaScheme = "risk_areas" | "zones";

export interface AreaProposal {
  /** What the command confirms: ready for `validateDesignation`. */
  designation: DesignationInput;
  kind: AreaKind;
  stayIds: string[];
  explanation: Message;
}

const KIND: Record<AreaScheme, { high: AreaKind; medium: AreaKind }> = {
  risk_areas: { high: "high", medium: "medium" },
  zones: { high: "sealed", medium: "controlled" },
};

/**
 * Proposals from the stays inside the window (checked first with `checkItinerary`): a residence, or a
 * place marked frequent and higher-risk → high-risk area (封控区); another work or activity place →
 * medium-risk area (管控区). One proposal per region and place, the higher kind winning. A named place
 * is kept as the designation's place only inside a community or grid (where a designation may name
 * one); above that it is named in the reason.
 */
export function proposeAreas(
  caseId: string,
  stays: readonly Stay[],
  scheme: AreaScheme,
  from: Date,
): AreaProposal[] {
  const byPlace = new Map<string, { high: boolean; stays: Stay[] }>();
  for (const s of stays) {
    const key = `${s.regionCode}\u0000${s.placeName ?? ""}`;
    const high = s.kind === "residence" || s.frequentHigherRisk;
    const seen = byPlace.get(key);
    if (seen) {
      seen.high ||= high;
      seen.stays.push(s);
    } else byPlace.set(key, { high, stays: [s] });
  }
  const proposals: AreaProposal[] = [];
  for (const { high, stays: list } of byPlace.values()) {
    const first = list[0]!;
    const kind = high ? KIND[scheme].high : KIND[scheme].medium;
    const level = regionLevel(first.regionCode);
    const placeInside = level === "community" || level === "grid";
    const kinds = [...new Set(list.map((s) => s.kind))];
    const place = first.placeName ? `「${first.placeName}」` : "";
    const why: Message = high
      ? list.some((s) => s.kind === "residence")
        ? { zh: "病例居住地", en: "where the case lives" }
        : { zh: "病例经常活动且风险较高的场所", en: "a frequent, higher-risk place of the case" }
      : {
          zh: `病例停留过的${kinds.map((k) => STAY_KIND_LABELS[k].zh).join("、")}`,
          en: `a ${kinds.map((k) => STAY_KIND_LABELS[k].en.toLowerCase()).join(" and ")} where the case stayed`,
        };
    proposals.push({
      kind,
      stayIds: list.map((s) => s.id),
      designation: {
        regionCode: first.regionCode,
        placeName: placeInside ? first.placeName : null,
        kind,
        from,
        to: null,
        reason: `${why.zh}${placeInside ? "" : place}`,
        linkedCase: caseId,
      },
      explanation: {
        zh: `建议划为${AREA_KIND_LABELS[kind].zh}：${why.zh}${place}`,
        en: `proposed ${AREA_KIND_LABELS[kind].en.toLowerCase()}: ${why.en}${first.placeName ? ` (${first.placeName})` : ""}`,
      },
    });
  }
  const order = (k: AreaKind) => (k === "high" || k === "sealed" ? 0 : 1);
  return proposals.sort((a, b) => order(a.kind) - order(b.kind));
}
