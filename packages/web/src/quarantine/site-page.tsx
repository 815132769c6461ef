import { PlusOutlined } from "@ant-design/icons";
import { SITE_KIND_LABELS } from "@cordon/domain/quarantine/sites";
import {
  App,
  Button,
  Card,
  Segmented,
  Space,
  Table,
  type TableColumnsType,
  Tabs,
  Tag,
  Typography,
} from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";
import { useMe } from "../accounts/session.tsx";
import { useApiData } from "../api/use-api-data.ts";
import { RegionName } from "../regions/region-name.tsx";
import { PageError, PageLoading } from "../shell/page-states.tsx";
import { PlacementDialog } from "./placement-dialog.tsx";
import { type PlacementSummary, quarantineApi } from "./quarantine-api.ts";
import { formatMinute, OccupancyTags, pick } from "./quarantine-bits.tsx";
import { SiteBoard } from "./site-board.tsx";
import { SiteToday } from "./site-today.tsx";

function PlacementsTable({ siteId, refresh }: { siteId: string; refresh: number }) {
  const { t } = useTranslation();
  const [status, setStatus] = useState<"placed" | "released">("placed");
  const { data, error, loading, reload } = useApiData(`placements:${siteId}:${status}:${refresh}`, () =>
    quarantineApi.placements(siteId, status),
  );
  const columns: TableColumnsType<PlacementSummary> = [
    {
      title: t("quarantine.placement.person"),
      key: "person",
      render: (_: unknown, p) => (
        <Space direction="vertical" size={0}>
          <Link to={`/quarantine/placements/${p.id}`} data-testid="placement-link" data-placement={p.id}>
            {p.personName}
          </Link>
          {p.documentNumberMasked && (
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {p.documentNumberMasked}
            </Typography.Text>
          )}
        </Space>
      ),
    },
    {
      title: t("quarantine.placement.room"),
      key: "room",
      render: (_: unknown, p) => p.roomNumber ?? t("common.none"),
    },
    {
      title: t("quarantine.placement.placedAt"),
      dataIndex: "placedAt",
      render: (v: string) => formatMinute(v),
    },
    {
      title: t("quarantine.placement.plannedEnd"),
      dataIndex: "plannedEnd",
      render: (v: string | null) => v ?? t("common.none"),
    },
    {
      title: t("quarantine.placement.status"),
      dataIndex: "status",
      render: (v: PlacementSummary["status"]) => (
        <Tag color={v === "placed" ? "blue" : "green"} data-testid="placement-status" data-status={v}>
          {t(`quarantine.statuses.${v}`)}
        </Tag>
      ),
    },
  ];
  return (
    <Space direction="vertical" style={{ width: "100%" }}>
      <Segmented<"placed" | "released">
        value={status}
        onChange={setStatus}
        data-testid="placements-status"
        options={[
          { value: "placed", label: t("quarantine.statuses.placed") },
          { value: "released", label: t("quarantine.statuses.released") },
        ]}
      />
      {error ? (
        <PageError error={error} onRetry={reload} />
      ) : (
        <Table<PlacementSummary>
          rowKey="id"
          size="small"
          loading={loading}
          columns={columns}
          dataSource={data?.items ?? []}
          locale={{ emptyText: t("quarantine.placement.empty") }}
          pagination={{ pageSize: 50, hideOnSinglePage: true }}
          data-testid="placements-table"
        />
      )}
    </Space>
  );
}

/** One site: its room board, today's lists and the people placed there; staff place people from here. */
export function SitePage() {
  const { id = "" } = useParams();
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const { can } = useMe();
  const [placing, setPlacing] = useState(false);
  const [refresh, setRefresh] = useState(0);
  const { data: site, error, reload } = useApiData(`site:${id}:${refresh}`, () => quarantineApi.site(id));
  if (error) return <PageError error={error} onRetry={reload} />;
  if (!site) return <PageLoading />;
  const bump = () => setRefresh((n) => n + 1);

  return (
    <Space direction="vertical" size="middle" style={{ width: "100%" }}>
      <Card
        data-testid="site-page"
        title={
          <Space wrap>
            <Link to="/quarantine">{t("quarantine.title")}</Link>
            <span>/</span>
            <span data-testid="site-name">{site.name}</span>
          </Space>
        }
        extra={
          can("quarantine.place") && (
            <Button
              type="primary"
              icon={<PlusOutlined />}
              onClick={() => setPlacing(true)}
              data-testid="place-open"
            >
              {t("quarantine.place.open")}
            </Button>
          )
        }
      >
        <Space wrap>
          <Tag>{pick(SITE_KIND_LABELS[site.kind], i18n.language)}</Tag>
          {site.reserve && <Tag color="gold">{t("quarantine.sites.reserve")}</Tag>}
          <RegionName code={site.regionCode} />
          {site.address && <Typography.Text type="secondary">{site.address}</Typography.Text>}
          <OccupancyTags occupancy={site.occupancy} />
        </Space>
        {site.capacityNote && (
          <Typography.Paragraph type="secondary" style={{ marginTop: 8, marginBottom: 0 }}>
            {site.capacityNote}
          </Typography.Paragraph>
        )}
      </Card>
      <Card>
        <Tabs
          defaultActiveKey="today"
          items={[
            {
              key: "today",
              label: <span data-testid="tab-today">{t("quarantine.today.title")}</span>,
              children: <SiteToday siteId={id} refresh={refresh} />,
            },
            {
              key: "board",
              label: <span data-testid="tab-board">{t("quarantine.board.title")}</span>,
              children: <SiteBoard siteId={id} refresh={refresh} onChanged={bump} />,
            },
            {
              key: "placements",
              label: <span data-testid="tab-placements">{t("quarantine.placement.list")}</span>,
              children: <PlacementsTable siteId={id} refresh={refresh} />,
            },
          ]}
        />
      </Card>
      <PlacementDialog
        open={placing}
        siteId={id}
        onClose={() => setPlacing(false)}
        onPlaced={(n) => {
          setPlacing(false);
          message.success(t("quarantine.place.done", { n }));
          bump();
        }}
      />
    </Space>
  );
}
