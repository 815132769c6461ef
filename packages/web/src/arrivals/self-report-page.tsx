import { Alert, Button, Card, Form, Result, Space, Typography } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useMe } from "../accounts/session.tsx";
import { api, unwrap } from "../api/client.ts";
import type { PolicyDecision } from "../policies/policy-types.ts";
import { ArrivalFields, type ArrivalValues, reportOf, showReportErrors } from "./arrival-form.tsx";
import { DecisionResult } from "./decision-result.tsx";
import { MyArrivals } from "./my-arrivals.tsx";

interface Reported {
  decision: PolicyDecision;
  dueAt: string | null;
}

/**
 * 来返报备: a citizen reports their own arrival from a phone. One column, large fields; on submit
 * the page says what they must do, by when the community acts, and which notice decided it.
 */
export function SelfReportPage() {
  const { t } = useTranslation();
  const { me } = useMe();
  const [form] = Form.useForm<ArrivalValues>();
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const [result, setResult] = useState<Reported | null>(null);
  const [refresh, setRefresh] = useState(0);

  if (!me.user.personId) {
    return <Result status="info" title={t("selfReport.noLinked")} data-testid="self-report-no-link" />;
  }

  const submit = async (v: ArrivalValues) => {
    setBusy(true);
    setFailure(null);
    try {
      const r = await unwrap(api.POST("/api/me/arrivals", { body: reportOf(v) }));
      setResult({ decision: r.arrival.decision as PolicyDecision, dueAt: r.task?.dueAt ?? null });
      setRefresh((n) => n + 1);
      window.scrollTo({ top: 0 });
    } catch (e) {
      setFailure(showReportErrors(form, t, e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div style={{ maxWidth: 560, margin: "0 auto" }} data-testid="self-report-page">
      {result ? (
        <Card data-testid="self-report-result">
          <Result
            status="success"
            title={t("selfReport.submitted")}
            subTitle={t("selfReport.contactYou")}
            style={{ padding: "8px 0 16px" }}
          />
          <DecisionResult decision={result.decision} dueAt={result.dueAt} />
          <Button
            block
            size="large"
            style={{ marginTop: 16 }}
            onClick={() => {
              form.resetFields();
              setResult(null);
            }}
            data-testid="self-report-again"
          >
            {t("selfReport.another")}
          </Button>
        </Card>
      ) : (
        <Card title={t("selfReport.title")}>
          <Typography.Paragraph type="secondary">{t("selfReport.lead")}</Typography.Paragraph>
          <Form<ArrivalValues>
            form={form}
            layout="vertical"
            size="large"
            onFinish={submit}
            initialValues={{ occupation: "none", travel: [] }}
            scrollToFirstError
          >
            <ArrivalFields publicPlaces />
            {failure && <Alert type="error" showIcon message={failure} style={{ marginBottom: 16 }} />}
            <Button
              type="primary"
              htmlType="submit"
              block
              size="large"
              loading={busy}
              data-testid="self-report-submit"
            >
              {t("selfReport.submit")}
            </Button>
          </Form>
        </Card>
      )}
      <Space direction="vertical" style={{ width: "100%", marginTop: 16 }}>
        <MyArrivals refresh={refresh} />
      </Space>
    </div>
  );
}
