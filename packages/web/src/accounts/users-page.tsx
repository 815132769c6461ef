import { PlusOutlined } from "@ant-design/icons";
import { Button, Card, Space, Table, type TableColumnsType, Tag } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api, unwrap } from "../api/client.ts";
import type { User } from "../api/types.ts";
import { useApiData } from "../api/use-api-data.ts";
import { formatDateTime, formatNumber } from "../i18n/format.ts";
import { roleLabel } from "../i18n/labels.ts";
import { RegionName } from "../regions/region-name.tsx";
import { PageError } from "../shell/page-states.tsx";
import { UserFormDialog } from "./user-form-dialog.tsx";

/** Accounts inside the administrator's jurisdiction: one role and one jurisdiction each. */
export function UsersPage() {
  const { t } = useTranslation();
  const [page, setPage] = useState({ current: 1, pageSize: 20 });
  const [editing, setEditing] = useState<User | "new" | null>(null);
  const { data, error, loading, reload } = useApiData(`${page.current}:${page.pageSize}`, () =>
    unwrap(api.GET("/api/users", { params: { query: { page: page.current, pageSize: page.pageSize } } })),
  );

  const columns: TableColumnsType<User> = [
    { title: t("users.username"), dataIndex: "username", render: (u: string) => <strong>{u}</strong> },
    { title: t("users.displayName"), dataIndex: "displayName" },
    { title: t("users.role"), dataIndex: "role", render: (_: unknown, u) => roleLabel(t, u.role) },
    {
      title: t("users.jurisdiction"),
      dataIndex: "jurisdictionCode",
      render: (code: string) => <RegionName code={code} />,
    },
    {
      title: t("users.status"),
      key: "status",
      render: (_: unknown, u) => (
        <Space size={4}>
          {u.disabled && <Tag color="default">{t("users.disabled")}</Tag>}
          {u.locked && <Tag color="red">{t("users.locked")}</Tag>}
          {!u.disabled && !u.locked && <Tag color="green">{t("users.active")}</Tag>}
        </Space>
      ),
    },
    { title: t("users.createdAt"), dataIndex: "createdAt", render: (v: string) => formatDateTime(v) },
    {
      title: t("common.actions"),
      key: "actions",
      render: (_: unknown, u) => (
        <Button size="small" onClick={() => setEditing(u)} data-testid={`user-edit-${u.username}`}>
          {t("common.edit")}
        </Button>
      ),
    },
  ];

  return (
    <Card
      title={t("users.title")}
      data-testid="users-page"
      extra={
        <Button
          type="primary"
          icon={<PlusOutlined />}
          onClick={() => setEditing("new")}
          data-testid="user-create"
        >
          {t("users.create")}
        </Button>
      }
    >
      {error ? (
        <PageError error={error} onRetry={reload} />
      ) : (
        <Table<User>
          data-testid="users-table"
          rowKey="id"
          size="middle"
          loading={loading}
          columns={columns}
          dataSource={data?.items ?? []}
          pagination={{
            ...page,
            total: data?.total ?? 0,
            showTotal: (n) => t("common.total", { n: formatNumber(n) }),
            onChange: (current, pageSize) => setPage({ current, pageSize }),
          }}
        />
      )}
      {editing && (
        <UserFormDialog
          user={editing === "new" ? null : editing}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            reload();
          }}
        />
      )}
    </Card>
  );
}
