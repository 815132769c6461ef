import { List, Tag, Typography } from "antd";
import { useTranslation } from "react-i18next";
import type { components } from "../api/schema.d.ts";

export type CodeColour = components["schemas"]["CodeColour"];
export type CodeReason = components["schemas"]["CodeReason"];
export type CodeOverride = components["schemas"]["CodeOverride"];
export type OverrideStatus = CodeOverride["status"];

export const OVERRIDE_STATUSES: readonly OverrideStatus[] = [
  "pending",
  "approved",
  "rejected",
  "revoked",
  "withdrawn",
];

/** The colours as people know them from the phone screen: green, yellow, red; grey when unknown. */
export const COLOUR_HEX: Record<CodeColour, { background: string; color: string }> = {
  green: { background: "#389e0d", color: "#fff" },
  yellow: { background: "#fadb14", color: "#262626" },
  red: { background: "#cf1322", color: "#fff" },
  grey: { background: "#8c8c8c", color: "#fff" },
};

const TAG_COLOUR: Record<CodeColour, string> = {
  green: "green",
  yellow: "gold",
  red: "red",
  grey: "default",
};

const BEIJING = new Intl.DateTimeFormat("sv-SE", {
  timeZone: "Asia/Shanghai",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  hour12: false,
});

/**
 * An instant in Beijing time (YYYY-MM-DD HH:mm), whatever the device's zone: the times on a health
 * code are read against notices that give Beijing time.
 */
export function beijingTime(iso: string): string {
  return BEIJING.format(new Date(iso)).replace(",", "");
}

/** The server's bilingual text in the interface language. */
export function useBilingual(): (m: { zh: string; en: string }) => string {
  const { i18n } = useTranslation();
  return (m) => (i18n.language === "en" ? m.en : m.zh);
}

export function ColourTag({ colour }: { colour: CodeColour }) {
  const { t } = useTranslation();
  return (
    <Tag color={TAG_COLOUR[colour]} data-testid="code-colour-tag" data-colour={colour}>
      {t(`codes.colours.${colour}`)}
    </Tag>
  );
}

/**
 * Every reason behind a colour. The server's message reads in full ("黄码（11月23日 08:10 起）：…；…后转绿");
 * what turns it green is repeated on its own line, the part a person acts on.
 */
export function ReasonList({ reasons }: { reasons: readonly CodeReason[] }) {
  const { t } = useTranslation();
  const text = useBilingual();
  return (
    <List
      size="small"
      split={false}
      dataSource={[...reasons]}
      data-testid="code-reasons"
      renderItem={(r) => (
        <List.Item
          data-testid="code-reason"
          data-code={r.code}
          data-colour={r.colour}
          data-since={r.since}
          style={{
            display: "block",
            borderLeft: `4px solid ${COLOUR_HEX[r.colour].background}`,
            paddingLeft: 10,
            marginBottom: 8,
          }}
        >
          <div data-testid="code-reason-message">{text(r.message)}</div>
          {r.clears && (
            <Typography.Text type="secondary" data-testid="code-reason-clears">
              {t("codes.clears", { text: text(r.clears) })}
            </Typography.Text>
          )}
        </List.Item>
      )}
    />
  );
}
