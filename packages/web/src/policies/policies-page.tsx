import { Card, Space, Table, type TableColumnsType, Typography } from "antd";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { api, unwrap } from "../api/client.ts";
import { useApiData } from "../api/use-api-data.ts";
import { PageError } from "../shell/page-states.tsx";
import { pickText } from "./measures-view.tsx";
import type { PackSummary } from "./policy-types.ts";
import { TryPersonForm } from "./try-person-form.tsx";

/** The policy packs: what is (or was) in force where and when, and on which document; plus a try-a-person form. */
export function PoliciesPage() {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const { data, error, loading, reload } = useApiData("policies", () => unwrap(api.GET("/api/policies")));

  const columns: TableColumnsType<PackSummary> = [
    {
      title: t("policies.packTitle"),
      key: "title",
      render: (_: unknown, p) => (
        <Link to={`/policies/${p.id}`} data-testid="policy-pack-link" data-pack={p.id}>
          {pickText(p.title, lang)}
        </Link>
      ),
    },
    {
      title: t("policies.jurisdiction"),
      key: "jurisdiction",
      width: 140,
      render: (_: unknown, p) => p.jurisdictionName ?? p.jurisdiction,
    },
    { title: t("policies.inForceFrom"), dataIndex: "effectiveFrom", width: 120 },
    {
      title: t("policies.inForceTo"),
      dataIndex: "effectiveTo",
      width: 120,
      render: (v: string | null) => v ?? t("policies.openEnded"),
    },
    {
      title: t("policies.source"),
      key: "source",
      render: (_: unknown, p) => (
        <span>
          {p.source.title}
          <Typography.Text type="secondary">
            {" "}
            ({p.source.number ?? t("policies.noNumber")}, {p.source.date})
          </Typography.Text>
        </span>
      ),
    },
    { title: t("policies.ruleCount"), dataIndex: "ruleCount", width: 80 },
  ];

  return (
    <Space direction="vertical" size="large" style={{ width: "100%" }} data-testid="policies-page">
      <Card title={t("policies.title")}>
        <Typography.Paragraph type="secondary">{t("policies.lead")}</Typography.Paragraph>
        {error ? (
          <PageError error={error} onRetry={reload} />
        ) : (
          <Table<PackSummary>
            rowKey="id"
            size="middle"
            loading={loading}
            columns={columns}
            dataSource={data?.items ?? []}
            pagination={false}
            scroll={{ x: 900 }}
            data-testid="policies-table"
          />
        )}
      </Card>
      <TryPersonForm />
    </Space>
  );
}
