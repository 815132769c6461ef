import {
  Card,
  Col,
  Descriptions,
  Empty,
  Row,
  Segmented,
  Select,
  Space,
  Spin,
  Statistic,
  Table,
  type TableColumnsType,
  Tag,
  Typography,
} from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useParams, useSearchParams } from "react-router";
import { useMe } from "../accounts/session.tsx";
import { useApiData } from "../api/use-api-data.ts";
import { formatNumber } from "../i18n/format.ts";
import { RegionName } from "../regions/region-name.tsx";
import { PageError } from "../shell/page-states.tsx";
import { useNow } from "../shell/use-now.ts";
import {
  type CampaignDetail,
  type CoverageRow,
  natApi,
  type RecallGroup,
  type RecallMember,
  type TurnaroundRow,
  type UnsampledGrid,
} from "./nat-api.ts";
import { countdown, coverageStep, formatMinute, KindTag, percent, pick } from "./nat-bits.tsx";

const LEVEL_INDENT: Record<string, number> = {
  province: 0,
  city: 0,
  county: 0,
  township: 1,
  community: 2,
  grid: 3,
};

/** Sampled / target per region, each cell coloured by its coverage step. */
function CoverageTable({ detail }: { detail: CampaignDetail }) {
  const { t } = useTranslation();
  const top = Math.min(...detail.coverage.map((r) => LEVEL_INDENT[r.level] ?? 0));
  const columns: TableColumnsType<CoverageRow> = [
    {
      title: t("nat.board.region"),
      key: "region",
      render: (_: unknown, r) => (
        <span style={{ paddingLeft: ((LEVEL_INDENT[r.level] ?? 0) - top) * 20, whiteSpace: "nowrap" }}>
          <RegionName code={r.code} />{" "}
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {t(`levels.${r.level}` as "levels.community")}
          </Typography.Text>
        </span>
      ),
    },
    {
      title: t("nat.board.sampledTarget"),
      key: "sampled",
      align: "right",
      render: (_: unknown, r) => (
        <span data-testid="coverage-sampled" style={{ whiteSpace: "nowrap" }}>
          {formatNumber(r.sampled)} / {formatNumber(r.target)}
        </span>
      ),
    },
    {
      title: t("nat.board.coverage"),
      key: "coverage",
      align: "right",
      width: 140,
      onCell: (r) => {
        const s = coverageStep(r.coverage);
        return { style: { background: s.background, color: s.color, fontWeight: 600 } };
      },
      render: (_: unknown, r) => (
        <span data-testid="coverage-percent" data-step={coverageStep(r.coverage).step}>
          {percent(r.coverage)}
        </span>
      ),
    },
    {
      title: t("nat.board.remaining"),
      dataIndex: "remaining",
      align: "right",
      render: (v: number) => formatNumber(v),
    },
  ];
  return (
    <Table<CoverageRow>
      rowKey="code"
      size="small"
      columns={columns}
      dataSource={detail.coverage}
      pagination={{ pageSize: 50, hideOnSinglePage: true }}
      scroll={{ x: 560 }}
      data-testid="coverage-table"
      onRow={(r) => ({ "data-code": r.code, "data-level": r.level }) as object}
    />
  );
}

