import { isWithin } from "@cordon/domain/regions/region-code";
import { ArrowLeftOutlined } from "@ant-design/icons";
import {
  Alert,
  App,
  Button,
  Card,
  Checkbox,
  Descriptions,
  Grid,
  Input,
  Select,
  Space,
  Statistic,
  Table,
  type TableColumnsType,
  type TableProps,
  Tag,
  Typography,
} from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate, useParams, useSearchParams } from "react-router";
import { useMe } from "../accounts/session.tsx";
import { useApiData } from "../api/use-api-data.ts";
import { formatDateTime, formatNumber } from "../i18n/format.ts";
import { RegionName } from "../regions/region-name.tsx";
import { PageError, PageLoading } from "../shell/page-states.tsx";
import {
  type AssistCounts,
  type AssistList,
  type AssistRow,
  type AssistRowState,
  fetchList,
  fetchRows,
  ROW_STATES,
  type RowsQuery,
} from "./assist-api.ts";
import { Deadline, OverdueStyle, rowAttributes, StateTag } from "./assist-bits.tsx";
import { MatchDialog, OutcomeDialog, type RowChange } from "./row-dialogs.tsx";

const PAGE_SIZES = [20, 50, 100];
const OPEN_STATES: readonly AssistRowState[] = ["unmatched", "dispatched"];

function readQuery(p: URLSearchParams): RowsQuery {
  const size = Number(p.get("pageSize"));
  return {
    state: ROW_STATES.find((s) => s === p.get("state")),
    overdue: p.get("overdue") === "true" || undefined,
    q: p.get("q") || undefined,
    page: Math.max(1, Number(p.get("page")) || 1),
    pageSize: PAGE_SIZES.includes(size) ? size : 20,
  };
}

const COUNT_KEYS: readonly (keyof AssistCounts)[] = [
  "ambiguous",
  "unmatched",
  "dispatched",
  "merged",
  "controlled",
  "notFound",
  "forwarded",
];

function Count({
  name,
  title,
  value,
  danger,
}: {
  name: string;
  title: string;
  value: number;
  danger?: boolean;
}) {
  return (
    <div data-testid={`count-${name}`} data-value={value}>
      <Statistic
        title={title}
        value={value}
        styles={{ content: { fontSize: 20, ...(danger ? { color: "#cf1322" } : {}) } }}
      />
    </div>
  );
}

function ListHeader({ list }: { list: AssistList }) {
  const { t } = useTranslation();
  const { me } = useMe();
  // A list received above the user (a county's list, seen by a community's grid worker) is counted
  // by the server for the user's part only.
  const partial = !isWithin(me.user.jurisdictionCode, list.regionCode);
  const navigate = useNavigate();
  const c = list.counts;
  const done = c.total - c.open;
  return (
    <Card
      title={
        <Space wrap>
          <Button
            type="text"
            icon={<ArrowLeftOutlined />}
            onClick={() => navigate("/assist-lists")}
            aria-label={t("assist.backToLists")}
            data-testid="assist-back"
          />
          <Typography.Title level={4} style={{ margin: 0 }} data-testid="assist-list-name">
            {list.name}
          </Typography.Title>
        </Space>
      }
    >
      <Descriptions
        size="small"
        column={{ xs: 1, sm: 2, lg: 3 }}
        items={[
          { key: "source", label: t("assist.source"), children: list.source },
          {
            key: "region",
            label: t("assist.receivingRegion"),
            children: <RegionName code={list.regionCode} />,
          },
          { key: "received", label: t("assist.receivedAt"), children: formatDateTime(list.receivedAt) },
          {
            key: "deadline",
            label: t("assist.deadline"),
            children: <Deadline at={list.deadlineAt} open={c.open} />,
          },
          { key: "file", label: t("assist.fileName"), children: list.fileName ?? t("common.none") },
          { key: "by", label: t("assist.importedBy"), children: list.importedBy },
        ]}
      />
      {partial && (
        <Typography.Paragraph type="secondary" data-testid="assist-scoped" style={{ marginTop: 8 }}>
          {t("assist.scopedNote")}
        </Typography.Paragraph>
      )}
      <Space wrap size={[32, 12]} style={{ marginTop: 16 }} data-testid="assist-counts">
        <Count name="total" title={t("assist.counts.total")} value={c.total} />
        <Count name="accounted" title={t("assist.counts.accounted")} value={done} />
        <Count name="open" title={t("assist.counts.open")} value={c.open} />
        <Count name="overdue" title={t("assist.counts.overdue")} value={c.overdue} danger={c.overdue > 0} />
        {COUNT_KEYS.map((k) => (
          <Count key={k} name={k} title={t(`assist.counts.${k}`)} value={c[k]} />
        ))}
      </Space>
    </Card>
  );
}

