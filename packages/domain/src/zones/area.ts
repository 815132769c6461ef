import { isWithin, regionLevel } from "../regions/region-code.ts";
import { type FieldError, fieldError, type Validated } from "../shared/result.ts";

/**
 * Risk areas (风险区, 9th edition: high/medium/low) and zones (封控区/管控区/防范区, 2021 – mid 2022).
 * A designation puts one region — at any level, down to a grid — or one named compound/building
 * inside a community under one kind for a span of time. History is kept: a designation is ended by
 * setting its end, never deleted, so "which areas were high-risk on 2022-04-08?" always has an answer.
 */
export type RiskLevel = "high" | "medium" | "low";
export type ZoneKind = "sealed" | "controlled" | "precaution";
export type AreaKind = RiskLevel | ZoneKind;

export const RISK_LEVELS: readonly RiskLevel[] = ["high", "medium", "low"];
export const ZONE_KINDS: readonly ZoneKind[] = ["sealed", "controlled", "precaution"];
export const AREA_KINDS: readonly AreaKind[] = [...RISK_LEVELS, ...ZONE_KINDS];

export const AREA_KIND_LABELS: Record<AreaKind, { zh: string; en: string }> = {
  high: { zh: "高风险区", en: "High-risk area" },
  medium: { zh: "中风险区", en: "Medium-risk area" },
  low: { zh: "低风险区", en: "Low-risk area" },
  sealed: { zh: "封控区", en: "Sealed zone" },
  controlled: { zh: "管控区", en: "Controlled zone" },
  precaution: { zh: "防范区", en: "Precaution zone" },
};

export function isAreaKind(k: string): k is AreaKind {
  return (AREA_KINDS as readonly string[]).includes(k);
}

export function isRiskLevel(k: AreaKind): k is RiskLevel {
  return (RISK_LEVELS as readonly string[]).includes(k);
}

export interface AreaDesignation {
  id: string;
  /** Any level of the region tree, including a grid. */
  regionCode: string;
  /** A named compound or building inside a community or grid (e.g. "富兴小区3号楼"); null = the whole region. */
  placeName: string | null;
  kind: AreaKind;
  from: Date;
  /** Exclusive end; null = still in force. */
  to: Date | null;
  /** Why, in the words of the notice (e.g. "确诊病例居住地"). */
  reason: string;
  /** The case that caused it, as a free-text id, when there is one. */
  linkedCase: string | null;
}

export interface DesignationInput {
  regionCode: string;
  placeName?: string | null | undefined;
  kind: string;
  from: Date;
  to?: Date | null | undefined;
  reason: string;
  linkedCase?: string | null | undefined;
}

export type ValidDesignation = Omit<AreaDesignation, "id">;

/**
 * A linked case id as given (trimmed; null when blank), or an error added to `errors` when it is longer
 * than a case id can be. Used wherever a case is linked: a designation, a fact recorded on one.
 */
export function checkLinkedCase(value: string | null | undefined, errors: FieldError[]): string | null {
  const linkedCase = blank(value) ? null : value.trim();
  if (linkedCase !== null && linkedCase.length > 64)
    errors.push(
      fieldError(
        "linkedCase",
        "linkedCase.length",
        "病例编号最多64个字符",
        "A case id has at most 64 characters",
      ),
    );
  return linkedCase;
}

const blank = (s: string | null | undefined): s is null | undefined =>
  s === null || s === undefined || !s.trim();

