/**
 * Exposures and contacts (issue 6, items 4 and 7). An exposure is an explicit record: who was the
 * source, who was exposed, when and for how long, where (setting), how near, and whether the exposed
 * person was protected. From a case's exposures inside its look-back window the policy's rules make
 * close contacts (密切接触者), each with the rule that matched; the close contacts' own exposures, from
 * their first (or last) exposure to the case up to their isolation, make secondary contacts (密接的密接);
 * the rest are general contacts (一般接触者). Contacts living outside the investigator's jurisdiction
 * are marked for an assist request (协查). Bad records are refused with bilingual field errors;
 * exposures outside the window are flagged and listed, never dropped. Pure: `now` is a parameter.
 * Rules and sources: docs/capabilities/tracing-rules.md.
 */
import { isWithin, regionLevel } from "../regions/region-code.ts";
import { type FieldError, fieldError, type Message } from "../shared/result.ts";
import {
  type CloseContactRule,
  EXPOSURE_SETTING_LABELS,
  EXPOSURE_SETTINGS,
  type ExposureSetting,
  PROXIMITIES,
  PROXIMITY_LABELS,
  type Proximity,
  type TracingPolicy,
} from "./policy.ts";

/** An exposure as a form gives it: setting and proximity not yet checked. */
export interface ExposureInput {
  id: string;
  sourcePersonId: string;
  exposedPersonId: string;
  /** When the exposure began. */
  at: Date;
  /** How long it lasted, minutes; null = unknown (counted as an instant). */
  durationMinutes: number | null;
  setting: string;
  proximity: string;
  /** The place was closed or poorly ventilated (密闭或通风不良); null = unknown. */
  enclosed: boolean | null;
  /** The exposed person wore effective protection (有效防护). */
  protected: boolean;
  /** The investigator judged the exposure close whatever the rules say (经现场调查人员评估). */
  judgedClose?: boolean | undefined;
  /** Where the exposed person lives or is now (GB/T 2260 or below); null = unknown. */
  exposedRegionCode: string | null;
}

/** A checked exposure. */
export interface Exposure extends Omit<ExposureInput, "setting" | "proximity" | "judgedClose"> {
  setting: ExposureSetting;
  proximity: Proximity;
  judgedClose: boolean;
}

/** A fact worth the investigator's look; the record is kept. */
export interface ExposureFlag {
  code: string;
  exposureId: string | null;
  personId: string | null;
  message: Message;
}

/** The span of time contacts are traced in, for one source person. */
export interface TraceWindow {
  start: Date;
  end: Date;
}

const MINUTE = 60_000;

/** When the exposure ended: its start plus its duration (the start when the duration is unknown). */
export function exposureEnd(e: Pick<Exposure, "at" | "durationMinutes">): Date {
  return new Date(e.at.getTime() + (e.durationMinutes ?? 0) * MINUTE);
}

const iso = (d: Date) => d.toISOString();

/**
 * Check one exposure. Refused: the source and the exposed person are the same person (a case infecting
 * itself); a start that is not a time or lies in the future; a duration that is negative, not a number,
 * or runs past `now`; an unknown setting or proximity; an exposed region that is not a region code.
 * Flagged (kept): the exposure ended before the source's look-back window opened, or began after the
 * source was isolated.
 */
