/**
 * Placement rules (安置): which free rooms suit a household at a site, whether the site suits the
 * measures, the closed loop from identification to arrival, whether a test date falls inside the
 * person's stay, the transfer's times, and extension and early release. Pure: every time is a
 * parameter; every refusal is a bilingual field error.
 *
 * Choices (docs/capabilities/quarantine.md, "Placements (server)"):
 * - A household (同户) stays together in one room; a home site has no rooms (the home is the room).
 * - Room sizes (`ROOM_CAPACITY`) are Cordon's assumption: no shared source gives one.
 * - The closed loop runs from identification to arrival at the site, `CLOSED_LOOP_HOURS` = 48 (seed
 *   000: "对密接、次密接人员核一个、转一个、检一个、隔一个，一般疫情48小时、重大疫情72小时实现隔离管控闭环").
 */
import type { CombinedMeasures } from "../policies/engine.ts";
import { type FieldError, fieldError, type Message, type Validated } from "../shared/result.ts";
import { isDate, shanghaiDate } from "../shared/shanghai-time.ts";
import { type Course, ISOLATION_PHASES } from "./schedule.ts";
import type { RoomState, RoomType, SiteKind } from "./sites.ts";

/** Hours from identification to arrival at the site (seed 000: "一般疫情48小时、重大疫情72小时实现隔离管控闭环"). */
export const CLOSED_LOOP_HOURS = 48;

/** Most people one placement request takes (a household placed together). */
export const MAX_HOUSEHOLD = 20;

/**
 * How many people of one household a room holds. Cordon's assumption (no source gives room sizes):
 * a family suite holds a household of up to 6; single, accessible and negative-pressure rooms one.
 */
export const ROOM_CAPACITY: Record<RoomType, number> = {
  single: 1,
  accessible: 1,
  negative_pressure: 1,
  double: 2,
  family: 6,
};

export interface RoomForSuggestion {
  id: string;
  number: string;
  type: RoomType;
  state: RoomState;
}

export interface RoomSuggestion {
  id: string;
  number: string;
  type: RoomType;
  capacity: number;
}

export interface Suggestions {
  /** Free rooms that take the whole household, best first. */
  rooms: RoomSuggestion[];
  /** Why there are none, or what the site kind means. */
  message: Message | null;
}

/** Room numbers in natural order (A2 before A10). */
const byNumber = (a: { number: string }, b: { number: string }) =>
  a.number.length - b.number.length || (a.number < b.number ? -1 : a.number > b.number ? 1 : 0);

/**
 * Free rooms of a site for a household of `people`, kept together: each suggestion takes them all.
 * For more than one person, family suites come first (a family of 3 goes to a family suite, not two
 * doubles), then the smallest room that fits; for one person, the smallest room first. A home site
 * has no rooms to suggest. The rooms come with their effective state: a room with people placed in it
 * is occupied, whatever is stored.
 */
export function suggestRooms(
  siteKind: SiteKind,
  rooms: readonly RoomForSuggestion[],
  people: number,
): Validated<Suggestions> {
  if (!Number.isInteger(people) || people < 1 || people > MAX_HOUSEHOLD) {
    return {
      ok: false,
      errors: [
        fieldError(
          "people",
          "suggestion.people",
          `人数应为 1 至 ${MAX_HOUSEHOLD} 的整数`,
          `The number of people is a whole number from 1 to ${MAX_HOUSEHOLD}`,
        ),
      ],
    };
  }
  if (siteKind === "home") {
    return {
      ok: true,
      value: {
        rooms: [],
        message: {
          zh: "居家隔离不分配房间：住所即隔离场所",
          en: "Home quarantine takes no room: the home is the place of quarantine",
        },
      },
    };
  }
  const fits = rooms
    .filter((r) => r.state === "free" && ROOM_CAPACITY[r.type] >= people)
    .map((r) => ({ id: r.id, number: r.number, type: r.type, capacity: ROOM_CAPACITY[r.type] }))
    .sort((a, b) => {
      if (people > 1) {
        const fa = a.type === "family" ? 0 : 1;
        const fb = b.type === "family" ? 0 : 1;
        if (fa !== fb) return fa - fb;
      }
      return a.capacity - b.capacity || byNumber(a, b);
    });
  return {
    ok: true,
    value: {
      rooms: fits,
      message: fits.length
        ? null
        : {
            zh: `没有能让 ${people} 人同住的空闲房间`,
            en: `No free room takes ${people} ${people === 1 ? "person" : "people"} together`,
          },
    },
  };
}

export interface RoomCheck {
  siteKind: SiteKind;
  /**
   * The room asked for, with its effective state (occupied while people are placed in it); null: it
   * is not one of the site's rooms.
   */
  room: { number: string; type: RoomType; state: RoomState } | null;
  roomId: string | null;
  householdSize: number;
  /** People placed in the room now (another household). */
  occupants: number;
}

