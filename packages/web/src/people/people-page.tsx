import { PlusOutlined } from "@ant-design/icons";
import {
  Button,
  Card,
  Input,
  Segmented,
  Select,
  Space,
  Table,
  type TableColumnsType,
  type TableProps,
  Typography,
} from "antd";
import { useTranslation } from "react-i18next";
import { useNavigate, useSearchParams } from "react-router";
import { useMe } from "../accounts/session.tsx";
import { api, unwrap } from "../api/client.ts";
import type { PeopleQuery, PersonSummary } from "../api/types.ts";
import { useApiData } from "../api/use-api-data.ts";
import { formatNumber } from "../i18n/format.ts";
import { RegionName } from "../regions/region-name.tsx";
import { RegionPicker } from "../regions/region-picker.tsx";
import { PageError } from "../shell/page-states.tsx";

type Sort = NonNullable<PeopleQuery["sort"]>;
type Order = NonNullable<PeopleQuery["order"]>;

const SORTS: Sort[] = ["name", "birthDate", "createdAt"];
const PAGE_SIZES = [20, 50, 100];

function readQuery(
  p: URLSearchParams,
): Required<Pick<PeopleQuery, "sort" | "order" | "page" | "pageSize">> & PeopleQuery {
  const sort = SORTS.find((s) => s === p.get("sort")) ?? "name";
  const order: Order = p.get("order") === "desc" ? "desc" : "asc";
  const page = Math.max(1, Number(p.get("page")) || 1);
  const size = Number(p.get("pageSize"));
  return {
    q: p.get("q") || undefined,
    regionCode: p.get("region") || undefined,
    sort,
    order,
    page,
    pageSize: PAGE_SIZES.includes(size) ? size : 20,
  };
}

/** The registry: search, filter by region, page and sort on the server; identifiers masked. */
export function PeoplePage() {
  const { t } = useTranslation();
  const { can } = useMe();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const query = readQuery(params);

  const key = JSON.stringify(query);
  const { data, error, loading, reload } = useApiData(key, () =>
    unwrap(api.GET("/api/people", { params: { query } })),
  );

  const update = (changes: Record<string, string | number | undefined>, resetPage = true) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(changes)) {
      if (v === undefined || v === "") next.delete(k);
      else next.set(k, String(v));
    }
    if (resetPage && !("page" in changes)) next.delete("page");
    setParams(next);
  };

  const sortOrder = (s: Sort) => (query.sort === s ? (query.order === "asc" ? "ascend" : "descend") : null);
  const canOpen = can("people.pii");

  const columns: TableColumnsType<PersonSummary> = [
    {
      title: t("people.name"),
      dataIndex: "name",
      key: "name",
      sorter: true,
      sortOrder: sortOrder("name"),
      sortDirections: ["ascend", "descend", "ascend"],
      width: 120,
      render: (name: string) => <strong>{name}</strong>,
    },
    {
      title: t("people.sexLabel"),
      dataIndex: "sex",
      width: 70,
      render: (_: unknown, p) => t(`sex.${p.sex}`),
    },
    {
      title: t("people.birthDate"),
      dataIndex: "birthDate",
      key: "birthDate",
      width: 120,
      sorter: true,
      sortOrder: sortOrder("birthDate"),
      sortDirections: ["ascend", "descend", "ascend"],
    },
    {
      title: t("people.documentType"),
      dataIndex: "documentType",
      render: (_: unknown, p) => t(`documentTypes.${p.documentType}`),
    },
    {
      title: t("people.documentNumber"),
      dataIndex: "documentNumberMasked",
      width: 200,
      render: (v: string) => (
        <span data-testid="masked-document" style={{ fontFamily: "monospace", whiteSpace: "nowrap" }}>
          {v}
        </span>
      ),
    },
    {
      title: t("people.phone"),
      dataIndex: "phoneMasked",
      width: 140,
      render: (v: string) => (
        <span data-testid="masked-phone" style={{ fontFamily: "monospace", whiteSpace: "nowrap" }}>
          {v}
        </span>
      ),
    },
    {
      title: t("people.currentRegionCode"),
      dataIndex: "currentRegionCode",
      width: 180,
      ellipsis: true,
      render: (code: string) => <RegionName code={code} />,
    },
    { title: t("people.currentAddress"), dataIndex: "currentAddress", ellipsis: true },
  ];

  const onTableChange: TableProps<PersonSummary>["onChange"] = (pagination, _filters, sorter, extra) => {
    if (extra.action === "sort" && !Array.isArray(sorter) && sorter.columnKey) {
      update({ sort: String(sorter.columnKey), order: sorter.order === "descend" ? "desc" : "asc" });
    } else if (extra.action === "paginate") {
      update({ page: pagination.current ?? 1, pageSize: pagination.pageSize ?? 20 }, false);
    }
  };

  return (
    <Card
      title={t("people.title")}
      data-testid="people-page"
      extra={
        can("people.write") && (
          <Button
            type="primary"
            icon={<PlusOutlined />}
            onClick={() => navigate("/people/new")}
            data-testid="person-create"
          >
            {t("people.create")}
          </Button>
        )
      }
    >
      <Space wrap size={12} style={{ marginBottom: 16 }}>
        <Input.Search
          data-testid="people-search"
          allowClear
          enterButton={t("common.search")}
          placeholder={t("people.searchPlaceholder")}
          style={{ width: 420 }}
          // Remounted when the URL's search changes (back, forward, links), so the box shows that search.
          key={query.q ?? ""}
          defaultValue={query.q}
          onSearch={(v) => update({ q: v.trim() || undefined })}
        />
        <RegionPicker
          data-testid="people-region"
          style={{ width: 280 }}
          placeholder={t("people.regionPlaceholder")}
          value={query.regionCode}
          onChange={(code) => update({ region: code })}
        />
        <Space size={6}>
          <Typography.Text type="secondary">{t("people.sortBy")}</Typography.Text>
          <Select<Sort>
            data-testid="people-sort"
            style={{ width: 130 }}
            value={query.sort}
            onChange={(s) => update({ sort: s })}
            options={[
              { value: "name", label: t("people.sortName") },
              { value: "birthDate", label: t("people.sortBirthDate") },
              { value: "createdAt", label: t("people.sortCreatedAt") },
            ]}
          />
          <Segmented<Order>
            data-testid="people-order"
            value={query.order}
            onChange={(o) => update({ order: o })}
            options={[
              { value: "asc", label: t("people.asc") },
              { value: "desc", label: t("people.desc") },
            ]}
          />
        </Space>
      </Space>
      {error ? (
        <PageError error={error} onRetry={reload} />
      ) : (
        <Table<PersonSummary>
          data-testid="people-table"
          rowKey="id"
          size="middle"
          loading={loading}
          columns={columns}
          dataSource={data?.items ?? []}
          onChange={onTableChange}
          scroll={{ x: 1300 }}
          pagination={{
            current: query.page,
            pageSize: query.pageSize,
            total: data?.total ?? 0,
            pageSizeOptions: PAGE_SIZES,
            showSizeChanger: true,
            showTotal: () =>
              data?.totalIsLowerBound
                ? t("common.totalAtLeast", { n: formatNumber(data.total) })
                : t("common.total", { n: formatNumber(data?.total ?? 0) }),
          }}
          onRow={(p) => ({
            "data-testid": `person-row-${p.id}`,
            onClick: canOpen ? () => navigate(`/people/${p.id}`) : undefined,
            style: canOpen ? { cursor: "pointer" } : undefined,
          })}
        />
      )}
    </Card>
  );
}
