import { CheckCircleFilled, CloseCircleFilled } from "@ant-design/icons";
import { Alert, Button, Card, Result, Space, Typography } from "antd";
import { type ReactNode, useState } from "react";
import { useTranslation } from "react-i18next";
import { useSearchParams } from "react-router";
import { api, unwrap } from "../api/client.ts";
import { errorText } from "../api/errors.ts";
import type { components } from "../api/schema.d.ts";
import { useApiData } from "../api/use-api-data.ts";
import { formatDateTime } from "../i18n/format.ts";
import { PageError, PageLoading } from "../shell/page-states.tsx";

type SelfCheckin = components["schemas"]["SelfCheckin"];

const COLOURS: Record<SelfCheckin["colour"], { background: string; color: string }> = {
  green: { background: "#389e0d", color: "#fff" },
  yellow: { background: "#fadb14", color: "#262626" },
  red: { background: "#cf1322", color: "#fff" },
  grey: { background: "#8c8c8c", color: "#fff" },
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The page a venue code's QR opens on a phone (/checkin?venue=<id>): the venue, then one tap checks
 * the logged-in resident in, and the answer shows their code's colour and whether they may enter.
 */
export function CheckinPage() {
  const { t } = useTranslation();
  const [params] = useSearchParams();
  const venueId = params.get("venue") ?? "";
  const valid = UUID.test(venueId);
  const [result, setResult] = useState<SelfCheckin | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const { data: venue, error } = useApiData(valid ? `checkin-venue:${venueId}` : null, () =>
    unwrap(api.GET("/api/checkin/venues/{id}", { params: { path: { id: venueId } } })),
  );

  const checkIn = async () => {
    setBusy(true);
    setFailure(null);
    try {
      setResult(await unwrap(api.POST("/api/checkin/self", { body: { venueId } })));
    } catch (e) {
      setFailure(errorText(t, e));
    } finally {
      setBusy(false);
    }
  };

  const frame = (children: ReactNode) => (
    <div style={{ maxWidth: 420, margin: "0 auto", padding: 12 }} data-testid="checkin-page">
      {children}
    </div>
  );
  if (!valid) return frame(<Result status="warning" title={t("venues.checkin.badLink")} />);
  if (error) return frame(<PageError error={error} />);
  if (!venue) return frame(<PageLoading />);

  return frame(
    <Card>
      <Typography.Text type="secondary">{t("venues.checkin.title")}</Typography.Text>
      <Typography.Title level={3} style={{ marginTop: 4 }} data-testid="checkin-venue-name">
        {venue.name}
      </Typography.Title>
      <Typography.Paragraph type="secondary">
        {t(`venues.kinds.${venue.kind}`)} · {venue.address}
      </Typography.Paragraph>
      {!venue.active && <Alert type="warning" showIcon message={t("venues.checkin.inactive")} />}
      {result ? (
        <Space
          direction="vertical"
          style={{ width: "100%" }}
          data-testid="checkin-result"
          data-decision={result.decision}
        >
          <div
            style={{
              ...COLOURS[result.colour],
              borderRadius: 12,
              padding: "20px 16px",
              textAlign: "center",
            }}
            data-testid="checkin-colour"
            data-colour={result.colour}
          >
            <div style={{ fontSize: 30, fontWeight: 700 }}>{t(`venues.colours.${result.colour}`)}</div>
            <div>{formatDateTime(result.at)}</div>
          </div>
          {result.decision === "admit" ? (
            <Alert
              type="success"
              showIcon
              icon={<CheckCircleFilled />}
              message={t("venues.checkin.admit")}
              description={t("venues.checkin.admitLead")}
            />
          ) : (
            <Alert
              type="error"
              showIcon
              icon={<CloseCircleFilled />}
              message={t("venues.checkin.refuse")}
              description={t(`venues.checkin.refuseLead.${result.colour}`)}
            />
          )}
        </Space>
      ) : (
        venue.active && (
          <Button
            type="primary"
            size="large"
            block
            loading={busy}
            onClick={checkIn}
            data-testid="checkin-submit"
          >
            {t("venues.checkin.submit")}
          </Button>
        )
      )}
      {failure && <Alert type="error" showIcon message={failure} style={{ marginTop: 12 }} />}
      <Typography.Paragraph type="secondary" style={{ marginTop: 16, fontSize: 12 }}>
        {t("venues.checkin.privacy")}
      </Typography.Paragraph>
    </Card>,
  );
}
