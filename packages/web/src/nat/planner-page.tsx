import { MinusCircleOutlined, PlusOutlined } from "@ant-design/icons";
import type { ResourceKind } from "@cordon/domain/nat/planner";
import {
  Alert,
  Button,
  Card,
  Col,
  Form,
  InputNumber,
  Row,
  Select,
  Space,
  Statistic,
  Table,
  type TableColumnsType,
  Tag,
  Typography,
} from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useMe } from "../accounts/session.tsx";
import { applyServerErrors } from "../api/errors.ts";
import { formatNumber } from "../i18n/format.ts";
import { RegionPicker } from "../regions/region-picker.tsx";
import { natApi, type Plan, type PlanGap, type PoolSize } from "./nat-api.ts";
import { pick } from "./nat-bits.tsx";

interface PlanValues {
  regionCode?: string;
  population?: number;
  deadlineHours?: number;
  workingHoursPerDay?: number;
  poolMix?: { size?: PoolSize; percent?: number }[];
  samplingPoints?: number | null;
  desks?: number | null;
  samplers?: number | null;
  supportStaff?: number | null;
  labTubesPerDay?: number | null;
}

const KINDS: readonly ResourceKind[] = [
  "samplingPoints",
  "desks",
  "samplers",
  "supportStaff",
  "labTubesPerDay",
];

interface FigureRow {
  kind: ResourceKind;
  value: number;
  ratio: number;
  basis: string;
  gap: PlanGap | undefined;
}

