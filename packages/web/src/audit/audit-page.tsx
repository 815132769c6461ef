import {
  Button,
  Card,
  DatePicker,
  Form,
  Input,
  Select,
  Space,
  Table,
  type TableColumnsType,
  Tag,
  Typography,
} from "antd";
import dayjs, { type Dayjs } from "dayjs";
import { useEffect } from "react";
import { useTranslation } from "react-i18next";
import { useSearchParams } from "react-router";
import { api, unwrap } from "../api/client.ts";
import type { AuditEntry, AuditQuery } from "../api/types.ts";
import { useApiData } from "../api/use-api-data.ts";
import { formatDateTime, formatNumber } from "../i18n/format.ts";
import { AUDIT_ACTIONS, actionLabel, ENTITY_TYPES, entityTypeLabel, roleLabel } from "../i18n/labels.ts";
import { PageError } from "../shell/page-states.tsx";
import { AuditChange } from "./audit-change.tsx";

interface FilterValues {
  action?: string;
  entityType?: string;
  entityId?: string;
  actor?: string;
  range?: [Dayjs | null, Dayjs | null] | null;
}

const FILTER_KEYS = ["action", "entityType", "entityId", "actor", "from", "to"] as const;

function readQuery(p: URLSearchParams): AuditQuery {
  const q: AuditQuery = {
    page: Math.max(1, Number(p.get("page")) || 1),
    pageSize: [20, 50, 100].includes(Number(p.get("pageSize"))) ? Number(p.get("pageSize")) : 20,
  };
  for (const k of FILTER_KEYS) {
    const v = p.get(k);
    if (v) q[k] = v;
  }
  return q;
}

/** Who did what to which record, when, from where; writes and full-identifier reads, newest first. */
export function AuditPage() {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const query = readQuery(params);
  const [form] = Form.useForm<FilterValues>();
  const { data, error, loading, reload } = useApiData(JSON.stringify(query), () =>
    unwrap(api.GET("/api/audit", { params: { query } })),
  );

  // The filter form follows the URL (links from a person's page, back and forward).
  useEffect(() => {
    form.setFieldsValue({
      action: query.action,
      entityType: query.entityType,
      entityId: query.entityId,
      actor: query.actor,
      range:
        query.from || query.to
          ? [query.from ? dayjs(query.from) : null, query.to ? dayjs(query.to) : null]
          : null,
    });
  }, [form, query.action, query.entityType, query.entityId, query.actor, query.from, query.to]);

  const applyFilters = (v: FilterValues) => {
    const next = new URLSearchParams();
    const set = (k: string, val: string | undefined) => {
      if (val?.trim()) next.set(k, val.trim());
    };
    set("action", v.action);
    set("entityType", v.entityType);
    set("entityId", v.entityId);
    set("actor", v.actor);
    set("from", v.range?.[0]?.toISOString());
    set("to", v.range?.[1]?.toISOString());
    if (query.pageSize !== 20) next.set("pageSize", String(query.pageSize));
    setParams(next);
  };

  const columns: TableColumnsType<AuditEntry> = [
    { title: t("audit.at"), dataIndex: "at", width: 170, render: (v: string) => formatDateTime(v) },
    {
      title: t("audit.actor"),
      dataIndex: "actorUsername",
      render: (v: string | null) => v ?? t("common.none"),
    },
    { title: t("audit.role"), dataIndex: "actorRole", render: (v: string | null) => roleLabel(t, v) },
    {
      title: t("audit.action"),
      dataIndex: "action",
      render: (v: string) => (
        <Tag data-testid="audit-action" data-action={v}>
          {actionLabel(t, v)}
        </Tag>
      ),
    },
    {
      title: t("audit.entity"),
      key: "entity",
      render: (_: unknown, e) => (
        <span>
          {entityTypeLabel(t, e.entityType)}{" "}
          {e.entityId && (
            <Typography.Text
              type="secondary"
              copyable={{ text: e.entityId }}
              style={{ fontFamily: "monospace", fontSize: 12 }}
            >
              {e.entityId}
            </Typography.Text>
          )}
        </span>
      ),
    },
    {
      title: t("audit.region"),
      dataIndex: "regionCode",
      render: (v: string | null) => v ?? t("common.none"),
    },
    { title: t("audit.ip"), dataIndex: "ip", render: (v: string | null) => v ?? t("common.none") },
  ];

  return (
    <Card title={t("audit.title")} data-testid="audit-page">
      <Form<FilterValues>
        form={form}
        layout="inline"
        onFinish={applyFilters}
        style={{ marginBottom: 16, rowGap: 12 }}
      >
        <Form.Item name="action" label={t("audit.action")}>
          <Select
            data-testid="audit-filter-action"
            allowClear
            showSearch={{ optionFilterProp: "label" }}
            style={{ width: 180 }}
            placeholder={t("common.all")}
            options={AUDIT_ACTIONS.map((a) => ({ value: a, label: actionLabel(t, a) }))}
          />
        </Form.Item>
        <Form.Item name="entityType" label={t("audit.entityType")}>
          <Select
            data-testid="audit-filter-entity-type"
            allowClear
            style={{ width: 120 }}
            placeholder={t("common.all")}
            options={ENTITY_TYPES.map((e) => ({ value: e, label: entityTypeLabel(t, e) }))}
          />
        </Form.Item>
        <Form.Item name="entityId" label={t("audit.entityId")}>
          <Input data-testid="audit-filter-entity-id" allowClear style={{ width: 300 }} />
        </Form.Item>
        <Form.Item name="actor" label={t("audit.actor")}>
          <Input
            data-testid="audit-filter-actor"
            allowClear
            placeholder={t("audit.actorPlaceholder")}
            style={{ width: 140 }}
          />
        </Form.Item>
        <Form.Item name="range" label={t("audit.timeRange")}>
          <DatePicker.RangePicker showTime allowEmpty={[true, true]} data-testid="audit-filter-range" />
        </Form.Item>
        <Space>
          <Button type="primary" htmlType="submit" data-testid="audit-search">
            {t("common.search")}
          </Button>
          <Button onClick={() => setParams(new URLSearchParams())}>{t("common.reset")}</Button>
        </Space>
      </Form>
      {error ? (
        <PageError error={error} onRetry={reload} />
      ) : (
        <Table<AuditEntry>
          data-testid="audit-table"
          rowKey="id"
          size="middle"
          loading={loading}
          columns={columns}
          dataSource={data?.items ?? []}
          scroll={{ x: 1000 }}
          expandable={{
            rowExpandable: (e) => e.before != null || e.after != null,
            expandedRowRender: (e) => <AuditChange before={e.before} after={e.after} />,
          }}
          onRow={(e) => ({ className: "audit-row", "data-testid": `audit-row-${e.action}` })}
          pagination={{
            current: query.page,
            pageSize: query.pageSize,
            total: data?.total ?? 0,
            pageSizeOptions: [20, 50, 100],
            showSizeChanger: true,
            showTotal: (n) => t("common.total", { n: formatNumber(n) }),
            onChange: (page, pageSize) => {
              const next = new URLSearchParams(params);
              next.set("page", String(page));
              next.set("pageSize", String(pageSize));
              setParams(next);
            },
          }}
        />
      )}
    </Card>
  );
}