export function checkExposure(
  input: ExposureInput,
  sourceWindow: TraceWindow | null,
  now: Date,
): { ok: true; value: Exposure; flags: ExposureFlag[] } | { ok: false; errors: FieldError[] } {
  const errors: FieldError[] = [];
  if (input.sourcePersonId === input.exposedPersonId)
    errors.push(
      fieldError(
        "exposedPersonId",
        "exposure.self",
        "传染源与暴露者为同一人：病例不能传染自己",
        "The source and the exposed person are the same person: a case cannot infect itself",
      ),
    );
  const validAt = !Number.isNaN(input.at.getTime());
  if (!validAt)
    errors.push(fieldError("at", "exposure.invalid_time", "暴露时间无效", "The exposure time is not valid"));
  else if (input.at.getTime() > now.getTime())
    errors.push(
      fieldError(
        "at",
        "exposure.future_time",
        `暴露时间 ${iso(input.at)} 晚于当前时间`,
        `The exposure time ${iso(input.at)} is in the future`,
      ),
    );
  const d = input.durationMinutes;
  if (d !== null && !(Number.isFinite(d) && d >= 0))
    errors.push(
      fieldError(
        "durationMinutes",
        "exposure.invalid_duration",
        `暴露时长「${String(d)}」应为不小于 0 的分钟数`,
        `The duration "${String(d)}" should be a number of minutes, 0 or more`,
      ),
    );
  else if (
    d !== null &&
    validAt &&
    input.at.getTime() <= now.getTime() &&
    input.at.getTime() + d * MINUTE > now.getTime()
  )
    errors.push(
      fieldError(
        "durationMinutes",
        "exposure.ends_in_future",
        `暴露自 ${iso(input.at)} 起持续 ${d} 分钟，结束时间晚于当前时间`,
        `An exposure from ${iso(input.at)} lasting ${d} minutes would end in the future`,
      ),
    );
  if (!(EXPOSURE_SETTINGS as readonly string[]).includes(input.setting))
    errors.push(
      fieldError(
        "setting",
        "exposure.setting_unknown",
        `未知的暴露场景「${input.setting}」，可选：${EXPOSURE_SETTINGS.map((s) => EXPOSURE_SETTING_LABELS[s].zh).join("、")}`,
        `Unknown setting "${input.setting}"; expected one of ${EXPOSURE_SETTINGS.join(", ")}`,
      ),
    );
  if (!(PROXIMITIES as readonly string[]).includes(input.proximity))
    errors.push(
      fieldError(
        "proximity",
        "exposure.proximity_unknown",
        `未知的接触距离「${input.proximity}」，可选：${PROXIMITIES.map((p) => PROXIMITY_LABELS[p].zh).join("、")}`,
        `Unknown proximity "${input.proximity}"; expected one of ${PROXIMITIES.join(", ")}`,
      ),
    );
  if (input.exposedRegionCode !== null && regionLevel(input.exposedRegionCode) === null)
    errors.push(
      fieldError(
        "exposedRegionCode",
        "exposure.region_invalid",
        `「${input.exposedRegionCode}」不是有效的区划代码`,
        `"${input.exposedRegionCode}" is not a region code`,
      ),
    );
  if (errors.length) return { ok: false, errors };

  const value: Exposure = {
    ...input,
    setting: input.setting as ExposureSetting,
    proximity: input.proximity as Proximity,
    judgedClose: input.judgedClose === true,
  };
  const flags: ExposureFlag[] = [];
  const where = { exposureId: input.id, personId: input.exposedPersonId };
  if (sourceWindow) {
    const end = exposureEnd(value);
    if (end.getTime() < sourceWindow.start.getTime())
      flags.push({
        ...where,
        code: "exposure.before_look_back",
        message: {
          zh: `暴露于 ${iso(end)} 结束，早于传染源追溯期起点 ${iso(sourceWindow.start)}：不据此判定密接`,
          en: `The exposure ended at ${iso(end)}, before the source's look-back window opened at ${iso(sourceWindow.start)}: it makes no close contact`,
        },
      });
    else if (value.at.getTime() > sourceWindow.end.getTime())
      flags.push({
        ...where,
        code: "exposure.after_isolation",
        message: {
          zh: `暴露始于 ${iso(value.at)}，晚于传染源隔离时间 ${iso(sourceWindow.end)}：不据此判定密接`,
          en: `The exposure began at ${iso(value.at)}, after the source was isolated at ${iso(sourceWindow.end)}: it makes no close contact`,
        },
      });
  }
  return { ok: true, value, flags };
}

