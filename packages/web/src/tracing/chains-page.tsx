import { DownloadOutlined, ReloadOutlined, UploadOutlined } from "@ant-design/icons";
import {
  Alert,
  App,
  Button,
  Card,
  Col,
  Collapse,
  Descriptions,
  Empty,
  Input,
  InputNumber,
  List,
  Row,
  Space,
  Statistic,
  Table,
  type TableColumnsType,
  Tag,
  Typography,
  Upload,
} from "antd";
import { type HTMLAttributes, type MouseEvent, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate, useSearchParams } from "react-router";
import { useMe } from "../accounts/session.tsx";
import { ApiError } from "../api/client.ts";
import { errorText } from "../api/errors.ts";
import { useApiData } from "../api/use-api-data.ts";
import { useBarChart } from "../charts/use-bar-chart.ts";
import { formatNumber } from "../i18n/format.ts";
import { RegionName } from "../regions/region-name.tsx";
import { type ChainAnalysis, type ClusterItem, chainsApi, type LineListAnalysis } from "./chains-api.ts";
import { formatMinute, pick } from "./tracing-bits.tsx";

const PAGE_SIZE = 20;

/** A number of days with one decimal, "—" when there is none. */
const days = (v: number | null) => (v === null ? "—" : v.toFixed(1));
const percent = (v: number | null) => (v === null ? "—" : `${(v * 100).toFixed(1)}%`);

function GenerationChart({ counts }: { counts: ChainAnalysis["generations"]["counts"] }) {
  const { t } = useTranslation();
  const el = useBarChart(
    () => ({
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      grid: { left: 48, right: 12, top: 16, bottom: 28 },
      xAxis: {
        type: "category",
        data: counts.map((c) => t("tracingChains.analysis.generation", { g: c.generation })),
      },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        {
          name: t("tracingChains.analysis.casesAxis"),
          type: "bar",
          data: counts.map((c) => c.cases),
          barMaxWidth: 32,
          itemStyle: { color: "#cf1322" },
          label: { show: counts.length <= 12, position: "top" },
        },
      ],
    }),
    [counts, t],
  );
  return <div ref={el} data-testid="generation-chart" style={{ width: "100%", height: 200 }} />;
}

/** The figures the database's analysis and a line-list file's analysis share. */
type AnalysisFigures = Omit<ChainAnalysis, "computedAt" | "stale">;

/** The line-list file an analysis is of: its name, the rows read, the columns ignored. */
interface AnalysedFile {
  name: string;
  rows: number;
  unknownColumns: string[];
}

/**
 * The analysis of the jurisdiction's cases, as `cordon tracing analyze` gives it for a line list; with
 * `file`, the analysis of an uploaded line list (its case ids are the file's: nothing links to a case).
 */
