import { SITE_KIND_LABELS } from "@cordon/domain/quarantine/sites";
import { Card, Progress, Space, Switch, Table, type TableColumnsType, Tag, Tooltip, Typography } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { useApiData } from "../api/use-api-data.ts";
import { formatNumber } from "../i18n/format.ts";
import { RegionName } from "../regions/region-name.tsx";
import { PageError } from "../shell/page-states.tsx";
import { type CountyCapacity, quarantineApi, type RegionDaySite, type Site } from "./quarantine-api.ts";
import { OccupancyTags, pick } from "./quarantine-bits.tsx";

/** County capacity against the standard (rooms per 10,000 people), with or without the reserve sites. */
function CapacityCard() {
  const { t, i18n } = useTranslation();
  const [withReserve, setWithReserve] = useState(false);
  const { data, error, loading, reload } = useApiData("quarantine-capacity", () => quarantineApi.capacity());
  const per = data?.roomsPer10000 ?? 20;

  const columns: TableColumnsType<CountyCapacity> = [
    {
      title: t("quarantine.capacity.county"),
      key: "county",
      render: (_: unknown, c) => (
        <span data-testid="capacity-county" data-code={c.regionCode} style={{ whiteSpace: "nowrap" }}>
          {c.name}{" "}
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {c.regionCode}
          </Typography.Text>
        </span>
      ),
    },
    {
      title: t("quarantine.capacity.population"),
      key: "population",
      align: "right",
      render: (_: unknown, c) =>
        c.population === null ? (
          t("common.none")
        ) : (
          <Tooltip title={c.populationNote ?? undefined}>
            <Space direction="vertical" size={0} style={{ whiteSpace: "nowrap" }}>
              <span>{formatNumber(c.population)}</span>
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {c.populationSource === "census2020"
                  ? t("quarantine.capacity.census")
                  : t("quarantine.capacity.estimate")}
              </Typography.Text>
            </Space>
          </Tooltip>
        ),
    },
    { title: t("quarantine.capacity.sites"), dataIndex: "sites", align: "right" },
    {
      title: t("quarantine.capacity.rooms"),
      dataIndex: "rooms",
      align: "right",
      render: (v: number) => formatNumber(v),
    },
    {
      title: t("quarantine.capacity.reserveRooms"),
      dataIndex: "reserveRooms",
      align: "right",
      render: (v: number) => (
        <Typography.Text type={withReserve ? undefined : "secondary"}>{formatNumber(v)}</Typography.Text>
      ),
    },
    {
      title: t("quarantine.capacity.required", { per }),
      dataIndex: "required",
      align: "right",
      render: (v: number | null) => (v === null ? t("common.none") : formatNumber(v)),
    },
    {
      title: t("quarantine.capacity.perTenThousand"),
      key: "per",
      align: "right",
      render: (_: unknown, c) => {
        const v = withReserve ? c.perTenThousandWithReserve : c.perTenThousand;
        return v === null ? t("common.none") : v.toFixed(1);
      },
    },
    {
      title: withReserve ? t("quarantine.capacity.shortfallWithReserve") : t("quarantine.capacity.shortfall"),
      key: "shortfall",
      align: "right",
      render: (_: unknown, c) => {
        const v = withReserve ? c.shortfallWithReserve : c.shortfall;
        if (v === null) return <span data-testid="capacity-shortfall">{t("common.none")}</span>;
        return v > 0 ? (
          <Tag color="red" data-testid="capacity-shortfall" data-shortfall={v}>
            {t("quarantine.capacity.short", { n: formatNumber(v) })}
          </Tag>
        ) : (
          <Tag color="green" data-testid="capacity-shortfall" data-shortfall={0}>
            {t("quarantine.capacity.met")}
          </Tag>
        );
      },
    },
    {
      title: t("quarantine.capacity.message"),
      key: "message",
      render: (_: unknown, c) => (
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {pick(c.message, i18n.language)}
        </Typography.Text>
      ),
    },
  ];

  return (
    <Card
      title={t("quarantine.capacity.title", { per })}
      data-testid="capacity-card"
      extra={
        <Space>
          <span>{t("quarantine.capacity.includeReserve")}</span>
          <Switch checked={withReserve} onChange={setWithReserve} data-testid="capacity-include-reserve" />
        </Space>
      }
    >
      <Typography.Paragraph type="secondary">{t("quarantine.capacity.lead", { per })}</Typography.Paragraph>
      {error ? (
        <PageError error={error} onRetry={reload} />
      ) : (
        <Table<CountyCapacity>
          rowKey="regionCode"
          size="small"
          loading={loading}
          columns={columns}
          dataSource={data?.counties ?? []}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          scroll={{ x: 1100 }}
          data-testid="capacity-table"
        />
      )}
    </Card>
  );
}

