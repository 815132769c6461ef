/**
 * Isolation-room capacity per county against the standard of seed 000. Pure.
 */
import type { FieldError, Message, Validated } from "../shared/result.ts";
import { fieldError } from "../shared/result.ts";

/**
 * Seed 000 (000_9ee1762a5fafba5d.txt): "按照以县区为单元隔离房间至少达到每万人20间的标准要求，提前储备充足的
 * 备用隔离场所，满足“应隔尽隔”需要。" — at least 20 rooms per 10,000 population, per county.
 */
export const ROOMS_PER_10000 = 20;
export const STANDARD_QUOTE =
  "按照以县区为单元隔离房间至少达到每万人20间的标准要求，提前储备充足的备用隔离场所，满足“应隔尽隔”需要。";

export interface CountyRooms {
  regionCode: string;
  population: number;
  /** Rooms in sites in use or ready (not out of service). */
  rooms: number;
  /** Rooms in reserve sites prepared in advance (备用隔离场所). */
  reserveRooms: number;
}

export interface CountyCapacity {
  regionCode: string;
  required: number;
  rooms: number;
  reserveRooms: number;
  /** Rooms missing without counting reserve sites (0 when the standard is met). */
  shortfall: number;
  /** Rooms missing when reserve sites are counted. */
  shortfallWithReserve: number;
  /** Rooms per 10,000 population, without and with reserve sites (one decimal). */
  perTenThousand: number;
  perTenThousandWithReserve: number;
  message: Message;
}

const count = (field: string, v: number, errors: FieldError[]) => {
  if (!Number.isInteger(v) || v < 0) {
    errors.push(
      fieldError(
        field,
        "capacity.not_a_count",
        `${field} 须为非负整数，收到 ${v}`,
        `${field} must be a whole number ≥ 0, got ${v}`,
      ),
    );
  }
};

/** Rooms a county needs ("at least": rounded up) and its shortfall with and without reserve sites. */
export function countyCapacity(
  county: CountyRooms,
  roomsPer10000: number = ROOMS_PER_10000,
): Validated<CountyCapacity> {
  const errors: FieldError[] = [];
  count("population", county.population, errors);
  count("rooms", county.rooms, errors);
  count("reserveRooms", county.reserveRooms, errors);
  if (!Number.isFinite(roomsPer10000) || roomsPer10000 <= 0) {
    errors.push(
      fieldError(
        "roomsPer10000",
        "capacity.invalid_standard",
        `标准须为正数，收到 ${roomsPer10000}`,
        `the standard must be positive, got ${roomsPer10000}`,
      ),
    );
  }
  if (errors.length) return { ok: false, errors };
  const required = Math.ceil((county.population * roomsPer10000) / 10_000);
  const withReserve = county.rooms + county.reserveRooms;
  const per = (rooms: number) =>
    county.population === 0 ? 0 : Math.round((rooms * 100_000) / county.population) / 10;
  const shortfall = Math.max(0, required - county.rooms);
  const shortfallWithReserve = Math.max(0, required - withReserve);
  return {
    ok: true,
    value: {
      regionCode: county.regionCode,
      required,
      rooms: county.rooms,
      reserveRooms: county.reserveRooms,
      shortfall,
      shortfallWithReserve,
      perTenThousand: per(county.rooms),
      perTenThousandWithReserve: per(withReserve),
      message:
        shortfallWithReserve > 0
          ? {
              zh: `需 ${required} 间（每万人 ${roomsPer10000} 间），含备用场所仍缺 ${shortfallWithReserve} 间`,
              en: `${required} rooms needed (${roomsPer10000} per 10,000); ${shortfallWithReserve} short even with reserve sites`,
            }
          : shortfall > 0
            ? {
                zh: `需 ${required} 间（每万人 ${roomsPer10000} 间），现有缺 ${shortfall} 间，计入备用场所后达标`,
                en: `${required} rooms needed (${roomsPer10000} per 10,000); ${shortfall} short, met with reserve sites`,
              }
            : {
                zh: `需 ${required} 间（每万人 ${roomsPer10000} 间），现有 ${county.rooms} 间，达标`,
                en: `${required} rooms needed (${roomsPer10000} per 10,000); ${county.rooms} in place, standard met`,
              },
    },
  };
}
