import type { CodeColour } from "@cordon/domain/codes/policy";
import type { VerifiedCode, VerifyResult } from "@cordon/domain/codes/format";
import type { Message } from "@cordon/domain/shared/result";
import { Alert, Space, Tag, Typography } from "antd";
import dayjs from "dayjs";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { useNow } from "../shell/use-now.ts";
import type { ScannerStatus } from "./use-scanner.ts";

/** The code colours as a gate shows them: the familiar green / yellow / red, grey for unknown. */
export const COLOUR_STYLE: Record<CodeColour, { background: string; color: string }> = {
  green: { background: "#389e0d", color: "#fff" },
  yellow: { background: "#fadb14", color: "#262626" },
  red: { background: "#cf1322", color: "#fff" },
  grey: { background: "#8c8c8c", color: "#fff" },
};
const REFUSED_STYLE = { background: "#262626", color: "#fff" };

export function useMessage(): (m: Message) => string {
  const { i18n } = useTranslation();
  return (m) => (i18n.language === "en" ? m.en : m.zh);
}

/** The big panel a scan ends in: the colour and facts of a good code, or the refusal and its reason. */
export function Verdict({ result, headline }: { result: VerifyResult; headline?: ReactNode }) {
  const { t } = useTranslation();
  const msg = useMessage();
  if (result.ok) {
    return (
      <Panel
        testid="scan-verdict"
        data={{ "data-ok": "true", "data-colour": result.colour }}
        style={COLOUR_STYLE[result.colour]}
        headline={headline}
        title={t(`scan.colours.${result.colour}`)}
      >
        <CodeFacts code={result} />
      </Panel>
    );
  }
  return (
    <Panel
      testid="scan-verdict"
      data={{ "data-ok": "false", "data-reason": result.reason }}
      style={REFUSED_STYLE}
      headline={headline}
      title={t(`scan.reasons.${result.reason}`)}
    >
      <div data-testid="scan-reason-message" style={{ fontSize: 16 }}>
        {msg(result.message)}
      </div>
      {result.code && (
        <div style={{ marginTop: 8, opacity: 0.85 }}>
          <CodeFacts code={result.code} />
        </div>
      )}
    </Panel>
  );
}

function Panel({
  testid,
  data,
  style,
  headline,
  title,
  children,
}: {
  testid: string;
  data: Record<string, string>;
  style: { background: string; color: string };
  headline?: ReactNode;
  title: string;
  children: ReactNode;
}) {
  return (
    <div
      data-testid={testid}
      {...data}
      role="status"
      aria-live="assertive"
      style={{ ...style, borderRadius: 12, padding: "20px 16px", textAlign: "center" }}
    >
      {headline}
      <div style={{ fontSize: 40, fontWeight: 700, lineHeight: 1.2 }}>{title}</div>
      <div style={{ marginTop: 8 }}>{children}</div>
    </div>
  );
}

function CodeFacts({ code }: { code: VerifiedCode }) {
  const { t } = useTranslation();
  return (
    <div style={{ fontSize: 16 }}>
      <div data-testid="scan-vaccination">
        {t("scan.vaccinationLabel")}: <b>{t(`scan.vaccination.${code.vaccination}`)}</b>
      </div>
      <div data-testid="scan-expiry">
        {t("scan.validUntil", { at: dayjs(code.expiresAt * 1000).format("HH:mm:ss") })}
      </div>
    </div>
  );
}

/** When the keys and revocation list were last fetched, and whether the device is offline. */
export function ScannerStatusBar({
  status,
  onRefresh,
  offlineReady,
}: {
  status: ScannerStatus;
  onRefresh: () => void;
  /** The app is cached on this device: the page opens again without the network. */
  offlineReady: boolean;
}) {
  const { t } = useTranslation();
  const at = (ms: number | null) => (ms === null ? t("scan.never") : dayjs(ms).format("MM-DD HH:mm:ss"));
  const now = useNow();
  const stale =
    status.revocationsAt !== null &&
    now - status.revocationsAt > 3 * (status.policy?.revocationPollSeconds ?? 60) * 1000;
  return (
    <Space direction="vertical" size={4} style={{ width: "100%" }} data-testid="scan-status">
      <Space wrap size={4}>
        {status.offline ? (
          <Tag color="orange" data-testid="scan-offline">
            {t("scan.offline")}
          </Tag>
        ) : (
          <Tag color="green" data-testid="scan-online">
            {t("scan.online")}
          </Tag>
        )}
        {offlineReady && (
          <Tag color="blue" data-testid="scan-offline-ready">
            {t("scan.offlineReady")}
          </Tag>
        )}
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {t("scan.keysAt", { at: at(status.keysAt), n: status.keyCount })} ·{" "}
          <span data-testid="scan-revocations-at">
            {t("scan.revocationsAt", { at: at(status.revocationsAt), n: status.revocationCount })}
          </span>
        </Typography.Text>
        <Typography.Link style={{ fontSize: 12 }} onClick={onRefresh} data-testid="scan-refresh">
          {t("scan.refresh")}
        </Typography.Link>
      </Space>
      {!status.ready && (
        <Alert
          type={status.offline ? "error" : "info"}
          showIcon
          data-testid="scan-not-ready"
          message={status.offline ? t("scan.notReadyOffline") : t("scan.loading")}
        />
      )}
      {status.ready && stale && (
        <Alert type="warning" showIcon message={t("scan.stale")} data-testid="scan-stale" />
      )}
    </Space>
  );
}
