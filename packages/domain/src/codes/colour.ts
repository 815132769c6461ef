/**
 * A person's health-code colour (健康码, issue 7, item 1) and why: `computeColour` applies the colour
 * rules of the pack in force (`HealthCodePolicy.colours`) to the facts the server gathers about one
 * person, and returns the colour, every reason behind it (each with the fact, since when, and what
 * turns it green again, in zh-CN and en) and the next instant at which the colour could change with
 * no new event. Pure: the clock is a parameter. Rules and sources: docs/capabilities/health-code-rules.md.
 *
 * Choices:
 * - The colour is the most restrictive of the reasons (red > yellow > green); grey only for a person
 *   who is not registered. A colour with no reason is impossible: nothing on record gives one green
 *   reason ("无风险记录"), so the person always sees why.
 * - A manual override, approved by two users and unexpired, sets the colour while it lasts (never
 *   longer than the pack's `override.maxHours` after approval). The rule reasons are still listed after
 *   it: they are what applies when it expires.
 * - Contacts and cases hold their colour until a quarantine placement is released at or after their
 *   classification (release from isolation or discharge); home health monitoring then holds its own
 *   colour until the phase's last day ends (Beijing time).
 * - "N negatives in D days ≥ H hours apart" counts results sampled after the fact (for co-presence,
 *   after the overlap ended), any D-day window, each counted test at least H hours after the previous.
 */
import { type PhaseKind, PHASE_LABELS } from "../quarantine/schedule.ts";
import { SITE_KIND_LABELS } from "../quarantine/sites.ts";
import type { Message } from "../shared/result.ts";
import { addDays, shanghaiDateOf } from "../shared/shanghai-time.ts";
import { CASE_CLASSIFICATION_LABELS, type CaseClassification } from "../tracing/cases.ts";
import { AREA_KIND_LABELS } from "../zones/area.ts";
import {
  type CodeColour,
  COLOUR_RANK,
  type HealthCodePolicy,
  type NegativeTests,
  type RuleColour,
} from "./policy.ts";

/** What the server knows about one person, gathered from the database for `computeColour`. */
export interface PersonFacts {
  /** false: no such registered person → grey. */
  known: boolean;
  cases: {
    id: string;
    classification: string;
    reportedAt: Date;
    status: "investigating" | "closed";
    closedAt: Date | null;
  }[];
  contacts: {
    caseId: string;
    kind: "close" | "secondary" | "general";
    lastExposureAt: Date;
    classifiedAt: Date;
  }[];
  /** Quarantine placements with their course's phases (Beijing dates, inclusive). */
  placements: {
    id: string;
    siteKind: "centralized" | "designated_hospital" | "home";
    status: "placed" | "released" | "ended";
    placedAt: Date;
    releasedAt: Date | null;
    phases: {
      kind: "centralized_quarantine" | "quarantine" | "home_quarantine" | "home_health_monitoring";
      start: string;
      end: string;
    }[];
  }[];
  /** Risk areas / zones in force now that cover the person's current address region. */
  areas: {
    id: string;
    kind: "high" | "medium" | "low" | "sealed" | "controlled" | "precaution";
    placeName: string | null;
    regionName: string;
    validFrom: Date;
  }[];
  /** Positive-pool recalls (单管复核), newest first. */
  recalls: {
    barcode: string;
    createdAt: Date;
    retestResult: "negative" | "positive" | null;
    retestAt: Date | null;
  }[];
  /** The person's nucleic acid tests in the look-back the policy needs, newest first (sampledAt; result null = pending). */
  tests: {
    barcode: string;
    sampledAt: Date;
    single: boolean;
    result: "negative" | "positive" | "pool_positive" | null;
  }[];
  /** Co-presence contacts confirmed by an investigator (时空伴随). */
  coPresence: {
    caseId: string;
    basis: "venue" | "grid_cell";
    place: string;
    overlapTo: Date;
    confirmedAt: Date;
  }[];
  /** An approved, unexpired manual override (two users), if any. */
  override: {
    id: string;
    colour: CodeColour;
    reason: string;
    approvedAt: Date;
    expiresAt: Date;
  } | null;
}

/**
 * One reason for a colour. `code`: "unknown_person", "no_risk", "override", "case", "close_contact",
 * "secondary_contact", "general_contact", "quarantine", "home_health_monitoring", "risk_area",
 * "pool_recall", "positive_retest", "positive_test", "co_presence", "routine_test_overdue".
 * `clears`: what turns it back, or null when nothing is to be done (green, grey).
 */
