import { Tag } from "antd";
import type { TFunction } from "i18next";
import { useTranslation } from "react-i18next";
import type { Messages } from "../i18n/zh-cn.ts";
import type { Bilingual, CombinedMeasures, PolicyMeasures } from "./policy-types.ts";

type TestBlock = NonNullable<PolicyMeasures["tests"]>[number];
type MeasureKind = keyof PolicyMeasures;
type CategoryKey = keyof Messages["policies"]["categories"];

/** The category's label; an unknown category shows as its code. */
export function categoryLabel(t: TFunction, category: string): string {
  return t(`policies.categories.${category as CategoryKey}`, { defaultValue: category });
}

/** The message in the interface language. */
export function pickText(m: Bilingual, lang: string): string {
  return lang === "en" ? m.en : m.zh;
}

const DURATIONS = [
  "centralizedQuarantine",
  "homeQuarantine",
  "homeHealthMonitoring",
  "quarantine",
  "gatheringBan",
] as const;

function testText(t: TFunction, b: TestBlock): string {
  const parts = [t(`policies.phases.${b.phase}`)];
  if (b.days) parts.push(t("policies.m.testDays", { days: b.days.join(", ") }));
  if (b.count) parts.push(t("policies.m.testCount", { n: b.count }));
  if (b.everyDays) parts.push(t("policies.m.everyDays", { n: b.everyDays }));
  if (b.withinDays) parts.push(t("policies.m.withinDays", { n: b.withinDays }));
  return parts.join(" · ");
}

/** One line per measure kind, in plain words: "集中隔离 14 天", "核酸检测 集中隔离期间 · 第 1, 4, 7 天". */
export function measureLines(
  t: TFunction,
  m: PolicyMeasures | CombinedMeasures,
): { kind: MeasureKind; text: string }[] {
  const out: { kind: MeasureKind; text: string }[] = [];
  for (const k of DURATIONS) {
    const d = m[k];
    if (d)
      out.push({
        kind: k,
        text: d.days ? t("policies.m.days", { n: d.days }) : t("policies.m.daysUnstated"),
      });
  }
  if (m.tests) out.push({ kind: "tests", text: m.tests.map((b) => testText(t, b)).join("；") });
  if (m.release) {
    const r = m.release;
    const parts: string[] = [];
    if (r.negativeTests) parts.push(t("policies.m.negativeTests", { n: r.negativeTests }));
    if (r.daysSinceLastExposure)
      parts.push(t("policies.m.daysSinceLastExposure", { n: r.daysSinceLastExposure }));
    if (r.linkedCloseContactNegativeTests)
      parts.push(t("policies.m.linkedCloseContactNegativeTests", { n: r.linkedCloseContactNegativeTests }));
    if (r.upgradeToCloseContactIfLinkedPositive) parts.push(t("policies.m.upgradeIfLinkedPositive"));
    out.push({ kind: "release", text: parts.join("；") });
  }
  if (m.preArrivalTest) {
    out.push({
      kind: "preArrivalTest",
      text: t("policies.m.withinHours", { n: m.preArrivalTest.withinHours }),
    });
  }
  if (m.closedLoopTransfer) {
    out.push({
      kind: "closedLoopTransfer",
      text: m.closedLoopTransfer.to === "home" ? t("policies.m.toHome") : t("policies.m.toSite"),
    });
  }
  if (m.reportingDuty) {
    out.push({ kind: "reportingDuty", text: m.reportingDuty.to.map((x) => t(`policies.m.${x}`)).join("、") });
  }
  return out;
}

/** A rule's or a decision's measures as a short list. */
export function MeasuresView({ measures }: { measures: PolicyMeasures | CombinedMeasures }) {
  const { t } = useTranslation();
  return (
    <ul style={{ margin: 0, paddingInlineStart: 18 }} data-testid="measures">
      {measureLines(t, measures).map((l) => (
        <li key={l.kind} data-testid={`measure-${l.kind}`}>
          <Tag>{t(`policies.m.${l.kind}`)}</Tag>
          {l.text}
        </li>
      ))}
    </ul>
  );
}