/** Whether a household may be placed in the room asked for (or in none). */
export function checkRoom(c: RoomCheck): FieldError[] {
  if (c.roomId === null) return [];
  if (c.siteKind === "home")
    return [
      fieldError(
        "roomId",
        "placement.home_no_room",
        "居家隔离不分配房间，请不要选择房间",
        "Home quarantine takes no room; leave the room empty",
      ),
    ];
  if (!c.room)
    return [
      fieldError(
        "roomId",
        "placement.room_not_at_site",
        "该房间不属于所选隔离场所",
        "This room is not one of the chosen site's rooms",
      ),
    ];
  if (c.occupants > 0 || c.room.state === "occupied")
    return [
      fieldError(
        "roomId",
        "placement.room_taken",
        `房间 ${c.room.number} 已住有其他家庭（同户人员须一次安置）`,
        `Room ${c.room.number} already holds another household (a household is placed together)`,
      ),
    ];
  if (c.room.state !== "free")
    return [
      fieldError(
        "roomId",
        "placement.room_not_free",
        `房间 ${c.room.number} 当前不可入住（${c.room.state === "cleaning" ? "终末消毒中" : "停用"}）`,
        `Room ${c.room.number} cannot be used now (${c.room.state === "cleaning" ? "being cleaned" : "out of service"})`,
      ),
    ];
  const cap = ROOM_CAPACITY[c.room.type];
  if (cap < c.householdSize)
    return [
      fieldError(
        "roomId",
        "placement.room_too_small",
        `房间 ${c.room.number} 最多住 ${cap} 人，此户 ${c.householdSize} 人`,
        `Room ${c.room.number} holds at most ${cap}; this household is ${c.householdSize}`,
      ),
    ];
  return [];
}

/**
 * Whether the site suits the measures: centralized quarantine is not done at home (a home site
 * takes only people whose measures are home quarantine or monitoring).
 */
export function checkSiteForMeasures(siteKind: SiteKind, measures: CombinedMeasures): FieldError[] {
  if (siteKind === "home" && measures.centralizedQuarantine)
    return [
      fieldError(
        "siteId",
        "placement.needs_centralized",
        "规则包要求集中隔离，不能安置在居家隔离场所",
        "The pack requires centralized quarantine; this person cannot be placed in home quarantine",
      ),
    ];
  return [];
}

/** Whether the measures give a course to place someone for: an isolation phase with a number of days. */
export function hasIsolationDays(measures: CombinedMeasures): boolean {
  return [measures.centralizedQuarantine, measures.quarantine, measures.homeQuarantine].some(
    (m) => m !== undefined && typeof m.days === "number",
  );
}

/** The last day of isolation as the course has it (home health monitoring follows release). */
export function plannedEndOf(course: Course): string | null {
  const iso = course.phases.filter((p) => ISOLATION_PHASES.includes(p.kind));
  const phases = iso.length ? iso : course.phases;
  return phases.length ? (phases[phases.length - 1]!.end ?? null) : null;
}

export interface ClosedLoop {
  identifiedAt: string;
  arrivedAt: string | null;
  /** Hours from identification to arrival, one decimal; null until arrival. */
  hours: number | null;
  limitHours: number;
  withinLimit: boolean | null;
}

/** The closed loop (identified → arrived at the site) against the limit. */
export function closedLoop(
  identifiedAt: Date,
  arrivedAt: Date | null,
  limitHours = CLOSED_LOOP_HOURS,
): ClosedLoop {
  const hours =
    arrivedAt === null ? null : Math.round((arrivedAt.getTime() - identifiedAt.getTime()) / 360_000) / 10;
  return {
    identifiedAt: identifiedAt.toISOString(),
    arrivedAt: arrivedAt?.toISOString() ?? null,
    hours,
    limitHours,
    withinLimit: hours === null ? null : hours <= limitHours,
  };
}

/** The person's stay: placed on, released on (null while placed), and today. */
export interface StayDates {
  placedOn: string;
  releasedOn: string | null;
  today: string;
}

/** Whether a sample date is a day the person was at the site (placement to release, not after today). */
export function checkSampleDate(stay: StayDates, sampledOn: string): FieldError[] {
  if (!isDate(sampledOn))
    return [
      fieldError(
        "sampledOn",
        "result.invalid_date",
        `${sampledOn} 不是有效日期`,
        `${sampledOn} is not a valid date`,
      ),
    ];
  if (sampledOn < stay.placedOn)
    return [
      fieldError(
        "sampledOn",
        "result.before_placement",
        `采样日期 ${sampledOn} 早于安置日期 ${stay.placedOn}，此人当时不在隔离点`,
        `The sample date ${sampledOn} is before the placement on ${stay.placedOn}; the person was not there`,
      ),
    ];
  if (stay.releasedOn !== null && sampledOn > stay.releasedOn)
    return [
      fieldError(
        "sampledOn",
        "result.after_release",
        `采样日期 ${sampledOn} 晚于解除日期 ${stay.releasedOn}，此人当时已离开`,
        `The sample date ${sampledOn} is after the release on ${stay.releasedOn}; the person had left`,
      ),
    ];
  if (sampledOn > stay.today)
    return [
      fieldError(
        "sampledOn",
        "result.in_future",
        `采样日期 ${sampledOn} 晚于今天 ${stay.today}`,
        `The sample date ${sampledOn} is after today, ${stay.today}`,
      ),
    ];
  return [];
}