export interface ColourReason {
  code: string;
  colour: CodeColour;
  since: Date;
  message: Message;
  clears: Message | null;
}

export interface ColourResult {
  colour: CodeColour;
  reasons: ColourReason[];
  /** The earliest future instant at which the colour could change with no new event, or null. */
  recheckAt: Date | null;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const OFFSET = 8 * HOUR;
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

const COLOUR_NAMES: Record<CodeColour, Message> = {
  red: { zh: "红码", en: "Red" },
  yellow: { zh: "黄码", en: "Yellow" },
  green: { zh: "绿码", en: "Green" },
  grey: { zh: "灰码", en: "Grey" },
};

/** "11月22日 08:10" / "22 Nov 08:10", Beijing time. */
function at(t: Date): Message {
  const b = new Date(t.getTime() + OFFSET);
  const hm = b.toISOString().slice(11, 16);
  return {
    zh: `${b.getUTCMonth() + 1}月${b.getUTCDate()}日 ${hm}`,
    en: `${b.getUTCDate()} ${MONTHS[b.getUTCMonth()]} ${hm}`,
  };
}

/** "11月30日" / "30 Nov" of a Beijing date "YYYY-MM-DD". */
function day(date: string): Message {
  const m = Number(date.slice(5, 7));
  const d = Number(date.slice(8, 10));
  return { zh: `${m}月${d}日`, en: `${d} ${MONTHS[m - 1]}` };
}

/** Midnight (Beijing) at the start of a Beijing date. */
function midnight(date: string): number {
  return Date.parse(`${date}T00:00:00+08:00`);
}

/** A reason whose message reads "<colour> since <time>: <what>; <clears>". */
function reason(
  code: string,
  colour: "red" | "yellow",
  since: Date,
  what: Message,
  clears: Message,
): ColourReason {
  const name = COLOUR_NAMES[colour];
  const t = at(since);
  return {
    code,
    colour,
    since,
    message: {
      zh: `${name.zh}（${t.zh} 起）：${what.zh}；${clears.zh}`,
      en: `${name.en} since ${t.en}: ${what.en}; ${clears.en}`,
    },
    clears,
  };
}

/** Released from a placement at or after `t` (release from isolation, discharge). */
function releasedSince(facts: PersonFacts, t: Date): boolean {
  return facts.placements.some(
    (p) => p.status === "released" && p.releasedAt !== null && p.releasedAt.getTime() >= t.getTime(),
  );
}

/**
 * The instant at which `rule` is met by the negative results sampled after `from`, or null: `count`
 * results, each at least `minHoursApart` after the previous one counted, the first and last within
 * `withinDays` days. Any positive result sampled after `from` means not met.
 */
export function negativesMet(tests: PersonFacts["tests"], from: Date, rule: NegativeTests): Date | null {
  const after = tests.filter((t) => t.sampledAt.getTime() > from.getTime());
  if (after.some((t) => t.result === "positive" || t.result === "pool_positive")) return null;
  const times = after
    .filter((t) => t.result === "negative" && (t.single || !rule.singleTubeOnly))
    .map((t) => t.sampledAt.getTime())
    .sort((a, b) => a - b);
  const gap = rule.minHoursApart * HOUR;
  const window = rule.withinDays === null ? Infinity : rule.withinDays * DAY;
  let best: number | null = null;
  for (let i = 0; i < times.length; i++) {
    // From a fixed first test, taking each next test as early as the gap allows ends the chain earliest.
    let n = 1;
    let last = times[i]!;
    for (let j = i + 1; j < times.length && n < rule.count; j++)
      if (times[j]! - last >= gap) {
        last = times[j]!;
        n++;
      }
    if (n >= rule.count && last - times[i]! <= window && (best === null || last < best)) best = last;
  }
  return best === null ? null : new Date(best);
}

function negativesText(rule: NegativeTests): Message {
  const tube = rule.singleTubeOnly ? { zh: "单管", en: " single-tube" } : { zh: "", en: "" };
  const within = rule.withinDays === null ? null : rule.withinDays;
  const apart = rule.minHoursApart > 0 ? rule.minHoursApart : null;
  return {
    zh:
      (within === null ? "" : `${within} 天内 `) +
      `${rule.count} 次${tube.zh}核酸检测阴性` +
      (apart === null ? "" : `（每次间隔不少于 ${apart} 小时）`),
    en:
      `${rule.count} negative${tube.en} test${rule.count === 1 ? "" : "s"}` +
      (within === null ? "" : ` within ${within} day${within === 1 ? "" : "s"}`) +
      (apart === null ? "" : `, at least ${apart} h apart`),
  };
}

const CONTACT_CODES = {
  close: "close_contact",
  secondary: "secondary_contact",
  general: "general_contact",
} as const;

const CONTACT_NAMES: Record<keyof typeof CONTACT_CODES, Message> = {
  close: { zh: "密切接触者", en: "a close contact" },
  secondary: { zh: "密接的密接（次密接）", en: "a secondary contact (contact of a close contact)" },
  general: { zh: "一般接触者", en: "a general contact" },
};

const ISOLATION: readonly PhaseKind[] = ["centralized_quarantine", "quarantine", "home_quarantine"];

function applies(c: RuleColour): c is "red" | "yellow" {
  return c !== null;
}

/**
 * The person's colour under the pack's rules at `now`, with its reasons (most restrictive first, then
 * oldest first) and the next instant at which it could change by time alone.
 */
export function computeColour(facts: PersonFacts, policy: HealthCodePolicy, now: Date): ColourResult {
  if (!facts.known)
    return {
      colour: "grey",
      reasons: [
        {
          code: "unknown_person",
          colour: "grey",
          since: now,
          message: {
            zh: "灰码：未找到您的人员登记信息，登记后生成健康码",
            en: "Grey: no registration is on record for you; your code is computed once you are registered",
          },
          clears: { zh: "完成人员登记后生成", en: "computed once you are registered" },
        },
      ],
      recheckAt: null,
    };

  const rules = policy.colours;
  const t = now.getTime();
  const today = shanghaiDateOf(t);
  const reasons: ColourReason[] = [];
  /** Future instants at which some rule's outcome changes by time alone. */
  const rechecks: number[] = [];
  /** Past instants at which a reason cleared (the green reason's "since"). */
  const cleared: number[] = [];
  const recheck = (x: number) => {
    if (x > t) rechecks.push(x);
  };

  // Cases (确诊、疑似、无症状).
  for (const c of facts.cases) {
    const colour = rules.cases.colour;
    if (!applies(colour) || !(rules.cases.classifications as string[]).includes(c.classification)) continue;
    const label = CASE_CLASSIFICATION_LABELS[c.classification as CaseClassification];
    const open =
      rules.cases.until === "closed" ? c.status === "investigating" : !releasedSince(facts, c.reportedAt);
    if (!open) continue;
    reasons.push(
      reason(
        "case",
        colour,
        c.reportedAt,
        { zh: `您被报告为${label.zh}`, en: `you were reported as a case: ${label.en.toLowerCase()}` },
        rules.cases.until === "closed"
          ? { zh: "病例流调结案后转码", en: "changes when the case investigation is closed" }
          : { zh: "出院或解除隔离后转码", en: "changes on discharge or release from isolation" },
      ),
    );
  }

  // Contacts (密接、次密接、一般接触者): one reason per kind still unreleased.
  for (const kind of ["close", "secondary", "general"] as const) {
    const colour = {
      close: rules.closeContacts,
      secondary: rules.secondaryContacts,
      general: rules.generalContacts,
    }[kind].colour;
    if (!applies(colour)) continue;
    const open = facts.contacts.filter((c) => c.kind === kind && !releasedSince(facts, c.classifiedAt));
    if (open.length === 0) continue;
    const since = new Date(Math.min(...open.map((c) => c.classifiedAt.getTime())));
    const last = new Date(Math.max(...open.map((c) => c.lastExposureAt.getTime())));
    const exposure = at(last);
    reasons.push(
      reason(
        CONTACT_CODES[kind],
        colour,
        since,
        {
          zh: `您被判定为${CONTACT_NAMES[kind].zh}（末次暴露 ${exposure.zh}）`,
          en: `you were identified as ${CONTACT_NAMES[kind].en} (last exposure ${exposure.en})`,
        },
        { zh: "解除隔离管控后转码", en: "changes when you are released from quarantine" },
      ),
    );
  }

  // Quarantine placements and their phases.
  for (const p of facts.placements) {
    if (p.status === "placed") {
      const phase = p.phases.find((ph) => ph.start <= today && today <= ph.end) ?? null;
      const siteColour = rules.placements.sites[p.siteKind];
      const phaseColour = phase === null ? null : rules.placements.phases[phase.kind];
      const colour =
        siteColour === null
          ? phaseColour
          : phaseColour === null || COLOUR_RANK[siteColour] >= COLOUR_RANK[phaseColour]
            ? siteColour
            : phaseColour;
      for (const ph of p.phases) {
        recheck(midnight(ph.start));
        recheck(midnight(addDays(ph.end, 1)));
      }
      if (!applies(colour)) continue;
      const site = SITE_KIND_LABELS[p.siteKind];
      const span =
        phase === null
          ? { zh: "", en: "" }
          : {
              zh: `（${PHASE_LABELS[phase.kind].zh} ${day(phase.start).zh}～${day(phase.end).zh}）`,
              en: ` (${PHASE_LABELS[phase.kind].en} ${day(phase.start).en} to ${day(phase.end).en})`,
            };
      reasons.push(
        reason(
          "quarantine",
          colour,
          p.placedAt,
          p.siteKind === "home"
            ? { zh: `您正在居家隔离${span.zh}`, en: `you are in home quarantine${span.en}` }
            : p.siteKind === "designated_hospital"
              ? { zh: `您正在定点医院${span.zh}`, en: `you are in a designated hospital${span.en}` }
              : {
                  zh: `您正在${site.zh}集中隔离${span.zh}`,
                  en: `you are in centralized quarantine at a ${site.en.toLowerCase()}${span.en}`,
                },
          p.siteKind === "designated_hospital"
            ? { zh: "出院后转码", en: "changes on discharge" }
            : { zh: "解除隔离后转码", en: "changes when you are released" },
        ),
      );
      continue;
    }
    if (p.status !== "released" || p.releasedAt === null) continue;
    cleared.push(p.releasedAt.getTime());
    // After release only the phases that follow isolation (home health monitoring) still apply.
    for (const ph of p.phases) {
      if (ISOLATION.includes(ph.kind)) continue;
      const colour = rules.placements.phases[ph.kind];
      if (!applies(colour)) continue;
      const ends = midnight(addDays(ph.end, 1));
      recheck(midnight(ph.start));
      recheck(ends);
      if (ends <= t) cleared.push(ends);
      if (!(ph.start <= today && today <= ph.end)) continue;
      const since = new Date(Math.max(p.releasedAt.getTime(), midnight(ph.start)));
      reasons.push(
        reason(
          ph.kind,
          colour,
          since,
          {
            zh: `您在${PHASE_LABELS[ph.kind].zh}期内（${day(ph.start).zh}～${day(ph.end).zh}）`,
            en: `you are in ${PHASE_LABELS[ph.kind].en} (${day(ph.start).en} to ${day(ph.end).en})`,
          },
          {
            zh: `监测期至 ${day(ph.end).zh}，期满后转绿`,
            en: `green when it ends after ${day(ph.end).en}`,
          },
        ),
      );
    }
  }

  // Risk areas and zones covering the current address.
  for (const a of facts.areas) {
    const colour = rules.areas[a.kind] ?? null;
    if (!applies(colour)) continue;
    const place = a.placeName === null ? a.regionName : `${a.regionName}${a.placeName}`;
    const place_en = a.placeName === null ? a.regionName : `${a.placeName}, ${a.regionName}`;
    const kind = AREA_KIND_LABELS[a.kind];
    reasons.push(
      reason(
        "risk_area",
        colour,
        a.validFrom,
        {
          zh: `您的现住址所在的${place}为${kind.zh}`,
          en: `your current address, in ${place_en}, is in a ${kind.en.toLowerCase()}`,
        },
        {
          zh: `${kind.zh}解除或降级后转码`,
          en: `changes when the ${kind.en.toLowerCase()} is lifted or downgraded`,
        },
      ),
    );
  }

  /**
   * A positive result at `s` holds for the pack's days, unless a case record reported within those days
   * of it (either side) takes over: null when it no longer gives a colour, else what clears it.
   */
  const positiveDays = rules.positiveTest.days * DAY;
  const positiveWindow = (s: number): Message | null => {
    if (facts.cases.some((c) => Math.abs(c.reportedAt.getTime() - s) <= positiveDays)) return null;
    const ends = s + positiveDays;
    if (ends <= t) {
      cleared.push(ends);
      return null;
    }
    recheck(ends);
    const until = at(new Date(ends));
    return {
      zh: `待疾控机构研判；无病例记录则于 ${until.zh} 后转码`,
      en: `the CDC reviews it; with no case record it changes after ${until.en}`,
    };
  };

  // Positive pools (混管阳性) and their single-tube retests.
  const retestWindows: [number, number][] = [];
  const pools = new Map<string, { flaggedAt: Date; sampledAt: Date | null }>();
  for (const r of facts.recalls) {
    const sampled = facts.tests.find((x) => x.barcode === r.barcode)?.sampledAt ?? null;
    if (r.retestResult === "negative") {
      if (r.retestAt !== null) cleared.push(r.retestAt.getTime());
      pools.delete(r.barcode);
      continue;
    }
    if (r.retestResult === "positive") {
      const end = r.retestAt ?? r.createdAt;
      retestWindows.push([r.createdAt.getTime(), end.getTime()]);
      const window = positiveWindow(end.getTime());
      if (applies(rules.poolRecall.retestPositive) && window !== null) {
        const s = at(sampled ?? r.createdAt);
        reasons.push(
          reason(
            "positive_retest",
            rules.poolRecall.retestPositive,
            end,
            {
              zh: `您 ${s.zh} 采样的混管 ${r.barcode} 阳性，单管复核结果为阳性`,
              en: `pooled tube ${r.barcode} with your sample of ${s.en} was positive, and your single-tube retest was positive`,
            },
            window,
          ),
        );
      }
      continue;
    }
    if (!pools.has(r.barcode)) pools.set(r.barcode, { flaggedAt: r.createdAt, sampledAt: sampled });
  }
  // A pool positive the lab has reported but no recall yet: the same rule.
  for (const x of facts.tests)
    if (
      (x.result === "pool_positive" || (x.result === "positive" && !x.single)) &&
      !facts.recalls.some((r) => r.barcode === x.barcode)
    )
      pools.set(x.barcode, { flaggedAt: x.sampledAt, sampledAt: x.sampledAt });
  if (applies(rules.poolRecall.colour))
    for (const [barcode, pool] of pools) {
      const from = pool.sampledAt ?? pool.flaggedAt;
      const retests = facts.tests
        .filter((x) => x.single && x.result === "negative" && x.sampledAt.getTime() > from.getTime())
        .map((x) => x.sampledAt.getTime());
      if (retests.length > 0) {
        cleared.push(Math.min(...retests));
        continue;
      }
      const s = at(from);
      reasons.push(
        reason(
          "pool_recall",
          rules.poolRecall.colour,
          pool.flaggedAt,
          {
            zh: `您 ${s.zh} 采样的混管 ${barcode} 阳性，需单管复核`,
            en: `pooled tube ${barcode} with your sample of ${s.en} was positive; a single-tube retest is needed`,
          },
          { zh: "单管复核阴性后转绿", en: "green after a negative single-tube retest" },
        ),
      );
    }

  // A positive single-tube result.
  if (applies(rules.positiveTest.colour))
    for (const x of facts.tests) {
      if (x.result !== "positive" || !x.single) continue;
      const s = x.sampledAt.getTime();
      if (x.single && retestWindows.some(([a, b]) => s >= a && s <= b)) continue;
      const window = positiveWindow(s);
      if (window === null) continue;
      const sampled = at(x.sampledAt);
      reasons.push(
        reason(
          "positive_test",
          rules.positiveTest.colour,
          x.sampledAt,
          {
            zh: `您 ${sampled.zh} 采样的核酸 ${x.barcode} 检测阳性`,
            en: `your nucleic acid test ${x.barcode} sampled on ${sampled.en} was positive`,
          },
          window,
        ),
      );
    }

  // Co-presence contacts (时空伴随者) confirmed by an investigator.
  const cp = rules.coPresence;
  if (applies(cp.colour))
    for (const c of facts.coPresence) {
      const met = negativesMet(facts.tests, c.overlapTo, cp.clearedBy);
      const monitored = c.overlapTo.getTime() + cp.monitorDays * DAY;
      if (met !== null) {
        const clearAt = Math.max(met.getTime(), monitored);
        if (clearAt <= t) {
          cleared.push(clearAt);
          continue;
        }
        recheck(clearAt);
      }
      const when = at(c.overlapTo);
      const where =
        c.basis === "venue"
          ? { zh: `在${c.place}`, en: `at ${c.place}` }
          : { zh: `在同一网格（${c.place}）`, en: `in the same grid cell (${c.place})` };
      const tests = negativesText(cp.clearedBy);
      reasons.push(
        reason(
          "co_presence",
          cp.colour,
          c.confirmedAt,
          {
            zh: `经流调核实，您${where.zh}与病例时空伴随（至 ${when.zh}）`,
            en: `an investigator confirmed you were ${where.en} at the same time as a case (until ${when.en})`,
          },
          cp.monitorDays > 0
            ? {
                zh: `自 ${when.zh} 起健康监测 ${cp.monitorDays} 天且${tests.zh}后转绿`,
                en: `green after ${cp.monitorDays} days of monitoring from ${when.en} and ${tests.en}`,
              }
            : { zh: `${tests.zh}后转绿`, en: `green after ${tests.en}` },
        ),
      );
    }

  // Routine screening (常态化核酸): no sampling in the last N days.
  const routine = rules.routineTest;
  if (routine.everyDays !== null && applies(routine.colour)) {
    const last = facts.tests.reduce<Date | null>(
      (m, x) => (m === null || x.sampledAt.getTime() > m.getTime() ? x.sampledAt : m),
      null,
    );
    const due = last === null ? null : last.getTime() + routine.everyDays * DAY;
    if (due !== null && due > t) recheck(due);
    else {
      if (due !== null) cleared.push(due);
      const every = {
        zh: `按规定每 ${routine.everyDays} 天至少采样 1 次`,
        en: `routine testing is due every ${routine.everyDays} days`,
      };
      const lastText =
        last === null
          ? {
              zh: `近 ${routine.everyDays} 天内无您的采样记录`,
              en: `no sample of yours is on record in the last ${routine.everyDays} days`,
            }
          : { zh: `您上次采样为 ${at(last).zh}`, en: `your last sample was taken on ${at(last).en}` };
      reasons.push(
        reason(
          "routine_test_overdue",
          routine.colour,
          new Date(due ?? t - routine.everyDays * DAY),
          { zh: `${every.zh}，${lastText.zh}`, en: `${every.en}; ${lastText.en}` },
          { zh: "完成核酸采样后转绿", en: "green once you are sampled" },
        ),
      );
    }
  }

  reasons.sort(
    (a, b) => COLOUR_RANK[b.colour] - COLOUR_RANK[a.colour] || a.since.getTime() - b.since.getTime(),
  );
  if (reasons.length === 0) {
    // Green since the last reason cleared, when the facts say; otherwise since now.
    const past = cleared.filter((x) => x <= t);
    reasons.push({
      code: "no_risk",
      colour: "green",
      since: new Date(past.length === 0 ? t : Math.max(...past)),
      message: { zh: "绿码：无风险记录", en: "Green: nothing on record puts you at risk" },
      clears: null,
    });
  }
  let colour = reasons[0]!.colour;

  const o = facts.override;
  if (o !== null) {
    const expires = Math.min(o.expiresAt.getTime(), o.approvedAt.getTime() + policy.override.maxHours * HOUR);
    if (o.approvedAt.getTime() <= t && t < expires) {
      colour = o.colour;
      recheck(expires);
      const name = COLOUR_NAMES[o.colour];
      const from = at(o.approvedAt);
      const to = at(new Date(expires));
      const clears = {
        zh: `${to.zh} 到期后按规则重新判定`,
        en: `the rules apply again when it expires on ${to.en}`,
      };
      reasons.unshift({
        code: "override",
        colour: o.colour,
        since: o.approvedAt,
        message: {
          zh: `${name.zh}（人工调整，${from.zh} 起至 ${to.zh}）：${o.reason}；${clears.zh}`,
          en: `${name.en}, set by hand from ${from.en} until ${to.en}: ${o.reason}; ${clears.en}`,
        },
        clears,
      });
    } else recheck(o.approvedAt.getTime());
  }

  return { colour, reasons, recheckAt: rechecks.length === 0 ? null : new Date(Math.min(...rechecks)) };
}

/**
 * The earliest sampling time of the tests `computeColour` needs for these facts: the positive-test
 * window, the routine-test interval, and every co-presence overlap's end (negatives after it count).
 * The server also gives the tests whose barcode a recall names, whatever their date.
 */
export function testsNeededSince(
  facts: Pick<PersonFacts, "coPresence">,
  policy: HealthCodePolicy,
  now: Date,
): Date {
  const rules = policy.colours;
  const days = Math.max(rules.positiveTest.days, rules.routineTest.everyDays ?? 0);
  return new Date(
    Math.min(now.getTime() - days * DAY, ...facts.coPresence.map((c) => c.overlapTo.getTime())),
  );
}
