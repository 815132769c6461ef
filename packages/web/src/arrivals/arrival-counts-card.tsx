import { Button, Card, Table, Typography } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api, unwrap } from "../api/client.ts";
import type { components } from "../api/schema.d.ts";
import { useApiData } from "../api/use-api-data.ts";
import { formatNumber } from "../i18n/format.ts";
import { PageError } from "../shell/page-states.tsx";

type CountRow = components["schemas"]["ArrivalCounts"]["items"][number];

/** The daily report's roll-up: per region below, arrivals registered, tasks overdue and released; click to drill down. */
export function ArrivalCountsCard({ refresh }: { refresh: number }) {
  const { t } = useTranslation();
  // The regions drilled into, from the jurisdiction down; empty = the jurisdiction itself.
  const [trail, setTrail] = useState<{ code: string; name: string }[]>([]);
  const current = trail[trail.length - 1]?.code;
  const { data, error, loading, reload } = useApiData(`arrival-counts:${current ?? ""}:${refresh}`, () =>
    unwrap(api.GET("/api/arrivals/counts", { params: { query: current ? { regionCode: current } : {} } })),
  );
  return (
    <Card
      size="small"
      title={
        <span>
          {t("arrivals.counts")}
          {trail.length > 0 && (
            <Typography.Text type="secondary" style={{ marginInlineStart: 8 }} data-testid="counts-trail">
              {trail.map((r) => r.name).join(" / ")}
            </Typography.Text>
          )}
        </span>
      }
      extra={
        trail.length > 0 && (
          <Button size="small" onClick={() => setTrail((s) => s.slice(0, -1))} data-testid="counts-up">
            {t("arrivals.up")}
          </Button>
        )
      }
      data-testid="arrival-counts"
    >
      <Typography.Paragraph type="secondary" style={{ marginBottom: 8 }}>
        {t("arrivals.countsLead")}
      </Typography.Paragraph>
      {error ? (
        <PageError error={error} onRetry={reload} />
      ) : (
        <Table<CountRow>
          rowKey="code"
          size="small"
          loading={loading}
          dataSource={data?.items ?? []}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          onRow={(r) => ({
            onClick: () => setTrail((s) => [...s, { code: r.code, name: r.name }]),
            style: { cursor: "pointer" },
            "data-testid": `counts-row-${r.code}`,
          })}
          columns={[
            {
              title: t("arrivals.region"),
              dataIndex: "name",
              render: (name: string) => <Typography.Link>{name}</Typography.Link>,
            },
            {
              title: t("arrivals.registeredCount"),
              dataIndex: "registered",
              align: "right",
              render: (n: number) => formatNumber(n),
            },
            {
              title: t("arrivals.overdueCount"),
              dataIndex: "overdue",
              align: "right",
              render: (n: number) => (
                <Typography.Text type={n > 0 ? "danger" : undefined} data-testid="counts-overdue">
                  {formatNumber(n)}
                </Typography.Text>
              ),
            },
            {
              title: t("arrivals.releasedCount"),
              dataIndex: "released",
              align: "right",
              render: (n: number) => formatNumber(n),
            },
          ]}
        />
      )}
    </Card>
  );
}
