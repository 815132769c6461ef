import { Alert, Descriptions, Tag, Typography } from "antd";
import { useTranslation } from "react-i18next";
import { formatDateTime } from "../i18n/format.ts";
import { categoryLabel, MeasuresView, pickText } from "../policies/measures-view.tsx";
import type { PolicyDecision } from "../policies/policy-types.ts";

/**
 * What a decision means for the person, in plain words: the measures, the time by which the
 * community must act, and the pack and rules that decided it.
 */
export function DecisionResult({ decision, dueAt }: { decision: PolicyDecision; dueAt: string | null }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  if (decision.status === "no_pack") {
    return <Alert type="warning" showIcon message={t("selfReport.noPack")} data-testid="result-no-pack" />;
  }
  return (
    <div data-testid="decision-result" data-pack={decision.pack.id}>
      {decision.status === "decided" ? (
        <>
          <Typography.Title level={5} style={{ marginTop: 0 }}>
            {t("selfReport.yourMeasures")}
          </Typography.Title>
          <div data-testid="result-measures" style={{ fontSize: 16 }}>
            <MeasuresView measures={decision.measures} />
          </div>
        </>
      ) : (
        <Alert
          type="success"
          showIcon
          message={t("selfReport.noMeasures")}
          data-testid="result-no-measures"
        />
      )}
      <Descriptions column={1} size="small" style={{ marginTop: 16 }}>
        {dueAt && (
          <Descriptions.Item label={t("selfReport.due")}>
            <span data-testid="result-due">{formatDateTime(dueAt)}</span>
          </Descriptions.Item>
        )}
        <Descriptions.Item label={t("selfReport.decidedBy")}>
          <span data-testid="result-pack">{pickText(decision.pack.title, lang)}</span>
        </Descriptions.Item>
      </Descriptions>
      {decision.explanation.map((x) => (
        <div key={x.ruleId} data-testid="result-rule" data-rule={x.ruleId} style={{ marginBottom: 8 }}>
          <Tag color="blue">{categoryLabel(t, x.category)}</Tag>
          <Typography.Text lang="zh-CN" type="secondary">
            「{x.source.quote}」
          </Typography.Text>
          {lang === "en" && (
            <Typography.Paragraph type="secondary" style={{ marginBottom: 0 }}>
              {x.source.en}
            </Typography.Paragraph>
          )}
        </div>
      ))}
    </div>
  );
}
