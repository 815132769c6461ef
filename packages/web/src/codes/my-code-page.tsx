import { CopyOutlined, ReloadOutlined } from "@ant-design/icons";
import { Alert, App, Button, Card, QRCode, Result, Space, Typography } from "antd";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { useMe } from "../accounts/session.tsx";
import { api, unwrap } from "../api/client.ts";
import { errorText } from "../api/errors.ts";
import { useApiData } from "../api/use-api-data.ts";
import { PageError, PageLoading } from "../shell/page-states.tsx";
import { beijingTime, COLOUR_HEX, ReasonList } from "./code-bits.tsx";

/** A colour change shows within this long even while the code itself is still valid. */
const REFRESH_MS = 15_000;
/** A fresh code is fetched this long before the shown one expires, so a scanner never sees an expired one. */
const BEFORE_EXPIRY_MS = 30_000;

/** Seconds as m:ss. */
function clock(seconds: number): string {
  const s = Math.max(0, Math.ceil(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

function useTick(ms: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(id);
  }, [ms]);
  return now;
}

/**
 * The citizen's own health code (/me/code), phone-sized: the signed QR in a frame of its colour, since
 * when, every reason with what turns it green, an override when one is in force, and the time left
 * before the QR renews. It re-fetches every 15 s and before expiry, so a change of colour shows within
 * seconds without a reload.
 */
export function MyCodePage() {
  const { t } = useTranslation();
  const { me } = useMe();
  const { message } = App.useApp();
  const personId = me.user.personId;
  const { data, error, loading, reload } = useApiData(personId ? "me-code" : null, () =>
    unwrap(api.GET("/api/me/code")).then((c) => ({ ...c, receivedAt: Date.now() })),
  );
  const now = useTick(1_000);

  // The next fetch: in 15 s, or sooner if the code expires first; again after a failure.
  useEffect(() => {
    if (!personId) return;
    const left = data
      ? Date.parse(data.expiresAt) - Date.parse(data.issuedAt) - (Date.now() - data.receivedAt)
      : 0;
    const wait = Math.max(1_000, Math.min(REFRESH_MS, left - BEFORE_EXPIRY_MS));
    const id = setTimeout(reload, error ? Math.min(wait, 5_000) : wait);
    return () => clearTimeout(id);
  }, [personId, data, error, reload]);

  // Back on the page (the phone was in a pocket): fetch at once.
  useEffect(() => {
    const onVisible = () => {
      if (document.visibilityState === "visible") reload();
    };
    document.addEventListener("visibilitychange", onVisible);
    return () => document.removeEventListener("visibilitychange", onVisible);
  }, [reload]);

  if (!personId)
    return <Result status="info" title={t("people.noLinkedRecord")} data-testid="no-linked-record" />;
  if (!data && error) return <PageError error={error} onRetry={reload} />;
  if (!data) return <PageLoading />;

  const style = COLOUR_HEX[data.colour];
  // Time left by this device's clock from when the code arrived (the device's clock may be off).
  const secondsLeft =
    (Date.parse(data.expiresAt) - Date.parse(data.issuedAt) - (now - data.receivedAt)) / 1000;
  const expired = secondsLeft <= 0;
  const override = data.override;

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(data.code);
      message.success(t("codes.my.copied"));
    } catch {
      message.error(t("codes.my.copyFailed"));
    }
  };

  return (
    <div style={{ maxWidth: 440, margin: "0 auto" }} data-testid="my-code-page">
      <Space orientation="vertical" size={12} style={{ width: "100%" }}>
        <Card
          styles={{ body: { padding: 0 } }}
          style={{ border: `6px solid ${style.background}`, overflow: "hidden" }}
          data-testid="my-code"
          data-colour={data.colour}
          data-code={data.code}
          data-expires-at={data.expiresAt}
        >
          <div style={{ ...style, textAlign: "center", padding: "12px 8px" }}>
            <div style={{ fontSize: 14, opacity: 0.9 }}>{me.user.displayName}</div>
            <div style={{ fontSize: 34, fontWeight: 700, lineHeight: 1.25 }} data-testid="my-code-colour">
              {t(`codes.colours.${data.colour}`)}
            </div>
            <div style={{ fontSize: 14 }} data-testid="my-code-since">
              {t("codes.my.since", { at: beijingTime(data.since) })}
            </div>
          </div>
          <div style={{ display: "flex", justifyContent: "center", padding: 16, background: "#fff" }}>
            <QRCode
              value={data.code}
              size={248}
              errorLevel="M"
              color="#000"
              bgColor="#fff"
              bordered={false}
              status={expired ? "expired" : loading && error ? "loading" : "active"}
              onRefresh={reload}
              data-testid="my-code-qr"
            />
          </div>
          <div style={{ textAlign: "center", padding: "0 12px 12px" }}>
            <Typography.Text type={expired ? "danger" : "secondary"} data-testid="my-code-countdown">
              {expired ? t("codes.my.expired") : t("codes.my.expiresIn", { time: clock(secondsLeft) })}
            </Typography.Text>
            <div>
              <Space size={4} wrap style={{ justifyContent: "center" }}>
                <Button
                  size="small"
                  type="link"
                  icon={<CopyOutlined />}
                  onClick={copy}
                  data-testid="my-code-copy"
                >
                  {t("codes.my.copy")}
                </Button>
                <Button
                  size="small"
                  type="link"
                  icon={<ReloadOutlined />}
                  onClick={reload}
                  loading={loading}
                  data-testid="my-code-refresh"
                >
                  {t("codes.my.refresh")}
                </Button>
              </Space>
            </div>
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {t("codes.my.privacy")}
            </Typography.Text>
          </div>
        </Card>
        {error && (
          <Alert
            type="warning"
            showIcon
            data-testid="my-code-stale"
            title={t("codes.my.refreshFailed", { at: beijingTime(new Date(data.receivedAt).toISOString()) })}
            description={errorText(t, error)}
          />
        )}
        {override && (
          <Alert
            type={override.colour === "green" ? "info" : "warning"}
            showIcon
            data-testid="my-code-override"
            data-colour={override.colour}
            title={t("codes.my.override", {
              colour: t(`codes.colours.${override.colour}`),
              until: override.expiresAt ? beijingTime(override.expiresAt) : t("common.none"),
            })}
            description={
              <span data-testid="my-code-override-reason">
                {t("codes.my.overrideReason", { reason: override.reason })}
              </span>
            }
          />
        )}
        <Card size="small" title={t("codes.my.reasons")}>
          <ReasonList reasons={data.reasons} />
        </Card>
        <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
          {t("codes.my.lead")}
        </Typography.Paragraph>
      </Space>
    </div>
  );
}