/** The closed-loop transfer's times: picked up, then arrived, neither in the future. */
export function checkTransfer(t: { pickedUpAt: Date; arrivedAt: Date | null }, now: Date): FieldError[] {
  const errors: FieldError[] = [];
  if (t.pickedUpAt.getTime() > now.getTime())
    errors.push(
      fieldError(
        "pickedUpAt",
        "transfer.in_future",
        "接车时间不能晚于现在",
        "The pick-up time is in the future",
      ),
    );
  if (t.arrivedAt !== null) {
    if (t.arrivedAt.getTime() < t.pickedUpAt.getTime())
      errors.push(
        fieldError(
          "arrivedAt",
          "transfer.arrived_before_pickup",
          "到达时间早于接车时间",
          "The arrival time is before the pick-up time",
        ),
      );
    else if (t.arrivedAt.getTime() > now.getTime())
      errors.push(
        fieldError(
          "arrivedAt",
          "transfer.in_future",
          "到达时间不能晚于现在",
          "The arrival time is in the future",
        ),
      );
  }
  return errors;
}

const reasonRequired = (what: Message) =>
  fieldError("reason", "placement.reason_required", `${what.zh}须说明原因`, `${what.en} needs a reason`);

/** An extension: a later last day than now planned, with a reason. */
export function checkExtension(
  current: string | null,
  input: { plannedEnd: string; reason?: string | null | undefined },
): FieldError[] {
  const errors: FieldError[] = [];
  if (!input.reason?.trim()) errors.push(reasonRequired({ zh: "延长隔离", en: "An extension" }));
  if (!isDate(input.plannedEnd))
    errors.push(
      fieldError(
        "plannedEnd",
        "extend.invalid_date",
        `${input.plannedEnd} 不是有效日期`,
        `${input.plannedEnd} is not a valid date`,
      ),
    );
  else if (current !== null && input.plannedEnd <= current)
    errors.push(
      fieldError(
        "plannedEnd",
        "extend.not_later",
        `延长后的结束日期须晚于现定结束日期 ${current}`,
        `The new last day must be after the planned last day, ${current}`,
      ),
    );
  return errors;
}

/** A release's time: not before the placement, not in the future; early release needs a reason. */
export function checkReleaseTime(
  placedAt: Date,
  at: Date,
  now: Date,
  kind: "on_schedule" | "early",
  reason: string | null | undefined,
): FieldError[] {
  const errors: FieldError[] = [];
  if (kind === "early" && !reason?.trim())
    errors.push(reasonRequired({ zh: "提前解除", en: "Early release" }));
  if (at.getTime() < placedAt.getTime())
    errors.push(
      fieldError(
        "at",
        "release.before_placement",
        `解除时间早于安置时间（${shanghaiDate(placedAt.toISOString())}）`,
        `The release time is before the placement (${shanghaiDate(placedAt.toISOString())})`,
      ),
    );
  else if (at.getTime() > now.getTime())
    errors.push(
      fieldError("at", "release.in_future", "解除时间不能晚于现在", "The release time is in the future"),
    );
  return errors;
}

export interface DayResult {
  sampledOn: string;
  sample: string;
  outcome: "negative" | "positive" | "pending";
  labReference: string;
}

export interface DueTest<R = DayResult> {
  date: string;
  dayNumber: number;
  phase: string;
  sample: string;
  result: R | null;
}

/**
 * The course's tests due on `date`, each with its result if one was recorded that day, and the tests
 * missed before it: appointments from placement to the day before `date` with no result.
 */
export function testsOfDay<R extends Pick<DayResult, "sampledOn"> = DayResult>(
  appointments: readonly Pick<
    Course["appointments"][number],
    "date" | "dayNumber" | "phase" | "sample" | "beforePlacement"
  >[],
  results: readonly R[],
  date: string,
): { due: DueTest<R>[]; missed: DueTest<R>[] } {
  const due: DueTest<R>[] = [];
  const missed: DueTest<R>[] = [];
  for (const a of appointments) {
    if (a.beforePlacement || a.date > date) continue;
    const result = results.find((r) => r.sampledOn === a.date) ?? null;
    const t = { date: a.date, dayNumber: a.dayNumber, phase: a.phase, sample: a.sample, result };
    if (a.date === date) due.push(t);
    else if (!result) missed.push(t);
  }
  return { due, missed };
}
