import { Alert, Tag } from "antd";
import dayjs from "dayjs";
import type { TFunction } from "i18next";
import { useTranslation } from "react-i18next";
import { ApiError } from "../api/client.ts";
import { errorText } from "../api/errors.ts";
import type { CampaignKind } from "./nat-api.ts";

/** A bilingual server text in the UI language. */
export function pick(m: { zh: string; en: string } | null | undefined, lang: string): string {
  if (!m) return "";
  return lang === "en" ? m.en : m.zh;
}

export const formatMinute = (iso: string) => dayjs(iso).format("YYYY-MM-DD HH:mm");

/** Coverage as a percentage with one decimal ("—" when there is no target). */
export const percent = (share: number | null | undefined) =>
  share === null || share === undefined ? "—" : `${(Math.floor(share * 1000) / 10).toFixed(1)}%`;

/**
 * The colour step of a coverage cell: below 50 % red, below 80 % orange, below 95 % yellow, then
 * green (95 % and up is what a round aims at: everyone but the bedridden and those away).
 */
export function coverageStep(share: number | null): { step: string; background: string; color: string } {
  if (share === null) return { step: "none", background: "#fafafa", color: "rgba(0,0,0,0.45)" };
  if (share < 0.5) return { step: "low", background: "#fff1f0", color: "#a8071a" };
  if (share < 0.8) return { step: "mid", background: "#fff7e6", color: "#ad4e00" };
  if (share < 0.95) return { step: "high", background: "#feffe6", color: "#5b5b00" };
  return { step: "done", background: "#f6ffed", color: "#135200" };
}

export const KIND_COLORS: Record<CampaignKind, string> = {
  designated_area: "volcano",
  whole_population: "geekblue",
};

export function KindTag({ kind }: { kind: CampaignKind }) {
  const { t } = useTranslation();
  return (
    <Tag color={KIND_COLORS[kind]} data-testid="campaign-kind" data-kind={kind}>
      {t(`nat.kinds.${kind}`)}
    </Tag>
  );
}

/** Time left until a deadline, in hours and minutes, or how long it is overdue. */
export function countdown(t: TFunction, deadline: string, now: number): { text: string; overdue: boolean } {
  const ms = Date.parse(deadline) - now;
  const minutes = Math.floor(Math.abs(ms) / 60_000);
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  const span = h > 0 ? t("nat.hoursMinutes", { h, m }) : t("nat.minutes", { m });
  return ms >= 0
    ? { text: t("nat.timeLeft", { span }), overdue: false }
    : { text: t("nat.overdueBy", { span }), overdue: true };
}

/** Every problem the server named, one per line (or its message when it named none). */
export function problemsOf(t: TFunction, e: unknown): { code: string; messages: string[] } {
  if (e instanceof ApiError && e.fields.length > 0)
    return { code: e.fields[0]!.code, messages: e.fields.map((f) => f.message) };
  return { code: e instanceof ApiError ? e.code : "error", messages: [errorText(t, e)] };
}

/** A refusal from the server, shown whole: its code on the element for tests, every message in the UI language. */
export function Refusal({ error, testId }: { error: unknown; testId: string }) {
  const { t } = useTranslation();
  const { code, messages } = problemsOf(t, error);
  return (
    <Alert
      type="error"
      showIcon
      data-testid={testId}
      data-code={code}
      title={messages.length === 1 ? messages[0] : messages.join("；")}
    />
  );
}
