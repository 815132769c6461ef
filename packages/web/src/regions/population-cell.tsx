import { InfoCircleOutlined } from "@ant-design/icons";
import { Space, Tag, Tooltip, Typography } from "antd";
import { useTranslation } from "react-i18next";
import type { Region } from "../api/types.ts";
import { formatNumber } from "../i18n/format.ts";

/** A population figure with where it comes from: the 2020 census or an estimate, the source note on hover. */
export function PopulationCell({
  region,
}: {
  region: Pick<Region, "population" | "populationSource" | "populationNote">;
}) {
  const { t } = useTranslation();
  if (region.population === null)
    return <Typography.Text type="secondary">{t("population.unknown")}</Typography.Text>;
  const tag = region.populationSource && (
    <Tag color={region.populationSource === "census2020" ? "green" : "gold"} style={{ marginInlineEnd: 0 }}>
      {t(`population.${region.populationSource}`)}
      {region.populationNote && <InfoCircleOutlined style={{ marginInlineStart: 4 }} />}
    </Tag>
  );
  return (
    <Space size={6} wrap={false}>
      <span>{formatNumber(region.population)}</span>
      {tag &&
        (region.populationNote ? (
          <Tooltip title={region.populationNote} styles={{ root: { maxWidth: 420, wordBreak: "break-all" } }}>
            <span data-testid="population-source">{tag}</span>
          </Tooltip>
        ) : (
          <span data-testid="population-source">{tag}</span>
        ))}
    </Space>
  );
}
