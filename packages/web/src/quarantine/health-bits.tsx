import { SYMPTOMS, type Symptom } from "@cordon/domain/quarantine/monitoring";
import { Checkbox, Space, Tag } from "antd";
import { useTranslation } from "react-i18next";
import type { HealthReportRow } from "./quarantine-api.ts";
import { pick } from "./quarantine-bits.tsx";

const SYMPTOM_KEYS = Object.keys(SYMPTOMS) as Symptom[];

/** A report's fever and symptom alerts, in red. */
export function ReportAlerts({ report }: { report: Pick<HealthReportRow, "alerts"> }) {
  const { i18n } = useTranslation();
  if (report.alerts.length === 0) return null;
  return (
    <Space size={4} wrap>
      {report.alerts.map((a, i) => (
        <Tag key={i} color="red" data-testid="report-alert" data-kind={a.kind}>
          {pick(a.message, i18n.language)}
        </Tag>
      ))}
    </Space>
  );
}

/** The symptom checklist as checkboxes (shared with the citizen's own report). */
export function SymptomChecks({ value, onChange }: { value?: Symptom[]; onChange?: (v: Symptom[]) => void }) {
  const { i18n } = useTranslation();
  return (
    <Checkbox.Group<Symptom>
      value={value}
      onChange={onChange}
      data-testid="health-symptoms"
      options={SYMPTOM_KEYS.map((s) => ({
        value: s,
        label: <span data-testid={`symptom-${s}`}>{pick(SYMPTOMS[s], i18n.language)}</span>,
      }))}
    />
  );
}
