/**
 * Quarantine sites and their rooms: kinds, room types and states, the transitions a room may make, and
 * the validation of a site and of a bulk room range. Pure.
 */
import { regionLevel } from "../regions/region-code.ts";
import { type FieldError, fieldError, type Message, type Validated } from "../shared/result.ts";

/**
 * centralized: a centralized quarantine site (集中隔离点, usually a hotel); designated_hospital: a
 * designated hospital (定点医院); home: home quarantine (居家隔离) as a site of its own, one per community.
 */
export type SiteKind = "centralized" | "designated_hospital" | "home";
export const SITE_KINDS: readonly SiteKind[] = ["centralized", "designated_hospital", "home"];
export const SITE_KIND_LABELS: Record<SiteKind, Message> = {
  centralized: { zh: "集中隔离点", en: "Centralized quarantine site" },
  designated_hospital: { zh: "定点医院", en: "Designated hospital" },
  home: { zh: "居家隔离", en: "Home quarantine" },
};

export type RoomType = "single" | "double" | "family" | "accessible" | "negative_pressure";
export const ROOM_TYPES: readonly RoomType[] = [
  "single",
  "double",
  "family",
  "accessible",
  "negative_pressure",
];
export const ROOM_TYPE_LABELS: Record<RoomType, Message> = {
  single: { zh: "单人间", en: "Single" },
  double: { zh: "双人间", en: "Double" },
  family: { zh: "家庭套间", en: "Family suite" },
  accessible: { zh: "无障碍间", en: "Accessible" },
  negative_pressure: { zh: "负压病房", en: "Negative-pressure room" },
};

export type RoomState = "free" | "occupied" | "cleaning" | "out_of_service";
export const ROOM_STATES: readonly RoomState[] = ["free", "occupied", "cleaning", "out_of_service"];
export const ROOM_STATE_LABELS: Record<RoomState, Message> = {
  free: { zh: "空闲", en: "Free" },
  occupied: { zh: "已入住", en: "Occupied" },
  cleaning: { zh: "终末消毒中", en: "Cleaning" },
  out_of_service: { zh: "停用", en: "Out of service" },
};

/**
 * Allowed changes of a room's stored state. What is stored is what staff set — free, cleaning, out of
 * service, or occupied by someone not in the registry — and what release leaves (cleaning, from free);
 * placing people never writes it: a room with people placed in it is occupied whatever is stored (its
 * effective state), and staff cannot change it by hand (`validateRoomChange`). A room someone has left
 * is disinfected (终末消毒) before anyone else moves in: occupied → cleaning → free. A room out of
 * service is disinfected before it returns: out of service → cleaning, never straight to free or
 * occupied. An occupied room is emptied (cleaning) before it is taken out of service.
 */
export const ROOM_TRANSITIONS: Record<RoomState, readonly RoomState[]> = {
  free: ["occupied", "cleaning", "out_of_service"],
  occupied: ["cleaning"],
  cleaning: ["free", "out_of_service"],
  out_of_service: ["cleaning"],
};

/** Most rooms one bulk request creates (a 1,000-room hotel at once is still one request). */
export const MAX_ROOMS_PER_BATCH = 1000;
export const MAX_ROOM_NUMBER = 999_999;

export function isSiteKind(k: string): k is SiteKind {
  return (SITE_KINDS as readonly string[]).includes(k);
}
export function isRoomType(k: string): k is RoomType {
  return (ROOM_TYPES as readonly string[]).includes(k);
}
export function isRoomState(k: string): k is RoomState {
  return (ROOM_STATES as readonly string[]).includes(k);
}