function TurnaroundTable({ detail }: { detail: CampaignDetail }) {
  const { t } = useTranslation();
  const hours = (v: number | null) =>
    v === null ? t("common.none") : t("nat.board.hours", { h: v.toFixed(1) });
  const columns: TableColumnsType<TurnaroundRow> = [
    { title: t("nat.board.lab"), dataIndex: "lab" },
    { title: t("nat.board.n"), dataIndex: "n", align: "right" },
    { title: t("nat.board.median"), dataIndex: "median", align: "right", render: hours },
    { title: t("nat.board.p90"), dataIndex: "p90", align: "right", render: hours },
    {
      title: t("nat.board.withinTarget", { h: detail.turnaroundTargetHours }),
      dataIndex: "withinTarget",
      align: "right",
      render: (v: number | null) => (
        <Typography.Text type={v !== null && v < 0.9 ? "danger" : undefined}>{percent(v)}</Typography.Text>
      ),
    },
    { title: t("nat.board.pending"), dataIndex: "pending", align: "right" },
    {
      title: t("nat.board.overdue"),
      dataIndex: "overdue",
      align: "right",
      render: (v: number) => (v > 0 ? <Tag color="red">{v}</Tag> : v),
    },
  ];
  return (
    <Table<TurnaroundRow>
      rowKey="lab"
      size="small"
      columns={columns}
      dataSource={detail.turnaround}
      locale={{ emptyText: t("nat.board.noResults") }}
      pagination={false}
      scroll={{ x: 640 }}
      data-testid="turnaround-table"
    />
  );
}

function RetestTag({ m }: { m: RecallMember }) {
  const { t } = useTranslation();
  if (!m.retest)
    return (
      <Tag color="orange" data-testid="recall-retest" data-state="awaiting">
        {t("nat.recall.awaiting")}
      </Tag>
    );
  const positive = m.retest.result === "positive";
  return (
    <Tag color={positive ? "red" : "green"} data-testid="recall-retest" data-state={m.retest.result}>
      {t(positive ? "nat.recall.retestPositive" : "nat.recall.retestNegative", { barcode: m.retest.barcode })}
    </Tag>
  );
}

function RecallGroupCard({ g, now }: { g: RecallGroup; now: number }) {
  const { t } = useTranslation();
  const left = countdown(t, g.deadline, now);
  const columns: TableColumnsType<RecallMember> = [
    {
      title: t("nat.recall.name"),
      dataIndex: "name",
      render: (v: string) => <span data-testid="recall-name">{v}</span>,
    },
    { title: t("nat.recall.address"), dataIndex: "address" },
    {
      title: t("nat.recall.tubes"),
      key: "barcodes",
      render: (_: unknown, m) => m.barcodes.map((b) => <Tag key={b}>{b}</Tag>),
    },
    { title: t("nat.recall.retest"), key: "retest", render: (_: unknown, m) => <RetestTag m={m} /> },
  ];
  return (
    <Card
      size="small"
      data-testid="recall-group"
      data-community={g.communityCode ?? ""}
      title={
        <Space wrap>
          <span data-testid="recall-community">{g.communityName ?? t("nat.recall.noCommunity")}</span>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {g.communityCode}
          </Typography.Text>
          <Tag>{t("nat.recall.people", { n: g.members.length })}</Tag>
        </Space>
      }
      extra={
        <Space size={4} wrap>
          <span>{t("nat.recall.deadline", { at: formatMinute(g.deadline) })}</span>
          <Tag
            color={left.overdue ? "red" : "orange"}
            data-testid="recall-countdown"
            data-overdue={String(left.overdue)}
          >
            {left.text}
          </Tag>
        </Space>
      }
    >
      <Typography.Paragraph type="secondary" style={{ fontSize: 12, marginBottom: 8 }}>
        {t("nat.recall.positivePools")} {g.barcodes.join("、")}
      </Typography.Paragraph>
      <Table<RecallMember>
        rowKey="personId"
        size="small"
        columns={columns}
        dataSource={g.members}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        scroll={{ x: 560 }}
        onRow={(m) => ({ "data-testid": "recall-member", "data-person": m.personId }) as object}
      />
    </Card>
  );
}

