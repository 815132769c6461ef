/**
 * Downgrades and lifts of risk areas and zones proposed by the pack in force (a person confirms).
 * Pure: the designation, the facts recorded on it and the packs come in, the proposal with every
 * condition checked (met or not, with the dates behind it) comes out. See docs/capabilities/zones.md.
 */
import { isWithin } from "../regions/region-code.ts";
import type { LoadedPack, ZoningTransition } from "../policies/pack-schema.ts";
import type { Message } from "../shared/result.ts";
import { AREA_KIND_LABELS, type AreaKind } from "./area.ts";
import { shanghaiDateOf, shanghaiDayStart } from "../shared/shanghai-time.ts";

export type AreaEventKind = "new_infection" | "screening_round" | "last_contact_released";
export const AREA_EVENT_KINDS: readonly AreaEventKind[] = [
  "new_infection",
  "screening_round",
  "last_contact_released",
];

/** A fact staff recorded on a designation. */
export interface AreaEvent {
  id: string;
  kind: AreaEventKind;
  at: Date;
  /** screening_round only. */
  result: "negative" | "positive" | null;
}

export interface TransitionSubject {
  id: string;
  regionCode: string;
  kind: AreaKind;
  from: Date;
  /** Exclusive end; null = in force. */
  to: Date | null;
  /** The kind of the designation this one replaced by a downgrade, if it did. */
  previousKind: AreaKind | null;
}

export type ConditionCode =
  | "in_force"
  | "downgraded_from"
  | "days_without_new_infection"
  | "screening_negative"
  | "last_contact_released";

export interface ConditionCheck {
  code: ConditionCode;
  met: boolean;
  message: Message;
  /** The dated facts the check rests on (ISO instants). */
  dates: Record<string, string | null>;
}

export interface Proposal {
  designationId: string;
  fromKind: AreaKind;
  /** null = lift. */
  toKind: AreaKind | null;
  packId: string;
  packFile: string;
  transitionId: string;
  source: ZoningTransition["source"];
  note: ZoningTransition["note"] | null;
  /** The most specific pack in force when it is not the one whose zoning applies (it says nothing on zoning). */
  silentPackId: string | null;
  /** "ready": every condition holds at `at`; "pending": some do not yet. */
  status: "ready" | "pending";
  /** When the count of days without a new infection starts (the designation or the last new infection). */
  countFrom: string;
  /** When the days condition is (or will be) met. */
  daysMetAt: string;
  conditions: ConditionCheck[];
  /** Changes when the pack, transition or recorded facts change: a confirmation carries the one it saw. */
  fingerprint: string;
}

const DAY = 86_400_000;

const label = (k: AreaKind | null): Message =>
  k === null ? { zh: "解除", en: "lifted" } : AREA_KIND_LABELS[k];

/** The most specific pack in force for the region at `at` that says something about zoning. */
export function zoningPackInForce(
  packs: readonly LoadedPack[],
  regionCode: string,
  at: number,
): { pack: LoadedPack | null; silent: LoadedPack | null } {
  const inForce = packs
    .filter((p) => isWithin(p.pack.jurisdiction, regionCode))
    .filter((p) => p.from <= at && (p.to === null || at < p.to))
    .sort(
      (a, b) => b.pack.jurisdiction.replace(/0+$/, "").length - a.pack.jurisdiction.replace(/0+$/, "").length,
    );
  const pack = inForce.find((p) => p.pack.zoning?.length) ?? null;
  const top = inForce[0] ?? null;
  return { pack, silent: top && top !== pack ? top : null };
}

/** The first transition of the pack that applies to the designation's kind (and how it came about). */
export function transitionFor(pack: LoadedPack, d: TransitionSubject): ZoningTransition | null {
  return (
    (pack.pack.zoning ?? []).find(
      (t) => t.from === d.kind && (t.downgradedFrom === undefined || t.downgradedFrom === d.previousKind),
    ) ?? null
  );
}

/** A short hash of text (FNV-1a, 32 bits), enough to tell two versions of a proposal apart. */
function hash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, "0");
}

