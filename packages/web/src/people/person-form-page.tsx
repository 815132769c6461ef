import { ArrowLeftOutlined } from "@ant-design/icons";
import { PERSON_INPUT_FIELDS } from "@cordon/domain/people/person";
import { Alert, App, Button, Card, Col, DatePicker, Form, Input, Radio, Row, Select, Space } from "antd";
import dayjs, { type Dayjs } from "dayjs";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useLocation, useNavigate, useParams } from "react-router";
import { ApiError, api, unwrap } from "../api/client.ts";
import { applyServerErrors } from "../api/errors.ts";
import type { Person, PersonDetail, PersonWrite } from "../api/types.ts";
import { useApiData } from "../api/use-api-data.ts";
import { DOCUMENT_TYPES, type DocumentType, type Sex } from "../i18n/labels.ts";
import { useMe } from "../accounts/session.tsx";
import { RegionPicker } from "../regions/region-picker.tsx";
import { PageError, PageLoading } from "../shell/page-states.tsx";

interface PersonFormValues {
  name: string;
  documentType: DocumentType;
  documentNumber: string;
  birthDate?: Dayjs | null;
  sex?: Sex | null;
  nationality?: string;
  phone: string;
  householdRegionCode?: string | null;
  currentRegionCode?: string;
  currentAddress: string;
}

/** Form fields that server field errors can be shown on. */
const FIELDS = PERSON_INPUT_FIELDS;

/** Documents that do not say who holds them by birth date and sex (a resident ID number does). */
const needsBirthAndSex = (d: DocumentType | undefined) => d !== undefined && d !== "resident_id";
/** Only a passport holder's nationality is asked; the others are Chinese citizens. */
const asksNationality = (d: DocumentType | undefined) => d === "passport";

function initialValues(p: Person | undefined): Partial<PersonFormValues> {
  if (!p) return { documentType: "resident_id", nationality: "CHN" };
  return {
    name: p.name,
    documentType: p.documentType,
    documentNumber: p.documentNumber,
    birthDate: dayjs(p.birthDate),
    sex: p.sex,
    nationality: p.nationality,
    phone: p.phone,
    householdRegionCode: p.householdRegionCode,
    currentRegionCode: p.currentRegionCode,
    currentAddress: p.currentAddress,
  };
}

function toWrite(v: PersonFormValues, existing: Person | undefined): PersonWrite {
  const explicit = needsBirthAndSex(v.documentType);
  return {
    name: v.name,
    documentType: v.documentType,
    documentNumber: v.documentNumber,
    // For a resident ID the server derives both from the number and checks any given against it.
    birthDate: explicit && v.birthDate ? v.birthDate.format("YYYY-MM-DD") : null,
    sex: explicit ? (v.sex ?? null) : null,
    nationality: asksNationality(v.documentType) ? (v.nationality?.trim().toUpperCase() ?? null) : "CHN",
    phone: v.phone,
    householdRegionCode: v.householdRegionCode ?? null,
    currentRegionCode: v.currentRegionCode ?? "",
    currentAddress: v.currentAddress,
    // A PUT replaces the record: keep the household link as it was.
    householdId: existing?.householdId ?? null,
    householdRelation: existing?.householdRelation ?? null,
  };
}

/** Registers a person or edits one (PUT with the version read, so a concurrent change is not overwritten). */
export function PersonFormPage() {
  const id = useParams().id;
  const location = useLocation();
  const passed = (location.state as { detail?: PersonDetail } | null)?.detail;
  const preloaded = passed && passed.person.id === id ? passed : undefined;
  // Coming from the detail page, the record is at hand; opened directly, it is read (and audited) here.
  const { data, error, reload } = useApiData(id && !preloaded ? id : null, () =>
    unwrap(api.GET("/api/people/{id}", { params: { path: { id: id ?? "" } } })),
  );
  if (!id) return <PersonForm key="new" />;
  if (error) return <PageError error={error} onRetry={reload} />;
  const person = preloaded?.person ?? data?.person;
  if (!person) return <PageLoading />;
  return <PersonForm key={`${person.id}:${person.version}`} person={person} onReload={reload} />;
}

