import { ArrowLeftOutlined } from "@ant-design/icons";
import { Card, Descriptions, Space, Table, type TableColumnsType, Tag, Typography } from "antd";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";
import { api, unwrap } from "../api/client.ts";
import { useApiData } from "../api/use-api-data.ts";
import { PageError, PageLoading } from "../shell/page-states.tsx";
import { categoryLabel, MeasuresView, pickText } from "./measures-view.tsx";
import type { PolicyRule } from "./policy-types.ts";

/** One pack: its document and validity, and each rule beside the sentence it implements. */
export function PolicyPackPage() {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const { id = "" } = useParams();
  const { data, error, reload } = useApiData(id, () =>
    unwrap(api.GET("/api/policies/{id}", { params: { path: { id } } })),
  );
  if (error) return <PageError error={error} onRetry={reload} />;
  if (!data) return <PageLoading />;

  const columns: TableColumnsType<PolicyRule> = [
    {
      title: t("policies.rule"),
      key: "rule",
      width: 260,
      render: (_: unknown, r) => (
        <Space direction="vertical" size={4}>
          <Tag color="blue">{categoryLabel(t, r.category)}</Tag>
          <Typography.Text type="secondary" style={{ fontFamily: "monospace", fontSize: 12 }}>
            {r.id}
          </Typography.Text>
          {r.lookbackDays !== undefined && (
            <Typography.Text type="secondary">
              {t("policies.lookbackDays", { n: r.lookbackDays })}
            </Typography.Text>
          )}
          {r.conditions?.exposureSince && (
            <Typography.Text type="secondary">
              {t("policies.since", { date: r.conditions.exposureSince })}
            </Typography.Text>
          )}
        </Space>
      ),
    },
    {
      title: t("policies.measures"),
      key: "measures",
      render: (_: unknown, r) => <MeasuresView measures={r.measures} />,
    },
    {
      title: t("policies.quote"),
      key: "quote",
      render: (_: unknown, r) => (
        <Typography.Paragraph lang="zh-CN" style={{ margin: 0 }} data-testid="rule-quote">
          「{r.source.quote}」
        </Typography.Paragraph>
      ),
    },
    {
      title: t("policies.gloss"),
      key: "gloss",
      render: (_: unknown, r) => (
        <Space direction="vertical" size={4}>
          <Typography.Text lang="en" data-testid="rule-gloss">
            {r.source.en}
          </Typography.Text>
          {r.note && (
            <Typography.Text type="secondary">
              {t("policies.note")}: {pickText(r.note, lang)}
            </Typography.Text>
          )}
        </Space>
      ),
    },
  ];

  return (
    <Space direction="vertical" size="large" style={{ width: "100%" }} data-testid="policy-pack-page">
      <Link to="/policies">
        <ArrowLeftOutlined /> {t("policies.backToList")}
      </Link>
      <Card title={<span data-testid="policy-pack-title">{pickText(data.title, lang)}</span>}>
        <Descriptions column={{ xs: 1, md: 2 }} size="small">
          <Descriptions.Item label={t("policies.issuer")}>{pickText(data.issuer, lang)}</Descriptions.Item>
          <Descriptions.Item label={t("policies.jurisdiction")}>
            {data.jurisdictionName ?? data.jurisdiction} ({data.jurisdiction})
          </Descriptions.Item>
          <Descriptions.Item label={t("policies.inForceFrom")}>{data.effectiveFrom}</Descriptions.Item>
          <Descriptions.Item label={t("policies.inForceTo")}>
            {data.effectiveTo ?? t("policies.openEnded")}
          </Descriptions.Item>
          <Descriptions.Item label={t("policies.source")}>{data.source.title}</Descriptions.Item>
          <Descriptions.Item label={t("policies.sourceNumber")}>
            {data.source.number ?? t("policies.noNumber")}
          </Descriptions.Item>
          <Descriptions.Item label={t("policies.sourceDate")}>{data.source.date}</Descriptions.Item>
          {data.validityNote && (
            <Descriptions.Item label={t("policies.validityNote")}>
              {pickText(data.validityNote, lang)}
            </Descriptions.Item>
          )}
        </Descriptions>
      </Card>
      <Card title={t("policies.rules")}>
        <Table<PolicyRule>
          rowKey="id"
          size="middle"
          columns={columns}
          dataSource={data.rules}
          pagination={false}
          scroll={{ x: 1000 }}
          data-testid="policy-rules"
        />
      </Card>
    </Space>
  );
}
