import { PlusOutlined, TeamOutlined } from "@ant-design/icons";
import {
  Breadcrumb,
  Button,
  Card,
  Col,
  Descriptions,
  Row,
  Space,
  Table,
  type TableColumnsType,
  Tooltip,
  Typography,
} from "antd";
import { lazy, Suspense, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate, useParams } from "react-router";
import { useMe } from "../accounts/session.tsx";
import { api, unwrap } from "../api/client.ts";
import type { RegionChild } from "../api/types.ts";
import { useApiData } from "../api/use-api-data.ts";
import { formatNumber } from "../i18n/format.ts";
import { PageError, PageLoading } from "../shell/page-states.tsx";
import { AddGridDialog } from "./add-grid-dialog.tsx";
import { PopulationCell } from "./population-cell.tsx";
import { ResponsiblesCard } from "./responsibles-card.tsx";

const PeoplePerRegionChart = lazy(() =>
  import("./people-per-region-chart.tsx").then((m) => ({ default: m.PeoplePerRegionChart })),
);

/** The server counts registered people per child only below province level and for up to 200 children. */

/** Browses the region tree from the user's jurisdiction down to grids, with who answers for each region. */
export function RegionsPage() {
  const { t } = useTranslation();
  const { me, can } = useMe();
  const navigate = useNavigate();
  const code = useParams().code ?? me.user.jurisdictionCode;
  const [gridOpen, setGridOpen] = useState(false);
  const { data, error, loading, reload } = useApiData(code, () =>
    unwrap(api.GET("/api/regions/{code}", { params: { path: { code } } })),
  );

  if (error) return <PageError error={error} onRetry={reload} />;
  if (!data) return <PageLoading />;

  const { region, path, children, responsibles, personCount } = data;
  // Ancestors above one's jurisdiction are shown for orientation but cannot be opened.
  const jurisdictionAt = path.findIndex((r) => r.code === me.user.jurisdictionCode);
  // The server counts registered people per child only where that is cheap; null means not counted.
  const childrenCounted = children.length > 0 && children.every((c) => c.personCount !== null);
  const canWrite = can("regions.write");

  const columns: TableColumnsType<RegionChild> = [
    { title: t("regions.code"), dataIndex: "code", width: 150 },
    {
      title: t("regions.name"),
      dataIndex: "name",
      render: (name: string, r) => (
        <Link
          to={`/regions/${r.code}`}
          data-testid={`region-link-${r.code}`}
          onClick={(e) => e.stopPropagation()}
          style={{ whiteSpace: "nowrap" }}
        >
          {name}
        </Link>
      ),
    },
    {
      title: t("regions.level"),
      dataIndex: "level",
      width: 120,
      render: (_: unknown, r) => t(`levels.${r.level}`),
    },
    {
      title: t("regions.population"),
      key: "population",
      render: (_: unknown, r) => <PopulationCell region={r} />,
    },
    {
      title: t("regions.registered"),
      dataIndex: "personCount",
      align: "right",
      width: 130,
      render: (n: number | null) =>
        n !== null ? (
          formatNumber(n)
        ) : (
          <Tooltip title={t("regions.notCountedHint")}>
            <Typography.Text type="secondary">{t("regions.notCounted")}</Typography.Text>
          </Tooltip>
        ),
    },
    { title: t("regions.childCount"), dataIndex: "childCount", align: "right", width: 110 },
  ];

  return (
    <Space orientation="vertical" size={16} style={{ width: "100%" }} data-testid="regions-page">
      <Breadcrumb
        data-testid="region-breadcrumb"
        items={path.map((r, i) => ({
          key: r.code,
          title:
            i < jurisdictionAt || r.code === region.code ? (
              <span>{r.name}</span>
            ) : (
              <Link to={`/regions/${r.code}`}>{r.name}</Link>
            ),
        }))}
      />
      <Card
        loading={loading && !data}
        title={
          <Space>
            <Typography.Title level={4} style={{ margin: 0 }} data-testid="region-name">
              {region.name}
            </Typography.Title>
            <Typography.Text type="secondary">{t(`levels.${region.level}`)}</Typography.Text>
          </Space>
        }
        extra={
          <Space>
            {can("people.read") && region.level !== "country" && (
              <Button
                icon={<TeamOutlined />}
                onClick={() => navigate(`/people?region=${region.code}`)}
                data-testid="view-people"
              >
                {t("regions.viewPeople")}
              </Button>
            )}
            {canWrite && region.level === "community" && (
              <Button icon={<PlusOutlined />} onClick={() => setGridOpen(true)} data-testid="add-grid">
                {t("regions.addGrid")}
              </Button>
            )}
          </Space>
        }
      >
        <Descriptions
          size="small"
          column={{ xs: 1, md: 2, xl: 4 }}
          items={[
            { key: "code", label: t("regions.code"), children: region.code },
            { key: "level", label: t("regions.level"), children: t(`levels.${region.level}`) },
            {
              key: "population",
              label: t("regions.population"),
              children: (
                <span data-testid="region-population">
                  <PopulationCell region={region} />
                </span>
              ),
            },
            {
              key: "registered",
              label: t("regions.registered"),
              children: (
                <span data-testid="region-registered">
                  {personCount === null ? t("regions.notCounted") : formatNumber(personCount)}
                </span>
              ),
            },
          ]}
        />
      </Card>
      <Row gutter={[16, 16]}>
        <Col xs={24} xxl={16}>
          <Card title={t("regions.children")} size="small">
            <Table<RegionChild>
              data-testid="region-children"
              rowKey="code"
              size="small"
              columns={columns}
              dataSource={children}
              loading={loading}
              locale={{ emptyText: t("regions.noChildren") }}
              pagination={children.length > 50 ? { pageSize: 50, showSizeChanger: false } : false}
              scroll={{ x: 760 }}
              onRow={(r) => ({
                onClick: () => navigate(`/regions/${r.code}`),
                style: { cursor: "pointer" },
                "data-testid": `region-row-${r.code}`,
              })}
            />
          </Card>
        </Col>
        <Col xs={24} xxl={8}>
          <ResponsiblesCard
            key={region.code}
            regionCode={region.code}
            responsibles={responsibles}
            canWrite={canWrite}
            onChanged={reload}
          />
        </Col>
      </Row>
      {childrenCounted && children.some((c) => (c.personCount ?? 0) > 0) && (
        <Card title={t("regions.chartTitle")} size="small">
          <Suspense fallback={<PageLoading />}>
            <PeoplePerRegionChart
              seriesName={t("regions.chartSeries")}
              data={children.map((c) => ({ code: c.code, name: c.name, count: c.personCount ?? 0 }))}
            />
          </Suspense>
        </Card>
      )}
      {region.level === "community" && (
        <AddGridDialog
          communityCode={region.code}
          open={gridOpen}
          onClose={() => setGridOpen(false)}
          onCreated={reload}
        />
      )}
    </Space>
  );
}
