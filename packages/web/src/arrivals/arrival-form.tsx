import { DeleteOutlined, PlusOutlined } from "@ant-design/icons";
import { Button, Checkbox, Form, type FormInstance, Input, Select, Typography } from "antd";
import type { TFunction } from "i18next";
import dayjs from "dayjs";
import { useTranslation } from "react-i18next";
import { ApiError, api, unwrap } from "../api/client.ts";
import { errorText } from "../api/errors.ts";
import { RegionPicker } from "../regions/region-picker.tsx";

export type Occupation = "cold_chain" | "quarantine_site" | "fever_clinic";

/** The self-report's fields; the grid worker's register dialog adds the person. */
export interface ArrivalValues {
  arrivalAt?: string;
  destinationRegionCode?: string;
  originRegionCode?: string;
  route?: string;
  travel?: { regionCode?: string; from?: string; to?: string }[];
  inboundOverseas?: boolean;
  festivalReturnee?: boolean;
  releasedFromQuarantineElsewhere?: boolean;
  leftClosedLoop?: boolean;
  occupation?: Occupation | "none";
}

/** The request body both POST /api/me/arrivals and POST /api/arrivals take (without the person). */
export function reportOf(v: ArrivalValues) {
  return {
    arrivalAt: dayjs(v.arrivalAt).format(),
    destinationRegionCode: v.destinationRegionCode ?? "",
    originRegionCode: v.originRegionCode || null,
    route: v.route?.trim() || null,
    travelHistory: (v.travel ?? []).map((s) => ({
      regionCode: s.regionCode ?? "",
      from: s.from ?? "",
      to: s.to ?? "",
    })),
    facts: {
      ...(v.inboundOverseas ? { inboundOverseas: true } : {}),
      ...(v.festivalReturnee ? { festivalReturnee: true } : {}),
      ...(v.releasedFromQuarantineElsewhere ? { releasedFromQuarantineElsewhere: true } : {}),
      ...(v.leftClosedLoop ? { leftClosedLoop: true } : {}),
      ...(v.occupation && v.occupation !== "none" ? { occupation: v.occupation } : {}),
    },
  };
}

/** The server's field names for this form, and where each one shows ("travelHistory.0.to" → travel row 0). */
function formPath(field: string): (string | number)[] | null {
  const travel = /^travelHistory\.(\d+)\.(regionCode|from|to)$/.exec(field);
  if (travel) return ["travel", Number(travel[1]), travel[2]!];
  if (["arrivalAt", "destinationRegionCode", "originRegionCode", "route", "personId"].includes(field))
    return [field];
  if (field.startsWith("facts.")) return [field.slice("facts.".length)];
  return null;
}

/**
 * Shows a rejected report on the form: each field error under its field (travel rows included), and
 * returns what could not be placed for the caller to show; null when every problem found its field.
 */
export function showReportErrors(form: FormInstance, t: TFunction, e: unknown): string | null {
  if (!(e instanceof ApiError) || e.fields.length === 0) return errorText(t, e);
  const unplaced: string[] = [];
  const placed = new Map<string, { name: (string | number)[]; errors: string[] }>();
  for (const f of e.fields) {
    const name = formPath(f.field);
    if (!name) {
      unplaced.push(f.message);
      continue;
    }
    const key = name.join(".");
    const entry = placed.get(key) ?? { name, errors: [] };
    entry.errors.push(f.message);
    placed.set(key, entry);
  }
  form.setFields([...placed.values()]);
  const first = [...placed.values()][0];
  if (first) form.scrollToField(first.name, { block: "center" });
  return unplaced.length > 0 ? [e.message, ...unplaced].join(" · ") : null;
}

/** Region names are public: citizens search them through the self-report's own search. */
export async function searchPlaces(q: string) {
  return (await unwrap(api.GET("/api/me/arrivals/places", { params: { query: { q, limit: 30 } } }))).items;
}

const OCCUPATIONS = ["none", "cold_chain", "quarantine_site", "fever_clinic"] as const;

/**
 * The fields of an arrival report, one column, large touch targets (a phone first): arrival time,
 * destination community, origin, route, the 14-day stays (add/remove rows) and the facts a person
 * knows about themself. Contact status is not asked: investigators establish it.
 */