function AnalysisCard({ a, file }: { a: AnalysisFigures; file?: AnalysedFile }) {
  const { t, i18n } = useTranslation();
  const largest = a.clusters.largest[0]?.size ?? 0;
  const stat = (key: string, title: string, value: number, danger = false) => (
    <Col xs={12} sm={8} md={6} lg={3} key={key}>
      <Statistic
        title={title}
        value={value}
        formatter={(v) => formatNumber(Number(v))}
        valueStyle={danger && value > 0 ? { color: "#cf1322" } : undefined}
        data-testid={`analysis-${key}`}
        data-value={value}
      />
    </Col>
  );
  const si = a.serialInterval;
  return (
    <Card
      size="small"
      title={file ? t("tracingChains.file.title", { name: file.name }) : t("tracingChains.analysis.title")}
      data-testid="chain-analysis"
      data-source={file ? "file" : "database"}
    >
      {file && (
        <Typography.Paragraph type="secondary" data-testid="file-analysis-read">
          {t("tracingChains.file.read", { rows: formatNumber(file.rows) })}
          {file.unknownColumns.length > 0 &&
            `；${t("tracingChains.file.unknownColumns", { columns: file.unknownColumns.join(", ") })}`}
        </Typography.Paragraph>
      )}
      <Row gutter={[16, 16]}>
        {stat("cases", t("tracingChains.analysis.cases"), a.cases)}
        {stat("pairs", t("tracingChains.analysis.pairs"), a.pairs)}
        {stat("clusters", t("tracingChains.analysis.clusters"), a.clusters.count)}
        {stat("isolated", t("tracingChains.analysis.isolated"), a.clusters.isolatedCases)}
        {stat("largest", t("tracingChains.analysis.largest"), largest)}
        {stat("max-generation", t("tracingChains.analysis.maxGeneration"), a.generations.max)}
        {stat("in-cycles", t("tracingChains.analysis.inCycles"), a.generations.inCycles, true)}
        {stat(
          "without-generation",
          t("tracingChains.analysis.withoutGeneration"),
          a.generations.withoutGeneration,
          true,
        )}
      </Row>
      <Row gutter={[24, 16]} style={{ marginTop: 16 }}>
        <Col xs={24} lg={12}>
          <Typography.Text strong>{t("tracingChains.analysis.perGeneration")}</Typography.Text>
          {a.generations.counts.length > 0 ? (
            <GenerationChart counts={a.generations.counts} />
          ) : (
            <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} />
          )}
        </Col>
        <Col xs={24} lg={12}>
          <Descriptions size="small" column={1} bordered>
            <Descriptions.Item
              label={t("tracingChains.analysis.superspreaders", { n: a.superspreaderThreshold })}
            >
              <span data-testid="analysis-superspreaders">
                {a.superspreaders.length === 0
                  ? t("tracingChains.analysis.none")
                  : file
                    ? a.superspreaders.map((s) => (
                        <span
                          key={s.caseId}
                          data-testid="superspreader"
                          data-case-id={s.caseId}
                          style={{ marginRight: 12, whiteSpace: "nowrap" }}
                        >
                          {t("tracingChains.analysis.superspreader", { name: s.caseId, n: s.secondaryCases })}
                        </span>
                      ))
                    : a.superspreaders.map((s) => (
                        <Link
                          key={s.caseId}
                          to={`/tracing/cases/${s.caseId}`}
                          data-testid="superspreader"
                          data-case-id={s.caseId}
                          style={{ marginRight: 12, whiteSpace: "nowrap" }}
                        >
                          {t("tracingChains.analysis.superspreader", {
                            name: s.personName || t("tracingChains.unnamed"),
                            n: s.secondaryCases,
                          })}
                        </Link>
                      ))}
              </span>
            </Descriptions.Item>
            <Descriptions.Item label={t("tracingChains.analysis.serialInterval")}>
              <span data-testid="serial-interval" data-n={si.n}>
                {t("tracingChains.analysis.serialIntervalValue", {
                  n: si.n,
                  mean: days(si.mean),
                  sd: days(si.sd),
                  negative: percent(si.negativeShare),
                })}
              </span>
            </Descriptions.Item>
            <Descriptions.Item label={t("tracingChains.analysis.sizes")}>
              <span data-testid="cluster-sizes">
                {a.clusters.sizes.length === 0
                  ? t("tracingChains.analysis.none")
                  : [...a.clusters.sizes]
                      .reverse()
                      .map((s) => t("tracingChains.analysis.sizeItem", { size: s.size, n: s.clusters }))
                      .join("；")}
              </span>
            </Descriptions.Item>
          </Descriptions>
        </Col>
      </Row>
      <Collapse
        size="small"
        style={{ marginTop: 16 }}
        data-testid="analysis-issues"
        data-total={a.issuesTotal}
        items={[
          {
            key: "issues",
            label:
              a.issuesTotal === 0
                ? t("tracingChains.analysis.noIssues")
                : t("tracingChains.analysis.issues", { n: a.issuesTotal }) +
                  (a.issuesTotal > a.issues.length
                    ? t("tracingChains.analysis.issuesShown", { n: a.issues.length })
                    : ""),
            collapsible: a.issuesTotal === 0 ? "disabled" : undefined,
            children: (
              <List
                size="small"
                dataSource={a.issues}
                renderItem={(issue) => (
                  <List.Item data-testid="analysis-issue" data-code={issue.code} data-row={issue.row ?? ""}>
                    <Space wrap>
                      <Tag color={issue.severity === "error" ? "red" : "orange"}>
                        {t(`tracingChains.analysis.severity.${issue.severity}`)}
                      </Tag>
                      {file && issue.row !== null && (
                        <Typography.Text type="secondary">
                          {t("tracingChains.file.row", { row: issue.row })}
                        </Typography.Text>
                      )}
                      <span>{pick(issue.message, i18n.language)}</span>
                      {!file && issue.caseId && (
                        <Link to={`/tracing/chains?case=${issue.caseId}`}>
                          {t("tracingChains.viewChain")}
                        </Link>
                      )}
                    </Space>
                  </List.Item>
                )}
              />
            ),
          },
        ]}
      />
    </Card>
  );
}

