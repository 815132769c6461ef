import { ToolOutlined } from "@ant-design/icons";
import { Result, Typography } from "antd";
import { useTranslation } from "react-i18next";
import type { PlannedCapability } from "./navigation.tsx";

/** What a capability that is not built yet shows: that plainly, and what it will do. No sample data. */
export function NotBuiltPage({ capability }: { capability: PlannedCapability }) {
  const { t } = useTranslation();
  const name = t(`nav.${capability}`);
  return (
    <Result
      data-testid="not-built"
      icon={<ToolOutlined />}
      title={<span data-testid="not-built-title">{t("notBuilt.title", { name })}</span>}
      subTitle={
        <div style={{ maxWidth: 640, margin: "0 auto" }}>
          <Typography.Paragraph data-testid="not-built-lead">{t("notBuilt.lead")}</Typography.Paragraph>
          <Typography.Paragraph data-testid="not-built-description">
            {t("notBuilt.willDo")}
            {t(`notBuilt.descriptions.${capability}`)}
          </Typography.Paragraph>
        </div>
      }
    />
  );
}
