import { ImportOutlined } from "@ant-design/icons";
import { Button, Card, Grid, Progress, Space, Table, type TableColumnsType, Tag, Typography } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { useMe } from "../accounts/session.tsx";
import { useApiData } from "../api/use-api-data.ts";
import { formatDateTime, formatNumber } from "../i18n/format.ts";
import { PageError } from "../shell/page-states.tsx";
import { type AssistList, fetchLists } from "./assist-api.ts";
import { Deadline, OverdueStyle, rowAttributes } from "./assist-bits.tsx";
import { ImportDialog } from "./import-dialog.tsx";
import { OverdueByRegionCard } from "./overdue-by-region.tsx";

const columnId = (c: TableColumnsType<AssistList>[number]) =>
  String(c.key ?? ("dataIndex" in c ? c.dataIndex : ""));

/** Assist lists received in the user's jurisdiction, their progress, an import, and the overdue view. */
export function AssistListsPage() {
  const { t } = useTranslation();
  const { can } = useMe();
  const narrow = !Grid.useBreakpoint().md;
  const [importing, setImporting] = useState(false);
  const [refresh, setRefresh] = useState(0);
  const { data, error, loading, reload } = useApiData(`assist-lists:${refresh}`, () => fetchLists());

  const columns: TableColumnsType<AssistList> = [
    {
      title: t("assist.name"),
      dataIndex: "name",
      width: 220,
      render: (name: string, l) => (
        <Link to={`/assist-lists/${l.id}`} data-testid="assist-list-link" data-id={l.id}>
          <strong>{name}</strong>
        </Link>
      ),
    },
    {
      title: t("assist.deadline"),
      dataIndex: "deadlineAt",
      width: 260,
      render: (v: string, l) => <Deadline at={v} open={l.counts.open} />,
    },
    {
      title: t("assist.progress"),
      key: "progress",
      width: 220,
      render: (_: unknown, l) => {
        const done = l.counts.total - l.counts.open;
        return (
          <div data-testid="assist-list-progress" data-done={done} data-total={l.counts.total}>
            <Progress
              percent={l.counts.total ? Math.floor((done / l.counts.total) * 100) : 100}
              size="small"
              status={l.counts.overdue > 0 ? "exception" : l.counts.open === 0 ? "success" : "active"}
              showInfo={false}
            />
            <Typography.Text style={{ fontSize: 12 }}>
              {t("assist.accounted", { done: formatNumber(done), total: formatNumber(l.counts.total) })}
            </Typography.Text>
          </div>
        );
      },
    },
    {
      title: t("assist.open"),
      key: "open",
      width: 80,
      align: "right",
      render: (_: unknown, l) => formatNumber(l.counts.open),
    },
    {
      title: t("assist.overdue"),
      key: "overdue",
      width: 80,
      align: "right",
      render: (_: unknown, l) =>
        l.counts.overdue > 0 ? (
          <Tag color="red" data-testid="assist-list-overdue" style={{ marginInlineEnd: 0 }}>
            {formatNumber(l.counts.overdue)}
          </Tag>
        ) : (
          formatNumber(0)
        ),
    },
    {
      title: t("assist.ambiguous"),
      key: "ambiguous",
      width: 90,
      align: "right",
      render: (_: unknown, l) =>
        l.counts.ambiguous > 0 ? (
          <Tag color="gold" style={{ marginInlineEnd: 0 }}>
            {formatNumber(l.counts.ambiguous)}
          </Tag>
        ) : (
          formatNumber(0)
        ),
    },
    { title: t("assist.source"), dataIndex: "source", width: 160, ellipsis: true },
    {
      title: t("assist.receivedAt"),
      dataIndex: "receivedAt",
      width: 170,
      render: (v: string) => <span style={{ whiteSpace: "nowrap" }}>{formatDateTime(v)}</span>,
    },
  ];

  // On a phone what needs doing comes first: how many are overdue and open, then the rest by scrolling.
  const PHONE_ORDER = [
    "name",
    "overdue",
    "open",
    "progress",
    "deadlineAt",
    "ambiguous",
    "source",
    "receivedAt",
  ];
  const shown = narrow
    ? [...columns].sort((a, b) => PHONE_ORDER.indexOf(columnId(a)) - PHONE_ORDER.indexOf(columnId(b)))
    : columns;

  return (
    <Space orientation="vertical" size={16} style={{ width: "100%" }} data-testid="assist-lists-page">
      <Card
        title={t("assist.title")}
        extra={
          can("people.import") && (
            <Button
              type="primary"
              icon={<ImportOutlined />}
              data-testid="assist-import"
              onClick={() => setImporting(true)}
            >
              {t("assist.import")}
            </Button>
          )
        }
      >
        <Typography.Paragraph type="secondary">{t("assist.lead")}</Typography.Paragraph>
        {error ? (
          <PageError error={error} onRetry={reload} />
        ) : (
          <Table<AssistList>
            data-testid="assist-lists-table"
            rowKey="id"
            size="middle"
            loading={loading}
            columns={shown}
            dataSource={data?.items ?? []}
            locale={{ emptyText: t("assist.empty") }}
            pagination={{ pageSize: 20, hideOnSinglePage: true }}
            scroll={{ x: 1200 }}
            rowClassName={(l) => (l.counts.overdue > 0 ? "assist-overdue" : "")}
            onRow={(l) => rowAttributes({ "data-testid": `assist-list-${l.id}` })}
          />
        )}
      </Card>
      <OverdueByRegionCard refreshKey={refresh} />
      <ImportDialog
        open={importing}
        onClose={() => setImporting(false)}
        onImported={() => setRefresh((n) => n + 1)}
      />
      <OverdueStyle />
    </Space>
  );
}
