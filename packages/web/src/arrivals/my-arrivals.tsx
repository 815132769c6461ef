import { Card, Empty, List, Space, Tag, Typography } from "antd";
import { useTranslation } from "react-i18next";
import { api, unwrap } from "../api/client.ts";
import type { components } from "../api/schema.d.ts";
import { useApiData } from "../api/use-api-data.ts";
import { formatDateTime } from "../i18n/format.ts";
import { MeasuresView } from "../policies/measures-view.tsx";
import type { PolicyDecision } from "../policies/policy-types.ts";
import { PageError } from "../shell/page-states.tsx";
import { STATUS_COLORS } from "./status.ts";

type MyArrival = components["schemas"]["MyArrival"];

/** The citizen's own arrival reports: where to, the measures, and how far the community has got. */
export function MyArrivals({ refresh = 0 }: { refresh?: number }) {
  const { t } = useTranslation();
  const { data, error, loading, reload } = useApiData(`my-arrivals:${refresh}`, () =>
    unwrap(api.GET("/api/me/arrivals")),
  );
  return (
    <Card title={t("selfReport.mine")} data-testid="my-arrivals" size="small">
      {error ? (
        <PageError error={error} onRetry={reload} />
      ) : (
        <List<MyArrival>
          loading={loading}
          dataSource={data?.items ?? []}
          locale={{ emptyText: <Empty description={t("selfReport.mineEmpty")} /> }}
          renderItem={(a) => {
            const decision = a.decision as PolicyDecision;
            return (
              <List.Item data-testid="my-arrival" data-id={a.id}>
                <Space direction="vertical" style={{ width: "100%" }} size={4}>
                  <Space wrap>
                    <Typography.Text strong>{formatDateTime(a.arrivalAt)}</Typography.Text>
                    <Typography.Text>{a.destinationName}</Typography.Text>
                  </Space>
                  <Space wrap>
                    <Typography.Text type="secondary">{t("selfReport.status")}:</Typography.Text>
                    {a.task ? (
                      <Tag
                        color={STATUS_COLORS[a.task.status]}
                        data-testid="my-arrival-status"
                        data-status={a.task.status}
                      >
                        {t(`arrivals.statuses.${a.task.status}`)}
                      </Tag>
                    ) : (
                      <Tag data-testid="my-arrival-status" data-status="none">
                        {t("selfReport.noTask")}
                      </Tag>
                    )}
                  </Space>
                  {decision.status === "decided" && <MeasuresView measures={decision.measures} />}
                </Space>
              </List.Item>
            );
          }}
        />
      )}
    </Card>
  );
}