export type ContactCategory = "close" | "secondary" | "general";

export const CONTACT_CATEGORY_LABELS: Record<ContactCategory, Message> = {
  close: { zh: "密切接触者", en: "Close contact" },
  secondary: { zh: "密接的密接", en: "Secondary contact" },
  general: { zh: "一般接触者", en: "General contact" },
};

/** The rule that made a contact close: one of the policy's, or the investigator's judgment. */
export interface MatchedRule {
  id: string;
  label: Message;
  source: string;
}

export const INVESTIGATOR_RULE: MatchedRule = {
  id: "investigator",
  label: { zh: "经现场调查人员评估判定", en: "judged close by the investigator" },
  source: 'protocols.md §2.1, close-contact judgment principles: "others judged by the investigator"',
};

/** One person found from the exposures, once, in their highest category. */
export interface ContactFinding {
  personId: string;
  category: ContactCategory;
  /** The case (close, general) or the close contact (secondary) they were exposed to. */
  viaPersonId: string;
  /** The rule that matched (close, secondary); null for a general contact. */
  rule: MatchedRule | null;
  /** Why, for the investigator: "密切接触者：同住家庭成员" / "close contact: household member". */
  explanation: Message;
  /** The exposures inside the window that were considered, in time order. */
  exposureIds: string[];
  firstExposureAt: Date;
  /** The end of the last exposure inside the window (quarantine is counted from it). */
  lastExposureAt: Date;
  regionCode: string | null;
  /** Lives outside the investigator's jurisdiction: forward as an assist request (协查). */
  outOfJurisdiction: boolean;
}

export interface ContactClassification {
  close: ContactFinding[];
  general: ContactFinding[];
  /** Refused exposures, with their errors: a case infecting itself, times in the future… */
  refused: { exposureId: string; errors: FieldError[] }[];
  /** Exposures outside the window, contacts whose proximity needs a judgment, unknown regions. */
  flags: ExposureFlag[];
  /** Close and general contacts outside the jurisdiction, to forward. */
  assistRequests: ContactFinding[];
}

const rank = (p: Proximity) => PROXIMITIES.indexOf(p);

/** Why one exposure does or does not meet one rule. */
function ruleMiss(rule: CloseContactRule, e: Exposure): Message | null {
  if (rule.maxProximity !== null) {
    if (e.proximity === "unknown") return { zh: "接触距离不详", en: "the proximity is unknown" };
    if (rank(e.proximity) > rank(rule.maxProximity))
      return {
        zh: `接触距离为「${PROXIMITY_LABELS[e.proximity].zh}」，规则要求「${PROXIMITY_LABELS[rule.maxProximity].zh}」以内`,
        en: `the proximity was "${PROXIMITY_LABELS[e.proximity].en}", the rule needs "${PROXIMITY_LABELS[rule.maxProximity].en}" or nearer`,
      };
  }
  if (rule.minDurationMinutes !== null && (e.durationMinutes ?? 0) < rule.minDurationMinutes)
    return {
      zh: `接触时长不足 ${rule.minDurationMinutes} 分钟`,
      en: `the exposure lasted less than ${rule.minDurationMinutes} minutes`,
    };
  if (rule.enclosedOnly && e.enclosed !== true)
    return e.enclosed === null
      ? {
          zh: "场所是否密闭或通风不良不详",
          en: "whether the place was closed or poorly ventilated is unknown",
        }
      : { zh: "场所不密闭、通风良好", en: "the place was open and well ventilated" };
  return null;
}