/** A screening round's desks, staff and lab capacity at the reference round's ratios, against what is registered. */
export function PlannerPage() {
  const { t, i18n } = useTranslation();
  const { me } = useMe();
  const [form] = Form.useForm<PlanValues>();
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const [plan, setPlan] = useState<Plan | null>(null);

  const submit = async (v: PlanValues) => {
    setBusy(true);
    setFailure(null);
    const registered = Object.fromEntries(
      KINDS.filter((k) => typeof v[k] === "number").map((k) => [k, v[k] as number]),
    );
    try {
      setPlan(
        await natApi.plan({
          ...(v.regionCode ? { regionCode: v.regionCode } : {}),
          population: v.population ?? 0,
          deadlineHours: v.deadlineHours ?? 24,
          workingHoursPerDay: v.workingHoursPerDay ?? 24,
          poolMix: (v.poolMix ?? []).map((p) => ({ size: p.size ?? 10, share: (p.percent ?? 0) / 100 })),
          registered,
        }),
      );
    } catch (e) {
      setFailure(
        applyServerErrors(form, ["regionCode", "population", "deadlineHours", "workingHoursPerDay"], t, e),
      );
    } finally {
      setBusy(false);
    }
  };

  const rows: FigureRow[] = plan
    ? KINDS.map((kind) => {
        const f = plan.plan.figures[kind]!;
        return {
          kind,
          value: f.value,
          ratio: f.ratio,
          basis: pick(f.basis, i18n.language),
          gap: plan.gaps.find((g) => g.kind === kind),
        };
      })
    : [];
  const columns: TableColumnsType<FigureRow> = [
    {
      title: t("nat.plan.resource"),
      dataIndex: "kind",
      render: (k: ResourceKind) => t(`nat.plan.kinds.${k}`),
    },
    {
      title: t("nat.plan.needed"),
      dataIndex: "value",
      align: "right",
      render: (v: number, r) => (
        <strong data-testid="plan-needed" data-kind={r.kind} data-value={v}>
          {formatNumber(v)}
        </strong>
      ),
    },
    {
      title: t("nat.plan.registered"),
      key: "registered",
      align: "right",
      render: (_: unknown, r) => formatNumber(r.gap?.registered ?? 0),
    },
    {
      title: t("nat.plan.shortfall"),
      key: "shortfall",
      align: "right",
      render: (_: unknown, r) =>
        r.gap && r.gap.shortfall > 0 ? (
          <Tag color="red" data-testid="plan-shortfall" data-kind={r.kind} data-value={r.gap.shortfall}>
            {t("nat.plan.short", { n: formatNumber(r.gap.shortfall) })}
          </Tag>
        ) : (
          <Tag color="green" data-testid="plan-shortfall" data-kind={r.kind} data-value={0}>
            {t("nat.plan.enough")}
          </Tag>
        ),
    },
    {
      title: t("nat.plan.basis"),
      dataIndex: "basis",
      render: (v: string) => (
        <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid="plan-basis">
          {v}
        </Typography.Text>
      ),
    },
  ];

  const optional = (name: ResourceKind, hint?: string) => (
    <Col xs={24} sm={12} md={8} lg={4} key={name}>
      <Form.Item name={name} label={t(`nat.plan.kinds.${name}`)} extra={hint}>
        <InputNumber
          min={0}
          style={{ width: "100%" }}
          placeholder={t("nat.plan.notGiven")}
          data-testid={`plan-registered-${name}`}
        />
      </Form.Item>
    </Col>
  );

  return (
    <Space direction="vertical" size="middle" style={{ width: "100%" }} data-testid="planner-page">
      <Typography.Title level={4} style={{ margin: 0 }}>
        {t("nat.plan.title")}
      </Typography.Title>
      <Card>
        <Typography.Paragraph type="secondary">{t("nat.plan.lead")}</Typography.Paragraph>
        {failure && (
          <Alert
            type="error"
            showIcon
            title={failure}
            style={{ marginBottom: 12 }}
            data-testid="plan-error"
          />
        )}
        <Form<PlanValues>
          form={form}
          layout="vertical"
          onFinish={submit}
          initialValues={{
            regionCode: me.user.jurisdictionCode,
            deadlineHours: 24,
            workingHoursPerDay: 24,
            poolMix: [{ size: 10, percent: 100 }],
          }}
        >
          <Row gutter={16}>
            <Col xs={24} md={8}>
              <Form.Item name="regionCode" label={t("nat.plan.region")} extra={t("nat.plan.regionHint")}>
                <RegionPicker within={me.user.jurisdictionCode} data-testid="plan-region" />
              </Form.Item>
            </Col>
            <Col xs={24} sm={8} md={6}>
              <Form.Item
                name="population"
                label={t("nat.plan.population")}
                rules={[{ required: true, message: t("nat.required") }]}
              >
                <InputNumber min={0} style={{ width: "100%" }} data-testid="plan-population" />
              </Form.Item>
            </Col>
            <Col xs={12} sm={8} md={5}>
              <Form.Item
                name="deadlineHours"
                label={t("nat.plan.deadlineHours")}
                rules={[{ required: true, message: t("nat.required") }]}
              >
                <InputNumber min={1} max={720} style={{ width: "100%" }} data-testid="plan-deadline" />
              </Form.Item>
            </Col>
            <Col xs={12} sm={8} md={5}>
              <Form.Item
                name="workingHoursPerDay"
                label={t("nat.plan.hoursPerDay")}
                rules={[{ required: true, message: t("nat.required") }]}
              >
                <InputNumber min={1} max={24} style={{ width: "100%" }} data-testid="plan-hours" />
              </Form.Item>
            </Col>
          </Row>
          <Typography.Text strong>{t("nat.plan.poolMix")}</Typography.Text>
          <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
            {t("nat.plan.poolMixHint")}
          </Typography.Paragraph>
          <Form.List name="poolMix">
            {(fields, { add, remove }) => (
              <Space direction="vertical" style={{ marginBottom: 16 }}>
                {fields.map((f) => (
                  <Space key={f.key} wrap align="baseline" data-testid="plan-mix-row">
                    <Form.Item name={[f.name, "size"]} noStyle>
                      <Select<PoolSize>
                        style={{ width: 140 }}
                        options={([1, 5, 10, 20] as const).map((s) => ({
                          value: s,
                          label: t("nat.sample.poolTube", { n: s }),
                        }))}
                        data-testid="plan-mix-size"
                      />
                    </Form.Item>
                    <Form.Item name={[f.name, "percent"]} noStyle>
                      <InputNumber
                        min={0}
                        max={100}
                        suffix="%"
                        style={{ width: 120 }}
                        data-testid="plan-mix-percent"
                      />
                    </Form.Item>
                    {fields.length > 1 && <MinusCircleOutlined onClick={() => remove(f.name)} />}
                  </Space>
                ))}
                {fields.length < 4 && (
                  <Button size="small" icon={<PlusOutlined />} onClick={() => add({ size: 20, percent: 0 })}>
                    {t("nat.plan.addMix")}
                  </Button>
                )}
              </Space>
            )}
          </Form.List>
          <Typography.Text strong>{t("nat.plan.registeredTitle")}</Typography.Text>
          <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
            {t("nat.plan.registeredHint")}
          </Typography.Paragraph>
          <Row gutter={16}>
            {optional("samplingPoints", t("nat.plan.countedHint"))}
            {optional("desks", t("nat.plan.countedHint"))}
            {optional("samplers")}
            {optional("supportStaff")}
            {optional("labTubesPerDay")}
          </Row>
          <Button type="primary" htmlType="submit" loading={busy} data-testid="plan-submit">
            {t("nat.plan.submit")}
          </Button>
        </Form>
      </Card>
      {plan && (
        <Card title={t("nat.plan.resultTitle")} data-testid="plan-result">
          <Space direction="vertical" style={{ width: "100%" }}>
            <Typography.Text type="secondary">{pick(plan.basis, i18n.language)}</Typography.Text>
            <Row gutter={[16, 16]}>
              <Col xs={12} md={6}>
                <Statistic title={t("nat.plan.samplingHours")} value={plan.plan.samplingHours} />
              </Col>
              <Col xs={12} md={6}>
                <Statistic
                  title={t("nat.plan.perDeskHour")}
                  value={plan.plan.peoplePerDeskHour}
                  precision={1}
                />
              </Col>
              <Col xs={12} md={6}>
                <Statistic title={t("nat.plan.tubes")} value={plan.plan.tubes} data-testid="plan-tubes" />
              </Col>
            </Row>
            <Table<FigureRow>
              rowKey="kind"
              size="small"
              columns={columns}
              dataSource={rows}
              pagination={false}
              scroll={{ x: 860 }}
              data-testid="plan-figures"
            />
          </Space>
        </Card>
      )}
    </Space>
  );
}
