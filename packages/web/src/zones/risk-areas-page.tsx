import { PlusOutlined } from "@ant-design/icons";
import {
  App,
  Button,
  Card,
  Col,
  Form,
  Input,
  Modal,
  Row,
  Select,
  Space,
  Table,
  type TableColumnsType,
  Tag,
  Typography,
} from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useMe } from "../accounts/session.tsx";
import { ApiError, api, unwrap } from "../api/client.ts";
import type { components } from "../api/schema.d.ts";
import { useApiData } from "../api/use-api-data.ts";
import { formatDateTime } from "../i18n/format.ts";
import { RegionPicker } from "../regions/region-picker.tsx";
import { PageError } from "../shell/page-states.tsx";
import { ItineraryAreaProposals } from "../tracing/itinerary-proposals.tsx";
import { AreaEventsModal, AreaProposals } from "./area-proposals.tsx";
import { instantOf, nowLocal } from "../shell/local-time.ts";

type AreaInForce = components["schemas"]["AreaInForce"];
type AreaKind = AreaInForce["kind"];

const KINDS: readonly AreaKind[] = ["high", "medium", "low", "sealed", "controlled", "precaution"];
const KIND_COLORS: Record<AreaKind, string> = {
  high: "red",
  medium: "orange",
  low: "green",
  sealed: "magenta",
  controlled: "volcano",
  precaution: "gold",
};

interface DesignateValues {
  regionCode?: string;
  placeName?: string;
  kind?: AreaKind;
  from?: string;
  to?: string;
  reason?: string;
  linkedCase?: string;
}

interface EndValues {
  at?: string;
  reason?: string;
}