/** The rule a single exposure meets, or why it meets none. */
export function matchExposure(
  e: Exposure,
  policy: TracingPolicy,
  settings: readonly ExposureSetting[] | null = null,
): { rule: MatchedRule } | { rule: null; why: Message; needsJudgment: boolean } {
  if (e.judgedClose) return { rule: INVESTIGATOR_RULE };
  if (settings !== null && !settings.includes(e.setting))
    return {
      rule: null,
      needsJudgment: false,
      why: {
        zh: `「${EXPOSURE_SETTING_LABELS[e.setting].zh}」不在判定次密接的场景之内`,
        en: `"${EXPOSURE_SETTING_LABELS[e.setting].en}" is not a setting secondary contacts are found in`,
      },
    };
  if (e.protected && !policy.closeContact.protectedCounts)
    return {
      rule: null,
      needsJudgment: false,
      why: { zh: "已采取有效防护", en: "the person wore effective protection" },
    };
  const rules = policy.closeContact.rules.filter((r) => r.settings.includes(e.setting));
  if (rules.length === 0)
    return {
      rule: null,
      needsJudgment: false,
      why: {
        zh: `「${EXPOSURE_SETTING_LABELS[e.setting].zh}」场景没有密接判定规则`,
        en: `no close-contact rule covers "${EXPOSURE_SETTING_LABELS[e.setting].en}"`,
      },
    };
  let miss: Message | null = null;
  for (const r of rules) {
    const m = ruleMiss(r, e);
    if (m === null) return { rule: { id: r.id, label: r.label, source: r.source } };
    miss ??= m;
  }
  const needsJudgment = e.proximity === "unknown" || e.enclosed === null;
  return { rule: null, why: miss as Message, needsJudgment };
}

interface Gathered {
  personId: string;
  exposures: Exposure[];
}

function byPerson(exposures: readonly Exposure[]): Gathered[] {
  const m = new Map<string, Exposure[]>();
  for (const e of exposures) {
    const list = m.get(e.exposedPersonId);
    if (list) list.push(e);
    else m.set(e.exposedPersonId, [e]);
  }
  return [...m].map(([personId, list]) => ({
    personId,
    exposures: list.sort((a, b) => a.at.getTime() - b.at.getTime() || (a.id < b.id ? -1 : 1)),
  }));
}

function regionOf(list: readonly Exposure[]): string | null {
  for (let i = list.length - 1; i >= 0; i--)
    if (list[i]!.exposedRegionCode) return list[i]!.exposedRegionCode;
  return null;
}

function finding(
  personId: string,
  via: string,
  category: ContactCategory,
  rule: MatchedRule | null,
  why: Message | null,
  list: readonly Exposure[],
  jurisdiction: string,
  flags: ExposureFlag[],
): ContactFinding {
  const regionCode = regionOf(list);
  const outOfJurisdiction = regionCode !== null && !isWithin(jurisdiction, regionCode);
  if (regionCode === null)
    flags.push({
      code: "contact.region_unknown",
      exposureId: null,
      personId,
      message: {
        zh: `${CONTACT_CATEGORY_LABELS[category].zh}「${personId}」所在地区不详：无法判断是否需要发起协查`,
        en: `${CONTACT_CATEGORY_LABELS[category].en} "${personId}" has no known region: cannot tell whether an assist request is needed`,
      },
    });
  const label = CONTACT_CATEGORY_LABELS[category];
  return {
    personId,
    category,
    viaPersonId: via,
    rule,
    explanation: rule
      ? { zh: `${label.zh}：${rule.label.zh}`, en: `${label.en.toLowerCase()}: ${rule.label.en}` }
      : {
          zh: `${label.zh}：不符合密接判定条件（${why?.zh ?? ""}）`,
          en: `${label.en.toLowerCase()}: does not meet the close-contact criteria (${why?.en ?? ""})`,
        },
    exposureIds: list.map((e) => e.id),
    firstExposureAt: list[0]!.at,
    lastExposureAt: new Date(Math.max(...list.map((e) => exposureEnd(e).getTime()))),
    regionCode,
    outOfJurisdiction,
  };
}

