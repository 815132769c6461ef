import dayjs from "dayjs";
import { currentLang } from "./i18n.ts";

/** An instant in the browser's time zone (Asia/Shanghai for users in China). */
export function formatDateTime(iso: string): string {
  return dayjs(iso).format("YYYY-MM-DD HH:mm:ss");
}

export function formatNumber(n: number): string {
  return new Intl.NumberFormat(currentLang()).format(n);
}
