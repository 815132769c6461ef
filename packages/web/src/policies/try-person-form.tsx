import {
  Alert,
  Button,
  Card,
  Checkbox,
  Col,
  Form,
  Input,
  List,
  Row,
  Select,
  Space,
  Tag,
  Typography,
} from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ApiError, api, unwrap } from "../api/client.ts";
import { RegionPicker } from "../regions/region-picker.tsx";
import { categoryLabel, MeasuresView, pickText } from "./measures-view.tsx";
import type { PersonFacts, PolicyDecision } from "./policy-types.ts";

type ContactKind = "close" | "secondary" | "co_presence";

interface TryValues {
  at?: string;
  regionCode?: string;
  inboundOverseas?: boolean;
  travelRegion?: string;
  travelFrom?: string;
  travelTo?: string;
  contactKind?: ContactKind | "none";
  lastExposureAt?: string;
  zoneResidence?: "sealed" | "controlled" | "precaution" | "none";
  occupation?: "cold_chain" | "quarantine_site" | "fever_clinic" | "none";
  leftClosedLoop?: boolean;
  festivalReturnee?: boolean;
  releasedFromQuarantineElsewhere?: boolean;
}

/** Builds the engine's facts from the form; empty fields are left out. */
function factsOf(v: TryValues): PersonFacts {
  const facts: PersonFacts = {};
  if (v.inboundOverseas) facts.inboundOverseas = true;
  if (v.travelRegion && v.travelFrom && v.travelTo) {
    facts.travelHistory = [{ regionCode: v.travelRegion, from: v.travelFrom, to: v.travelTo }];
  }
  if (v.contactKind && v.contactKind !== "none" && v.lastExposureAt) {
    facts.contacts = [{ kind: v.contactKind, lastExposureAt: v.lastExposureAt }];
  }
  if (v.zoneResidence && v.zoneResidence !== "none") facts.zoneResidence = v.zoneResidence;
  if (v.occupation && v.occupation !== "none") facts.occupation = v.occupation;
  if (v.leftClosedLoop) facts.leftClosedLoop = true;
  if (v.festivalReturnee) facts.festivalReturnee = true;
  if (v.releasedFromQuarantineElsewhere) facts.releasedFromQuarantineElsewhere = true;
  return facts;
}

