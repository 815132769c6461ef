import { BarChart } from "echarts/charts";
import { GridComponent, LegendComponent, TooltipComponent } from "echarts/components";
import * as echarts from "echarts/core";
import { CanvasRenderer } from "echarts/renderers";
import { type RefObject, useEffect, useRef } from "react";

echarts.use([BarChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

/**
 * An ECharts bar chart bound to a div: made when the div mounts, resized with the window, disposed on
 * unmount, and given `option` (replacing the previous one) whenever the caller's `deps` change.
 */
export function useBarChart(
  option: () => echarts.EChartsCoreOption,
  deps: readonly unknown[],
): RefObject<HTMLDivElement | null> {
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);

  useEffect(() => {
    if (!el.current) return;
    const c = echarts.init(el.current);
    chart.current = c;
    const onResize = () => c.resize();
    window.addEventListener("resize", onResize);
    return () => {
      window.removeEventListener("resize", onResize);
      c.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    chart.current?.setOption(option(), true);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the caller's deps are what the option reads
  }, deps);

  return el;
}
