/**
 * Days in Asia/Shanghai (UTC+8, no daylight saving), whatever the server's time zone: deadlines "before
 * midnight", days without a new infection, every day of a quarantine course as "YYYY-MM-DD".
 */
import { parseInstant } from "../policies/pack-schema.ts";

const DAY = 86_400_000;
const OFFSET = 8 * 3_600_000;

/** The Beijing calendar date of an ISO date or datetime (dates and offset-less times are Beijing time). */
export function shanghaiDate(instant: string): string | null {
  const t = parseInstant(instant);
  return t === null ? null : new Date(t + OFFSET).toISOString().slice(0, 10);
}

/** Midnight (Beijing time) at the start of the day of the instant `t` (epoch milliseconds). */
export function shanghaiDayStart(t: number): number {
  return Math.floor((t + OFFSET) / DAY) * DAY - OFFSET;
}

/** "Before midnight of the day received": the next midnight, Beijing time. */
export function endOfShanghaiDay(receivedAt: Date): Date {
  return new Date(shanghaiDayStart(receivedAt.getTime()) + DAY);
}

/** The Beijing calendar date of an epoch-millisecond instant. */
export function shanghaiDateOf(t: number): string {
  return new Date(t + OFFSET).toISOString().slice(0, 10);
}

/** The date n days after (or before, n < 0) a date. */
export function addDays(date: string, n: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10);
}

/** Whole days from a to b (b − a); 0 for the same date. */
export function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / DAY);
}

/** True for a real calendar date written "YYYY-MM-DD". */
export function isDate(s: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && addDays(s, 0) === s;
}