/** Whether a room may go from `from` to `to`; the refusal names the allowed next states. */
export function validateRoomTransition(from: RoomState, to: string): Validated<RoomState> {
  if (!isRoomState(to)) {
    return {
      ok: false,
      errors: [
        fieldError(
          "to",
          "room.unknown_state",
          `未知房间状态“${to}”，应为：${ROOM_STATES.map((s) => ROOM_STATE_LABELS[s].zh).join("、")}`,
          `Unknown room state "${to}"; one of: ${ROOM_STATES.join(", ")}`,
        ),
      ],
    };
  }
  if (!ROOM_TRANSITIONS[from].includes(to)) {
    const next = ROOM_TRANSITIONS[from];
    return {
      ok: false,
      errors: [
        fieldError(
          "to",
          "room.transition_not_allowed",
          `房间不能从“${ROOM_STATE_LABELS[from].zh}”直接变为“${ROOM_STATE_LABELS[to].zh}”，只能变为：${next.map((s) => ROOM_STATE_LABELS[s].zh).join("、")}`,
          `A room cannot go from ${from} straight to ${to}; allowed: ${next.join(", ")}`,
        ),
      ],
    };
  }
  return { ok: true, value: to };
}

/**
 * A change of a room's state by hand: refused while people are placed in it (they are released or
 * moved first: the room then goes to cleaning by itself), otherwise along `ROOM_TRANSITIONS` from its
 * stored state (which is then its effective state).
 */
export function validateRoomChange(
  room: { state: RoomState; placed: number },
  to: string,
): Validated<RoomState> {
  if (room.placed > 0)
    return {
      ok: false,
      errors: [
        fieldError(
          "to",
          "room.has_placed_people",
          "房间内有在隔人员，请先解除隔离或转移",
          "People are placed in this room: release or move them first",
        ),
      ],
    };
  return validateRoomTransition(room.state, to);
}

export interface SiteInput {
  kind: string;
  name: string;
  address?: string | null | undefined;
  regionCode: string;
  reserve?: boolean | undefined;
  capacityNote?: string | null | undefined;
}

export interface SiteFields {
  kind: SiteKind;
  name: string;
  address: string | null;
  regionCode: string;
  reserve: boolean;
  capacityNote: string | null;
}

const blank = (s: string | null | undefined) => !s || !s.trim();

/**
 * A site: a known kind, a name, an address (a home-quarantine "site" has none: it is the homes of one
 * community), a region inside one county (a home-quarantine site is exactly one community), and a
 * reserve flag (备用, prepared in advance; home quarantine cannot be a reserve).
 */
export function validateSite(input: SiteInput): Validated<SiteFields> {
  const errors: FieldError[] = [];
  const kind = input.kind;
  if (!isSiteKind(kind)) {
    errors.push(
      fieldError(
        "kind",
        "site.unknown_kind",
        `未知场所类型“${kind}”，应为：集中隔离点(centralized)、定点医院(designated_hospital)、居家隔离(home)`,
        `Unknown site kind "${kind}"; one of: ${SITE_KINDS.join(", ")}`,
      ),
    );
  }
  const name = input.name.trim();
  if (!name || name.length > 100)
    errors.push(
      fieldError(
        "name",
        "site.name_length",
        "场所名称应为1-100个字符",
        "A site name has 1 to 100 characters",
      ),
    );
  const address = blank(input.address) ? null : input.address!.trim();
  if (kind !== "home" && !address)
    errors.push(
      fieldError(
        "address",
        "site.address_required",
        "请填写隔离场所地址",
        "The address of the site is required",
      ),
    );
  if (address && address.length > 200)
    errors.push(
      fieldError(
        "address",
        "site.address_length",
        "地址最长200个字符",
        "An address has at most 200 characters",
      ),
    );
  const level = regionLevel(input.regionCode);
  if (kind === "home") {
    if (level !== "community")
      errors.push(
        fieldError(
          "regionCode",
          "site.home_community",
          "居家隔离按社区（村）设为一个场所，区划应为12位社区代码",
          "Home quarantine is one site per community: the region must be a 12-digit community code",
        ),
      );
  } else if (level !== "county" && level !== "township" && level !== "community" && level !== "grid") {
    errors.push(
      fieldError(
        "regionCode",
        "site.region_level",
        "隔离场所须位于某一县（区）内：区划应为县级或以下",
        "A site lies in one county: the region must be a county or below",
      ),
    );
  }
  const reserve = input.reserve ?? false;
  if (reserve && kind === "home")
    errors.push(
      fieldError(
        "reserve",
        "site.home_not_reserve",
        "居家隔离不能作为备用隔离场所",
        "Home quarantine cannot be a reserve site",
      ),
    );
  const capacityNote = blank(input.capacityNote) ? null : input.capacityNote!.trim();
  if (capacityNote && capacityNote.length > 1000)
    errors.push(
      fieldError(
        "capacityNote",
        "site.note_length",
        "容量说明最长1000个字符",
        "A capacity note has at most 1000 characters",
      ),
    );
  if (errors.length) return { ok: false, errors };
  return {
    ok: true,
    value: { kind: kind as SiteKind, name, address, regionCode: input.regionCode, reserve, capacityNote },
  };
}

