import { STAY_KIND_LABELS, STAY_KINDS, type StayKind } from "@cordon/domain/tracing/itinerary";
import {
  Alert,
  Button,
  Checkbox,
  Col,
  Form,
  Input,
  List,
  Popconfirm,
  Row,
  Select,
  Space,
  Table,
  type TableColumnsType,
  Tag,
  Typography,
} from "antd";
import { type HTMLAttributes, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, unwrap } from "../api/client.ts";
import { applyServerErrors } from "../api/errors.ts";
import type { components } from "../api/schema.d.ts";
import { useApiData } from "../api/use-api-data.ts";
import { currentLang } from "../i18n/i18n.ts";
import { RegionPicker } from "../regions/region-picker.tsx";
import { instantOf } from "../shell/local-time.ts";
import { formatMinute, labelled, pick, Refusal } from "./tracing-bits.tsx";

type Stay = components["schemas"]["TracingStay"];

interface StayValues {
  kind?: StayKind;
  regionCode?: string;
  placeName?: string;
  from?: string;
  to?: string;
  frequentHigherRisk?: boolean;
}

const STAY_FIELDS = ["kind", "regionCode", "placeName", "from", "to", "frequentHigherRisk"];
const KIND_COLORS: Record<string, string> = {
  high: "red",
  sealed: "red",
  medium: "orange",
  controlled: "orange",
};
const STATUS_COLORS: Record<string, string> = { submitted: "blue", confirmed: "green", rejected: "default" };