function RecallCard({ id }: { id: string }) {
  const { t, i18n } = useTranslation();
  const now = useNow();
  const { data, error, loading, reload } = useApiData(`nat-recall:${id}:${i18n.language}`, () =>
    natApi.recall(id),
  );
  return (
    <Card title={t("nat.recall.title")} data-testid="recall-card">
      {error ? (
        <PageError error={error} onRetry={reload} />
      ) : loading && !data ? (
        <Spin />
      ) : !data || data.groups.length === 0 ? (
        <Empty description={t("nat.recall.empty")} data-testid="recall-empty" />
      ) : (
        <Space direction="vertical" style={{ width: "100%" }}>
          <Typography.Text data-testid="recall-message" data-people={data.people}>
            {pick(data.message, i18n.language)}
          </Typography.Text>
          {data.groups.map((g) => (
            <RecallGroupCard key={`${g.communityCode}:${g.deadline}`} g={g} now={now} />
          ))}
        </Space>
      )}
    </Card>
  );
}

function UnsampledCard({ id, round }: { id: string; round: number }) {
  const { t } = useTranslation();
  const [grid, setGrid] = useState<string | null>(null);
  const { data, error, loading, reload } = useApiData(`nat-unsampled:${id}:${round}`, () =>
    natApi.unsampled(id, round),
  );
  const current: UnsampledGrid | undefined = data?.grids.find((g) => g.gridCode === grid) ?? data?.grids[0];
  return (
    <Card
      title={t("nat.unsampled.title")}
      data-testid="unsampled-card"
      extra={
        data && (
          <span data-testid="unsampled-total">
            {t("nat.unsampled.total", { n: formatNumber(data.people) })}
          </span>
        )
      }
    >
      {error ? (
        <PageError error={error} onRetry={reload} />
      ) : loading && !data ? (
        <Spin />
      ) : !data || data.grids.length === 0 ? (
        <Empty description={t("nat.unsampled.empty")} />
      ) : (
        <Space direction="vertical" style={{ width: "100%" }}>
          {data.truncated && <Typography.Text type="warning">{t("nat.unsampled.truncated")}</Typography.Text>}
          <Select
            style={{ minWidth: 280 }}
            value={current?.gridCode}
            onChange={setGrid}
            data-testid="unsampled-grid"
            options={data.grids.map((g) => ({
              value: g.gridCode,
              label: t("nat.unsampled.gridOption", { code: g.gridCode, n: g.people.length }),
            }))}
          />
          {current && (
            <Typography.Text type="secondary">
              <RegionName code={current.gridCode} />
            </Typography.Text>
          )}
          <Table
            rowKey="personId"
            size="small"
            dataSource={current?.people ?? []}
            columns={[
              { title: t("nat.recall.name"), dataIndex: "name" },
              { title: t("nat.recall.address"), dataIndex: "address" },
            ]}
            pagination={{ pageSize: 20, showSizeChanger: false, hideOnSinglePage: true }}
            data-testid="unsampled-table"
          />
        </Space>
      )}
    </Card>
  );
}