export interface RoomRangeInput {
  from: number;
  to: number;
  prefix?: string | null | undefined;
  type: string;
}

/** Rooms from…to (both included), each numbered prefix + n ("A" + 101 → "A101"), of one type. */
export function validateRoomRange(input: RoomRangeInput): Validated<{ numbers: string[]; type: RoomType }> {
  const errors: FieldError[] = [];
  const whole = (field: "from" | "to", v: number) => {
    if (!Number.isInteger(v) || v < 1 || v > MAX_ROOM_NUMBER) {
      errors.push(
        fieldError(
          field,
          "room.number_range",
          `房间号须为1至${MAX_ROOM_NUMBER}之间的整数，收到 ${v}`,
          `A room number is a whole number from 1 to ${MAX_ROOM_NUMBER}, got ${v}`,
        ),
      );
      return false;
    }
    return true;
  };
  const okFrom = whole("from", input.from);
  const okTo = whole("to", input.to);
  if (okFrom && okTo) {
    if (input.to < input.from)
      errors.push(
        fieldError(
          "to",
          "room.range_order",
          `结束房间号 ${input.to} 小于起始房间号 ${input.from}`,
          `The last room number ${input.to} is below the first ${input.from}`,
        ),
      );
    else if (input.to - input.from + 1 > MAX_ROOMS_PER_BATCH)
      errors.push(
        fieldError(
          "to",
          "room.batch_too_large",
          `一次最多新建${MAX_ROOMS_PER_BATCH}间，收到 ${input.to - input.from + 1} 间`,
          `At most ${MAX_ROOMS_PER_BATCH} rooms at once, got ${input.to - input.from + 1}`,
        ),
      );
  }
  const prefix = (input.prefix ?? "").trim();
  if (!/^[A-Za-z0-9\u4e00-\u9fff]{0,10}$/.test(prefix))
    errors.push(
      fieldError(
        "prefix",
        "room.prefix_format",
        "房间号前缀最多10个字母、数字或汉字（如楼栋“A”或“3栋”）",
        'A room prefix has at most 10 letters, digits or Chinese characters (a building, e.g. "A")',
      ),
    );
  if (!isRoomType(input.type))
    errors.push(
      fieldError(
        "type",
        "room.unknown_type",
        `未知房型“${input.type}”，应为：${ROOM_TYPES.map((t) => `${ROOM_TYPE_LABELS[t].zh}(${t})`).join("、")}`,
        `Unknown room type "${input.type}"; one of: ${ROOM_TYPES.join(", ")}`,
      ),
    );
  if (errors.length) return { ok: false, errors };
  const numbers: string[] = [];
  for (let n = input.from; n <= input.to; n++) numbers.push(`${prefix}${n}`);
  return { ok: true, value: { numbers, type: input.type as RoomType } };
}

/**
 * Rooms that count toward a county's capacity: in a centralized site, not out of service (by effective
 * state: a room with people placed in it counts, as occupied).
 */
export function countsTowardCapacity(kind: SiteKind, state: RoomState): boolean {
  return kind === "centralized" && state !== "out_of_service";
}