/** Records one stay of the itinerary: kind, region, place, from–to, frequent and higher-risk. */
function StayForm({ caseId, onRecorded }: { caseId: string; onRecorded: () => void }) {
  const { t, i18n } = useTranslation();
  const [form] = Form.useForm<StayValues>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [kept, setKept] = useState<Stay["flags"]>([]);
  const submit = async (v: StayValues) => {
    setBusy(true);
    setError(null);
    setKept([]);
    try {
      const s = await unwrap(
        api.POST("/api/tracing/cases/{id}/stays", {
          params: { path: { id: caseId } },
          body: {
            kind: v.kind ?? "residence",
            regionCode: v.regionCode ?? "",
            placeName: v.placeName?.trim() || null,
            from: v.from ? instantOf(v.from) : "",
            to: v.to ? instantOf(v.to) : "",
            frequentHigherRisk: v.frequentHigherRisk ?? false,
          },
        }),
      );
      setKept(s.flags);
      form.resetFields(["placeName", "from", "to", "frequentHigherRisk"]);
      onRecorded();
    } catch (e) {
      applyServerErrors(form, STAY_FIELDS, t, e);
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Form<StayValues>
      form={form}
      layout="vertical"
      onFinish={submit}
      initialValues={{ kind: "residence" }}
      data-testid="stay-form"
    >
      <Row gutter={16}>
        <Col xs={12} md={4}>
          <Form.Item name="kind" label={t("tracing.stays.kind")}>
            <Select data-testid="stay-kind" options={labelled(STAY_KINDS, STAY_KIND_LABELS, i18n.language)} />
          </Form.Item>
        </Col>
        <Col xs={24} md={8}>
          <Form.Item
            name="regionCode"
            label={t("tracing.stays.region")}
            rules={[{ required: true, message: t("tracing.required") }]}
          >
            <RegionPicker data-testid="stay-region" />
          </Form.Item>
        </Col>
        <Col xs={24} md={6}>
          <Form.Item name="placeName" label={t("tracing.stays.place")} extra={t("tracing.stays.placeHint")}>
            <Input data-testid="stay-place" maxLength={100} />
          </Form.Item>
        </Col>
        <Col xs={24} md={6}>
          <Form.Item name="frequentHigherRisk" valuePropName="checked" label=" ">
            <Checkbox data-testid="stay-frequent">{t("tracing.stays.frequentHigherRisk")}</Checkbox>
          </Form.Item>
        </Col>
        <Col xs={12} md={6}>
          <Form.Item
            name="from"
            label={t("tracing.stays.from")}
            rules={[{ required: true, message: t("tracing.required") }]}
          >
            <Input type="datetime-local" data-testid="stay-from" />
          </Form.Item>
        </Col>
        <Col xs={12} md={6}>
          <Form.Item
            name="to"
            label={t("tracing.stays.to")}
            rules={[{ required: true, message: t("tracing.required") }]}
          >
            <Input type="datetime-local" data-testid="stay-to" />
          </Form.Item>
        </Col>
      </Row>
      <Space direction="vertical" style={{ width: "100%" }}>
        <Button type="primary" htmlType="submit" loading={busy} data-testid="stay-submit">
          {t("tracing.stays.submit")}
        </Button>
        {error !== null && <Refusal error={error} testId="stay-refusal" />}
        {kept.length > 0 && (
          <Alert
            type="warning"
            showIcon
            data-testid="stay-kept-flags"
            message={kept.map((f) => pick(f.message, i18n.language)).join("；")}
          />
        )}
      </Space>
    </Form>
  );
}

/**
 * The proposals `proposeAreas` makes from the stays inside the window, in the scheme of the pack in
 * force, each with its explanation and what became of it; the investigator submits the chosen ones to
 * the command, who confirms them on the risk-area page.
 */
function AreaProposalsPanel({
  caseId,
  version,
  canAct,
}: {
  caseId: string;
  version: number;
  canAct: boolean;
}) {
  const { t, i18n } = useTranslation();
  const [picked, setPicked] = useState<Set<string> | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const proposals = useApiData(`area-proposals:${caseId}:${version}:${i18n.language}`, () =>
    unwrap(
      api.GET("/api/tracing/cases/{id}/area-proposals", {
        params: { path: { id: caseId }, query: { lang: currentLang() } },
      }),
    ),
  );
  const items = proposals.data?.items ?? [];
  const open = items.filter(
    (i) => i.submitted?.status !== "submitted" && i.submitted?.status !== "confirmed",
  );
  const chosen = picked ?? new Set(open.filter((i) => i.submitted === null).map((i) => i.key));
  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      await unwrap(
        api.POST("/api/tracing/cases/{id}/area-proposals/submit", {
          params: { path: { id: caseId } },
          body: { keys: [...chosen] },
        }),
      );
      setPicked(null);
      proposals.reload();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div data-testid="area-proposals-panel" style={{ marginTop: 16 }}>
      <Typography.Title level={5}>{t("tracing.proposals.title")}</Typography.Title>
      {proposals.data && (
        <Typography.Paragraph type="secondary" data-testid="proposals-basis">
          {pick(proposals.data.basis, i18n.language)}
          {t("tracing.proposals.lead")}
        </Typography.Paragraph>
      )}
      {proposals.error && <Refusal error={proposals.error} testId="proposals-refusal" />}
      <List
        size="small"
        loading={proposals.loading}
        dataSource={items}
        locale={{ emptyText: t("tracing.proposals.none") }}
        renderItem={(i) => {
          const status = i.submitted?.status ?? null;
          const selectable = canAct && status !== "submitted" && status !== "confirmed";
          return (
            <List.Item
              key={i.key}
              data-testid="area-proposal-item"
              data-kind={i.kind}
              data-status={status ?? "new"}
            >
              <Space wrap>
                {selectable && (
                  <Checkbox
                    checked={chosen.has(i.key)}
                    data-testid="proposal-pick"
                    onChange={(e) => {
                      const next = new Set(chosen);
                      if (e.target.checked) next.add(i.key);
                      else next.delete(i.key);
                      setPicked(next);
                    }}
                  />
                )}
                <Tag color={KIND_COLORS[i.kind] ?? "default"} data-testid="proposal-kind">
                  {t(`riskAreas.kinds.${i.kind}`)}
                </Tag>
                <span data-testid="proposal-explanation">{pick(i.explanation, i18n.language)}</span>
                <Typography.Text type="secondary">{i.regionCode}</Typography.Text>
                {status && (
                  <Tag color={STATUS_COLORS[status]} data-testid="proposal-status">
                    {t(`tracing.proposals.status.${status}`)}
                    {i.submitted?.decisionReason ? `：${i.submitted.decisionReason}` : ""}
                  </Tag>
                )}
              </Space>
            </List.Item>
          );
        }}
      />
      {(proposals.data?.outsideWindow.length ?? 0) > 0 && (
        <Typography.Paragraph type="secondary" data-testid="proposals-outside">
          {t("tracing.proposals.outside", { n: proposals.data?.outsideWindow.length })}
        </Typography.Paragraph>
      )}
      {canAct && open.length > 0 && (
        <Button
          type="primary"
          data-testid="proposals-submit"
          disabled={chosen.size === 0}
          loading={busy}
          onClick={() => void submit()}
        >
          {t("tracing.proposals.submit", { n: chosen.size })}
        </Button>
      )}
      {error !== null && <Refusal error={error} testId="proposals-submit-refusal" />}
    </div>
  );
}

