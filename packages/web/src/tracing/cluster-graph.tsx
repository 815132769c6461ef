import { ExpandOutlined } from "@ant-design/icons";
import { CASE_CLASSIFICATION_LABELS, CASE_CLASSIFICATIONS } from "@cordon/domain/tracing/cases";
import {
  autoCollapseDepth,
  buildForest,
  type ChainFilter,
  type ChainForest,
  type ChainNode,
  type CollapseState,
  computeView,
  type GraphLayout,
  type GraphView,
  layoutView,
  matchFilter,
  revealCase,
  searchCases,
  toggleCase,
} from "@cordon/domain/tracing/graph-view";
import { EXPOSURE_SETTING_LABELS } from "@cordon/domain/tracing/policy";
import {
  Alert,
  AutoComplete,
  Button,
  Card,
  Checkbox,
  Col,
  Descriptions,
  Input,
  InputNumber,
  Row,
  Select,
  Space,
  Tag,
  Typography,
} from "antd";
import { GraphChart, type GraphSeriesOption } from "echarts/charts";
import { TooltipComponent } from "echarts/components";
import * as echarts from "echarts/core";
import { CanvasRenderer } from "echarts/renderers";
import { useEffect, useEffectEvent, useMemo, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useParams, useSearchParams } from "react-router";
import { useApiData } from "../api/use-api-data.ts";
import { formatNumber } from "../i18n/format.ts";
import { RegionName } from "../regions/region-name.tsx";
import { RegionPicker } from "../regions/region-picker.tsx";
import { PageError, PageLoading } from "../shell/page-states.tsx";
import { chainsApi, type ClusterEdge, type ClusterGraph, type ClusterNode } from "./chains-api.ts";
import { formatMinute, pick } from "./tracing-bits.tsx";

echarts.use([GraphChart, TooltipComponent, CanvasRenderer]);

/** Above this many cases a cluster opens collapsed, so that the browser draws at most this many. */
const OPEN_LIMIT = 1500;
const LAYOUT = { columnGap: 180, rowGap: 26 };
const MARGIN = { left: 48, right: 150, top: 28, bottom: 28 };

const CLASS_COLORS: Record<string, string> = {
  suspected: "#faad14",
  confirmed_mild: "#ff7a45",
  confirmed_moderate: "#f5222d",
  confirmed_severe: "#a8071a",
  confirmed_critical: "#5c0011",
  asymptomatic: "#13a8a8",
};
const OTHER_COLOR = "#8c8c8c";
const SELECTED = "#1677ff";
const CYCLE = "#722ed1";

const classLabel = (c: string, lang: string) =>
  c in CASE_CLASSIFICATION_LABELS
    ? pick(CASE_CLASSIFICATION_LABELS[c as keyof typeof CASE_CLASSIFICATION_LABELS], lang)
    : c;
const settingLabel = (s: string, lang: string) =>
  s in EXPOSURE_SETTING_LABELS
    ? pick(EXPOSURE_SETTING_LABELS[s as keyof typeof EXPOSURE_SETTING_LABELS], lang)
    : s;

/** How the next drawing places the view. */
interface ViewIntent {
  /**
   * auto: the whole graph when it is readable so, else the first index case at the left;
   * fit: the whole graph; focus: show a case (centred unless already on screen); keep: leave a case
   * (or the centre) where it was.
   */
  kind: "auto" | "fit" | "focus" | "keep";
  caseId?: string | null;
  seq: number;
}

type Point = [number, number];

interface Drawn {
  layout: GraphLayout;
  /** The horizontal squeeze of that drawing (1 but in the overview). */
  sx: number;
  sy: number;
  /** The intent it carried out. */
  seq: number;
  /** Whether names are written beside the cases (the rows are far enough apart). */
  labelsOn: boolean;
}

/** Names fit beside the cases when rows are at least 14 px apart on screen. */
const labelsReadable = (sy: number, zoom: number) => LAYOUT.rowGap * sy * zoom >= 14;

/**
 * The cluster on an ECharts graph with preset positions (no force layout: deterministic, and fast for
 * thousands). The view maps layout units 1:1 to pixels at zoom 1 (`left/top/width/height` are the
 * visible cases' extent), so a case can be centred or kept under the mouse across redraws.
 */
