/** The jurisdiction's time zone: days and deadlines are counted there (Asia/Shanghai unless configured). */
export const TIME_ZONE = process.env.CORDON_TIME_ZONE ?? "Asia/Shanghai";

/** The calendar date (YYYY-MM-DD) of an instant in the jurisdiction's time zone. */
export function localDate(instant: Date, timeZone = TIME_ZONE): string {
  return new Intl.DateTimeFormat("en-CA", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).format(instant);
}
