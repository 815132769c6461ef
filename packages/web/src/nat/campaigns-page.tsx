import { PlusOutlined } from "@ant-design/icons";
import {
  Alert,
  App,
  Button,
  Card,
  Form,
  Input,
  InputNumber,
  Modal,
  Radio,
  Select,
  Space,
  Table,
  type TableColumnsType,
  Tag,
  Typography,
} from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { useMe } from "../accounts/session.tsx";
import { applyServerErrors } from "../api/errors.ts";
import { useApiData } from "../api/use-api-data.ts";
import { formatNumber } from "../i18n/format.ts";
import { RegionName } from "../regions/region-name.tsx";
import { RegionPicker } from "../regions/region-picker.tsx";
import { instantOf, nowLocal } from "../shell/local-time.ts";
import { PageError } from "../shell/page-states.tsx";
import {
  type Campaign,
  type CampaignKind,
  type CampaignSummary,
  natApi,
  type SamplingPoint,
} from "./nat-api.ts";
import { formatMinute, KindTag, pick } from "./nat-bits.tsx";

interface CampaignValues {
  name?: string;
  kind?: CampaignKind;
  regionCodes?: string[];
  startsAt?: string;
  rounds?: number;
  intervalDays?: number;
}

/** Regions chosen one by one with the region search, shown as tags (a form control). */
function RegionList({
  value,
  onChange,
  within,
}: {
  value?: string[];
  onChange?: (v: string[]) => void;
  within: string;
}) {
  const list = value ?? [];
  return (
    <Space direction="vertical" style={{ width: "100%" }}>
      <RegionPicker
        within={within}
        value={null}
        onChange={(code) => code && !list.includes(code) && onChange?.([...list, code])}
        data-testid="campaign-region-picker"
        style={{ width: "100%" }}
      />
      <Space size={4} wrap data-testid="campaign-regions">
        {list.map((code) => (
          <Tag
            key={code}
            closable
            onClose={() => onChange?.(list.filter((c) => c !== code))}
            data-testid="campaign-region"
            data-code={code}
          >
            <RegionName code={code} /> {code}
          </Tag>
        ))}
      </Space>
    </Space>
  );
}

