import { App, Button, Card, Empty, Form, Input, List, Modal, Space, Tag, Typography } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { ApiError, api, unwrap } from "../api/client.ts";
import type { components } from "../api/schema.d.ts";
import { useApiData } from "../api/use-api-data.ts";
import { currentLang } from "../i18n/i18n.ts";
import { formatMinute, pick } from "./tracing-bits.tsx";

type Waiting = components["schemas"]["TracingAreaProposal"] & { regionName: string; casePersonName: string };

/**
 * On the risk-area page, for those who may designate areas: the risk areas or zones investigators
 * proposed from cases' itineraries, each with its explanation; confirming one designates it (linked to
 * the case), rejecting one needs a reason.
 */
export function ItineraryAreaProposals(props: { onChanged: () => void }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const [deciding, setDeciding] = useState<{ item: Waiting; action: "confirm" | "reject" } | null>(null);
  const [busy, setBusy] = useState(false);
  const [form] = Form.useForm<{ reason?: string }>();
  const { data, error, loading, reload } = useApiData(`itinerary-proposals:${i18n.language}`, () =>
    unwrap(api.GET("/api/tracing/area-proposals", { params: { query: { lang: currentLang() } } })),
  );
  const items = data?.items ?? [];
  if (!loading && !error && items.length === 0) return null;

  const decide = async (v: { reason?: string }) => {
    if (!deciding) return;
    const { item, action } = deciding;
    setBusy(true);
    try {
      if (action === "confirm")
        await unwrap(
          api.POST("/api/tracing/area-proposals/{id}/confirm", {
            params: { path: { id: item.id } },
            body: { reason: v.reason?.trim() || undefined },
          }),
        );
      else
        await unwrap(
          api.POST("/api/tracing/area-proposals/{id}/reject", {
            params: { path: { id: item.id } },
            body: { reason: v.reason ?? "" },
          }),
        );
      message.success(t(action === "confirm" ? "tracing.proposals.confirmed" : "tracing.proposals.rejected"));
      setDeciding(null);
      reload();
      props.onChanged();
    } catch (e) {
      message.error(e instanceof ApiError ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card
      size="small"
      title={t("tracing.proposals.commandTitle")}
      style={{ marginTop: 16 }}
      data-testid="itinerary-proposals"
    >
      <Typography.Paragraph type="secondary">{t("tracing.proposals.commandLead")}</Typography.Paragraph>
      {error ? (
        <Typography.Text type="danger">{error.message}</Typography.Text>
      ) : (
        <List<Waiting>
          loading={loading}
          dataSource={items}
          locale={{ emptyText: <Empty description={t("tracing.proposals.none")} /> }}
          renderItem={(item) => (
            <List.Item
              key={item.id}
              data-testid="itinerary-proposal"
              data-kind={item.kind}
              data-region={item.regionCode}
              actions={[
                <Button
                  key="confirm"
                  type="primary"
                  size="small"
                  data-testid="itinerary-proposal-confirm"
                  onClick={() => setDeciding({ item, action: "confirm" })}
                >
                  {t("tracing.proposals.confirm")}
                </Button>,
                <Button
                  key="reject"
                  size="small"
                  data-testid="itinerary-proposal-reject"
                  onClick={() => setDeciding({ item, action: "reject" })}
                >
                  {t("tracing.proposals.reject")}
                </Button>,
              ]}
            >
              <Space direction="vertical" size={2}>
                <Space wrap>
                  <strong>
                    {item.regionName}
                    {item.placeName ? ` · ${item.placeName}` : ""}
                  </strong>
                  <Tag color={item.kind === "high" || item.kind === "sealed" ? "red" : "orange"}>
                    {t(`riskAreas.kinds.${item.kind}`)}
                  </Tag>
                </Space>
                <span data-testid="itinerary-proposal-explanation">
                  {pick(item.explanation, i18n.language)}
                </span>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {t("tracing.proposals.fromCase", {
                    name: item.casePersonName,
                    at: formatMinute(item.submittedAt),
                  })}{" "}
                  <Link to={`/tracing/cases/${item.caseId}`}>{t("tracing.proposals.openCase")}</Link>
                </Typography.Text>
              </Space>
            </List.Item>
          )}
        />
      )}
      <Modal
        open={deciding !== null}
        title={
          deciding
            ? t(
                deciding.action === "confirm"
                  ? "tracing.proposals.confirmTitle"
                  : "tracing.proposals.rejectTitle",
                { kind: t(`riskAreas.kinds.${deciding.item.kind}`), region: deciding.item.regionName },
              )
            : ""
        }
        onCancel={() => setDeciding(null)}
        onOk={() => form.submit()}
        okText={t(deciding?.action === "reject" ? "tracing.proposals.reject" : "tracing.proposals.confirm")}
        okButtonProps={{ "data-testid": "itinerary-proposal-decide" }}
        cancelText={t("common.cancel")}
        confirmLoading={busy}
        destroyOnHidden
      >
        <Form
          form={form}
          layout="vertical"
          onFinish={decide}
          initialValues={{ reason: deciding?.action === "confirm" ? deciding.item.reason : "" }}
        >
          <Form.Item
            name="reason"
            label={t("tracing.proposals.reason")}
            rules={[{ required: true, whitespace: true, message: t("tracing.required") }]}
          >
            <Input.TextArea maxLength={1000} rows={2} data-testid="itinerary-proposal-reason" />
          </Form.Item>
        </Form>
      </Modal>
    </Card>
  );
}
