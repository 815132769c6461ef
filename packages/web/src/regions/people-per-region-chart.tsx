import { useBarChart } from "../charts/use-bar-chart.ts";

export interface RegionCount {
  code: string;
  name: string;
  count: number;
}

/** Registered people per subordinate region: a bar chart of counts from the registry, nothing else. */
export function PeoplePerRegionChart({ data, seriesName }: { data: RegionCount[]; seriesName: string }) {
  const el = useBarChart(() => {
    const many = data.length > 8;
    return {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      grid: { left: 48, right: 16, top: 16, bottom: many ? 96 : 40 },
      xAxis: {
        type: "category",
        data: data.map((d) => d.name),
        axisLabel: { interval: 0, rotate: many ? 40 : 0, width: 110, overflow: "truncate" },
      },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        {
          name: seriesName,
          type: "bar",
          data: data.map((d) => d.count),
          barMaxWidth: 36,
          itemStyle: { color: "#1677ff" },
        },
      ],
    };
  }, [data, seriesName]);

  return <div ref={el} data-testid="region-people-chart" style={{ width: "100%", height: 320 }} />;
}
