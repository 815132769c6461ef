import { CheckCircleTwoTone, CloseCircleTwoTone } from "@ant-design/icons";
import {
  App,
  Button,
  Card,
  Empty,
  Form,
  Input,
  List,
  Modal,
  Select,
  Space,
  Table,
  Tag,
  Typography,
} from "antd";
import dayjs from "dayjs";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ApiError, api, unwrap } from "../api/client.ts";
import type { components } from "../api/schema.d.ts";
import { useApiData } from "../api/use-api-data.ts";
import { formatDateTime } from "../i18n/format.ts";
import { pickText } from "../policies/measures-view.tsx";

type ProposalItem = components["schemas"]["AreaProposalItem"];
type AreaEvent = components["schemas"]["AreaEvent"];
type AreaKind = ProposalItem["area"]["kind"];
type EventKind = AreaEvent["kind"];

const EVENT_KINDS: readonly EventKind[] = ["new_infection", "screening_round", "last_contact_released"];

/** "高风险区 → 中风险区", or "… → 解除" for a lift. */
function useChangeLabel() {
  const { t } = useTranslation();
  return (from: AreaKind, to: AreaKind | null) =>
    `${t(`riskAreas.kinds.${from}`)} → ${to ? t(`riskAreas.kinds.${to}`) : t("riskAreas.proposals.lift")}`;
}

/**
 * The downgrades and lifts the packs in force propose at `at` (an instant, or "" for now): each with its
 * conditions ticked or not and their dates, the pack and its quoted sentence; users who may designate
 * confirm a ready one.
 */