function inWindow(e: Exposure, w: TraceWindow): boolean {
  return exposureEnd(e).getTime() >= w.start.getTime() && e.at.getTime() <= w.end.getTime();
}

/**
 * Classify the people exposed to a case. Each exposure is checked (`checkExposure`): refused ones are
 * listed with their errors; those whose source is another person are refused too (they belong to
 * another case). Exposures outside the case's window are flagged and do not count. A person with one
 * exposure meeting a rule inside the window is a close contact, explained by the first rule met in time
 * order; a person whose exposures meet none is a general contact, explained by why not. Proximity or
 * ventilation unknown where a rule needs it → flagged for the investigator's judgment.
 */
export function classifyContacts(
  c: { personId: string; window: TraceWindow },
  inputs: readonly ExposureInput[],
  policy: TracingPolicy,
  options: { now: Date; jurisdiction: string },
): ContactClassification {
  const refused: ContactClassification["refused"] = [];
  const flags: ExposureFlag[] = [];
  const counted: Exposure[] = [];
  for (const input of inputs) {
    if (input.sourcePersonId !== c.personId) {
      refused.push({
        exposureId: input.id,
        errors: [
          fieldError(
            "sourcePersonId",
            "exposure.other_source",
            `该暴露的传染源是「${input.sourcePersonId}」，不是本病例「${c.personId}」`,
            `The exposure's source is "${input.sourcePersonId}", not this case "${c.personId}"`,
          ),
        ],
      });
      continue;
    }
    const r = checkExposure(input, c.window, options.now);
    if (!r.ok) {
      refused.push({ exposureId: input.id, errors: r.errors });
      continue;
    }
    flags.push(...r.flags);
    if (inWindow(r.value, c.window)) counted.push(r.value);
  }
  const close: ContactFinding[] = [];
  const general: ContactFinding[] = [];
  for (const g of byPerson(counted)) {
    let matched: MatchedRule | null = null;
    let why: Message | null = null;
    let needsJudgment = false;
    for (const e of g.exposures) {
      const m = matchExposure(e, policy);
      if (m.rule) {
        matched = m.rule;
        break;
      }
      why ??= m.why;
      needsJudgment ||= m.needsJudgment;
    }
    if (matched) {
      close.push(
        finding(g.personId, c.personId, "close", matched, null, g.exposures, options.jurisdiction, flags),
      );
      continue;
    }
    general.push(
      finding(g.personId, c.personId, "general", null, why, g.exposures, options.jurisdiction, flags),
    );
    if (needsJudgment)
      flags.push({
        code: "contact.needs_judgment",
        exposureId: null,
        personId: g.personId,
        message: {
          zh: `「${g.personId}」暂按一般接触者处理，但${why?.zh ?? ""}：请调查人员补充或评估判定`,
          en: `"${g.personId}" is a general contact for now, but ${why?.en ?? ""}: the investigator should complete the record or judge`,
        },
      });
  }
  return {
    close,
    general,
    refused,
    flags,
    assistRequests: [...close, ...general].filter((f) => f.outOfJurisdiction),
  };
}

/** A close contact as the secondary search needs it: their exposure to the case, and their isolation. */
export interface CloseContactForSecondary {
  personId: string;
  firstExposureAt: Date;
  lastExposureAt: Date;
  /** When the close contact was isolated; the window runs to `now` until then. */
  isolatedAt: Date | null;
}

export interface SecondaryClassification {
  secondary: ContactFinding[];
  /** People exposed to a close contact who are not secondary contacts, and why (never dropped silently). */
  notCounted: { personId: string; viaPersonId: string; exposureIds: string[]; why: Message }[];
  refused: { exposureId: string; errors: FieldError[] }[];
  flags: ExposureFlag[];
  assistRequests: ContactFinding[];
  /** False when the policy no longer identifies secondary contacts (2022-11 onwards). */
  enabled: boolean;
}