/** Asks the engine what measures a person gets, and shows the pack, the measures and the quotes behind them. */
export function TryPersonForm() {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const [form] = Form.useForm<TryValues>();
  const [decision, setDecision] = useState<PolicyDecision | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const contactKind = Form.useWatch("contactKind", form);

  const submit = async (v: TryValues) => {
    setBusy(true);
    setFailure(null);
    try {
      const d = await unwrap(
        api.POST("/api/policies/explain", {
          body: { at: v.at ?? "", regionCode: v.regionCode ?? "", facts: factsOf(v) },
        }),
      );
      setDecision(d);
    } catch (e) {
      setDecision(null);
      setFailure(e instanceof ApiError ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card title={t("policies.tryTitle")} data-testid="try-person">
      <Typography.Paragraph type="secondary">{t("policies.tryLead")}</Typography.Paragraph>
      <Form<TryValues>
        form={form}
        layout="vertical"
        onFinish={submit}
        initialValues={{ contactKind: "none", zoneResidence: "none", occupation: "none" }}
      >
        <Row gutter={16}>
          <Col xs={24} md={8}>
            <Form.Item
              name="at"
              label={t("policies.arrivalAt")}
              rules={[{ required: true, message: t("policies.fillArrival") }]}
            >
              <Input type="datetime-local" data-testid="try-at" />
            </Form.Item>
          </Col>
          <Col xs={24} md={16}>
            <Form.Item
              name="regionCode"
              label={t("policies.destination")}
              rules={[{ required: true, message: t("policies.fillDestination") }]}
            >
              <RegionPicker data-testid="try-destination" />
            </Form.Item>
          </Col>
        </Row>
        <Space wrap size="large" style={{ marginBottom: 16 }}>
          <Form.Item name="inboundOverseas" valuePropName="checked" noStyle>
            <Checkbox data-testid="try-overseas">{t("policies.inboundOverseas")}</Checkbox>
          </Form.Item>
          <Form.Item name="festivalReturnee" valuePropName="checked" noStyle>
            <Checkbox data-testid="try-festival">{t("policies.festivalReturnee")}</Checkbox>
          </Form.Item>
          <Form.Item name="releasedFromQuarantineElsewhere" valuePropName="checked" noStyle>
            <Checkbox data-testid="try-released">{t("policies.releasedElsewhere")}</Checkbox>
          </Form.Item>
          <Form.Item name="leftClosedLoop" valuePropName="checked" noStyle>
            <Checkbox data-testid="try-closed-loop">{t("policies.leftClosedLoop")}</Checkbox>
          </Form.Item>
        </Space>
        <Typography.Paragraph strong style={{ marginBottom: 8 }}>
          {t("policies.travel")}
        </Typography.Paragraph>
        <Row gutter={16}>
          <Col xs={24} md={12}>
            <Form.Item name="travelRegion" label={t("policies.travelRegion")}>
              <RegionPicker data-testid="try-travel-region" />
            </Form.Item>
          </Col>
          <Col xs={12} md={6}>
            <Form.Item name="travelFrom" label={t("policies.travelRange")}>
              <Input type="date" data-testid="try-travel-from" />
            </Form.Item>
          </Col>
          <Col xs={12} md={6}>
            <Form.Item name="travelTo" label=" ">
              <Input type="date" data-testid="try-travel-to" />
            </Form.Item>
          </Col>
        </Row>
        <Row gutter={16}>
          <Col xs={24} md={6}>
            <Form.Item name="contactKind" label={t("policies.contact")}>
              <Select
                data-testid="try-contact"
                options={[
                  { value: "none", label: t("policies.contactNone") },
                  { value: "close", label: t("policies.contactKinds.close") },
                  { value: "secondary", label: t("policies.contactKinds.secondary") },
                  { value: "co_presence", label: t("policies.contactKinds.co_presence") },
                ]}
              />
            </Form.Item>
          </Col>
          <Col xs={24} md={6}>
            <Form.Item name="lastExposureAt" label={t("policies.lastExposure")}>
              <Input
                type="datetime-local"
                disabled={!contactKind || contactKind === "none"}
                data-testid="try-last-exposure"
              />
            </Form.Item>
          </Col>
          <Col xs={24} md={6}>
            <Form.Item name="zoneResidence" label={t("policies.zoneResidence")}>
              <Select
                data-testid="try-zone"
                options={(["none", "sealed", "controlled", "precaution"] as const).map((z) => ({
                  value: z,
                  label: t(`policies.zones.${z}`),
                }))}
              />
            </Form.Item>
          </Col>
          <Col xs={24} md={6}>
            <Form.Item name="occupation" label={t("policies.occupation")}>
              <Select
                data-testid="try-occupation"
                options={(["none", "cold_chain", "quarantine_site", "fever_clinic"] as const).map((o) => ({
                  value: o,
                  label: t(`policies.occupations.${o}`),
                }))}
              />
            </Form.Item>
          </Col>
        </Row>
        <Button type="primary" htmlType="submit" loading={busy} data-testid="try-submit">
          {t("policies.explain")}
        </Button>
      </Form>
      {failure && <Alert type="error" showIcon message={failure} style={{ marginTop: 16 }} />}
      {decision && <DecisionView decision={decision} lang={lang} />}
    </Card>
  );
}

function DecisionView({ decision, lang }: { decision: PolicyDecision; lang: string }) {
  const { t } = useTranslation();
  if (decision.status === "no_pack") {
    return (
      <Alert
        data-testid="try-result"
        type="warning"
        showIcon
        style={{ marginTop: 16 }}
        message={t("policies.noPack")}
        description={pickText(decision.reason, lang)}
      />
    );
  }
  return (
    <div data-testid="try-result" style={{ marginTop: 16 }}>
      <Typography.Paragraph>
        {t("policies.packChosen")}:{" "}
        <Typography.Text strong data-testid="try-pack" data-pack={decision.pack.id}>
          {pickText(decision.pack.title, lang)}
        </Typography.Text>
      </Typography.Paragraph>
      {decision.status === "no_rule_matched" ? (
        <Alert
          type="info"
          showIcon
          message={t("policies.noRule")}
          description={pickText(decision.reason, lang)}
        />
      ) : (
        <>
          <Typography.Title level={5}>{t("policies.combined")}</Typography.Title>
          <div data-testid="try-measures">
            <MeasuresView measures={decision.measures} />
          </div>
          <Typography.Title level={5} style={{ marginTop: 16 }}>
            {t("policies.why")}
          </Typography.Title>
          <List
            bordered
            dataSource={decision.explanation}
            renderItem={(x) => (
              <List.Item data-testid="try-explanation" data-rule={x.ruleId}>
                <Space direction="vertical" style={{ width: "100%" }}>
                  <Space wrap>
                    <Tag color="blue">{categoryLabel(t, x.category)}</Tag>
                    <Typography.Text type="secondary" style={{ fontFamily: "monospace", fontSize: 12 }}>
                      {x.ruleId}
                    </Typography.Text>
                  </Space>
                  <MeasuresView measures={x.measures} />
                  <Typography.Text lang="zh-CN" data-testid="try-quote">
                    {t("policies.quote")}: 「{x.source.quote}」
                  </Typography.Text>
                  <Typography.Text lang="en" type="secondary">
                    {t("policies.gloss")}: {x.source.en}
                  </Typography.Text>
                  {x.note && (
                    <Typography.Text type="secondary">
                      {t("policies.note")}: {pickText(x.note, lang)}
                    </Typography.Text>
                  )}
                  {x.matchedFacts.length > 0 && (
                    <Typography.Text type="secondary">
                      {t("policies.matchedFacts")}:{" "}
                      {x.matchedFacts.map((f) => pickText(f.description, lang)).join("；")}
                    </Typography.Text>
                  )}
                </Space>
              </List.Item>
            )}
          />
        </>
      )}
    </div>
  );
}