function PersonForm({ person, onReload }: { person?: Person; onReload?: () => void }) {
  const { t } = useTranslation();
  const { me } = useMe();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const [form] = Form.useForm<PersonFormValues>();
  const [busy, setBusy] = useState(false);
  const [stale, setStale] = useState<string | null>(null);
  const documentType = Form.useWatch("documentType", form);
  const required = { required: true, message: t("people.required") };

  const onFinish = async (v: PersonFormValues) => {
    setBusy(true);
    setStale(null);
    try {
      const body = toWrite(v, person);
      const saved = person
        ? await unwrap(
            api.PUT("/api/people/{id}", {
              params: { path: { id: person.id } },
              body: { ...body, version: person.version },
            }),
          )
        : await unwrap(api.POST("/api/people", { body }));
      message.success(person ? t("common.saved") : t("people.created"));
      navigate(`/people/${saved.id}`, { replace: true });
    } catch (e) {
      if (e instanceof ApiError && e.status === 409 && e.fields.length === 0) {
        setStale(e.message);
        return;
      }
      const rest = applyServerErrors(form, FIELDS, t, e);
      if (rest) message.error(rest);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card
      data-testid="person-form-page"
      title={
        <Space>
          <Button
            type="text"
            icon={<ArrowLeftOutlined />}
            onClick={() => navigate(-1)}
            aria-label={t("common.back")}
          />
          <span>{person ? t("people.editTitle", { name: person.name }) : t("people.createTitle")}</span>
        </Space>
      }
    >
      {stale && (
        <Alert
          type="warning"
          showIcon
          data-testid="stale-alert"
          title={stale}
          style={{ marginBottom: 16 }}
          action={
            onReload && (
              <Button size="small" onClick={onReload}>
                {t("common.reload")}
              </Button>
            )
          }
        />
      )}
      <Form<PersonFormValues>
        form={form}
        layout="vertical"
        initialValues={initialValues(person)}
        onFinish={onFinish}
        onValuesChange={() => setStale(null)}
        data-testid="person-form"
        style={{ maxWidth: 960 }}
      >
        <Row gutter={16}>
          <Col xs={24} md={12}>
            <Form.Item name="name" label={t("people.name")} rules={[required]} data-testid="field-name">
              <Input maxLength={50} />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item
              name="documentType"
              label={t("people.documentType")}
              rules={[required]}
              data-testid="field-documentType"
            >
              <Select<DocumentType>
                options={DOCUMENT_TYPES.map((d) => ({ value: d, label: t(`documentTypes.${d}`) }))}
              />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item
              name="documentNumber"
              label={t("people.documentNumber")}
              rules={[required]}
              data-testid="field-documentNumber"
              extra={needsBirthAndSex(documentType) ? undefined : t("people.derivedFromId")}
            >
              <Input maxLength={40} style={{ fontFamily: "monospace" }} />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item name="phone" label={t("people.phone")} rules={[required]} data-testid="field-phone">
              <Input maxLength={30} inputMode="tel" style={{ fontFamily: "monospace" }} />
            </Form.Item>
          </Col>
          {needsBirthAndSex(documentType) && (
            <>
              <Col xs={24} md={8}>
                <Form.Item
                  name="birthDate"
                  label={t("people.birthDate")}
                  rules={[required]}
                  data-testid="field-birthDate"
                >
                  <DatePicker style={{ width: "100%" }} disabledDate={(d) => d.isAfter(dayjs(), "day")} />
                </Form.Item>
              </Col>
              <Col xs={24} md={8}>
                <Form.Item name="sex" label={t("people.sexLabel")} rules={[required]} data-testid="field-sex">
                  <Radio.Group
                    options={[
                      { value: "male", label: t("sex.male") },
                      { value: "female", label: t("sex.female") },
                    ]}
                  />
                </Form.Item>
              </Col>
            </>
          )}
          {asksNationality(documentType) && (
            <Col xs={24} md={8}>
              <Form.Item
                name="nationality"
                label={t("people.nationality")}
                rules={[required]}
                extra={t("people.nationalityHint")}
                data-testid="field-nationality"
              >
                <Input maxLength={3} style={{ textTransform: "uppercase", width: 120 }} />
              </Form.Item>
            </Col>
          )}
          <Col xs={24} md={12}>
            <Form.Item
              name="currentRegionCode"
              label={t("people.currentRegionCode")}
              rules={[required]}
              extra={t("people.currentRegionHint")}
              data-testid="field-currentRegionCode"
            >
              <RegionPicker
                levels={["community", "grid"]}
                within={me.user.jurisdictionCode}
                data-testid="person-current-region"
              />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item
              name="householdRegionCode"
              label={t("people.householdRegionCode")}
              data-testid="field-householdRegionCode"
            >
              <RegionPicker data-testid="person-household-region" />
            </Form.Item>
          </Col>
          <Col span={24}>
            <Form.Item
              name="currentAddress"
              label={t("people.currentAddress")}
              rules={[required]}
              data-testid="field-currentAddress"
            >
              <Input.TextArea maxLength={200} autoSize={{ minRows: 2, maxRows: 4 }} />
            </Form.Item>
          </Col>
        </Row>
        <Space>
          <Button type="primary" htmlType="submit" loading={busy} data-testid="person-save">
            {t("common.save")}
          </Button>
          <Button onClick={() => navigate(-1)}>{t("common.cancel")}</Button>
        </Space>
      </Form>
    </Card>
  );
}
