import { ArrowUpOutlined } from "@ant-design/icons";
import { Button, Card, Grid, Space, Table, type TableColumnsType, Typography } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useMe } from "../accounts/session.tsx";
import { useApiData } from "../api/use-api-data.ts";
import { useBarChart } from "../charts/use-bar-chart.ts";
import { formatNumber } from "../i18n/format.ts";
import type { RegionLevel } from "../i18n/labels.ts";
import { useRegionName } from "../regions/use-region-name.ts";
import { PageError } from "../shell/page-states.tsx";
import { fetchOverdue, type OverdueByRegion } from "./assist-api.ts";
import { rowAttributes } from "./assist-bits.tsx";

type RegionRow = OverdueByRegion["items"][number];

/** Open and overdue rows per subordinate region, as bars: counts from the server, nothing else. */
function OverdueChart({
  items,
  openName,
  overdueName,
}: {
  items: RegionRow[];
  openName: string;
  overdueName: string;
}) {
  const el = useBarChart(() => {
    const many = items.length > 6;
    return {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0 },
      grid: { left: 40, right: 12, top: 32, bottom: many ? 90 : 36 },
      xAxis: {
        type: "category",
        data: items.map((d) => d.name),
        axisLabel: { interval: 0, rotate: many ? 40 : 0, width: 100, overflow: "truncate" },
      },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        {
          name: openName,
          type: "bar",
          data: items.map((d) => d.open),
          barMaxWidth: 28,
          itemStyle: { color: "#1677ff" },
        },
        {
          name: overdueName,
          type: "bar",
          data: items.map((d) => d.overdue),
          barMaxWidth: 28,
          itemStyle: { color: "#cf1322" },
        },
      ],
    };
  }, [items, openName, overdueName]);

  return <div ref={el} data-testid="overdue-chart" style={{ width: "100%", height: 280 }} />;
}

const isLevel = (l: string): l is RegionLevel =>
  ["country", "province", "city", "county", "township", "community", "grid"].includes(l);

/** The command's view: which subordinate regions still have open or overdue assist rows; drills down. */
export function OverdueByRegionCard({ refreshKey }: { refreshKey: number }) {
  const { t } = useTranslation();
  const { me } = useMe();
  const home = me.user.jurisdictionCode;
  const narrow = !Grid.useBreakpoint().md;
  const [trail, setTrail] = useState<string[]>([home]);
  const code = trail[trail.length - 1] ?? home;
  const regionName = useRegionName(code);
  const { data, error, loading, reload } = useApiData(`overdue:${code}:${refreshKey}`, () =>
    fetchOverdue(code),
  );
  const items = data?.items ?? [];
  // The table lists every subordinate region, most overdue first; the chart only those with open rows.
  const sorted = [...items].sort((a, b) => b.overdue - a.overdue || b.open - a.open);
  const shown = sorted.filter((i) => i.open > 0 || i.overdue > 0);

  const columns: TableColumnsType<RegionRow> = [
    {
      title: t("assist.region"),
      dataIndex: "name",
      render: (name: string, r) =>
        r.code === code ? (
          <span>{name}</span>
        ) : (
          <Typography.Link onClick={() => setTrail((p) => [...p, r.code])} data-testid="overdue-drill">
            {name}
          </Typography.Link>
        ),
    },
    // On a phone the counts matter more than the level, which the name mostly says anyway.
    ...(narrow
      ? []
      : [
          {
            title: t("assist.level"),
            dataIndex: "level",
            width: 110,
            render: (l: string) => (isLevel(l) ? t(`levels.${l}`) : l),
          },
        ]),
    {
      title: t("assist.openRows"),
      dataIndex: "open",
      width: 90,
      align: "right",
      render: (n: number) => formatNumber(n),
    },
    {
      title: t("assist.overdueRows"),
      dataIndex: "overdue",
      width: 90,
      align: "right",
      render: (n: number) => (
        <Typography.Text type={n > 0 ? "danger" : undefined} strong={n > 0} data-testid="overdue-count">
          {formatNumber(n)}
        </Typography.Text>
      ),
    },
  ];

  return (
    <Card
      title={
        <span>
          {t("assist.overdueView")}
          <Typography.Text type="secondary" style={{ fontWeight: 400, marginLeft: 8 }}>
            {regionName}
          </Typography.Text>
        </span>
      }
      data-testid="overdue-by-region"
      extra={
        trail.length > 1 && (
          <Button size="small" icon={<ArrowUpOutlined />} onClick={() => setTrail((p) => p.slice(0, -1))}>
            {t("assist.upTo")}
          </Button>
        )
      }
    >
      <Typography.Paragraph type="secondary">{t("assist.overdueViewLead")}</Typography.Paragraph>
      {error ? (
        <PageError error={error} onRetry={reload} />
      ) : (
        <Space orientation="vertical" size={12} style={{ width: "100%" }}>
          {shown.length > 0 && (
            <OverdueChart
              items={shown}
              openName={t("assist.chartOpen")}
              overdueName={t("assist.chartOverdue")}
            />
          )}
          <Table<RegionRow>
            data-testid="overdue-table"
            rowKey="code"
            size="small"
            loading={loading}
            columns={columns}
            dataSource={sorted}
            locale={{ emptyText: t("assist.noOverdueData") }}
            pagination={{ pageSize: 50, hideOnSinglePage: true }}
            scroll={{ x: narrow ? undefined : 420 }}
            onRow={(r) => rowAttributes({ "data-testid": `overdue-region-${r.code}` })}
          />
        </Space>
      )}
    </Card>
  );
}