/** Opens a campaign; the answer shows the deadline the policy in force gives it. */
function CreateCampaignDialog({
  open,
  onClose,
  onCreated,
}: {
  open: boolean;
  onClose: () => void;
  onCreated: (c: Campaign) => void;
}) {
  const { t } = useTranslation();
  const { me } = useMe();
  const [form] = Form.useForm<CampaignValues>();
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const [offered] = useState(nowLocal);

  const submit = async (v: CampaignValues) => {
    setBusy(true);
    setFailure(null);
    try {
      const c = await natApi.createCampaign({
        name: (v.name ?? "").trim(),
        kind: v.kind ?? "designated_area",
        regionCodes: v.regionCodes ?? [],
        startsAt: instantOf(v.startsAt ?? offered, offered),
        rounds: v.rounds ?? 1,
        intervalDays: v.intervalDays ?? 1,
      });
      form.resetFields();
      onCreated(c);
    } catch (e) {
      setFailure(
        applyServerErrors(form, ["name", "kind", "regionCodes", "startsAt", "rounds", "intervalDays"], t, e),
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open={open}
      title={t("nat.campaigns.create")}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t("nat.campaigns.open")}
      okButtonProps={{ loading: busy, "data-testid": "campaign-submit" }}
      destroyOnHidden
      width={600}
    >
      <Typography.Paragraph type="secondary">{t("nat.campaigns.createLead")}</Typography.Paragraph>
      {failure && (
        <Alert
          type="error"
          showIcon
          title={failure}
          style={{ marginBottom: 12 }}
          data-testid="campaign-error"
        />
      )}
      <Form<CampaignValues>
        form={form}
        layout="vertical"
        onFinish={submit}
        initialValues={{
          kind: "designated_area",
          rounds: 3,
          intervalDays: 1,
          startsAt: offered,
          regionCodes: [],
        }}
      >
        <Form.Item
          name="name"
          label={t("nat.campaigns.name")}
          rules={[{ required: true, whitespace: true, message: t("nat.required") }]}
        >
          <Input maxLength={200} data-testid="campaign-name" />
        </Form.Item>
        <Form.Item name="kind" label={t("nat.campaigns.kind")} extra={t("nat.campaigns.kindHint")}>
          <Radio.Group data-testid="campaign-kind-input">
            <Radio value="designated_area" data-testid="campaign-kind-designated_area">
              {t("nat.kinds.designated_area")}
            </Radio>
            <Radio value="whole_population" data-testid="campaign-kind-whole_population">
              {t("nat.kinds.whole_population")}
            </Radio>
          </Radio.Group>
        </Form.Item>
        <Form.Item
          name="regionCodes"
          label={t("nat.campaigns.regions")}
          extra={t("nat.campaigns.regionsHint")}
          rules={[{ required: true, type: "array", min: 1, message: t("nat.campaigns.regionsRequired") }]}
        >
          <RegionList within={me.user.jurisdictionCode} />
        </Form.Item>
        <Space wrap size="middle">
          <Form.Item name="startsAt" label={t("nat.campaigns.startsAt")}>
            <Input type="datetime-local" data-testid="campaign-starts" />
          </Form.Item>
          <Form.Item name="rounds" label={t("nat.campaigns.rounds")} extra={t("nat.campaigns.roundsHint")}>
            <InputNumber min={1} max={60} data-testid="campaign-rounds" />
          </Form.Item>
          <Form.Item name="intervalDays" label={t("nat.campaigns.interval")}>
            <Select
              style={{ width: 140 }}
              options={[1, 2, 5].map((d) => ({
                value: d,
                label: t("nat.campaigns.everyDays", { count: d }),
              }))}
              data-testid="campaign-interval"
            />
          </Form.Item>
        </Space>
      </Form>
    </Modal>
  );
}

interface PointValues {
  name?: string;
  address?: string;
  regionCode?: string;
  hours?: string;
  desks?: number;
  capacityPerHour?: number;
}

function CreatePointDialog({
  open,
  onClose,
  onCreated,
}: {
  open: boolean;
  onClose: () => void;
  onCreated: () => void;
}) {
  const { t } = useTranslation();
  const { me } = useMe();
  const { message } = App.useApp();
  const [form] = Form.useForm<PointValues>();
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const fields = ["name", "address", "regionCode", "hours", "desks", "capacityPerHour"];

  const submit = async (v: PointValues) => {
    setBusy(true);
    setFailure(null);
    try {
      const p = await natApi.createPoint({
        name: (v.name ?? "").trim(),
        address: (v.address ?? "").trim(),
        regionCode: v.regionCode ?? "",
        hours: (v.hours ?? "").trim(),
        desks: v.desks ?? 1,
        capacityPerHour: v.capacityPerHour ?? 1,
      });
      message.success(t("nat.points.created", { name: p.name }));
      form.resetFields();
      onCreated();
    } catch (e) {
      setFailure(applyServerErrors(form, fields, t, e));
    } finally {
      setBusy(false);
    }
  };

  const required = [{ required: true, whitespace: true, message: t("nat.required") }];
  return (
    <Modal
      open={open}
      title={t("nat.points.create")}
      onCancel={onClose}
      onOk={() => form.submit()}
      okButtonProps={{ loading: busy, "data-testid": "point-submit" }}
      destroyOnHidden
    >
      {failure && <Alert type="error" showIcon title={failure} style={{ marginBottom: 12 }} />}
      <Form<PointValues>
        form={form}
        layout="vertical"
        onFinish={submit}
        initialValues={{ hours: "07:00-21:00", desks: 4, capacityPerHour: 180 }}
      >
        <Form.Item name="name" label={t("nat.points.name")} rules={required}>
          <Input maxLength={200} data-testid="point-name" />
        </Form.Item>
        <Form.Item name="address" label={t("nat.points.address")} rules={required}>
          <Input maxLength={400} data-testid="point-address" />
        </Form.Item>
        <Form.Item
          name="regionCode"
          label={t("nat.points.region")}
          rules={[{ required: true, message: t("nat.required") }]}
        >
          <RegionPicker within={me.user.jurisdictionCode} data-testid="point-region" />
        </Form.Item>
        <Space wrap size="middle">
          <Form.Item name="hours" label={t("nat.points.hours")} rules={required}>
            <Input maxLength={100} style={{ width: 140 }} data-testid="point-hours" />
          </Form.Item>
          <Form.Item
            name="desks"
            label={t("nat.points.desks")}
            rules={[{ required: true, message: t("nat.required") }]}
          >
            <InputNumber min={1} max={1000} data-testid="point-desks" />
          </Form.Item>
          <Form.Item
            name="capacityPerHour"
            label={t("nat.points.capacity")}
            rules={[{ required: true, message: t("nat.required") }]}
          >
            <InputNumber min={1} max={100000} data-testid="point-capacity" />
          </Form.Item>
        </Space>
      </Form>
    </Modal>
  );
}

function PointsCard() {
  const { t } = useTranslation();
  const { can } = useMe();
  const [open, setOpen] = useState(false);
  const { data, error, loading, reload } = useApiData("nat-points", () => natApi.points());
  const columns: TableColumnsType<SamplingPoint> = [
    {
      title: t("nat.points.name"),
      key: "name",
      render: (_: unknown, p) => (
        <Space direction="vertical" size={0}>
          <span data-testid="point-row-name">{p.name}</span>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {p.address}
          </Typography.Text>
        </Space>
      ),
    },
    {
      title: t("nat.points.region"),
      dataIndex: "regionCode",
      render: (v: string) => <RegionName code={v} />,
    },
    { title: t("nat.points.hours"), dataIndex: "hours" },
    { title: t("nat.points.desks"), dataIndex: "desks", align: "right" },
    {
      title: t("nat.points.capacity"),
      dataIndex: "capacityPerHour",
      align: "right",
      render: (v: number) => formatNumber(v),
    },
  ];
  return (
    <Card
      title={t("nat.points.title")}
      data-testid="points-card"
      extra={
        can("nat.manage") && (
          <Button icon={<PlusOutlined />} onClick={() => setOpen(true)} data-testid="point-create">
            {t("nat.points.create")}
          </Button>
        )
      }
    >
      {error ? (
        <PageError error={error} onRetry={reload} />
      ) : (
        <Table<SamplingPoint>
          rowKey="id"
          size="small"
          loading={loading}
          columns={columns}
          dataSource={data?.items ?? []}
          locale={{ emptyText: t("nat.points.empty") }}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          scroll={{ x: 720 }}
          data-testid="points-table"
        />
      )}
      <CreatePointDialog
        open={open}
        onClose={() => setOpen(false)}
        onCreated={() => {
          setOpen(false);
          reload();
        }}
      />
    </Card>
  );
}

/** The deadline a campaign got from the policy in force, and why. */
function DeadlineText({ c }: { c: CampaignSummary }) {
  const { t, i18n } = useTranslation();
  return (
    <Space direction="vertical" size={0}>
      <span data-testid="campaign-deadline" data-hours={c.deadlineHours}>
        {t("nat.campaigns.deadlineHours", { h: c.deadlineHours })} · {formatMinute(c.deadlineAt)}
      </span>
      <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid="campaign-deadline-reason">
        {pick(c.deadlineReason, i18n.language)}
      </Typography.Text>
    </Space>
  );
}

/** Screening campaigns of the jurisdiction and its sampling points; the command opens new ones. */
export function CampaignsPage() {
  const { t, i18n } = useTranslation();
  const { can } = useMe();
  const [open, setOpen] = useState(false);
  const [created, setCreated] = useState<Campaign | null>(null);
  const { data, error, loading, reload } = useApiData("nat-campaigns", () => natApi.campaigns());

  const columns: TableColumnsType<CampaignSummary> = [
    {
      title: t("nat.campaigns.name"),
      key: "name",
      render: (_: unknown, c) => (
        <Link to={`/nat/campaigns/${c.id}`} data-testid="campaign-link" data-id={c.id}>
          {c.name}
        </Link>
      ),
    },
    { title: t("nat.campaigns.kind"), key: "kind", render: (_: unknown, c) => <KindTag kind={c.kind} /> },
    {
      title: t("nat.campaigns.regions"),
      key: "regions",
      render: (_: unknown, c) => (
        <Space size={4} wrap>
          {c.regionCodes.map((code) => (
            <Tag key={code}>
              <RegionName code={code} />
            </Tag>
          ))}
        </Space>
      ),
    },
    {
      title: t("nat.campaigns.population"),
      dataIndex: "population",
      align: "right",
      render: (v: number) => formatNumber(v),
    },
    {
      title: t("nat.campaigns.schedule"),
      key: "schedule",
      render: (_: unknown, c) =>
        t("nat.campaigns.scheduleText", {
          start: formatMinute(c.startsAt),
          rounds: c.rounds,
          every: t("nat.campaigns.everyDays", { count: c.intervalDays }),
        }),
    },
    {
      title: t("nat.campaigns.deadline"),
      key: "deadline",
      render: (_: unknown, c) => <DeadlineText c={c} />,
    },
    {
      title: t("nat.campaigns.notes"),
      key: "notes",
      render: (_: unknown, c) =>
        c.notes.length ? (
          <Typography.Text type="warning" style={{ fontSize: 12 }}>
            {c.notes.map((n) => pick(n, i18n.language)).join("；")}
          </Typography.Text>
        ) : (
          t("common.none")
        ),
    },
  ];

  return (
    <Space direction="vertical" size="middle" style={{ width: "100%" }} data-testid="nat-campaigns-page">
      <Space style={{ width: "100%", justifyContent: "space-between" }} wrap>
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t("nat.campaigns.title")}
        </Typography.Title>
        {can("nat.manage") && (
          <Button
            type="primary"
            icon={<PlusOutlined />}
            onClick={() => setOpen(true)}
            data-testid="campaign-create"
          >
            {t("nat.campaigns.create")}
          </Button>
        )}
      </Space>
      {created && (
        <Alert
          type="success"
          showIcon
          closable
          onClose={() => setCreated(null)}
          data-testid="campaign-created"
          title={t("nat.campaigns.created", { name: created.name })}
          description={
            <Space direction="vertical" size={0}>
              <span data-testid="campaign-created-deadline" data-hours={created.deadlineHours}>
                {t("nat.campaigns.createdDeadline", {
                  h: created.deadlineHours,
                  at: formatMinute(created.deadlineAt),
                  n: formatNumber(created.population),
                })}
              </span>
              <Typography.Text type="secondary">
                {pick(created.deadlineReason, i18n.language)}
              </Typography.Text>
              {created.notes.map((n, i) => (
                <Typography.Text key={i} type="warning">
                  {pick(n, i18n.language)}
                </Typography.Text>
              ))}
              <Link to={`/nat/campaigns/${created.id}`} data-testid="campaign-created-link">
                {t("nat.campaigns.openBoard")}
              </Link>
            </Space>
          }
        />
      )}
      <Card data-testid="campaigns-card">
        {error ? (
          <PageError error={error} onRetry={reload} />
        ) : (
          <Table<CampaignSummary>
            rowKey="id"
            size="middle"
            loading={loading}
            columns={columns}
            dataSource={data?.items ?? []}
            locale={{ emptyText: t("nat.campaigns.empty") }}
            pagination={{ pageSize: 20, hideOnSinglePage: true }}
            scroll={{ x: 1100 }}
            data-testid="campaigns-table"
          />
        )}
      </Card>
      <PointsCard />
      <CreateCampaignDialog
        open={open}
        onClose={() => setOpen(false)}
        onCreated={(c) => {
          setOpen(false);
          setCreated(c);
          reload();
        }}
      />
    </Space>
  );
}