/**
 * Secondary contacts (密接的密接): people exposed to a close contact, from the close contact's first
 * exposure to the case (or the last, by policy) until the close contact's isolation, in a setting the
 * policy names (shared living, meals, work/study, entertainment), meeting a close-contact rule. The case
 * and the close contacts themselves are not secondary contacts of anyone (they keep their category);
 * a person reached through several close contacts is listed once, through the earliest exposure.
 */
export function secondaryContacts(
  closeContacts: readonly CloseContactForSecondary[],
  theirExposures: readonly ExposureInput[],
  policy: TracingPolicy,
  options: { now: Date; jurisdiction: string; casePersonId: string },
): SecondaryClassification {
  const result: SecondaryClassification = {
    secondary: [],
    notCounted: [],
    refused: [],
    flags: [],
    assistRequests: [],
    enabled: policy.secondary.enabled,
  };
  if (!policy.secondary.enabled) return result;
  const closeIds = new Set(closeContacts.map((c) => c.personId));
  const found = new Map<string, { rule: MatchedRule; via: string; list: Exposure[]; at: number }>();
  for (const cc of closeContacts) {
    const window: TraceWindow = {
      start: policy.secondary.from === "first_exposure" ? cc.firstExposureAt : cc.lastExposureAt,
      end: cc.isolatedAt ?? options.now,
    };
    const mine: Exposure[] = [];
    for (const input of theirExposures) {
      if (input.sourcePersonId !== cc.personId) continue;
      const r = checkExposure(input, window, options.now);
      if (!r.ok) {
        result.refused.push({ exposureId: input.id, errors: r.errors });
        continue;
      }
      for (const f of r.flags)
        result.flags.push({
          ...f,
          code: f.code === "exposure.before_look_back" ? "exposure.before_secondary_window" : f.code,
          message:
            f.code === "exposure.before_look_back"
              ? {
                  zh: `暴露于 ${iso(exposureEnd(r.value))} 结束，早于密接「${cc.personId}」与病例的${policy.secondary.from === "first_exposure" ? "首次" : "末次"}接触（${iso(window.start)}）：不判定为次密接`,
                  en: `The exposure ended at ${iso(exposureEnd(r.value))}, before close contact "${cc.personId}" was ${policy.secondary.from === "first_exposure" ? "first" : "last"} exposed to the case (${iso(window.start)}): no secondary contact`,
                }
              : f.message,
        });
      if (inWindow(r.value, window)) mine.push(r.value);
    }
    for (const g of byPerson(mine)) {
      if (g.personId === options.casePersonId || closeIds.has(g.personId)) {
        result.notCounted.push({
          personId: g.personId,
          viaPersonId: cc.personId,
          exposureIds: g.exposures.map((e) => e.id),
          why:
            g.personId === options.casePersonId
              ? { zh: "为病例本人", en: "is the case" }
              : { zh: "已是密切接触者", en: "is already a close contact" },
        });
        continue;
      }
      let why: Message | null = null;
      let hit: { rule: MatchedRule; at: number } | null = null;
      for (const e of g.exposures) {
        const m = matchExposure(e, policy, policy.secondary.settings);
        if (m.rule) {
          hit = { rule: m.rule, at: e.at.getTime() };
          break;
        }
        why ??= m.why;
      }
      if (!hit) {
        result.notCounted.push({
          personId: g.personId,
          viaPersonId: cc.personId,
          exposureIds: g.exposures.map((e) => e.id),
          why: why as Message,
        });
        continue;
      }
      const prev = found.get(g.personId);
      if (!prev || hit.at < prev.at) found.set(g.personId, { ...hit, via: cc.personId, list: g.exposures });
    }
  }
  for (const [personId, f] of found)
    result.secondary.push(
      finding(personId, f.via, "secondary", f.rule, null, f.list, options.jurisdiction, result.flags),
    );
  result.assistRequests = result.secondary.filter((f) => f.outOfJurisdiction);
  return result;
}
