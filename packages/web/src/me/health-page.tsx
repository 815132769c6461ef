import { FEVER_THRESHOLD_C, type Symptom } from "@cordon/domain/quarantine/monitoring";
import {
  Alert,
  App,
  Button,
  Card,
  Descriptions,
  Form,
  InputNumber,
  List,
  Result,
  Space,
  Spin,
  Typography,
} from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { applyServerErrors } from "../api/errors.ts";
import { useApiData } from "../api/use-api-data.ts";
import { ReportAlerts, SymptomChecks } from "../quarantine/health-bits.tsx";
import { quarantineApi } from "../quarantine/quarantine-api.ts";
import { formatMinute } from "../quarantine/quarantine-bits.tsx";
import { PageError } from "../shell/page-states.tsx";

interface ReportValues {
  temperatureC?: number;
  symptoms?: Symptom[];
}

/** A citizen in quarantine, on a phone: where they are, until when, and today's temperature and symptoms. */
export function HealthPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<ReportValues>();
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const [notice, setNotice] = useState<"fever" | "symptom" | null>(null);
  const { data, error, loading, reload } = useApiData("me-placement", () => quarantineApi.myPlacement());

  const submit = async (v: ReportValues) => {
    setBusy(true);
    setFailure(null);
    try {
      const r = await quarantineApi.myReport({
        temperatureC: v.temperatureC ?? 0,
        symptoms: v.symptoms ?? [],
      });
      setNotice(r.alerts.some((a) => a.kind === "fever") ? "fever" : r.alerts.length > 0 ? "symptom" : null);
      message.success(t("quarantine.me.reported"));
      form.resetFields();
      reload();
    } catch (e) {
      setFailure(applyServerErrors(form, ["temperatureC", "symptoms"], t, e));
    } finally {
      setBusy(false);
    }
  };

  if (error) return <PageError error={error} onRetry={reload} />;
  if (loading && data === undefined) return <Spin />;
  if (!data) return <Result status="info" title={t("quarantine.me.none")} data-testid="me-health-none" />;
  const reports = data.todayReports;

  return (
    <Space
      direction="vertical"
      size="middle"
      style={{ width: "100%", maxWidth: 560 }}
      data-testid="me-health-page"
    >
      <Card
        title={t("quarantine.me.title")}
        size="small"
        extra={
          <Link to="/me/code" data-testid="open-my-code">
            {t("codes.my.open")}
          </Link>
        }
      >
        <Descriptions column={1} size="small">
          <Descriptions.Item label={t("quarantine.me.site")}>
            <span data-testid="me-health-site">{data.site.name}</span>
          </Descriptions.Item>
          <Descriptions.Item label={t("quarantine.me.room")}>
            {data.room?.number ?? t("common.none")}
          </Descriptions.Item>
          <Descriptions.Item label={t("quarantine.me.plannedEnd")}>
            {data.plannedEnd ?? t("common.none")}
          </Descriptions.Item>
        </Descriptions>
      </Card>
      <Card title={t("quarantine.me.report")} size="small">
        {notice && (
          <Alert
            type="error"
            showIcon
            style={{ marginBottom: 12 }}
            message={notice === "fever" ? t("quarantine.me.feverNotice") : t("quarantine.me.symptomNotice")}
            data-testid="me-fever"
          />
        )}
        <Form<ReportValues> form={form} layout="vertical" onFinish={submit}>
          <Form.Item
            name="temperatureC"
            label={t("quarantine.health.temperature")}
            rules={[{ required: true, message: t("quarantine.required") }]}
          >
            <InputNumber
              size="large"
              min={30}
              max={45}
              step={0.1}
              precision={1}
              inputMode="decimal"
              style={{ width: "100%" }}
              data-testid="me-temperature"
            />
          </Form.Item>
          <Form.Item name="symptoms" label={t("quarantine.health.symptoms")}>
            <SymptomChecks />
          </Form.Item>
          {failure && <Alert type="error" showIcon message={failure} style={{ marginBottom: 12 }} />}
          <Button
            type="primary"
            size="large"
            block
            htmlType="submit"
            loading={busy}
            data-testid="me-report-submit"
          >
            {t("quarantine.me.submit")}
          </Button>
        </Form>
      </Card>
      <Card title={t("quarantine.me.todayReports")} size="small">
        <List
          size="small"
          dataSource={reports}
          locale={{ emptyText: t("quarantine.health.empty") }}
          renderItem={(r) => (
            <List.Item data-testid="me-report">
              <Space wrap>
                <span>{formatMinute(r.at)}</span>
                <Typography.Text type={r.temperatureC >= FEVER_THRESHOLD_C ? "danger" : undefined}>
                  {r.temperatureC.toFixed(1)} °C
                </Typography.Text>
                <ReportAlerts report={r} />
              </Space>
            </List.Item>
          )}
        />
      </Card>
    </Space>
  );
}
