import { Tag, Typography } from "antd";
import type { TFunction } from "i18next";
import type { HTMLAttributes } from "react";
import { useTranslation } from "react-i18next";
import { formatDateTime } from "../i18n/format.ts";
import type { AssistRow, AssistRowState } from "./assist-api.ts";
import { useNow } from "../shell/use-now.ts";

export const STATE_COLORS: Record<AssistRowState, string> = {
  ambiguous: "gold",
  unmatched: "orange",
  dispatched: "blue",
  merged: "default",
  controlled: "green",
  not_found: "purple",
  forwarded: "cyan",
};

/** A row's state as the server names it, in the user's language. */
export function StateTag({ row }: { row: Pick<AssistRow, "state" | "stateLabel"> }) {
  const { i18n } = useTranslation();
  return (
    <Tag color={STATE_COLORS[row.state]} data-testid="row-state" data-state={row.state}>
      {i18n.language === "en" ? row.stateLabel.en : row.stateLabel.zh}
    </Tag>
  );
}

// TFunction, not ReturnType<typeof useTranslation>["t"]: the latter makes tsc give up ("excessively
// deep") once the messages pass about 700 keys.
function span(t: TFunction, ms: number): string {
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return h > 0 ? t("assist.hoursMinutes", { h, m }) : t("assist.minutes", { m });
}

/**
 * A list's deadline: the time, and either what is left or how long ago it passed. A list whose rows
 * are all accounted for has no countdown.
 */
export function Deadline({ at, open }: { at: string; open: number }) {
  const { t } = useTranslation();
  const now = useNow();
  const left = new Date(at).getTime() - now;
  return (
    <span data-testid="deadline" style={{ whiteSpace: "nowrap" }}>
      {formatDateTime(at)}{" "}
      {open > 0 &&
        (left > 0 ? (
          <Typography.Text type="secondary" data-testid="deadline-countdown">
            {t("assist.countdown", { time: span(t, left) })}
          </Typography.Text>
        ) : (
          <Tag color="red" data-testid="deadline-overdue">
            {t("assist.overdueSince", { time: span(t, -left) })}
          </Tag>
        ))}
    </span>
  );
}

/** Overdue rows in red (class `assist-overdue` on a table row), in every table of this capability. */
export function OverdueStyle() {
  return (
    <style>{`
.assist-overdue > td { background: #fff1f0 !important; }
.assist-overdue > td:first-child { box-shadow: inset 3px 0 0 #cf1322; }
`}</style>
  );
}

/**
 * Data attributes for a table row (antd's `onRow`), which tests and styles find rows by. antd types
 * the result as HTML attributes, which do not list `data-*` ones.
 */
export function rowAttributes(attrs: Record<`data-${string}`, string | number>): HTMLAttributes<HTMLElement> {
  return attrs as HTMLAttributes<HTMLElement>;
}
