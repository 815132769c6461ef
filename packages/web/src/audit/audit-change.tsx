import { ArrowRightOutlined } from "@ant-design/icons";
import { Col, Row, Typography } from "antd";
import { useTranslation } from "react-i18next";

function Json({ value, testId }: { value: unknown; testId: string }) {
  const { t } = useTranslation();
  if (value == null) return <Typography.Text type="secondary">{t("audit.noChange")}</Typography.Text>;
  return (
    <pre
      data-testid={testId}
      style={{
        margin: 0,
        padding: 8,
        background: "rgba(0, 0, 0, 0.03)",
        borderRadius: 6,
        overflowX: "auto",
        fontSize: 12,
      }}
    >
      {JSON.stringify(value, null, 2)}
    </pre>
  );
}

/** The recorded state before and after a change, side by side. */
export function AuditChange({ before, after }: { before: unknown; after: unknown }) {
  const { t } = useTranslation();
  return (
    <Row gutter={16} align="top" wrap={false} data-testid="audit-change">
      <Col flex="1" style={{ minWidth: 0 }}>
        <Typography.Text strong>{t("audit.before")}</Typography.Text>
        <Json value={before} testId="audit-before" />
      </Col>
      <Col flex="none" style={{ paddingTop: 32 }}>
        <ArrowRightOutlined />
      </Col>
      <Col flex="1" style={{ minWidth: 0 }}>
        <Typography.Text strong>{t("audit.after")}</Typography.Text>
        <Json value={after} testId="audit-after" />
      </Col>
    </Row>
  );
}