export function AreaProposals(props: { at: string; canWrite: boolean; onChanged: () => void }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const lang = i18n.language;
  const change = useChangeLabel();
  const [confirming, setConfirming] = useState<{ item: ProposalItem; at: string; reason: string } | null>(
    null,
  );
  const [busy, setBusy] = useState(false);
  const [form] = Form.useForm<{ reason?: string }>();
  const { data, error, loading, reload } = useApiData(`area-proposals:${props.at}`, () =>
    unwrap(api.GET("/api/areas/proposals", { params: { query: props.at ? { at: props.at } : {} } })),
  );

  const confirm = async (v: { reason?: string }) => {
    if (!confirming) return;
    const { item, at } = confirming;
    setBusy(true);
    try {
      await unwrap(
        api.POST("/api/areas/{id}/transition", {
          params: { path: { id: item.area.id } },
          body: {
            to: item.proposal.toKind,
            at,
            reason: v.reason ?? "",
            fingerprint: item.proposal.fingerprint,
          },
        }),
      );
      message.success(t("riskAreas.proposals.confirmed"));
      setConfirming(null);
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
      title={t("riskAreas.proposals.title")}
      style={{ marginTop: 16 }}
      data-testid="area-proposals"
    >
      <Typography.Paragraph type="secondary">{t("riskAreas.proposals.lead")}</Typography.Paragraph>
      {error ? (
        <Typography.Text type="danger">
          {error instanceof Error ? error.message : String(error)}
        </Typography.Text>
      ) : (
        <List<ProposalItem>
          loading={loading}
          dataSource={data?.items ?? []}
          locale={{ emptyText: <Empty description={t("riskAreas.proposals.empty")} /> }}
          renderItem={(item) => {
            const p = item.proposal;
            const ready = p.status === "ready";
            return (
              <List.Item
                key={item.area.id}
                data-testid="area-proposal"
                data-status={p.status}
                data-to={p.toKind ?? "lift"}
                actions={
                  props.canWrite && ready
                    ? [
                        <Button
                          key="confirm"
                          type="primary"
                          size="small"
                          data-testid="proposal-confirm"
                          onClick={() => {
                            setConfirming({
                              item,
                              at: data!.at,
                              reason: p.conditions
                                .filter((c) => c.code !== "in_force")
                                .map((c) => pickText(c.message, lang))
                                .join(lang === "en" ? "; " : "；"),
                            });
                          }}
                        >
                          {t("riskAreas.proposals.confirm")}
                        </Button>,
                      ]
                    : []
                }
              >
                <Space direction="vertical" size={4} style={{ width: "100%" }}>
                  <Space wrap>
                    <strong>
                      {item.area.regionName}
                      {item.area.placeName ? ` · ${item.area.placeName}` : ""}
                    </strong>
                    <Tag data-testid="proposal-change">{change(p.fromKind, p.toKind)}</Tag>
                    <Tag color={ready ? "green" : "default"}>
                      {ready ? t("riskAreas.proposals.ready") : t("riskAreas.proposals.pending")}
                    </Tag>
                  </Space>
                  <ul style={{ listStyle: "none", paddingLeft: 0, margin: 0 }}>
                    {p.conditions.map((c) => (
                      <li key={c.code} data-testid="proposal-condition" data-met={String(c.met)}>
                        {c.met ? (
                          <CheckCircleTwoTone twoToneColor="#52c41a" />
                        ) : (
                          <CloseCircleTwoTone twoToneColor="#ff4d4f" />
                        )}{" "}
                        {pickText(c.message, lang)}
                      </li>
                    ))}
                  </ul>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {t("riskAreas.proposals.pack")}: {p.packId} / {p.transitionId}
                  </Typography.Text>
                  <blockquote style={{ margin: 0, paddingLeft: 8, borderLeft: "3px solid #d9d9d9" }}>
                    <Typography.Text data-testid="proposal-quote">「{p.source.quote}」</Typography.Text>
                    {lang === "en" ? null : (
                      <Typography.Text type="secondary" style={{ display: "block", fontSize: 12 }}>
                        {p.source.en}
                      </Typography.Text>
                    )}
                  </blockquote>
                  {p.note && (
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      {pickText(p.note, lang)}
                    </Typography.Text>
                  )}
                  {p.silentPackId && (
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      {t("riskAreas.proposals.silentPack", { pack: p.silentPackId })}
                    </Typography.Text>
                  )}
                </Space>
              </List.Item>
            );
          }}
        />
      )}
      <Modal
        open={confirming !== null}
        title={
          confirming
            ? t("riskAreas.proposals.confirmTitle", {
                change: change(confirming.item.proposal.fromKind, confirming.item.proposal.toKind),
              })
            : ""
        }
        onCancel={() => setConfirming(null)}
        onOk={() => form.submit()}
        okText={t("riskAreas.proposals.confirm")}
        cancelText={t("common.cancel")}
        confirmLoading={busy}
        destroyOnHidden
      >
        {confirming && (
          <Typography.Paragraph>
            {t("riskAreas.proposals.confirmLead", { at: formatDateTime(confirming.at) })}
          </Typography.Paragraph>
        )}
        <Form form={form} layout="vertical" onFinish={confirm} initialValues={{ reason: confirming?.reason }}>
          <Form.Item
            name="reason"
            label={t("riskAreas.proposals.reason")}
            rules={[{ required: true, message: t("riskAreas.required") }]}
          >
            <Input.TextArea maxLength={1000} rows={2} data-testid="proposal-reason" />
          </Form.Item>
        </Form>
      </Modal>
    </Card>
  );
}

interface EventValues {
  kind?: EventKind;
  at?: string;
  result?: "negative" | "positive";
  note?: string;
}

/** The facts recorded on one designation, and (for users who may designate) a form to record one. */
export function AreaEventsModal(props: {
  area: { id: string; regionName: string } | null;
  canWrite: boolean;
  onClose: () => void;
  onChanged: () => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<EventValues>();
  const [busy, setBusy] = useState(false);
  const kind = Form.useWatch("kind", form);
  const id = props.area?.id ?? null;
  const { data, loading, reload } = useApiData(id ? `area-events:${id}` : null, () =>
    unwrap(api.GET("/api/areas/{id}/events", { params: { path: { id: id! } } })),
  );

  const record = async (v: EventValues) => {
    if (!id) return;
    setBusy(true);
    try {
      await unwrap(
        api.POST("/api/areas/{id}/events", {
          params: { path: { id } },
          body: {
            kind: v.kind ?? "new_infection",
            at: dayjs(v.at ?? "").format(),
            result: v.kind === "screening_round" ? (v.result ?? null) : null,
            note: v.note?.trim() || null,
          },
        }),
      );
      message.success(t("riskAreas.events.recorded"));
      form.resetFields();
      reload();
      props.onChanged();
    } catch (e) {
      message.error(e instanceof ApiError ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open={props.area !== null}
      title={`${t("riskAreas.events.title")} · ${props.area?.regionName ?? ""}`}
      onCancel={props.onClose}
      footer={null}
      width={720}
      destroyOnHidden
    >
      <Table<AreaEvent>
        rowKey="id"
        size="small"
        loading={loading}
        dataSource={data?.items ?? []}
        pagination={false}
        locale={{ emptyText: t("riskAreas.events.empty") }}
        data-testid="area-events"
        columns={[
          { title: t("riskAreas.events.at"), dataIndex: "at", render: (v: string) => formatDateTime(v) },
          {
            title: t("riskAreas.events.kind"),
            dataIndex: "kind",
            render: (k: EventKind) => t(`riskAreas.events.kinds.${k}`),
          },
          {
            title: t("riskAreas.events.result"),
            dataIndex: "result",
            render: (r: AreaEvent["result"]) => (r ? t(`riskAreas.events.results.${r}`) : t("common.none")),
          },
          { title: t("riskAreas.events.note"), dataIndex: "note", render: (v: string | null) => v ?? "" },
        ]}
      />
      {props.canWrite && (
        <Form<EventValues>
          form={form}
          layout="inline"
          onFinish={record}
          style={{ marginTop: 16, rowGap: 8 }}
          initialValues={{ kind: "screening_round", result: "negative" }}
        >
          <Form.Item name="kind" rules={[{ required: true, message: t("riskAreas.required") }]}>
            <Select
              style={{ width: 200 }}
              data-testid="event-kind"
              options={EVENT_KINDS.map((k) => ({ value: k, label: t(`riskAreas.events.kinds.${k}`) }))}
            />
          </Form.Item>
          <Form.Item name="at" rules={[{ required: true, message: t("riskAreas.required") }]}>
            <Input type="datetime-local" data-testid="event-at" />
          </Form.Item>
          {kind === "screening_round" && (
            <Form.Item name="result">
              <Select
                style={{ width: 120 }}
                data-testid="event-result"
                options={(["negative", "positive"] as const).map((r) => ({
                  value: r,
                  label: t(`riskAreas.events.results.${r}`),
                }))}
              />
            </Form.Item>
          )}
          <Form.Item name="note">
            <Input placeholder={t("riskAreas.events.note")} maxLength={500} data-testid="event-note" />
          </Form.Item>
          <Form.Item>
            <Button type="primary" htmlType="submit" loading={busy} data-testid="event-record">
              {t("riskAreas.events.record")}
            </Button>
          </Form.Item>
        </Form>
      )}
    </Modal>
  );
}