export function ArrivalFields({ publicPlaces }: { publicPlaces: boolean }) {
  const { t } = useTranslation();
  const search = publicPlaces ? searchPlaces : undefined;
  const required = (message: string) => [{ required: true, message }];
  return (
    <>
      <Form.Item
        name="arrivalAt"
        label={t("selfReport.arrivalAt")}
        rules={required(t("selfReport.arrivalRequired"))}
        data-testid="field-arrivalAt"
      >
        <Input type="datetime-local" size="large" data-testid="report-arrival-at" />
      </Form.Item>
      <Form.Item
        name="destinationRegionCode"
        label={t("selfReport.destination")}
        rules={required(t("selfReport.destinationRequired"))}
        data-testid="field-destinationRegionCode"
      >
        <RegionPicker
          levels={["community", "grid"]}
          search={search}
          placeholder={t("selfReport.destinationPlaceholder")}
          style={{ width: "100%" }}
          data-testid="report-destination"
        />
      </Form.Item>
      <Form.Item name="originRegionCode" label={t("selfReport.origin")} data-testid="field-originRegionCode">
        <RegionPicker
          search={search}
          placeholder={t("selfReport.originPlaceholder")}
          style={{ width: "100%" }}
          data-testid="report-origin"
        />
      </Form.Item>
      <Form.Item name="route" label={t("selfReport.route")} data-testid="field-route">
        <Input.TextArea
          rows={2}
          maxLength={1000}
          placeholder={t("selfReport.routePlaceholder")}
          data-testid="report-route"
        />
      </Form.Item>
      <Typography.Paragraph strong style={{ marginBottom: 4 }}>
        {t("selfReport.travel")}
      </Typography.Paragraph>
      <Typography.Paragraph type="secondary" style={{ marginBottom: 8 }}>
        {t("selfReport.travelLead")}
      </Typography.Paragraph>
      <Form.List name="travel">
        {(fields, { add, remove }) => (
          <>
            {fields.map((f) => (
              <div
                key={f.key}
                data-testid={`travel-row-${f.name}`}
                style={{
                  border: "1px solid #f0f0f0",
                  borderRadius: 8,
                  padding: "12px 12px 0",
                  marginBottom: 12,
                }}
              >
                <Form.Item
                  name={[f.name, "regionCode"]}
                  label={t("selfReport.travelRegion")}
                  rules={required(t("selfReport.travelRequired"))}
                >
                  <RegionPicker
                    search={search}
                    style={{ width: "100%" }}
                    data-testid={`travel-region-${f.name}`}
                  />
                </Form.Item>
                <div
                  style={{ display: "grid", gridTemplateColumns: "minmax(0, 1fr) minmax(0, 1fr)", gap: 8 }}
                >
                  <Form.Item
                    name={[f.name, "from"]}
                    label={t("selfReport.travelFrom")}
                    rules={required(t("selfReport.travelRequired"))}
                  >
                    <Input
                      type="date"
                      size="large"
                      style={{ width: "100%" }}
                      data-testid={`travel-from-${f.name}`}
                    />
                  </Form.Item>
                  <Form.Item
                    name={[f.name, "to"]}
                    label={t("selfReport.travelTo")}
                    rules={required(t("selfReport.travelRequired"))}
                  >
                    <Input
                      type="date"
                      size="large"
                      style={{ width: "100%" }}
                      data-testid={`travel-to-${f.name}`}
                    />
                  </Form.Item>
                </div>
                <Button
                  type="link"
                  danger
                  icon={<DeleteOutlined />}
                  onClick={() => remove(f.name)}
                  style={{ marginBottom: 8, paddingInline: 0 }}
                  data-testid={`travel-remove-${f.name}`}
                >
                  {t("selfReport.removeTravel")}
                </Button>
              </div>
            ))}
            <Button
              block
              size="large"
              type="dashed"
              icon={<PlusOutlined />}
              onClick={() => add({})}
              style={{ marginBottom: 24 }}
              data-testid="travel-add"
            >
              {t("selfReport.addTravel")}
            </Button>
          </>
        )}
      </Form.List>
      <Typography.Paragraph strong style={{ marginBottom: 8 }}>
        {t("selfReport.facts")}
      </Typography.Paragraph>
      <div style={{ display: "flex", flexDirection: "column", gap: 4, marginBottom: 16 }}>
        {(
          [
            ["inboundOverseas", "report-overseas"],
            ["festivalReturnee", "report-festival"],
            ["releasedFromQuarantineElsewhere", "report-released-elsewhere"],
            ["leftClosedLoop", "report-closed-loop"],
          ] as const
        ).map(([name, testId]) => (
          <Form.Item key={name} name={name} valuePropName="checked" style={{ marginBottom: 0 }}>
            <Checkbox data-testid={testId} style={{ padding: "10px 0", fontSize: 16 }}>
              {t(`selfReport.${name === "releasedFromQuarantineElsewhere" ? "releasedElsewhere" : name}`)}
            </Checkbox>
          </Form.Item>
        ))}
      </div>
      <Form.Item name="occupation" label={t("selfReport.occupation")}>
        <Select
          size="large"
          data-testid="report-occupation"
          options={OCCUPATIONS.map((o) => ({ value: o, label: t(`policies.occupations.${o}`) }))}
        />
      </Form.Item>
    </>
  );
}
