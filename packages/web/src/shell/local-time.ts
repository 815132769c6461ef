import dayjs from "dayjs";

/** The browser's time now as a datetime-local value, to the minute: what forms offer as "now". */
export const nowLocal = () => dayjs().format("YYYY-MM-DDTHH:mm");

/** An instant (ISO, any offset) as a datetime-local value in the browser's time, to the minute. */
export const localInputOf = (iso: string) => dayjs(iso).format("YYYY-MM-DDTHH:mm");

/**
 * A datetime-local value ("2021-10-20T08:00") as an instant with the browser's offset. Left at the
 * `offered` "now", it is this very instant rather than the start of the minute, which can fall before
 * something done seconds earlier (a task's registration, a designation's start).
 */
export function instantOf(local: string, offered?: string): string {
  return offered !== undefined && local === offered ? new Date().toISOString() : dayjs(local).format();
}
