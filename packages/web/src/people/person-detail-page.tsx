import { ArrowLeftOutlined, AuditOutlined, EditOutlined } from "@ant-design/icons";
import { Alert, Button, Card, Descriptions, Space, Table, Typography } from "antd";
import { useTranslation } from "react-i18next";
import { useNavigate, useParams } from "react-router";
import { useMe } from "../accounts/session.tsx";
import { api, unwrap } from "../api/client.ts";
import type { PersonSummary } from "../api/types.ts";
import { useApiData } from "../api/use-api-data.ts";
import { PersonCodeCard } from "../codes/person-code-card.tsx";
import { formatDateTime } from "../i18n/format.ts";
import { PageError, PageLoading } from "../shell/page-states.tsx";

/**
 * One person's full record (the route's person, or `personId`). Opening it is a read of personal
 * identifiers, and the server audits it.
 */
export function PersonDetailPage({ personId }: { personId?: string } = {}) {
  const { t } = useTranslation();
  const { can } = useMe();
  const navigate = useNavigate();
  const routeId = useParams().id;
  const id = personId ?? routeId ?? "";
  const { data, error, reload } = useApiData(id, () =>
    unwrap(api.GET("/api/people/{id}", { params: { path: { id } } })),
  );

  if (error) return <PageError error={error} onRetry={reload} />;
  if (!data) return <PageLoading />;
  const { person: p, regionPath, household } = data;
  const path = regionPath.filter((r) => r.level !== "country");
  const none = t("common.none");

  return (
    <Space orientation="vertical" size={16} style={{ width: "100%" }} data-testid="person-detail">
      <Alert
        type="info"
        showIcon
        icon={<AuditOutlined />}
        title={<span data-testid="pii-audit-notice">{t("people.piiNotice")}</span>}
        description={t("people.piiNoticeDetail")}
      />
      <Card
        title={
          <Space>
            <Button
              type="text"
              icon={<ArrowLeftOutlined />}
              onClick={() => navigate(-1)}
              aria-label={t("common.back")}
            />
            <Typography.Title level={4} style={{ margin: 0 }} data-testid="person-name">
              {p.name}
            </Typography.Title>
          </Space>
        }
        extra={
          <Space>
            {can("audit.read") && (
              <Button
                icon={<AuditOutlined />}
                onClick={() => navigate(`/audit?entityType=person&entityId=${p.id}`)}
                data-testid="person-audit"
              >
                {t("people.viewAudit")}
              </Button>
            )}
            {can("people.write") && (
              <Button
                type="primary"
                icon={<EditOutlined />}
                onClick={() => navigate(`/people/${p.id}/edit`, { state: { detail: data } })}
                data-testid="person-edit"
              >
                {t("common.edit")}
              </Button>
            )}
          </Space>
        }
      >
        <Descriptions
          bordered
          size="small"
          column={{ xs: 1, md: 2 }}
          items={[
            { key: "name", label: t("people.name"), children: p.name },
            {
              key: "documentType",
              label: t("people.documentType"),
              children: t(`documentTypes.${p.documentType}`),
            },
            {
              key: "documentNumber",
              label: t("people.documentNumber"),
              children: (
                <Typography.Text
                  copyable
                  data-testid="person-document-number"
                  style={{ fontFamily: "monospace" }}
                >
                  {p.documentNumber}
                </Typography.Text>
              ),
            },
            {
              key: "phone",
              label: t("people.phone"),
              children: (
                <Typography.Text copyable data-testid="person-phone" style={{ fontFamily: "monospace" }}>
                  {p.phone}
                </Typography.Text>
              ),
            },
            { key: "birthDate", label: t("people.birthDate"), children: p.birthDate },
            { key: "sex", label: t("people.sexLabel"), children: t(`sex.${p.sex}`) },
            { key: "nationality", label: t("people.nationality"), children: p.nationality },
            {
              key: "householdRegionCode",
              label: t("people.householdRegionCode"),
              children: p.householdRegionCode ?? none,
            },
            {
              key: "regionPath",
              label: t("people.regionPath"),
              span: "filled",
              children: (
                <span data-testid="person-region-path">
                  {path.map((r) => r.name).join(" / ")}{" "}
                  <Typography.Text type="secondary">{p.currentRegionCode}</Typography.Text>
                </span>
              ),
            },
            {
              key: "currentAddress",
              label: t("people.currentAddress"),
              span: "filled",
              children: p.currentAddress,
            },
            {
              key: "householdRelation",
              label: t("people.householdRelation"),
              children: p.householdRelation ?? none,
            },
            { key: "version", label: t("people.version"), children: p.version },
            { key: "createdAt", label: t("people.createdAt"), children: formatDateTime(p.createdAt) },
            { key: "updatedAt", label: t("people.updatedAt"), children: formatDateTime(p.updatedAt) },
          ]}
        />
      </Card>
      <Card title={t("people.household")} size="small" data-testid="person-household">
        {household ? (
          <>
            <Typography.Paragraph>
              {t("people.householdAddress", { address: household.address })}
            </Typography.Paragraph>
            <Table<PersonSummary>
              rowKey="id"
              size="small"
              pagination={false}
              scroll={{ x: "max-content" }}
              dataSource={household.members}
              onRow={(m) => ({
                // Household members' own records are for those who may read them (not a citizen).
                onClick: m.id === p.id || !can("people.pii") ? undefined : () => navigate(`/people/${m.id}`),
                style: m.id === p.id ? { fontWeight: 600 } : can("people.pii") ? { cursor: "pointer" } : {},
                "data-testid": `household-member-${m.id}`,
              })}
              columns={[
                { title: t("people.name"), dataIndex: "name" },
                {
                  title: t("people.sexLabel"),
                  dataIndex: "sex",
                  render: (_: unknown, m) => t(`sex.${m.sex}`),
                },
                { title: t("people.birthDate"), dataIndex: "birthDate" },
                { title: t("people.documentNumber"), dataIndex: "documentNumberMasked" },
                { title: t("people.phone"), dataIndex: "phoneMasked" },
              ]}
            />
          </>
        ) : (
          <Typography.Text type="secondary">{t("people.noHousehold")}</Typography.Text>
        )}
      </Card>
      {/* Staff see the person's health code here; a citizen has their own code page (/me/code). */}
      {can("people.read") && <PersonCodeCard personId={p.id} personName={p.name} />}
    </Space>
  );
}