/** Checks a designation before it is stored; every problem comes back as a bilingual field error. */
export function validateDesignation(input: DesignationInput): Validated<ValidDesignation> {
  const errors: FieldError[] = [];
  const level = regionLevel(input.regionCode);
  if (level === null)
    errors.push(fieldError("regionCode", "region.code", "区划代码格式不正确", "Not a valid region code"));
  if (!isAreaKind(input.kind))
    errors.push(
      fieldError(
        "kind",
        "kind.unknown",
        "类型应为高/中/低风险区或封控/管控/防范区",
        "Kind must be high, medium, low, sealed, controlled or precaution",
      ),
    );
  if (Number.isNaN(input.from.getTime()))
    errors.push(fieldError("from", "from.invalid", "开始时间无效", "The start time is not valid"));
  if (input.to && (Number.isNaN(input.to.getTime()) || input.to.getTime() <= input.from.getTime()))
    errors.push(
      fieldError("to", "to.before_from", "结束时间应晚于开始时间", "The end must be after the start"),
    );
  const placeName = blank(input.placeName) ? null : input.placeName.trim();
  if (placeName !== null) {
    if (level !== "community" && level !== "grid")
      errors.push(
        fieldError(
          "placeName",
          "placeName.level",
          "具体小区/楼栋只能划在社区（村）或网格之内",
          "A named compound or building can only be designated inside a community, village or grid",
        ),
      );
    if (placeName.length > 100)
      errors.push(
        fieldError(
          "placeName",
          "placeName.length",
          "地点名称最多100个字符",
          "A place name has at most 100 characters",
        ),
      );
  }
  if (blank(input.reason))
    errors.push(fieldError("reason", "reason.required", "请填写划定理由", "A reason is required"));
  else if (input.reason.trim().length > 500)
    errors.push(
      fieldError("reason", "reason.length", "理由最多500个字符", "A reason has at most 500 characters"),
    );
  const linkedCase = checkLinkedCase(input.linkedCase, errors);
  if (errors.length) return { ok: false, errors };
  return {
    ok: true,
    value: {
      regionCode: input.regionCode,
      placeName,
      kind: input.kind as AreaKind,
      from: input.from,
      to: input.to ?? null,
      reason: input.reason.trim(),
      linkedCase,
    },
  };
}

/** Checks ending a designation at `at`: not before it started, and not twice. */
export function validateEnd(
  d: Pick<AreaDesignation, "from"> & { endedAt: Date | null },
  at: Date,
  reason: string,
): Validated<{ at: Date; reason: string }> {
  const errors: FieldError[] = [];
  if (d.endedAt !== null)
    errors.push(
      fieldError("at", "area.already_ended", "该区域已解除", "This designation has already been ended"),
    );
  if (Number.isNaN(at.getTime()) || at.getTime() <= d.from.getTime())
    errors.push(
      fieldError("at", "at.before_from", "解除时间应晚于划定时间", "It cannot end before it started"),
    );
  if (!reason.trim())
    errors.push(fieldError("reason", "reason.required", "请填写解除理由", "A reason is required"));
  if (errors.length) return { ok: false, errors };
  return { ok: true, value: { at, reason: reason.trim() } };
}

/** True when the designation is in force at `at`: from ≤ at < to (to null = still in force). */
export function inForce(d: Pick<AreaDesignation, "from" | "to">, at: Date): boolean {
  const t = at.getTime();
  return d.from.getTime() <= t && (d.to === null || t < d.to.getTime());
}

/** The designations in force at `at`. */
export function areasInForce<T extends Pick<AreaDesignation, "from" | "to">>(
  designations: readonly T[],
  at: Date,
): T[] {
  return designations.filter((d) => inForce(d, at));
}

/**
 * The designations in force at `at` that cover a region: those on the region itself or on a region
 * above it (a township designated high-risk covers its communities). A designation of a named place
 * inside a community covers only that place, so it is returned only for the community (or grid) it
 * was made on, not for other regions below.
 */
export function areaOf<T extends Pick<AreaDesignation, "regionCode" | "placeName" | "from" | "to">>(
  regionCode: string,
  designations: readonly T[],
  at: Date,
): T[] {
  return areasInForce(designations, at).filter(
    (d) => isWithin(d.regionCode, regionCode) && (d.placeName === null || d.regionCode === regionCode),
  );
}