/** A site's day in the morning report: tests due (with results so far), missed, people releasable. */
function SiteTodayCounts({ day, siteId }: { day: RegionDaySite | undefined; siteId: string }) {
  const { t } = useTranslation();
  if (!day) return <Typography.Text type="secondary">—</Typography.Text>;
  return (
    <Link
      to={`/quarantine/sites/${siteId}`}
      data-testid="site-today"
      data-due={day.dueTests}
      data-missed={day.missedTests}
      data-releasable={day.releasable}
    >
      <Space size={4} wrap>
        <Tag color={day.dueTests > day.dueWithResult ? "blue" : "default"}>
          {t("quarantine.sites.todayDue", { n: day.dueTests, done: day.dueWithResult })}
        </Tag>
        <Tag color={day.missedTests > 0 ? "red" : "default"}>
          {t("quarantine.sites.todayMissed", { n: day.missedTests })}
        </Tag>
        <Tag color={day.releasable > 0 ? "green" : "default"}>
          {t("quarantine.sites.todayReleasable", { n: day.releasable })}
        </Tag>
      </Space>
    </Link>
  );
}

/** The sites of the jurisdiction with their rooms per state; each opens its board and today's lists. */
function SitesCard() {
  const { t, i18n } = useTranslation();
  const { data, error, loading, reload } = useApiData("quarantine-sites", () => quarantineApi.sites());
  // Today's counts per site (the morning report); the table shows without them if they fail.
  const report = useApiData("quarantine-region-today", () => quarantineApi.regionToday());
  const todayOf = new Map((report.data?.sites ?? []).map((d) => [d.siteId, d]));

  const columns: TableColumnsType<Site> = [
    {
      title: t("quarantine.sites.name"),
      key: "name",
      render: (_: unknown, s) => (
        <Space direction="vertical" size={0}>
          <Link to={`/quarantine/sites/${s.id}`} data-testid="site-link" data-site={s.id}>
            {s.name}
          </Link>
          {s.address && (
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {s.address}
            </Typography.Text>
          )}
        </Space>
      ),
    },
    {
      title: t("quarantine.sites.kind"),
      key: "kind",
      render: (_: unknown, s) => (
        <Space size={4} wrap>
          <Tag>{pick(SITE_KIND_LABELS[s.kind], i18n.language)}</Tag>
          {s.reserve && <Tag color="gold">{t("quarantine.sites.reserve")}</Tag>}
        </Space>
      ),
    },
    {
      title: t("quarantine.sites.region"),
      dataIndex: "regionCode",
      render: (v: string) => <RegionName code={v} />,
    },
    { title: t("quarantine.sites.rooms"), dataIndex: "rooms", align: "right" },
    {
      title: t("quarantine.sites.occupancy"),
      key: "occupancy",
      width: 320,
      render: (_: unknown, s) => {
        const usable = s.rooms - s.occupancy.out_of_service;
        const pct = usable > 0 ? Math.round((s.occupancy.occupied / usable) * 100) : 0;
        return (
          <Space direction="vertical" size={0} style={{ width: "100%" }} data-testid="site-occupancy">
            <Progress percent={pct} size="small" status={pct >= 90 ? "exception" : "normal"} />
            <OccupancyTags occupancy={s.occupancy} />
          </Space>
        );
      },
    },
    {
      title: t("quarantine.sites.today", { date: report.data?.date ?? "" }),
      key: "today",
      width: 220,
      render: (_: unknown, s) => <SiteTodayCounts day={todayOf.get(s.id)} siteId={s.id} />,
    },
  ];

  return (
    <Card title={t("quarantine.sites.title")} data-testid="sites-card">
      {error ? (
        <PageError error={error} onRetry={reload} />
      ) : (
        <Table<Site>
          rowKey="id"
          size="middle"
          loading={loading}
          columns={columns}
          dataSource={data?.items ?? []}
          locale={{ emptyText: t("quarantine.sites.empty") }}
          pagination={{ pageSize: 50, hideOnSinglePage: true }}
          scroll={{ x: 900 }}
          data-testid="sites-table"
        />
      )}
    </Card>
  );
}

/** Quarantine: the county capacity table and the sites of the jurisdiction. */
export function QuarantinePage() {
  const { t } = useTranslation();
  return (
    <Space direction="vertical" size="middle" style={{ width: "100%" }} data-testid="quarantine-page">
      <Typography.Title level={4} style={{ margin: 0 }}>
        {t("quarantine.title")}
      </Typography.Title>
      <SitesCard />
      <CapacityCard />
    </Space>
  );
}