function GraphCanvas({
  graph,
  names,
  forest,
  view,
  layout,
  selected,
  intent,
  overview,
  onSelect,
  onToggle,
}: {
  graph: ClusterGraph;
  names: string[];
  forest: ChainForest;
  view: GraphView;
  layout: GraphLayout;
  selected: string | null;
  intent: ViewIntent;
  /** The whole graph squeezed into the canvas (rows closer than columns); else 1:1. */
  overview: boolean;
  onSelect: (caseId: string) => void;
  onToggle: (caseId: string) => void;
}) {
  const { t, i18n } = useTranslation();
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  const drawn = useRef<Drawn | null>(null);
  const select = useEffectEvent(onSelect);
  const toggle = useEffectEvent(onToggle);

  /** The selected case's pixel on the canvas, for a test (or a tool) to click it. */
  const markSelected = () => {
    const c = chart.current;
    const div = el.current;
    if (!c || !div) return;
    const i = selected ? forest.index.get(selected) : undefined;
    if (i === undefined || !view.shown[i]) {
      delete div.dataset.selectedX;
      delete div.dataset.selectedY;
      return;
    }
    const p = c.convertToPixel({ seriesIndex: 0 }, [layout.x[i]!, layout.y[i]!]) as Point;
    div.dataset.selectedX = String(Math.round(p[0]));
    div.dataset.selectedY = String(Math.round(p[1]));
  };
  const mark = useEffectEvent(markSelected);

  useEffect(() => {
    if (!el.current) return;
    const c = echarts.init(el.current);
    chart.current = c;
    c.on("click", { dataType: "node" }, (p) => {
      const id = (p.data as { id?: string } | undefined)?.id;
      if (id) select(id);
    });
    c.on("dblclick", { dataType: "node" }, (p) => {
      const id = (p.data as { id?: string } | undefined)?.id;
      if (id) toggle(id);
    });
    c.on("graphroam", () => {
      mark();
      // Zooming in far enough writes the names; zooming out hides them before they overlap.
      const d = drawn.current;
      if (!d) return;
      const a = c.convertToPixel({ seriesIndex: 0 }, [0, 0]) as Point;
      const b = c.convertToPixel({ seriesIndex: 0 }, [1, 0]) as Point;
      const on = labelsReadable(d.sy, (b[0] - a[0]) / d.sx);
      if (on === d.labelsOn) return;
      d.labelsOn = on;
      c.setOption({ series: [{ id: "cluster", label: { show: on } }] });
    });
    const onResize = () => c.resize();
    window.addEventListener("resize", onResize);
    return () => {
      window.removeEventListener("resize", onResize);
      c.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    const c = chart.current;
    if (!c) return;
    const lang = i18n.language;
    const nodes = graph.nodes;
    const shown = view.visible;
    if (shown.length === 0) {
      c.clear();
      drawn.current = null;
      return;
    }
    let minX = Infinity;
    let maxX = -Infinity;
    let minY = Infinity;
    let maxY = -Infinity;
    for (const i of shown) {
      minX = Math.min(minX, layout.x[i]!);
      maxX = Math.max(maxX, layout.x[i]!);
      minY = Math.min(minY, layout.y[i]!);
      maxY = Math.max(maxY, layout.y[i]!);
    }
    // ECharts widens a zero extent by one unit each side.
    const w = maxX - minX || 2;
    const h = maxY - minY || 2;
    const x0 = maxX > minX ? minX : minX - 1;
    const y0 = maxY > minY ? minY : minY - 1;
    const W = c.getWidth();
    const H = c.getHeight();
    const availW = Math.max(1, W - MARGIN.left - MARGIN.right);
    const availH = Math.max(1, H - MARGIN.top - MARGIN.bottom);
    // Layout units to pixels before zooming: 1:1, or in the overview squeezed on each axis to fit.
    const sx = overview ? Math.min(1, availW / w) : 1;
    const sy = overview ? Math.min(1, availH / h) : 1;
    const rw = w * sx;
    const rh = h * sy;
    const left = MARGIN.left + Math.max(0, (availW - rw) / 2);
    const top = MARGIN.top + Math.max(0, (availH - rh) / 2);
    const vc: Point = [left + rw / 2, top + rh / 2];
    const middle: Point = [MARGIN.left + availW / 2, MARGIN.top + availH / 2];
    // The centre that puts layout point p at pixel `at`, with zoom z.
    const place = (p: Point, at: Point, z: number): Point => [
      p[0] - (at[0] - vc[0]) / (z * sx),
      p[1] - (at[1] - vc[1]) / (z * sy),
    ];
    const pos = (i: number): Point => [layout.x[i]!, layout.y[i]!];
    // A small cluster is drawn a little larger than its layout, a large one shrunk to fit.
    const fitZoom = Math.min(1.5, availW / rw, availH / rh);

    let zoom = 1;
    let center: Point;
    const before = drawn.current;
    let current = 1;
    if (before) {
      const a = c.convertToPixel({ seriesIndex: 0 }, [0, 0]) as Point;
      const b = c.convertToPixel({ seriesIndex: 0 }, [1, 0]) as Point;
      current = (b[0] - a[0]) / before.sx || 1;
    }
    // An intent is carried out once; later drawings (a new language, a resize) keep the view.
    const fresh = !before || before.seq !== intent.seq;
    const target = fresh && intent.caseId ? forest.index.get(intent.caseId) : undefined;
    const asked = fresh ? intent.kind : "keep";
    const kind = asked === "focus" && (target === undefined || !view.shown[target]) ? "keep" : asked;
    // The centre that leaves a case (or else the middle of the canvas) where it was on screen.
    const keep = (anchor: number | undefined): Point => {
      if (before && anchor !== undefined && view.shown[anchor] && !Number.isNaN(before.layout.x[anchor]!)) {
        const was = c.convertToPixel({ seriesIndex: 0 }, [
          before.layout.x[anchor]!,
          before.layout.y[anchor]!,
        ]) as Point;
        return place(pos(anchor), was, current);
      }
      const d = before ? (c.convertFromPixel({ seriesIndex: 0 }, middle) as Point) : pos(shown[0]!);
      return place(d, middle, current);
    };
    if (kind === "focus" && target !== undefined) {
      // A found case already on screen at a readable size stays put; otherwise it is centred.
      zoom = current;
      center = keep(target);
      const px = vc[0] + zoom * sx * (layout.x[target]! - center[0]);
      const py = vc[1] + zoom * sy * (layout.y[target]! - center[1]);
      const onScreen =
        before !== null &&
        zoom >= 0.6 &&
        px > MARGIN.left &&
        px < W - MARGIN.right &&
        py > MARGIN.top &&
        py < H - MARGIN.bottom;
      if (!before && fitZoom >= 1) {
        zoom = fitZoom;
        center = place([x0 + w / 2, y0 + h / 2], middle, zoom);
      } else if (!onScreen) {
        zoom = Math.max(current, 1);
        center = place(pos(target), middle, zoom);
      }
    } else if (kind === "fit" || ((kind === "auto" || !before) && fitZoom >= 0.6)) {
      zoom = fitZoom;
      center = place([x0 + w / 2, y0 + h / 2], middle, zoom);
    } else if (kind === "auto" || !before) {
      // Too big to read whole: the first index case at the left, at full size.
      const root = shown.find((i) => view.shownParent[i] === -1) ?? shown[0]!;
      center = place(pos(root), [MARGIN.left + 24, MARGIN.top + Math.min(availH / 2, 200)], 1);
    } else {
      zoom = current;
      center = keep(target ?? (selected ? forest.index.get(selected) : undefined));
    }

    const slot = new Int32Array(forest.size).fill(-1);
    shown.forEach((i, k) => (slot[i] = k));
    const labelsOn = labelsReadable(sy, zoom);
    // Edges leave a case to the right: a case with shown infectees has its name above it.
    const parentShown = new Uint8Array(forest.size);
    for (const i of shown) if (view.shownParent[i]! >= 0) parentShown[view.shownParent[i]!] = 1;
    const data = shown.map((i) => {
      const n = nodes[i]!;
      const isSelected = n.caseId === selected;
      const collapsed = view.collapsed[i] === 1;
      const base = n.superspreader ? 16 + Math.min(10, n.secondaryCases) : n.index ? 14 : 10;
      const position = parentShown[i] ? ("top" as const) : ("right" as const);
      const label =
        collapsed || isSelected
          ? {
              // The selected case is always named; the others when the rows are far enough apart.
              show: isSelected ? true : undefined,
              position,
              formatter: collapsed ? `${names[i]} {more|+${formatNumber(view.hiddenBelow[i]!)}}` : names[i],
              fontWeight: isSelected ? ("bold" as const) : ("normal" as const),
              rich: { more: { color: "#fff", backgroundColor: "#595959", borderRadius: 3, padding: [1, 4] } },
            }
          : { position };
      return {
        id: n.caseId,
        name: names[i],
        x: layout.x[i],
        y: layout.y[i],
        symbol: n.index ? "diamond" : "circle",
        symbolSize: base + (isSelected ? 6 : 0),
        itemStyle: {
          color: CLASS_COLORS[n.classification] ?? OTHER_COLOR,
          borderColor: isSelected ? SELECTED : n.inCycle ? CYCLE : collapsed ? "#262626" : "#fff",
          borderWidth: isSelected ? 4 : n.inCycle ? 3 : collapsed ? 2 : 1,
          borderType: collapsed && !isSelected && !n.inCycle ? ("dashed" as const) : ("solid" as const),
        },
        label,
        z: isSelected ? 10 : undefined,
      };
    });
    const links: NonNullable<GraphSeriesOption["links"]> = [];
    for (const e of graph.edges) {
      const a = forest.index.get(e.from);
      const b = forest.index.get(e.to);
      if (a === undefined || b === undefined || slot[a]! < 0 || slot[b]! < 0) continue;
      links.push({
        source: slot[a],
        target: slot[b],
        lineStyle:
          e.kind === "exposure" ? { color: "#595959", type: "solid" } : { color: "#8c8c8c", type: "dashed" },
      });
    }
    // A case whose infector the filter hides is joined to its nearest shown ancestor, dotted.
    for (const i of shown) {
      const p = forest.parent[i]!;
      const via = view.shownParent[i]!;
      if (p >= 0 && !view.shown[p] && via >= 0)
        links.push({
          source: slot[via],
          target: slot[i],
          lineStyle: { color: "#d9d9d9", type: "dotted" },
        });
    }

    const series: GraphSeriesOption = {
      type: "graph",
      id: "cluster",
      layout: "none",
      roam: true,
      left,
      top,
      width: rw,
      height: rh,
      center,
      zoom,
      scaleLimit: { min: 0.01, max: 8 },
      nodeScaleRatio: 0.5,
      edgeSymbol: ["none", "arrow"],
      edgeSymbolSize: [0, 6],
      label: { show: labelsOn, position: "right", fontSize: 11, formatter: "{b}" },
      emphasis: { focus: shown.length <= 1000 ? "adjacency" : "none", label: { show: true } },
      lineStyle: { width: 1, opacity: 0.8, curveness: 0 },
      data,
      links,
    };
    c.setOption(
      {
        animation: false,
        tooltip: {
          confine: true,
          formatter: (p: unknown) => {
            const q = p as { dataType?: string; dataIndex: number };
            if (q.dataType === "edge") return "";
            const i = shown[q.dataIndex];
            if (i === undefined) return "";
            const n = nodes[i]!;
            const gen =
              n.generation === null
                ? t("tracingChains.node.noGeneration")
                : t("tracingChains.node.generationValue", { g: n.generation });
            return [
              `<b>${escapeHtml(names[i]!)}</b>`,
              `${escapeHtml(classLabel(n.classification, lang))} · ${gen}`,
              t("tracingChains.node.tooltipSecondary", { n: n.secondaryCases }),
            ].join("<br/>");
          },
        },
        series: [series],
      },
      { replaceMerge: ["series"] },
    );
    drawn.current = { layout, sx, sy, seq: intent.seq, labelsOn };
    mark();
  }, [graph, names, forest, view, layout, selected, intent, overview, t, i18n.language]);

  return (
    <div
      ref={el}
      data-testid="cluster-graph"
      data-shown={view.visible.length}
      style={{ width: "100%", height: "calc(100vh - 330px)", minHeight: 480 }}
    />
  );
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** The selected case: who they are, whom they caught it from and passed it to, and their case page. */
function NodePanel({
  graph,
  names,
  forest,
  view,
  selected,
  onFocus,
  onToggle,
}: {
  graph: ClusterGraph;
  names: string[];
  forest: ChainForest;
  view: GraphView;
  selected: string | null;
  onFocus: (caseId: string) => void;
  onToggle: (caseId: string) => void;
}) {
  const { t, i18n } = useTranslation();
  const i = selected ? forest.index.get(selected) : undefined;
  if (i === undefined)
    return (
      <Card size="small" title={t("tracingChains.node.title")} data-testid="node-panel">
        <Typography.Text type="secondary">{t("tracingChains.node.none")}</Typography.Text>
      </Card>
    );
  const n = graph.nodes[i]!;
  const infectors = graph.edges.filter((e) => e.to === n.caseId);
  const infectees = graph.edges.filter((e) => e.from === n.caseId);
  const below = forest.descendants[i]!;
  const collapsed = view.collapsed[i] === 1;
  const person = (e: ClusterEdge, id: string) => {
    const k = forest.index.get(id);
    return (
      <div key={`${e.from}:${e.to}`}>
        <Typography.Link onClick={() => onFocus(id)} data-testid="node-link">
          {k === undefined ? id.slice(0, 8) : names[k]}
        </Typography.Link>
        {e.kind === "exposure" && e.setting && (
          <Typography.Text type="secondary"> {settingLabel(e.setting, i18n.language)}</Typography.Text>
        )}
      </div>
    );
  };
  return (
    <Card
      size="small"
      title={t("tracingChains.node.title")}
      data-testid="node-panel"
      data-case-id={n.caseId}
      data-collapsed={String(collapsed)}
      extra={
        !n.outsideJurisdiction && (
          <Link to={`/tracing/cases/${n.caseId}`} data-testid="node-case-link">
            {t("tracingChains.node.open")}
          </Link>
        )
      }
    >
      <Space direction="vertical" style={{ width: "100%" }}>
        <Space wrap>
          <Typography.Text strong data-testid="node-name">
            {names[i]}
          </Typography.Text>
          <Tag color={CLASS_COLORS[n.classification] ?? OTHER_COLOR}>
            {classLabel(n.classification, i18n.language)}
          </Tag>
        </Space>
        {(n.index || n.superspreader || n.inCycle || n.outsideJurisdiction) && (
          <Space wrap size={4}>
            {n.index && <Tag color="volcano">{t("tracingChains.node.index")}</Tag>}
            {n.superspreader && <Tag color="red">{t("tracingChains.node.superspreader")}</Tag>}
            {n.inCycle && <Tag color="purple">{t("tracingChains.node.inCycle")}</Tag>}
            {n.outsideJurisdiction && <Tag>{t("tracingChains.node.outside")}</Tag>}
          </Space>
        )}
        <Descriptions size="small" column={1}>
          <Descriptions.Item label={t("tracingChains.node.caseId")}>
            <Typography.Text code copyable={{ text: n.caseId }}>
              {n.caseId.slice(0, 8)}
            </Typography.Text>
          </Descriptions.Item>
          <Descriptions.Item label={t("tracingChains.node.generation")}>
            <span data-testid="node-generation">
              {n.generation === null
                ? t("tracingChains.node.noGeneration")
                : t("tracingChains.node.generationValue", { g: n.generation })}
            </span>
          </Descriptions.Item>
          <Descriptions.Item label={t("tracingChains.node.onset")}>{n.onsetDate ?? "—"}</Descriptions.Item>
          <Descriptions.Item label={t("tracingChains.node.reported")}>
            {formatMinute(n.reportedAt)}
          </Descriptions.Item>
          <Descriptions.Item label={t("tracingChains.node.region")}>
            {n.regionCode ? <RegionName code={n.regionCode} /> : "—"}
          </Descriptions.Item>
          <Descriptions.Item label={t("tracingChains.node.secondary")}>
            {t("tracingChains.node.secondaryValue", { n: n.secondaryCases })}
          </Descriptions.Item>
          <Descriptions.Item label={t("tracingChains.node.infectors")}>
            <span data-testid="node-infectors">
              {infectors.length === 0 ? "—" : infectors.map((e) => person(e, e.from))}
            </span>
          </Descriptions.Item>
          <Descriptions.Item label={t("tracingChains.node.infectees")}>
            <span data-testid="node-infectees">
              {infectees.length === 0 ? "—" : infectees.slice(0, 30).map((e) => person(e, e.to))}
              {infectees.length > 30 && t("tracingChains.node.andMore", { n: infectees.length - 30 })}
            </span>
          </Descriptions.Item>
        </Descriptions>
        {below > 0 && (
          <Button
            block
            data-testid="node-toggle"
            onClick={() => onToggle(n.caseId)}
            type={collapsed ? "primary" : "default"}
          >
            {collapsed
              ? t("tracingChains.node.expand", { n: formatNumber(view.hiddenBelow[i]!) })
              : t("tracingChains.node.collapse", { n: formatNumber(below) })}
          </Button>
        )}
        {collapsed && (
          <Typography.Text type="secondary" data-testid="node-hidden" data-hidden={view.hiddenBelow[i]}>
            {t("tracingChains.node.hiddenBelow", { n: formatNumber(view.hiddenBelow[i]!) })}
          </Typography.Text>
        )}
      </Space>
    </Card>
  );
}

function Legend({ graph }: { graph: ClusterGraph }) {
  const { t, i18n } = useTranslation();
  const present = CASE_CLASSIFICATIONS.filter((c) => graph.nodes.some((n) => n.classification === c));
  const dot = (color: string) => (
    <span
      style={{
        display: "inline-block",
        width: 10,
        height: 10,
        borderRadius: 5,
        background: color,
        marginRight: 4,
        verticalAlign: "middle",
      }}
    />
  );
  return (
    <Space wrap size={[12, 4]} data-testid="graph-legend">
      {present.map((c) => (
        <span key={c}>
          {dot(CLASS_COLORS[c] ?? OTHER_COLOR)}
          {classLabel(c, i18n.language)}
        </span>
      ))}
      <Typography.Text type="secondary">{t("tracingChains.legend.index")}</Typography.Text>
      <Typography.Text type="secondary">{t("tracingChains.legend.superspreader")}</Typography.Text>
      <Typography.Text type="secondary">{t("tracingChains.legend.cycle")}</Typography.Text>
      <Typography.Text type="secondary">{t("tracingChains.legend.collapsed")}</Typography.Text>
      <Typography.Text type="secondary">{t("tracingChains.legend.edges")}</Typography.Text>
    </Space>
  );
}

/** Everything about one loaded cluster: filters, collapsing, search, the graph and the side panel. */
function ClusterGraphView({ graph, initialCase }: { graph: ClusterGraph; initialCase: string | null }) {
  const { t, i18n } = useTranslation();
  const names = useMemo(
    () => graph.nodes.map((n) => (n.name ? n.name : `${t("tracingChains.unnamed")} ${n.caseId.slice(0, 4)}`)),
    [graph, t],
  );
  const nodes: ChainNode[] = useMemo(
    () =>
      graph.nodes.map((n: ClusterNode, i) => ({
        caseId: n.caseId,
        name: names[i]!,
        generation: n.generation,
        classification: n.classification,
        regionCode: n.regionCode,
        superspreader: n.superspreader,
      })),
    [graph, names],
  );
  const forest = useMemo(() => buildForest(nodes, graph.edges), [nodes, graph.edges]);
  const auto = useMemo(() => autoCollapseDepth(forest, nodes, {}, OPEN_LIMIT), [forest, nodes]);
  const startCase = initialCase && forest.index.has(initialCase) ? initialCase : null;
  const [filter, setFilter] = useState<ChainFilter>({});
  const [collapse, setCollapse] = useState<CollapseState>(() => {
    const first = { collapseDepth: auto, toggled: new Set<string>() };
    return startCase ? revealCase(forest, nodes, first, startCase) : first;
  });
  const [selected, setSelected] = useState<string | null>(startCase);
  const [intent, setIntent] = useState<ViewIntent>({
    kind: startCase ? "focus" : "auto",
    caseId: startCase,
    seq: 0,
  });
  const [overview, setOverview] = useState(false);
  const [query, setQuery] = useState("");
  const [hiddenByFilter, setHiddenByFilter] = useState<string | null>(null);
  const view = useMemo(() => computeView(forest, nodes, filter, collapse), [forest, nodes, filter, collapse]);
  const layout = useMemo(() => layoutView(forest, view, LAYOUT), [forest, view]);
  const maxGeneration = graph.nodes.reduce((m, n) => Math.max(m, n.generation ?? 0), 0);
  const total = graph.nodes.length;
  const filtered = view.matching < total;
  const next = (kind: ViewIntent["kind"], caseId: string | null = null) =>
    setIntent((v) => ({ kind, caseId, seq: v.seq + 1 }));

  const focus = (caseId: string) => {
    const i = forest.index.get(caseId);
    if (i === undefined) return;
    setSelected(caseId);
    setHiddenByFilter(matchFilter(forest, nodes, filter)[i] ? null : caseId);
    setCollapse((c) => revealCase(forest, nodes, c, caseId));
    setOverview(false);
    next("focus", caseId);
  };
  const toggle = (caseId: string) => {
    setCollapse((c) => toggleCase(c, caseId));
    next("keep", caseId);
  };
  const changeFilter = (f: ChainFilter) => {
    setFilter(f);
    setHiddenByFilter(null);
    next("auto");
  };
  const matches = useMemo(() => searchCases(nodes, query, 20), [nodes, query]);
  const numberOrNull = (v: number | string | null) => (v === null || v === "" ? null : Number(v));

  return (
    <Space direction="vertical" size="middle" style={{ width: "100%" }}>
      <Card size="small" data-testid="graph-toolbar">
        <Space direction="vertical" style={{ width: "100%" }} size={8}>
          <Space wrap size={[16, 8]}>
            <AutoComplete
              style={{ width: 260 }}
              value={query}
              onChange={setQuery}
              onSelect={(v: string) => {
                // The panel names the case found; the box is ready for the next search.
                focus(v);
                setQuery("");
              }}
              options={matches.map((i) => ({
                value: nodes[i]!.caseId,
                label: (
                  <span data-testid="graph-search-option" data-case-id={nodes[i]!.caseId}>
                    {names[i]}{" "}
                    <Typography.Text type="secondary">
                      {graph.nodes[i]!.generation === null
                        ? t("tracingChains.node.noGeneration")
                        : t("tracingChains.node.generationValue", { g: graph.nodes[i]!.generation })}{" "}
                      · {nodes[i]!.caseId.slice(0, 8)}
                    </Typography.Text>
                  </span>
                ),
              }))}
              notFoundContent={query.trim() ? t("tracingChains.graph.notFound", { q: query.trim() }) : null}
            >
              <Input.Search placeholder={t("tracingChains.graph.search")} data-testid="graph-search" />
            </AutoComplete>
            <Space size={4}>
              <Typography.Text>{t("tracingChains.graph.generations")}</Typography.Text>
              <InputNumber
                min={0}
                max={maxGeneration}
                value={filter.generationFrom ?? null}
                placeholder={t("tracingChains.graph.from")}
                onChange={(v) => changeFilter({ ...filter, generationFrom: numberOrNull(v) })}
                style={{ width: 72 }}
                data-testid="filter-generation-from"
              />
              <span>–</span>
              <InputNumber
                min={0}
                max={maxGeneration}
                value={filter.generationTo ?? null}
                placeholder={t("tracingChains.graph.to")}
                onChange={(v) => changeFilter({ ...filter, generationTo: numberOrNull(v) })}
                style={{ width: 72 }}
                data-testid="filter-generation-to"
              />
            </Space>
            <Select
              mode="multiple"
              allowClear
              style={{ minWidth: 200 }}
              placeholder={t("tracingChains.graph.classification")}
              value={[...(filter.classifications ?? [])]}
              onChange={(v: string[]) => changeFilter({ ...filter, classifications: v })}
              options={CASE_CLASSIFICATIONS.map((c) => ({ value: c, label: classLabel(c, i18n.language) }))}
              maxTagCount="responsive"
              data-testid="filter-classification"
            />
            <RegionPicker
              value={filter.region ?? null}
              onChange={(v) => changeFilter({ ...filter, region: v ?? null })}
              placeholder={t("tracingChains.graph.region")}
              style={{ width: 220 }}
              data-testid="filter-region"
            />
            <Checkbox
              checked={filter.superspreadersOnly ?? false}
              onChange={(e) => changeFilter({ ...filter, superspreadersOnly: e.target.checked })}
              data-testid="filter-superspreaders"
            >
              {t("tracingChains.graph.superspreadersOnly")}
            </Checkbox>
            {filtered && (
              <Button size="small" onClick={() => changeFilter({})} data-testid="filter-clear">
                {t("tracingChains.graph.clearFilters")}
              </Button>
            )}
          </Space>
          <Space wrap size={[16, 8]}>
            <Space size={4}>
              <Typography.Text>{t("tracingChains.graph.collapse")}</Typography.Text>
              <Select<number>
                style={{ width: 160 }}
                value={collapse.collapseDepth ?? -1}
                onChange={(g) => {
                  setCollapse({ collapseDepth: g < 0 ? null : g, toggled: new Set() });
                  next("auto");
                }}
                options={[
                  { value: -1, label: t("tracingChains.graph.collapseNone") },
                  ...Array.from({ length: forest.maxDepth }, (_, g) => ({
                    value: g,
                    label: t("tracingChains.graph.collapseBelow", { g }),
                  })),
                ]}
                data-testid="collapse-depth"
              />
            </Space>
            <Button
              icon={<ExpandOutlined />}
              onClick={() => {
                setOverview(true);
                next("fit");
              }}
              data-testid="graph-fit"
            >
              {t("tracingChains.graph.fit")}
            </Button>
            <Typography.Text
              data-testid="graph-shown"
              data-shown={view.visible.length}
              data-total={total}
              data-matching={view.matching}
            >
              {filtered
                ? t("tracingChains.graph.shownFiltered", {
                    shown: formatNumber(view.visible.length),
                    total: formatNumber(total),
                    matching: formatNumber(view.matching),
                  })
                : t("tracingChains.graph.shown", {
                    shown: formatNumber(view.visible.length),
                    total: formatNumber(total),
                  })}
            </Typography.Text>
          </Space>
        </Space>
      </Card>
      {auto !== null && view.visible.length < view.matching && (
        <Alert
          type="info"
          showIcon
          data-testid="graph-limited"
          message={t("tracingChains.graph.limited", {
            shown: formatNumber(view.visible.length),
            total: formatNumber(view.matching),
            limit: formatNumber(OPEN_LIMIT),
          })}
        />
      )}
      {hiddenByFilter && (
        <Alert
          type="warning"
          showIcon
          data-testid="graph-hidden-by-filter"
          message={t("tracingChains.graph.hiddenByFilter", {
            name: names[forest.index.get(hiddenByFilter) ?? 0],
          })}
          action={
            <Button
              size="small"
              onClick={() => {
                setFilter({});
                setHiddenByFilter(null);
                next("focus", hiddenByFilter);
              }}
            >
              {t("tracingChains.graph.clearFilters")}
            </Button>
          }
        />
      )}
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={18}>
          <Card size="small" styles={{ body: { padding: 0 } }}>
            <div style={{ padding: "8px 12px", borderBottom: "1px solid #f0f0f0" }}>
              <Legend graph={graph} />
              <div>
                <Typography.Text type="secondary">{t("tracingChains.graph.hint")}</Typography.Text>
              </div>
            </div>
            {view.visible.length === 0 && (
              <Alert type="warning" showIcon banner message={t("tracingChains.graph.empty")} />
            )}
            <GraphCanvas
              graph={graph}
              names={names}
              forest={forest}
              view={view}
              layout={layout}
              selected={selected}
              intent={intent}
              overview={overview}
              onSelect={(id) => {
                setSelected(id);
                setHiddenByFilter(null);
                // A case clicked in the overview is shown at full size; elsewhere the view stays.
                if (overview) focus(id);
                else next("keep", id);
              }}
              onToggle={toggle}
            />
          </Card>
        </Col>
        <Col xs={24} xl={6}>
          <NodePanel
            graph={graph}
            names={names}
            forest={forest}
            view={view}
            selected={selected}
            onFocus={focus}
            onToggle={toggle}
          />
        </Col>
      </Row>
    </Space>
  );
}

/** One cluster's transmission graph (route /tracing/chains/:clusterId, `?case=` centres a case). */
export function ClusterGraphPage() {
  const { clusterId = "" } = useParams();
  const [params] = useSearchParams();
  const { t, i18n } = useTranslation();
  const graph = useApiData(`cluster-graph:${clusterId}:${i18n.language}`, () => chainsApi.graph(clusterId));
  const g = graph.data;
  if (graph.error && !g) return <PageError error={graph.error} onRetry={graph.reload} />;
  if (!g) return <PageLoading />;
  const maxGeneration = g.nodes.reduce((m, n) => Math.max(m, n.generation ?? 0), 0);
  return (
    <Space direction="vertical" size="middle" style={{ width: "100%" }} data-testid="cluster-graph-page">
      <Space style={{ width: "100%", justifyContent: "space-between" }} wrap>
        <Space wrap>
          <Link to="/tracing/chains">{t("tracingChains.graph.back")}</Link>
          <Typography.Title level={4} style={{ margin: 0 }} data-testid="cluster-title">
            {t("tracingChains.graph.title", {
              size: formatNumber(g.nodes.length),
              g: maxGeneration,
              edges: formatNumber(g.edges.length),
            })}
          </Typography.Title>
        </Space>
        {g.computedAt && (
          <Typography.Text type="secondary">
            {t("tracingChains.computedAt", { at: formatMinute(g.computedAt) })}
          </Typography.Text>
        )}
      </Space>
      {g.stale && <Alert type="warning" showIcon message={t("tracingChains.stale")} />}
      <ClusterGraphView key={`${g.clusterId}:${g.computedAt}`} graph={g} initialCase={params.get("case")} />
    </Space>
  );
}