/**
 * The transition the pack in force proposes for a designation at `at`, with each condition checked;
 * null when no pack in force says anything about this kind of area.
 */
export function proposeTransition(input: {
  designation: TransitionSubject;
  events: readonly AreaEvent[];
  packs: readonly LoadedPack[];
  at: Date;
}): Proposal | null {
  const { designation: d, packs } = input;
  const at = input.at.getTime();
  if (Number.isNaN(at)) return null;
  const { pack, silent } = zoningPackInForce(packs, d.regionCode, at);
  if (!pack) return null;
  const t = transitionFor(pack, d);
  if (!t) return null;
  const events = input.events
    .filter((e) => e.at.getTime() <= at)
    .sort((a, b) => a.at.getTime() - b.at.getTime());
  const checks: ConditionCheck[] = [];

  const inForce = d.from.getTime() <= at && (d.to === null || at < d.to.getTime());
  checks.push({
    code: "in_force",
    met: inForce,
    message: inForce
      ? {
          zh: `自 ${shanghaiDateOf(d.from.getTime())} 起为${AREA_KIND_LABELS[d.kind].zh}，仍在生效`,
          en: `${AREA_KIND_LABELS[d.kind].en} since ${shanghaiDateOf(d.from.getTime())}, still in force`,
        }
      : {
          zh: `该划定在 ${shanghaiDateOf(at)} 未生效`,
          en: `The designation is not in force on ${shanghaiDateOf(at)}`,
        },
    dates: { from: d.from.toISOString(), to: d.to?.toISOString() ?? null },
  });

  if (t.downgradedFrom !== undefined) {
    checks.push({
      code: "downgraded_from",
      met: true,
      message: {
        zh: `由${AREA_KIND_LABELS[t.downgradedFrom].zh}降级而来`,
        en: `Opened by downgrading a ${AREA_KIND_LABELS[t.downgradedFrom].en.toLowerCase()}`,
      },
      dates: { from: d.from.toISOString() },
    });
  }

  const infections = events.filter((e) => e.kind === "new_infection" && e.at.getTime() >= d.from.getTime());
  const lastInfection = infections.at(-1) ?? null;
  const countFrom = Math.max(d.from.getTime(), lastInfection?.at.getTime() ?? 0);
  const day0 = shanghaiDayStart(countFrom);
  const n = t.conditions.daysWithoutNewInfection;
  const daysMetAt = day0 + (n + 1) * DAY;
  /** Day k is the k-th Beijing calendar day after the day the count starts; whole days completed by `at`. */
  const elapsed = Math.max(0, Math.floor((at - day0) / DAY) - 1);
  const since = lastInfection
    ? {
        zh: `最后一例新增感染 ${shanghaiDateOf(countFrom)}`,
        en: `last new infection ${shanghaiDateOf(countFrom)}`,
      }
    : {
        zh: `划定于 ${shanghaiDateOf(countFrom)}，此后无新增感染`,
        en: `designated ${shanghaiDateOf(countFrom)}, no new infection since`,
      };
  checks.push({
    code: "days_without_new_infection",
    met: at >= daysMetAt,
    message:
      at >= daysMetAt
        ? {
            zh: `连续 ${n} 天无新增感染（${since.zh}；第 ${n} 天为 ${shanghaiDateOf(daysMetAt - DAY)}）`,
            en: `${n} days without a new infection (${since.en}; day ${n} was ${shanghaiDateOf(daysMetAt - DAY)})`,
          }
        : {
            zh: `需连续 ${n} 天无新增感染，目前 ${Math.min(elapsed, n)} 天（${since.zh}；满 ${n} 天于 ${shanghaiDateOf(daysMetAt - DAY)} 结束时）`,
            en: `Needs ${n} days without a new infection, ${Math.min(elapsed, n)} so far (${since.en}; day ${n} ends ${shanghaiDateOf(daysMetAt - DAY)})`,
          },
    dates: { countFrom: new Date(countFrom).toISOString(), metAt: new Date(daysMetAt).toISOString() },
  });

  const s = t.conditions.screeningNegative;
  if (s) {
    const rounds = events.filter((e) => e.kind === "screening_round");
    let start: number;
    let end: number;
    let what: Message;
    if (s.onDay !== undefined) {
      start = day0 + s.onDay * DAY;
      end = start + DAY;
      what = {
        zh: `第 ${s.onDay} 天（${shanghaiDateOf(start)}）区域全员筛查阴性`,
        en: `Area-wide screening negative on day ${s.onDay} (${shanghaiDateOf(start)})`,
      };
    } else {
      const within = s.withinDaysBefore ?? 0;
      start = at - within * DAY;
      end = at + 1;
      what = {
        zh: `调整前 ${within} 天内（${shanghaiDateOf(start)} 起）完成一轮全员筛查且均为阴性`,
        en: `One area-wide screening round, all negative, within the ${within} days before (from ${shanghaiDateOf(start)})`,
      };
    }
    const inWindow = rounds.filter((r) => r.at.getTime() >= start && r.at.getTime() < end);
    const positive = inWindow.find((r) => r.result === "positive") ?? null;
    const negative = inWindow.find((r) => r.result === "negative") ?? null;
    const met = negative !== null && positive === null;
    checks.push({
      code: "screening_negative",
      met,
      message: met
        ? {
            zh: `${what.zh}：${shanghaiDateOf(negative.at.getTime())} 阴性`,
            en: `${what.en}: negative on ${shanghaiDateOf(negative.at.getTime())}`,
          }
        : positive
          ? {
              zh: `${what.zh}：${shanghaiDateOf(positive.at.getTime())} 有阳性`,
              en: `${what.en}: positive on ${shanghaiDateOf(positive.at.getTime())}`,
            }
          : { zh: `${what.zh}：尚无记录`, en: `${what.en}: none recorded` },
      dates: {
        windowStart: new Date(start).toISOString(),
        windowEnd: new Date(end).toISOString(),
        negativeAt: negative?.at.toISOString() ?? null,
        positiveAt: positive?.at.toISOString() ?? null,
      },
    });
  }

  if (t.conditions.lastContactReleased) {
    const released = events
      .filter((e) => e.kind === "last_contact_released" && e.at.getTime() >= countFrom)
      .at(-1);
    checks.push({
      code: "last_contact_released",
      met: !!released,
      message: released
        ? {
            zh: `最后一名密切接触者已于 ${shanghaiDateOf(released.at.getTime())} 解除管控`,
            en: `The last close contact was released on ${shanghaiDateOf(released.at.getTime())}`,
          }
        : {
            zh: `尚无“最后一名密切接触者解除管控”的记录（${shanghaiDateOf(countFrom)} 之后）`,
            en: `No release of the last close contact recorded (after ${shanghaiDateOf(countFrom)})`,
          },
      dates: { releasedAt: released?.at.toISOString() ?? null },
    });
  }

  const ready = checks.every((c) => c.met);
  return {
    designationId: d.id,
    fromKind: d.kind,
    toKind: t.to,
    packId: pack.pack.id,
    packFile: pack.file,
    transitionId: t.id,
    source: t.source,
    note: t.note ?? null,
    silentPackId: silent?.pack.id ?? null,
    status: ready ? "ready" : "pending",
    countFrom: new Date(countFrom).toISOString(),
    daysMetAt: new Date(daysMetAt).toISOString(),
    conditions: checks,
    fingerprint: hash(
      [
        pack.pack.id,
        t.id,
        d.id,
        d.kind,
        String(t.to),
        ...events.map((e) => `${e.id}:${e.kind}:${e.result}`),
      ].join("|"),
    ),
  };
}

/** A one-line bilingual summary, e.g. "高风险区 → 中风险区". */
export function transitionLabel(p: Pick<Proposal, "fromKind" | "toKind">): Message {
  return {
    zh: `${AREA_KIND_LABELS[p.fromKind].zh} → ${label(p.toKind).zh}`,
    en: `${AREA_KIND_LABELS[p.fromKind].en} → ${label(p.toKind).en}`,
  };
}