/**
 * Follows `?case=<id>` to the graph of the cluster holding that case. A case with no link is a cluster of
 * one whose id is its own (the list leaves those out): found by its graph, it is said to be sporadic.
 */
function useCaseLink(caseId: string | null) {
  const navigate = useNavigate();
  const found = useApiData(caseId ? `chains-case:${caseId}` : null, async () => {
    const page = await chainsApi.clusters({ minSize: 2, q: caseId ?? "", page: 1, pageSize: 1 });
    const cluster = page.items[0];
    if (cluster) return { clusterId: cluster.clusterId, alone: false };
    try {
      const own = await chainsApi.graph(caseId ?? "");
      return own.nodes.length === 1 ? { clusterId: own.clusterId, alone: true } : null;
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) return null;
      throw e;
    }
  });
  const target = found.data && !found.data.alone ? found.data.clusterId : null;
  useEffect(() => {
    if (caseId && target) {
      navigate(`/tracing/chains/${target}?case=${encodeURIComponent(caseId)}`, { replace: true });
    }
  }, [caseId, target, navigate]);
  if (!caseId) return { state: "none" } as const;
  if (found.loading) return { state: "finding" } as const;
  if (found.error) return { state: "error", error: found.error } as const;
  if (!found.data) return { state: "notFound" } as const;
  return { state: found.data.alone ? "isolated" : "finding" } as const;
}