/** Areas and zones in force at a chosen time; users who may designate can add one or end one. */
export function RiskAreasPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const { can } = useMe();
  const canWrite = can("areas.write");
  const [at, setAt] = useState<string>("");
  const [designating, setDesignating] = useState(false);
  const [ending, setEnding] = useState<AreaInForce | null>(null);
  // The "now" the end form offered when it opened (see instantOf).
  const [endOffered, setEndOffered] = useState(nowLocal);
  const [eventsOf, setEventsOf] = useState<AreaInForce | null>(null);
  const [proposalsNonce, setProposalsNonce] = useState(0);
  const [busy, setBusy] = useState(false);
  const [designateForm] = Form.useForm<DesignateValues>();
  const [endForm] = Form.useForm<EndValues>();
  const { data, error, loading, reload } = useApiData(`areas:${at}`, () =>
    unwrap(api.GET("/api/areas", { params: { query: at ? { at: instantOf(at) } : {} } })),
  );

  const fail = (e: unknown) => message.error(e instanceof ApiError ? e.message : String(e));

  const designate = async (v: DesignateValues) => {
    setBusy(true);
    try {
      await unwrap(
        api.POST("/api/areas", {
          body: {
            regionCode: v.regionCode ?? "",
            placeName: v.placeName?.trim() || null,
            kind: v.kind ?? "",
            from: instantOf(v.from ?? ""),
            to: v.to ? instantOf(v.to) : null,
            reason: v.reason ?? "",
            linkedCase: v.linkedCase?.trim() || null,
          },
        }),
      );
      message.success(t("riskAreas.designated"));
      setDesignating(false);
      reload();
      setProposalsNonce((n) => n + 1);
    } catch (e) {
      fail(e);
    } finally {
      setBusy(false);
    }
  };

  const end = async (v: EndValues) => {
    if (!ending) return;
    setBusy(true);
    try {
      await unwrap(
        api.POST("/api/areas/{id}/end", {
          params: { path: { id: ending.id } },
          body: { at: instantOf(v.at ?? "", endOffered), reason: v.reason ?? "" },
        }),
      );
      message.success(t("riskAreas.ended"));
      setEnding(null);
      reload();
      setProposalsNonce((n) => n + 1);
    } catch (e) {
      fail(e);
    } finally {
      setBusy(false);
    }
  };

  const columns: TableColumnsType<AreaInForce> = [
    {
      title: t("riskAreas.region"),
      key: "region",
      render: (_: unknown, a) => (
        <span data-testid="area-region" data-code={a.regionCode}>
          {a.regionName}{" "}
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {a.regionCode}
          </Typography.Text>
        </span>
      ),
    },
    {
      title: t("riskAreas.placeName"),
      dataIndex: "placeName",
      render: (v: string | null) => v ?? t("common.none"),
    },
    {
      title: t("riskAreas.kind"),
      dataIndex: "kind",
      render: (k: AreaKind) => (
        <Tag color={KIND_COLORS[k]} data-testid="area-kind" data-kind={k}>
          {t(`riskAreas.kinds.${k}`)}
        </Tag>
      ),
    },
    { title: t("riskAreas.from"), dataIndex: "from", render: (v: string) => formatDateTime(v) },
    {
      title: t("riskAreas.to"),
      dataIndex: "to",
      render: (v: string | null) => (v ? formatDateTime(v) : t("riskAreas.stillInForce")),
    },
    { title: t("riskAreas.reason"), dataIndex: "reason" },
    {
      title: t("riskAreas.linkedCase"),
      dataIndex: "linkedCase",
      render: (v: string | null) => v ?? t("common.none"),
    },
    {
      title: t("common.actions"),
      key: "actions",
      render: (_: unknown, a: AreaInForce) => (
        <Space>
          <Button size="small" data-testid="area-events-open" onClick={() => setEventsOf(a)}>
            {t("riskAreas.events.button")}
          </Button>
          {canWrite && (
            <Button
              size="small"
              danger
              data-testid="area-end"
              onClick={() => {
                const offered = nowLocal();
                // The form instance outlives the dialog: give it this opening's "now", not the last one's.
                endForm.setFieldsValue({ at: offered });
                setEndOffered(offered);
                setEnding(a);
              }}
            >
              {t("riskAreas.end")}
            </Button>
          )}
        </Space>
      ),
    },
  ];

  return (
    <Card
      title={t("riskAreas.title")}
      data-testid="risk-areas-page"
      extra={
        canWrite && (
          <Button
            type="primary"
            icon={<PlusOutlined />}
            data-testid="area-designate"
            onClick={() => setDesignating(true)}
          >
            {t("riskAreas.designate")}
          </Button>
        )
      }
    >
      <Typography.Paragraph type="secondary">{t("riskAreas.lead")}</Typography.Paragraph>
      <Space style={{ marginBottom: 16 }} wrap>
        <span>{t("riskAreas.at")}</span>
        <Input
          type="datetime-local"
          value={at}
          onChange={(e) => setAt(e.target.value)}
          style={{ width: 220 }}
          data-testid="areas-at"
        />
        <Button onClick={() => setAt("")}>{t("riskAreas.now")}</Button>
      </Space>
      {error ? (
        <PageError error={error} onRetry={reload} />
      ) : (
        <Table<AreaInForce>
          rowKey="id"
          size="middle"
          loading={loading}
          columns={columns}
          dataSource={data?.items ?? []}
          locale={{ emptyText: t("riskAreas.empty") }}
          pagination={{ pageSize: 50, hideOnSinglePage: true }}
          scroll={{ x: 1000 }}
          data-testid="areas-table"
        />
      )}
      <AreaProposals
        key={proposalsNonce}
        at={at ? instantOf(at) : ""}
        canWrite={canWrite}
        onChanged={reload}
      />
      {canWrite && <ItineraryAreaProposals onChanged={reload} />}
      <AreaEventsModal
        area={eventsOf}
        canWrite={canWrite}
        onClose={() => setEventsOf(null)}
        onChanged={() => setProposalsNonce((n) => n + 1)}
      />
      <Modal
        open={designating}
        title={t("riskAreas.designateTitle")}
        onCancel={() => setDesignating(false)}
        onOk={() => designateForm.submit()}
        okText={t("riskAreas.designate")}
        cancelText={t("common.cancel")}
        confirmLoading={busy}
        width={640}
        destroyOnHidden
      >
        <Form<DesignateValues>
          form={designateForm}
          layout="vertical"
          onFinish={designate}
          initialValues={{ from: nowLocal() }}
        >
          <Form.Item
            name="regionCode"
            label={t("riskAreas.region")}
            rules={[{ required: true, message: t("riskAreas.required") }]}
          >
            <RegionPicker data-testid="designate-region" />
          </Form.Item>
          <Row gutter={16}>
            <Col span={12}>
              <Form.Item
                name="kind"
                label={t("riskAreas.kind")}
                rules={[{ required: true, message: t("riskAreas.required") }]}
              >
                <Select
                  data-testid="designate-kind"
                  options={KINDS.map((k) => ({ value: k, label: t(`riskAreas.kinds.${k}`) }))}
                />
              </Form.Item>
            </Col>
            <Col span={12}>
              <Form.Item name="placeName" label={t("riskAreas.placeName")}>
                <Input maxLength={200} data-testid="designate-place" />
              </Form.Item>
            </Col>
          </Row>
          <Row gutter={16}>
            <Col span={12}>
              <Form.Item
                name="from"
                label={t("riskAreas.from")}
                rules={[{ required: true, message: t("riskAreas.required") }]}
              >
                <Input type="datetime-local" data-testid="designate-from" />
              </Form.Item>
            </Col>
            <Col span={12}>
              <Form.Item name="to" label={t("riskAreas.to")}>
                <Input type="datetime-local" data-testid="designate-to" />
              </Form.Item>
            </Col>
          </Row>
          <Form.Item
            name="reason"
            label={t("riskAreas.reason")}
            rules={[{ required: true, message: t("riskAreas.required") }]}
          >
            <Input.TextArea maxLength={1000} rows={2} data-testid="designate-reason" />
          </Form.Item>
          <Form.Item name="linkedCase" label={t("riskAreas.linkedCase")}>
            <Input maxLength={200} data-testid="designate-case" />
          </Form.Item>
        </Form>
      </Modal>
      <Modal
        open={ending !== null}
        title={t("riskAreas.endTitle")}
        onCancel={() => setEnding(null)}
        onOk={() => endForm.submit()}
        okText={t("riskAreas.end")}
        cancelText={t("common.cancel")}
        okButtonProps={{ danger: true }}
        confirmLoading={busy}
        destroyOnHidden
      >
        <Form<EndValues> form={endForm} layout="vertical" onFinish={end} initialValues={{ at: endOffered }}>
          <Form.Item
            name="at"
            label={t("riskAreas.endAt")}
            rules={[{ required: true, message: t("riskAreas.required") }]}
          >
            <Input type="datetime-local" data-testid="end-at" />
          </Form.Item>
          <Form.Item
            name="reason"
            label={t("riskAreas.endReason")}
            rules={[{ required: true, message: t("riskAreas.required") }]}
          >
            <Input.TextArea maxLength={1000} rows={2} data-testid="end-reason" />
          </Form.Item>
        </Form>
      </Modal>
    </Card>
  );
}
