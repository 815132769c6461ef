import { Card, Segmented, Space, Table, type TableColumnsType, Tag, Typography } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { useMe } from "../accounts/session.tsx";
import { api, unwrap } from "../api/client.ts";
import type { paths } from "../api/schema.d.ts";
import { useApiData } from "../api/use-api-data.ts";
import { PageError } from "../shell/page-states.tsx";
import { beijingTime, ColourTag, OVERRIDE_STATUSES, type OverrideStatus } from "./code-bits.tsx";
import { OverrideActions } from "./override-actions.tsx";

type ReportRow =
  paths["/api/codes/overrides"]["get"]["responses"][200]["content"]["application/json"]["items"][number];

const STATUS_COLOUR: Record<OverrideStatus, string> = {
  pending: "processing",
  approved: "success",
  rejected: "default",
  revoked: "warning",
  withdrawn: "default",
};

export function OverrideStatusTag({ status }: { status: OverrideStatus }) {
  const { t } = useTranslation();
  return (
    <Tag color={STATUS_COLOUR[status]} data-testid="override-status" data-status={status}>
      {t(`codes.statuses.${status}`)}
    </Tag>
  );
}

/**
 * The overrides report (/codes, 人工赋码报表): every colour set by hand in the user's jurisdiction,
 * with the person, the colour, the written reason, the hours, who asked and who decided, when it
 * expires and whether it is in force; pending requests are approved or rejected here by a second user.
 */
export function OverridesPage() {
  const { t } = useTranslation();
  const { can } = useMe();
  const [status, setStatus] = useState<OverrideStatus | "all">("all");
  const { data, error, loading, reload } = useApiData(`overrides:${status}`, () =>
    unwrap(api.GET("/api/codes/overrides", { params: { query: status === "all" ? {} : { status } } })),
  );
  const none = t("common.none");

  const columns: TableColumnsType<ReportRow> = [
    {
      title: t("codes.overrides.person"),
      key: "person",
      render: (_: unknown, o) => (
        <span data-testid="override-person" data-person={o.personId}>
          {can("people.pii") ? <Link to={`/people/${o.personId}`}>{o.personName}</Link> : o.personName}
          <br />
          <Typography.Text type="secondary" style={{ fontFamily: "monospace", fontSize: 12 }}>
            {o.personDocument}
          </Typography.Text>
        </span>
      ),
    },
    {
      title: t("codes.overrides.colour"),
      dataIndex: "colour",
      render: (_: unknown, o) => <ColourTag colour={o.colour} />,
    },
    {
      title: t("codes.overrides.reason"),
      dataIndex: "reason",
      width: 260,
      render: (_: unknown, o) => (
        <span data-testid="override-reason" style={{ whiteSpace: "pre-wrap" }}>
          {o.reason}
        </span>
      ),
    },
    {
      title: t("codes.overrides.hours"),
      dataIndex: "hours",
      render: (n: number) => t("codes.overrides.hoursValue", { n }),
    },
    {
      title: t("codes.overrides.requester"),
      key: "requester",
      render: (_: unknown, o) => (
        <span data-testid="override-requester">
          {o.requestedByName ?? o.requestedBy}
          <br />
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {beijingTime(o.requestedAt)}
          </Typography.Text>
        </span>
      ),
    },
    {
      title: t("codes.overrides.status"),
      key: "status",
      render: (_: unknown, o) => (
        <Space orientation="vertical" size={2}>
          <OverrideStatusTag status={o.status} />
          {o.inForce ? (
            <Tag color="red" data-testid="override-in-force" data-in-force="true">
              {t("codes.overrides.inForce")}
            </Tag>
          ) : (
            <span data-testid="override-in-force" data-in-force="false" />
          )}
        </Space>
      ),
    },
    {
      title: t("codes.overrides.approver"),
      key: "approver",
      render: (_: unknown, o) =>
        o.decidedBy ? (
          <span data-testid="override-approver">
            {o.decidedByName ?? o.decidedBy}
            <br />
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {o.decidedAt ? beijingTime(o.decidedAt) : none}
            </Typography.Text>
            {o.decisionNote && (
              <>
                <br />
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {t("codes.overrides.note")}：{o.decisionNote}
                </Typography.Text>
              </>
            )}
          </span>
        ) : (
          none
        ),
    },
    {
      title: t("codes.overrides.expires"),
      key: "expires",
      render: (_: unknown, o) => (
        <span>
          {o.expiresAt ? beijingTime(o.expiresAt) : none}
          {o.revokedAt && (
            <>
              <br />
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {t(`codes.statuses.${o.status}`)} {beijingTime(o.revokedAt)}
                {o.revokeReason ? `：${o.revokeReason}` : ""}
              </Typography.Text>
            </>
          )}
        </span>
      ),
    },
    {
      title: t("common.actions"),
      key: "actions",
      fixed: "right",
      render: (_: unknown, o) =>
        can("codes.override") ? (
          <OverrideActions override={o} personName={o.personName} inForce={o.inForce} onChanged={reload} />
        ) : null,
    },
  ];

  return (
    <Card title={t("codes.overrides.title")} data-testid="overrides-page">
      <Typography.Paragraph type="secondary">{t("codes.overrides.lead")}</Typography.Paragraph>
      <Space style={{ marginBottom: 16 }} wrap>
        <span>{t("codes.overrides.status")}</span>
        <Segmented<OverrideStatus | "all">
          data-testid="overrides-status"
          value={status}
          onChange={setStatus}
          options={[
            {
              value: "all",
              label: <span data-testid="overrides-status-all">{t("codes.overrides.all")}</span>,
            },
            ...OVERRIDE_STATUSES.map((s) => ({
              value: s,
              label: <span data-testid={`overrides-status-${s}`}>{t(`codes.statuses.${s}`)}</span>,
            })),
          ]}
        />
      </Space>
      {error ? (
        <PageError error={error} onRetry={reload} />
      ) : (
        <Table<ReportRow>
          rowKey="id"
          size="middle"
          loading={loading}
          columns={columns}
          dataSource={data?.items ?? []}
          locale={{ emptyText: t("codes.overrides.empty") }}
          pagination={{ pageSize: 50, hideOnSinglePage: true }}
          scroll={{ x: 1200 }}
          onRow={(o) => ({ "data-testid": "override-row", "data-id": o.id }) as object}
          data-testid="overrides-table"
        />
      )}
    </Card>
  );
}