/** A campaign's board: coverage by region, counts, lab turnaround, recall lists and who is not sampled yet. */
export function CampaignBoardPage() {
  const { t, i18n } = useTranslation();
  const { can } = useMe();
  const { id = "" } = useParams();
  const [params, setParams] = useSearchParams();
  const round = params.get("round") ? Number(params.get("round")) : undefined;
  const now = useNow();
  const { data, error, loading, reload } = useApiData(
    `nat-campaign:${id}:${round ?? ""}:${i18n.language}`,
    () => natApi.campaign(id, round),
  );
  if (error) return <PageError error={error} onRetry={reload} />;
  if (!data) return loading ? <Spin /> : null;
  const left = countdown(t, data.round.deadlineAt, now);
  const c = data.counts;
  const stat = (key: string, value: number, testId: string) => (
    <Col xs={12} sm={8} md={6} lg={4} key={key}>
      <Statistic
        title={t(`nat.board.counts.${key}` as "nat.board.counts.tubes")}
        value={value}
        data-testid={testId}
      />
    </Col>
  );

  return (
    <Space direction="vertical" size="middle" style={{ width: "100%" }} data-testid="campaign-board">
      <Link to="/nat/campaigns">{t("nat.board.back")}</Link>
      <Card>
        <Space direction="vertical" style={{ width: "100%" }}>
          <Space wrap>
            <Typography.Title level={4} style={{ margin: 0 }} data-testid="board-name">
              {data.name}
            </Typography.Title>
            <KindTag kind={data.kind} />
          </Space>
          <Descriptions size="small" column={{ xs: 1, md: 2, xl: 3 }}>
            <Descriptions.Item label={t("nat.campaigns.regions")}>
              <Space size={4} wrap>
                {data.regionCodes.map((code) => (
                  <Tag key={code}>
                    <RegionName code={code} />
                  </Tag>
                ))}
              </Space>
            </Descriptions.Item>
            <Descriptions.Item label={t("nat.campaigns.population")}>
              {formatNumber(data.population)}
            </Descriptions.Item>
            <Descriptions.Item label={t("nat.campaigns.deadline")}>
              <span data-testid="board-deadline-hours" data-hours={data.deadlineHours}>
                {t("nat.campaigns.deadlineHours", { h: data.deadlineHours })}
              </span>
              <Typography.Text type="secondary" style={{ marginLeft: 8, fontSize: 12 }}>
                {pick(data.deadlineReason, i18n.language)}
              </Typography.Text>
            </Descriptions.Item>
          </Descriptions>
          {data.roundList.length > 1 && (
            <Segmented<number>
              value={data.round.number}
              onChange={(n) => setParams({ round: String(n) })}
              options={data.roundList.map((r) => ({
                value: r.number,
                label: t("nat.roundN", { n: r.number }),
              }))}
              data-testid="board-rounds"
            />
          )}
          <Space wrap data-testid="board-round" data-round={data.round.number}>
            <span>
              {t("nat.board.roundWindow", {
                n: data.round.number,
                from: formatMinute(data.round.startsAt),
                to: formatMinute(data.round.deadlineAt),
              })}
            </span>
            <Tag color={left.overdue ? "red" : "blue"}>{left.text}</Tag>
          </Space>
        </Space>
      </Card>
      <Card title={t("nat.board.countsTitle")}>
        <Row gutter={[16, 16]}>
          {stat("swabs", c.swabs, "count-swabs")}
          {stat("tubes", c.tubes, "count-tubes")}
          {stat("sealed", c.sealed, "count-sealed")}
          {stat("negative", c.negative, "count-negative")}
          {stat("poolPositive", c.poolPositive, "count-pool-positive")}
          {stat("positive", c.positive, "count-positive")}
          {stat("retests", c.retests, "count-retests")}
          {stat("conflicts", c.conflicts, "count-conflicts")}
          {stat("late", c.late, "count-late")}
          {stat("pendingTubes", data.pending.tubes, "count-pending")}
          {stat("overdueTubes", data.pending.overdue, "count-overdue")}
        </Row>
      </Card>
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={12}>
          <Card title={t("nat.board.coverageTitle")} data-testid="coverage-card">
            <Space size={4} wrap style={{ marginBottom: 8 }}>
              {(["low", "mid", "high", "done"] as const).map((s) => {
                const sample = { low: 0.1, mid: 0.6, high: 0.9, done: 1 }[s];
                const st = coverageStep(sample);
                return (
                  <Tag key={s} style={{ background: st.background, color: st.color }}>
                    {t(`nat.board.steps.${s}`)}
                  </Tag>
                );
              })}
            </Space>
            <CoverageTable detail={data} />
          </Card>
        </Col>
        <Col xs={24} xl={12}>
          <Card
            title={t("nat.board.turnaroundTitle", { h: data.turnaroundTargetHours })}
            data-testid="turnaround-card"
          >
            <TurnaroundTable detail={data} />
          </Card>
        </Col>
      </Row>
      {can("people.read") && <RecallCard id={id} />}
      {can("people.read") && <UnsampledCard id={id} round={data.round.number} />}
    </Space>
  );
}