/** The itinerary's stays (行程): the form, the list with flags and delete, and the area proposals. */
export function Stays({ caseId, canAct }: { caseId: string; canAct: boolean }) {
  const { t, i18n } = useTranslation();
  const [version, setVersion] = useState(0);
  const [error, setError] = useState<unknown>(null);
  const stays = useApiData(`stays:${caseId}:${version}`, () =>
    unwrap(
      api.GET("/api/tracing/cases/{id}/stays", {
        params: { path: { id: caseId }, query: { lang: currentLang() } },
      }),
    ),
  );
  const changed = () => setVersion((v) => v + 1);
  const remove = async (s: Stay) => {
    setError(null);
    try {
      await unwrap(
        api.DELETE("/api/tracing/cases/{id}/stays/{stayId}", {
          params: { path: { id: caseId, stayId: s.id } },
        }),
      );
      changed();
    } catch (e) {
      setError(e);
    }
  };
  const columns: TableColumnsType<Stay> = [
    {
      title: t("tracing.stays.kind"),
      dataIndex: "kind",
      render: (k: StayKind) => pick(STAY_KIND_LABELS[k], i18n.language),
    },
    {
      title: t("tracing.stays.when"),
      key: "when",
      render: (_: unknown, s) => `${formatMinute(s.from)} – ${formatMinute(s.to)}`,
    },
    {
      title: t("tracing.stays.place"),
      key: "place",
      render: (_: unknown, s) => (
        <Space size={4} wrap>
          <span data-testid="stay-place-name">{s.placeName ?? t("tracing.stays.wholeRegion")}</span>
          <Typography.Text type="secondary">{s.regionCode}</Typography.Text>
          {s.frequentHigherRisk && <Tag color="red">{t("tracing.stays.frequentHigherRisk")}</Tag>}
        </Space>
      ),
    },
    {
      title: t("tracing.itinerary.flags"),
      key: "flags",
      render: (_: unknown, s) =>
        s.inWindow ? (
          <Tag color="green">{t("tracing.stays.inWindow")}</Tag>
        ) : (
          <Tag
            color="orange"
            data-testid="stay-flag"
            title={s.flags.map((f) => pick(f.message, i18n.language)).join("；")}
          >
            {t("tracing.stays.outsideWindow")}
          </Tag>
        ),
    },
    ...(canAct
      ? [
          {
            title: "",
            key: "delete",
            render: (_: unknown, s: Stay) => (
              <Popconfirm
                title={t("tracing.stays.deleteConfirm")}
                okText={t("tracing.stays.delete")}
                cancelText={t("common.cancel")}
                onConfirm={() => void remove(s)}
              >
                <Button size="small" danger data-testid="stay-delete">
                  {t("tracing.stays.delete")}
                </Button>
              </Popconfirm>
            ),
          },
        ]
      : []),
  ];
  return (
    <div data-testid="stays">
      <Typography.Title level={5}>{t("tracing.stays.title")}</Typography.Title>
      <Table<Stay>
        size="small"
        rowKey="id"
        columns={columns}
        dataSource={stays.data?.items ?? []}
        loading={stays.loading}
        pagination={false}
        scroll={{ x: true }}
        locale={{ emptyText: t("tracing.stays.none") }}
        onRow={(s) =>
          ({
            "data-testid": "stay-row",
            "data-kind": s.kind,
            "data-in-window": String(s.inWindow),
          }) as HTMLAttributes<HTMLElement>
        }
      />
      {error !== null && <Refusal error={error} testId="stay-delete-refusal" />}
      {canAct && (
        <div style={{ marginTop: 12 }}>
          <StayForm caseId={caseId} onRecorded={changed} />
        </div>
      )}
      <AreaProposalsPanel caseId={caseId} version={version} canAct={canAct} />
    </div>
  );
}