/** One assist list: its deadline and counts, and its rows to decide and account for, overdue first. */
export function AssistListPage() {
  const { t, i18n } = useTranslation();
  const { can } = useMe();
  const { message } = App.useApp();
  const id = useParams().id ?? "";
  const [params, setParams] = useSearchParams();
  const query = readQuery(params);
  const [version, setVersion] = useState(0);
  const [matching, setMatching] = useState<AssistRow | null>(null);
  const [recording, setRecording] = useState<AssistRow | null>(null);
  const canWrite = can("people.write");
  // On a phone, fixed columns would leave no room for the rest: the whole table scrolls instead.
  const narrow = !Grid.useBreakpoint().md;

  const list = useApiData(`list:${id}:${version}`, () => fetchList(id));
  const rows = useApiData(`rows:${id}:${JSON.stringify(query)}:${version}:${i18n.language}`, () =>
    fetchRows(id, query),
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

  const changed = (change: RowChange, done: string) => {
    setMatching(null);
    setRecording(null);
    if ("stale" in change) message.warning(t("assist.stale"));
    else message.success(done);
    setVersion((v) => v + 1);
  };

  if (list.error) return <PageError error={list.error} onRetry={list.reload} />;
  if (!list.data) return <PageLoading />;
  const l = list.data;
  const pageRows = rows.data?.items ?? [];
  const rowNumberOf = (rowId: string) => pageRows.find((r) => r.id === rowId)?.rowNumber;

  const columns: TableColumnsType<AssistRow> = [
    {
      title: t("assist.rowNumber"),
      dataIndex: "rowNumber",
      width: 64,
      fixed: narrow ? undefined : "left",
    },
    {
      title: t("assist.personName"),
      dataIndex: "name",
      width: 150,
      fixed: narrow ? undefined : "left",
      render: (name: string, r) => (
        <Space size={4} wrap>
          <strong>{name}</strong>
          {r.overdue && (
            <Tag color="red" data-testid="row-overdue" style={{ marginInlineEnd: 0 }}>
              {t("assist.overdueTag")}
            </Tag>
          )}
        </Space>
      ),
    },
    {
      title: t("assist.state"),
      dataIndex: "state",
      width: 110,
      render: (_: unknown, r) => <StateTag row={r} />,
    },
    {
      title: t("assist.outcome"),
      key: "outcome",
      width: 220,
      render: (_: unknown, r) => {
        if (r.state === "merged") {
          const n = r.mergedInto ? rowNumberOf(r.mergedInto) : undefined;
          return (
            <Typography.Text type="secondary">
              {n ? t("assist.mergedInto", { n }) : t("assist.mergedIntoOther")}
            </Typography.Text>
          );
        }
        if (!r.outcome) return t("common.none");
        return (
          <div style={{ fontSize: 12 }} data-testid="row-outcome">
            <div>
              {formatDateTime(r.outcome.at)}{" "}
              <Typography.Text type="secondary">{r.outcome.by}</Typography.Text>
            </div>
            {r.outcome.forwardedTo && (
              <div>
                {t("assist.forwardedTo")} <RegionName code={r.outcome.forwardedTo} />
              </div>
            )}
            {r.outcome.reason && <Typography.Text type="secondary">{r.outcome.reason}</Typography.Text>}
          </div>
        );
      },
    },
    {
      title: t("assist.documentNumber"),
      dataIndex: "documentNumberMasked",
      width: 190,
      render: (v: string | null) => (
        <span style={{ fontFamily: "monospace", whiteSpace: "nowrap" }}>{v ?? t("common.none")}</span>
      ),
    },
    {
      title: t("assist.phone"),
      dataIndex: "phoneMasked",
      width: 130,
      render: (v: string | null) => (
        <span style={{ fontFamily: "monospace", whiteSpace: "nowrap" }}>{v ?? t("common.none")}</span>
      ),
    },
    {
      title: t("assist.matchedPerson"),
      key: "person",
      width: 120,
      render: (_: unknown, r) =>
        r.personId ? (
          can("people.pii") ? (
            <Link to={`/people/${r.personId}`} data-testid="row-person">
              {r.personName ?? r.name}
            </Link>
          ) : (
            <span data-testid="row-person">{r.personName ?? r.name}</span>
          )
        ) : (
          t("common.none")
        ),
    },
    {
      title: t("assist.regionName"),
      key: "region",
      width: 160,
      ellipsis: true,
      render: (_: unknown, r) => r.regionName ?? r.regionCode ?? t("common.none"),
    },
    { title: t("assist.reason"), dataIndex: "reason", width: 160, ellipsis: true },
    { title: t("assist.address"), dataIndex: "address", width: 180, ellipsis: true },
    {
      title: t("assist.extra"),
      dataIndex: "extra",
      width: 180,
      render: (extra: Record<string, string>) => {
        const entries = Object.entries(extra ?? {});
        if (!entries.length) return t("common.none");
        return (
          <div style={{ fontSize: 12 }}>
            {entries.map(([k, v]) => (
              <div key={k}>
                <Typography.Text type="secondary">{k}：</Typography.Text>
                {v}
              </div>
            ))}
          </div>
        );
      },
    },
    ...(canWrite
      ? [
          {
            title: t("assist.actions"),
            key: "actions",
            width: 96,
            fixed: narrow ? undefined : ("right" as const),
            render: (_: unknown, r: AssistRow) =>
              r.state === "ambiguous" ? (
                <Button size="small" type="primary" data-testid="row-decide" onClick={() => setMatching(r)}>
                  {t("assist.decide")}
                </Button>
              ) : OPEN_STATES.includes(r.state) ? (
                <Button
                  size="small"
                  danger={r.overdue}
                  data-testid="row-record"
                  onClick={() => setRecording(r)}
                >
                  {t("assist.record")}
                </Button>
              ) : null,
          },
        ]
      : []),
  ];

  // On a phone the action comes right after the name, where the thumb is, not at the far end of the row.
  if (narrow && canWrite) columns.splice(2, 0, columns.pop()!);

  const onTableChange: TableProps<AssistRow>["onChange"] = (pagination, _f, _s, extra) => {
    if (extra.action === "paginate") {
      update({ page: pagination.current ?? 1, pageSize: pagination.pageSize ?? 20 }, false);
    }
  };

  return (
    <Space orientation="vertical" size={16} style={{ width: "100%" }} data-testid="assist-list-page">
      <ListHeader list={l} />
      {l.counts.open === 0 && l.counts.total > 0 && (
        <Alert
          type="success"
          showIcon
          data-testid="assist-all-accounted"
          title={t("assist.allAccounted", { n: formatNumber(l.counts.total) })}
        />
      )}
      {l.counts.overdue > 0 && (
        <Alert
          type="error"
          showIcon
          data-testid="assist-overdue-banner"
          title={t("assist.overdueBanner", { n: formatNumber(l.counts.overdue) })}
        />
      )}
      <Card>
        <Space wrap size={12} style={{ marginBottom: 16 }}>
          <Input.Search
            data-testid="rows-search"
            allowClear
            enterButton={t("common.search")}
            placeholder={t("assist.searchPlaceholder")}
            style={{ width: 300, maxWidth: "100%" }}
            key={query.q ?? ""}
            defaultValue={query.q}
            onSearch={(v) => update({ q: v.trim() || undefined })}
          />
          <Select<AssistRowState | "">
            data-testid="rows-state"
            style={{ width: 160 }}
            value={query.state ?? ""}
            onChange={(s) => update({ state: s || undefined })}
            options={[
              { value: "", label: t("assist.allStates") },
              ...ROW_STATES.map((s) => ({ value: s, label: t(`assist.states.${s}`) })),
            ]}
          />
          <Checkbox
            data-testid="rows-overdue"
            checked={query.overdue === true}
            onChange={(e) => update({ overdue: e.target.checked ? "true" : undefined })}
          >
            {t("assist.onlyOverdue")}
          </Checkbox>
        </Space>
        {rows.error ? (
          <PageError error={rows.error} onRetry={rows.reload} />
        ) : (
          <Table<AssistRow>
            data-testid="rows-table"
            rowKey="id"
            size="middle"
            loading={rows.loading}
            columns={columns}
            dataSource={pageRows}
            onChange={onTableChange}
            scroll={{ x: 1600 }}
            rowClassName={(r) => (r.overdue ? "assist-overdue" : "")}
            pagination={{
              current: query.page,
              pageSize: query.pageSize,
              total: rows.data?.total ?? 0,
              pageSizeOptions: PAGE_SIZES,
              showSizeChanger: true,
              showTotal: () => t("common.total", { n: formatNumber(rows.data?.total ?? 0) }),
            }}
            onRow={(r) =>
              rowAttributes({
                "data-testid": "assist-row",
                "data-row": r.rowNumber,
                "data-state": r.state,
                "data-overdue": r.overdue ? "true" : "false",
              })
            }
          />
        )}
      </Card>
      <MatchDialog
        listId={l.id}
        row={matching}
        onClose={() => setMatching(null)}
        onDone={(c) => changed(c, t("assist.matched"))}
      />
      <OutcomeDialog
        listId={l.id}
        listRegion={l.regionCode}
        row={recording}
        onClose={() => setRecording(null)}
        onDone={(c) => changed(c, t("assist.recorded"))}
      />
      <OverdueStyle />
    </Space>
  );
}