/** The transmission chains page: recompute, the analysis of the jurisdiction's cases, the clusters. */
export function TracingChainsPage() {
  const { t } = useTranslation();
  const { can } = useMe();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const caseId = params.get("case");
  const investigate = can("tracing.investigate");
  const [recomputing, setRecomputing] = useState(false);
  const [recomputeError, setRecomputeError] = useState<unknown>(null);
  const [q, setQ] = useState("");
  const [search, setSearch] = useState("");
  const [minSize, setMinSize] = useState(2);
  const [page, setPage] = useState(1);
  const [version, setVersion] = useState(0);
  const caseLink = useCaseLink(caseId);
  const [exporting, setExporting] = useState(false);
  const [analysing, setAnalysing] = useState(false);
  const [lineListError, setLineListError] = useState<unknown>(null);
  const [fileAnalysis, setFileAnalysis] = useState<{ name: string; a: LineListAnalysis } | null>(null);

  const analysis = useApiData(`chains-analysis:${version}`, () => chainsApi.analysis());
  const clusters = useApiData(`chains-clusters:${version}:${minSize}:${search}:${page}`, () =>
    chainsApi.clusters({ minSize, q: search, page, pageSize: PAGE_SIZE }),
  );

  const recompute = async () => {
    setRecomputing(true);
    setRecomputeError(null);
    try {
      const r = await chainsApi.recompute();
      message.success(
        t("tracingChains.recomputed", {
          cases: formatNumber(r.cases),
          links: formatNumber(r.links),
          clusters: formatNumber(r.clusters),
          ms: formatNumber(r.durationMs),
        }),
      );
      setVersion((v) => v + 1);
    } catch (e) {
      setRecomputeError(e);
    } finally {
      setRecomputing(false);
    }
  };

  const exportLineList = async () => {
    setExporting(true);
    setLineListError(null);
    try {
      const name = await chainsApi.exportLineList();
      message.success(t("tracingChains.lineList.exported", { name }));
    } catch (e) {
      setLineListError(e);
    } finally {
      setExporting(false);
    }
  };

  const analyseFile = async (file: File) => {
    setAnalysing(true);
    setLineListError(null);
    try {
      setFileAnalysis({ name: file.name, a: await chainsApi.analyzeLineList(file) });
    } catch (e) {
      setLineListError(e);
    } finally {
      setAnalysing(false);
    }
  };

  const a = analysis.data;
  const computedAt = a?.computedAt ?? clusters.data?.computedAt ?? null;
  const stale = a?.stale ?? clusters.data?.stale ?? false;

  const columns: TableColumnsType<ClusterItem> = [
    {
      title: t("tracingChains.clusters.index"),
      key: "index",
      render: (_: unknown, k) => (
        <Space size={4} wrap>
          {k.indexCases.length === 0
            ? "—"
            : k.indexCases.map((c) => (
                <Tag key={c.caseId} color="volcano">
                  {c.personName || t("tracingChains.unnamed")}
                </Tag>
              ))}
        </Space>
      ),
    },
    {
      title: t("tracingChains.clusters.size"),
      dataIndex: "size",
      render: (v: number) => <Typography.Text strong>{formatNumber(v)}</Typography.Text>,
    },
    {
      title: t("tracingChains.clusters.generations"),
      dataIndex: "generations",
      render: (v: number) => t("tracingChains.clusters.generationsValue", { n: v }),
    },
    {
      title: t("tracingChains.clusters.superspreaders"),
      dataIndex: "superspreaders",
      render: (v: number) => (v > 0 ? <Tag color="red">{v}</Tag> : "0"),
    },
    {
      title: t("tracingChains.clusters.regions"),
      key: "regions",
      render: (_: unknown, k) => (
        <Space size={4} wrap>
          {k.regions.map((r) => (
            <Tag key={r}>
              <RegionName code={r} />
            </Tag>
          ))}
        </Space>
      ),
    },
    {
      title: t("tracingChains.clusters.onset"),
      key: "onset",
      render: (_: unknown, k) => (k.firstOnset ? `${k.firstOnset} ~ ${k.lastOnset ?? k.firstOnset}` : "—"),
    },
    {
      title: t("tracingChains.clusters.lastReported"),
      dataIndex: "lastReportedAt",
      render: (v: string | null) => formatMinute(v),
    },
    {
      title: "",
      key: "open",
      render: (_: unknown, k) => (
        <Link to={`/tracing/chains/${k.clusterId}`} data-testid="cluster-open">
          {t("tracingChains.clusters.open")}
        </Link>
      ),
    },
  ];

  return (
    <Space direction="vertical" size="middle" style={{ width: "100%" }} data-testid="tracing-chains-page">
      <Space style={{ width: "100%", justifyContent: "space-between" }} wrap>
        <Space wrap>
          <Link to="/tracing">{t("tracingChains.back")}</Link>
          <Typography.Title level={4} style={{ margin: 0 }}>
            {t("tracingChains.title")}
          </Typography.Title>
        </Space>
        <Space wrap>
          {computedAt && (
            <Typography.Text type="secondary" data-testid="chains-computed-at" data-at={computedAt}>
              {t("tracingChains.computedAt", { at: formatMinute(computedAt) })}
            </Typography.Text>
          )}
          <Button
            icon={<DownloadOutlined />}
            loading={exporting}
            onClick={() => void exportLineList()}
            data-testid="line-list-export"
          >
            {t("tracingChains.lineList.export")}
          </Button>
          <span data-testid="line-list-upload">
            <Upload
              accept=".csv,text/csv"
              showUploadList={false}
              beforeUpload={(f) => {
                void analyseFile(f);
                return false;
              }}
            >
              <Button icon={<UploadOutlined />} loading={analysing}>
                {t("tracingChains.lineList.analyze")}
              </Button>
            </Upload>
          </span>
          {investigate && (
            <Button
              type={stale ? "primary" : "default"}
              icon={<ReloadOutlined />}
              loading={recomputing}
              onClick={() => void recompute()}
              data-testid="chains-recompute"
            >
              {t("tracingChains.recompute")}
            </Button>
          )}
        </Space>
      </Space>
      {lineListError !== null && (
        <Alert
          type="error"
          showIcon
          closable
          onClose={() => setLineListError(null)}
          data-testid="line-list-error"
          message={errorText(t, lineListError)}
          description={
            lineListError instanceof ApiError && lineListError.fields.length > 0
              ? lineListError.fields.map((f) => f.message).join("；")
              : undefined
          }
        />
      )}
      {recomputeError !== null && (
        <Alert type="error" showIcon message={errorText(t, recomputeError)} data-testid="recompute-error" />
      )}
      {a && !computedAt && (
        <Alert
          type="info"
          showIcon
          data-testid="chains-never"
          message={investigate ? t("tracingChains.never") : t("tracingChains.neverNoRight")}
        />
      )}
      {computedAt && stale && (
        <Alert type="warning" showIcon data-testid="chains-stale" message={t("tracingChains.stale")} />
      )}
      {caseId && caseLink.state !== "none" && (
        <Alert
          type={caseLink.state === "finding" ? "info" : "warning"}
          showIcon
          data-testid="chains-case-link"
          data-state={caseLink.state}
          message={
            caseLink.state === "error"
              ? errorText(t, caseLink.error)
              : t(`tracingChains.caseLink.${caseLink.state}`)
          }
          closable
          onClose={() => setParams({}, { replace: true })}
        />
      )}
      {analysis.error && <Alert type="error" showIcon message={errorText(t, analysis.error)} />}
      {fileAnalysis ? (
        <>
          <Alert
            type="info"
            showIcon
            data-testid="file-analysis-note"
            message={t("tracingChains.file.note", { name: fileAnalysis.name })}
            action={
              <Button size="small" onClick={() => setFileAnalysis(null)} data-testid="file-analysis-back">
                {t("tracingChains.file.back")}
              </Button>
            }
          />
          <AnalysisCard
            a={fileAnalysis.a}
            file={{
              name: fileAnalysis.name,
              rows: fileAnalysis.a.rows,
              unknownColumns: fileAnalysis.a.unknownColumns,
            }}
          />
        </>
      ) : a ? (
        <AnalysisCard a={a} />
      ) : (
        !analysis.error && <Card size="small" loading title={t("tracingChains.analysis.title")} />
      )}
      <Card
        size="small"
        title={t("tracingChains.clusters.title")}
        data-testid="cluster-list"
        extra={
          <Space wrap>
            <Input.Search
              allowClear
              value={q}
              onChange={(e) => setQ(e.target.value)}
              onSearch={(v) => {
                setSearch(v.trim());
                setPage(1);
              }}
              placeholder={t("tracingChains.clusters.search")}
              style={{ width: 240 }}
              data-testid="cluster-search"
            />
            <Space size={4}>
              <Typography.Text>{t("tracingChains.clusters.minSize")}</Typography.Text>
              <InputNumber
                min={1}
                max={100000}
                value={minSize}
                onChange={(v) => {
                  setMinSize(v ?? 2);
                  setPage(1);
                }}
                style={{ width: 80 }}
                data-testid="cluster-min-size"
              />
            </Space>
          </Space>
        }
      >
        {clusters.error && <Alert type="error" showIcon message={errorText(t, clusters.error)} />}
        <Table<ClusterItem>
          size="small"
          rowKey="clusterId"
          columns={columns}
          dataSource={clusters.data?.items ?? []}
          loading={clusters.loading}
          scroll={{ x: true }}
          locale={{ emptyText: t("tracingChains.clusters.none") }}
          pagination={{
            current: page,
            pageSize: PAGE_SIZE,
            total: clusters.data?.total ?? 0,
            showSizeChanger: false,
            hideOnSinglePage: true,
            showTotal: (n) => t("tracingChains.clusters.total", { n: formatNumber(n) }),
            onChange: setPage,
          }}
          onRow={(k) =>
            ({
              "data-testid": "cluster-row",
              "data-cluster-id": k.clusterId,
              "data-size": k.size,
              style: { cursor: "pointer" },
              onClick: (e: MouseEvent) => {
                if ((e.target as HTMLElement).closest("a")) return;
                navigate(`/tracing/chains/${k.clusterId}`);
              },
            }) as HTMLAttributes<HTMLElement>
          }
        />
      </Card>
    </Space>
  );
}
