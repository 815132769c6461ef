import { Alert, Select, Spin, Tag, Typography } from "antd";
import dayjs from "dayjs";
import type { TFunction } from "i18next";
import { useSyncExternalStore } from "react";
import { useTranslation } from "react-i18next";
import { ApiError } from "../api/client.ts";
import { errorText } from "../api/errors.ts";
import { usePersonSearch } from "../people/use-person-search.ts";
import type { Clock } from "./tracing-api.ts";

/** A bilingual server text in the UI language. */
export function pick(m: { zh: string; en: string } | null | undefined, lang: string): string {
  if (!m) return "";
  return lang === "en" ? m.en : m.zh;
}

/** Select options for a list of values with their {zh, en} labels, in the UI's language. */
export function labelled<K extends string>(
  values: readonly K[],
  labels: Record<K, { zh: string; en: string }>,
  lang: string,
): { value: K; label: string }[] {
  return values.map((value) => ({ value, label: pick(labels[value], lang) }));
}

/** Every problem the server named, in the UI language; the first code on the element for tests. */
export function Refusal({ error, testId }: { error: unknown; testId: string }) {
  const { t } = useTranslation();
  const fields = error instanceof ApiError ? error.fields : [];
  const code = fields[0]?.code ?? (error instanceof ApiError ? error.code : "error");
  const text = fields.length > 0 ? fields.map((f) => f.message).join("；") : errorText(t, error);
  return <Alert type="error" showIcon data-testid={testId} data-code={code} message={text} />;
}

export const formatMinute = (iso: string | null | undefined) =>
  iso ? dayjs(iso).format("YYYY-MM-DD HH:mm") : "—";

const subscribe = (onTick: () => void) => {
  const id = setInterval(onTick, 1000);
  return () => clearInterval(id);
};
const readSecond = () => Math.floor(Date.now() / 1000) * 1000;

/** The browser's time, refreshed every second: the investigation clocks tick in seconds. */
export function useSecondNow(): number {
  return useSyncExternalStore(subscribe, readSecond);
}

/** A span of time as hours, minutes and seconds ("1 h 44 min 05 s"). */
export function span(t: TFunction, ms: number, seconds = true): string {
  const total = Math.floor(Math.abs(ms) / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, "0");
  if (!seconds) return t("tracing.spanHm", { h, m });
  return h > 0 ? t("tracing.spanHms", { h, m, s }) : t("tracing.spanMs", { m, s });
}

/**
 * A milestone's clock as the browser counts it: pending ones tick down to the due time every second
 * (red once past it), done ones say when and whether on time.
 */
export function ClockCell({ clock, now, compact }: { clock: Clock; now: number; compact?: boolean }) {
  const { t } = useTranslation();
  if (clock.doneAt) {
    const late = clock.state === "done_late";
    return (
      <span data-testid={`clock-${clock.milestone}`} data-state={clock.state} data-overdue="false">
        <Tag color={late ? "orange" : "green"}>
          {late
            ? t("tracing.clock.doneLate", { span: span(t, clock.lateByMs ?? 0, false) })
            : t("tracing.clock.doneOnTime")}
        </Tag>
        {!compact && <Typography.Text type="secondary">{formatMinute(clock.doneAt)}</Typography.Text>}
      </span>
    );
  }
  const ms = Date.parse(clock.dueAt) - now;
  const overdue = ms < 0;
  return (
    <span
      data-testid={`clock-${clock.milestone}`}
      data-state={overdue ? "overdue" : "pending"}
      data-overdue={String(overdue)}
      data-remaining={Math.max(0, Math.floor(ms / 1000))}
    >
      <Typography.Text type={overdue ? "danger" : undefined} strong={overdue} data-testid="clock-text">
        {overdue
          ? t("tracing.clock.overdueBy", { span: span(t, ms) })
          : t("tracing.clock.left", { span: span(t, ms) })}
      </Typography.Text>
      {!compact && (
        <Typography.Text type="secondary" style={{ marginLeft: 8 }}>
          {t("tracing.clock.due", { at: formatMinute(clock.dueAt) })}
        </Typography.Text>
      )}
    </span>
  );
}

/** Chooses one person from the registry by name, pinyin or the last digits of their ID. */
export function PersonSelect({
  value,
  onChange,
  testId,
}: {
  value?: string;
  onChange?: (v: string) => void;
  testId: string;
}) {
  const { t } = useTranslation();
  const { options, known, searching, search } = usePersonSearch();
  const chosen = value ? known.get(value) : undefined;
  const all = [...(chosen ? [chosen] : []), ...options.filter((o) => o.id !== value)];
  return (
    <Select<string>
      value={value}
      onChange={onChange}
      data-testid={testId}
      placeholder={t("tracing.personSearch")}
      showSearch={{ filterOption: false, onSearch: search }}
      notFoundContent={searching ? <Spin size="small" /> : null}
      options={all.map((p) => ({ value: p.id, label: `${p.name} ${p.documentNumberMasked}` }))}
      optionRender={(o) => <span data-testid={`${testId}-option-${o.value}`}>{o.label}</span>}
    />
  );
}
