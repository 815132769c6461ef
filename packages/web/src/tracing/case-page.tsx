import {
  CASE_CLASSIFICATION_LABELS,
  CASE_CLASSIFICATIONS,
  type CaseClassification,
  CASE_SOURCE_LABELS,
  FOUND_BY_LABELS,
} from "@cordon/domain/tracing/cases";
import { LOOP_STEP_LABELS } from "@cordon/domain/tracing/contact-loop";
import { MILESTONE_LABELS } from "@cordon/domain/tracing/investigation";
import {
  EXPOSURE_SETTING_LABELS,
  EXPOSURE_SETTINGS,
  type ExposureSetting,
  PROXIMITIES,
  PROXIMITY_LABELS,
  type Proximity,
} from "@cordon/domain/tracing/policy";
import {
  Alert,
  Button,
  Card,
  Checkbox,
  Col,
  Descriptions,
  Form,
  Input,
  InputNumber,
  Modal,
  Row,
  Select,
  Space,
  Statistic,
  Table,
  type TableColumnsType,
  Tag,
  Typography,
} from "antd";
import dayjs from "dayjs";
import { type HTMLAttributes, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";
import { useMe } from "../accounts/session.tsx";
import { api, unwrap } from "../api/client.ts";
import { applyServerErrors, errorText } from "../api/errors.ts";
import { useApiData } from "../api/use-api-data.ts";
import { PlacementDialog } from "../quarantine/placement-dialog.tsx";
import { RegionPicker } from "../regions/region-picker.tsx";
import { instantOf, localInputOf } from "../shell/local-time.ts";
import {
  type CaseDetail,
  type ClassifyResult,
  type Clock,
  type Contact,
  type ExposureItem,
  type Step,
  tracingApi,
} from "./tracing-api.ts";
import {
  ClockCell,
  formatMinute,
  labelled,
  PersonSelect,
  pick,
  Refusal,
  span,
  useSecondNow,
} from "./tracing-bits.tsx";
import { Stays } from "./stays.tsx";
import { CoPresenceCard } from "../copresence/co-presence-card.tsx";

const STEPS: readonly Step[] = ["verify", "transfer", "test", "isolate"];
const HOUR = 3_600_000;

const KIND_COLORS: Record<Contact["kind"], string> = {
  close: "red",
  secondary: "orange",
  general: "default",
};
const LOOP_COLORS: Record<string, string> = {
  on_time: "green",
  late: "orange",
  open: "blue",
  overdue: "red",
  not_started: "default",
};

interface ReclassifyValues {
  classification?: CaseClassification;
  confirmedAt?: string;
  onsetDate?: string;
  isolatedAt?: string;
  reason?: string;
}

function ReclassifyDialog({
  detail,
  open,
  onClose,
  onDone,
}: {
  detail: CaseDetail;
  open: boolean;
  onClose: () => void;
  onDone: () => void;
}) {
  const { t, i18n } = useTranslation();
  const [form] = Form.useForm<ReclassifyValues>();
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const c = detail.case;
  const submit = async (v: ReclassifyValues) => {
    setBusy(true);
    setFailure(null);
    try {
      await tracingApi.reclassify(c.id, {
        classification: v.classification ?? c.classification,
        confirmedAt: v.confirmedAt ? instantOf(v.confirmedAt) : null,
        onsetDate: v.onsetDate || null,
        isolatedAt: v.isolatedAt ? instantOf(v.isolatedAt) : null,
        reason: v.reason ?? "",
      });
      onDone();
    } catch (e) {
      setFailure(
        applyServerErrors(form, ["classification", "confirmedAt", "onsetDate", "isolatedAt", "reason"], t, e),
      );
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      open={open}
      title={t("tracing.reclassify.title")}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t("tracing.reclassify.submit")}
      okButtonProps={{ "data-testid": "reclassify-submit" }}
      cancelText={t("common.cancel")}
      confirmLoading={busy}
      destroyOnHidden
    >
      <Form<ReclassifyValues>
        form={form}
        layout="vertical"
        onFinish={submit}
        initialValues={{
          classification: c.classification,
          confirmedAt: c.confirmedAt ? localInputOf(c.confirmedAt) : undefined,
          onsetDate: c.onsetDate ?? undefined,
          isolatedAt: c.isolatedAt ? localInputOf(c.isolatedAt) : undefined,
        }}
      >
        <Form.Item name="classification" label={t("tracing.case.classification")}>
          <Select
            data-testid="reclassify-classification"
            options={labelled(CASE_CLASSIFICATIONS, CASE_CLASSIFICATION_LABELS, i18n.language)}
          />
        </Form.Item>
        <Row gutter={16}>
          <Col span={12}>
            <Form.Item name="confirmedAt" label={t("tracing.case.confirmedAt")}>
              <Input type="datetime-local" />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="onsetDate" label={t("tracing.case.onsetDate")}>
              <Input type="date" />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="isolatedAt" label={t("tracing.case.isolatedAt")}>
              <Input type="datetime-local" />
            </Form.Item>
          </Col>
        </Row>
        <Form.Item
          name="reason"
          label={t("tracing.reclassify.reason")}
          rules={[{ required: true, message: t("tracing.required") }]}
        >
          <Input.TextArea rows={2} data-testid="reclassify-reason" />
        </Form.Item>
        {failure && <Alert type="error" showIcon message={failure} />}
      </Form>
    </Modal>
  );
}

function Milestones({
  detail,
  now,
  canRecord,
  onRecorded,
}: {
  detail: CaseDetail;
  now: number;
  canRecord: boolean;
  onRecorded: () => void;
}) {
  const { t, i18n } = useTranslation();
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const record = async (k: Clock) => {
    setBusy(k.milestone);
    setError(null);
    try {
      await tracingApi.milestone(detail.case.id, k.milestone);
      onRecorded();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(null);
    }
  };
  const columns: TableColumnsType<Clock> = [
    {
      title: t("tracing.milestones.milestone"),
      key: "m",
      render: (_: unknown, k) => pick(MILESTONE_LABELS[k.milestone], i18n.language),
    },
    {
      title: t("tracing.milestones.limit"),
      dataIndex: "limitHours",
      render: (h: number) => t("tracing.hours", { h }),
    },
    {
      title: t("tracing.milestones.clock"),
      key: "clock",
      render: (_: unknown, k) => <ClockCell clock={k} now={now} />,
    },
    {
      title: "",
      key: "record",
      render: (_: unknown, k) =>
        !k.doneAt && canRecord ? (
          <Button
            size="small"
            type="primary"
            data-testid={`milestone-record-${k.milestone}`}
            loading={busy === k.milestone}
            onClick={() => void record(k)}
          >
            {t("tracing.milestones.record")}
          </Button>
        ) : null,
    },
  ];
  return (
    <Card size="small" title={t("tracing.milestones.title")} data-testid="milestones">
      <Table<Clock>
        size="small"
        rowKey="milestone"
        columns={columns}
        dataSource={detail.clocks}
        pagination={false}
        onRow={(k) =>
          ({ "data-testid": "milestone", "data-milestone": k.milestone }) as HTMLAttributes<HTMLElement>
        }
      />
      {error !== null && <Refusal error={error} testId="milestone-refusal" />}
    </Card>
  );
}

function Itinerary({ items, caseName }: { items: ExposureItem[]; caseName: string }) {
  const { t, i18n } = useTranslation();
  const columns: TableColumnsType<ExposureItem> = [
    {
      title: t("tracing.itinerary.when"),
      key: "when",
      render: (_: unknown, e) => `${formatMinute(e.at)} – ${dayjs(e.until).format("HH:mm")}`,
    },
    {
      title: t("tracing.itinerary.place"),
      key: "place",
      render: (_: unknown, e) => (
        <span data-testid="itinerary-place">{e.place || t("tracing.itinerary.noPlace")}</span>
      ),
    },
    {
      title: t("tracing.itinerary.region"),
      dataIndex: "exposedRegionCode",
      render: (v: string | null) => v ?? "—",
    },
    {
      title: t("tracing.exposure.setting"),
      dataIndex: "setting",
      render: (v: string) =>
        pick(EXPOSURE_SETTING_LABELS[v as keyof typeof EXPOSURE_SETTING_LABELS], i18n.language),
    },
    {
      title: t("tracing.itinerary.who"),
      key: "who",
      render: (_: unknown, e) => `${e.sourcePersonName || caseName} → ${e.exposedPersonName}`,
    },
    {
      title: t("tracing.exposure.proximity"),
      dataIndex: "proximity",
      render: (v: string) => pick(PROXIMITY_LABELS[v as keyof typeof PROXIMITY_LABELS], i18n.language),
    },
    {
      title: t("tracing.itinerary.flags"),
      key: "flags",
      render: (_: unknown, e) =>
        e.flags.map((f) => (
          <Tag color="orange" key={f.code} data-testid="exposure-flag" data-code={f.code}>
            {pick(f.message, i18n.language)}
          </Tag>
        )),
    },
  ];
  return (
    <Table<ExposureItem>
      size="small"
      rowKey="id"
      columns={columns}
      dataSource={items}
      pagination={false}
      scroll={{ x: true }}
      locale={{ emptyText: t("tracing.itinerary.none") }}
      onRow={(e) => ({ "data-testid": "itinerary-row", "data-id": e.id }) as HTMLAttributes<HTMLElement>}
    />
  );
}

interface ExposureValues {
  sourcePersonId?: string;
  exposedPersonId?: string;
  at?: string;
  until?: string;
  durationMinutes?: number | null;
  setting?: ExposureSetting;
  proximity?: Proximity;
  place?: string;
  exposedRegionCode?: string;
  protected?: boolean;
}

const EXPOSURE_FIELDS = [
  "sourcePersonId",
  "exposedPersonId",
  "at",
  "durationMinutes",
  "setting",
  "proximity",
  "place",
  "exposedRegionCode",
  "protected",
];

/** Records where and when someone was exposed to the case (or to one of its close contacts). */
function ExposureForm({ detail, onRecorded }: { detail: CaseDetail; onRecorded: () => void }) {
  const { t, i18n } = useTranslation();
  const [form] = Form.useForm<ExposureValues>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [kept, setKept] = useState<ExposureItem["flags"]>([]);
  const sources = [
    { value: detail.case.personId, label: t("tracing.exposure.theCase", { name: detail.case.personName }) },
    ...detail.contacts
      .filter((c) => c.kind === "close")
      .map((c) => ({ value: c.personId, label: t("tracing.exposure.closeContact", { name: c.personName }) })),
  ];
  const submit = async (v: ExposureValues) => {
    setBusy(true);
    setError(null);
    setKept([]);
    const at = v.at ? dayjs(v.at) : null;
    const until = v.until ? dayjs(v.until) : null;
    const duration =
      v.durationMinutes ?? (at && until && until.isAfter(at) ? until.diff(at, "minute") : null);
    try {
      const r = await tracingApi.recordExposure(detail.case.id, {
        sourcePersonId: v.sourcePersonId,
        exposedPersonId: v.exposedPersonId ?? "",
        at: v.at ? instantOf(v.at) : "",
        durationMinutes: duration,
        setting: v.setting ?? "household",
        proximity: v.proximity ?? "unknown",
        place: v.place?.trim() || undefined,
        exposedRegionCode: v.exposedRegionCode || null,
        protected: v.protected ?? false,
      });
      setKept(r.flags);
      form.resetFields(["exposedPersonId", "at", "until", "durationMinutes", "place", "exposedRegionCode"]);
      onRecorded();
    } catch (e) {
      applyServerErrors(form, EXPOSURE_FIELDS, t, e);
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Form<ExposureValues>
      form={form}
      layout="vertical"
      onFinish={submit}
      initialValues={{ sourcePersonId: detail.case.personId, proximity: "within_1m", setting: "household" }}
      data-testid="exposure-form"
    >
      <Row gutter={16}>
        <Col xs={24} md={8}>
          <Form.Item name="sourcePersonId" label={t("tracing.exposure.source")}>
            <Select data-testid="exposure-source" options={sources} />
          </Form.Item>
        </Col>
        <Col xs={24} md={8}>
          <Form.Item
            name="exposedPersonId"
            label={t("tracing.exposure.exposed")}
            rules={[{ required: true, message: t("tracing.required") }]}
          >
            <PersonSelect testId="exposure-person" />
          </Form.Item>
        </Col>
        <Col xs={12} md={4}>
          <Form.Item name="setting" label={t("tracing.exposure.setting")}>
            <Select
              data-testid="exposure-setting"
              options={labelled(EXPOSURE_SETTINGS, EXPOSURE_SETTING_LABELS, i18n.language)}
            />
          </Form.Item>
        </Col>
        <Col xs={12} md={4}>
          <Form.Item name="proximity" label={t("tracing.exposure.proximity")}>
            <Select
              data-testid="exposure-proximity"
              options={labelled(PROXIMITIES, PROXIMITY_LABELS, i18n.language)}
            />
          </Form.Item>
        </Col>
        <Col xs={12} md={6}>
          <Form.Item
            name="at"
            label={t("tracing.exposure.from")}
            rules={[{ required: true, message: t("tracing.required") }]}
          >
            <Input type="datetime-local" data-testid="exposure-at" />
          </Form.Item>
        </Col>
        <Col xs={12} md={6}>
          <Form.Item name="until" label={t("tracing.exposure.until")}>
            <Input type="datetime-local" data-testid="exposure-until" />
          </Form.Item>
        </Col>
        <Col xs={12} md={4}>
          <Form.Item
            name="durationMinutes"
            label={t("tracing.exposure.duration")}
            extra={t("tracing.exposure.durationHint")}
          >
            <InputNumber min={0} style={{ width: "100%" }} data-testid="exposure-duration" />
          </Form.Item>
        </Col>
        <Col xs={24} md={8}>
          <Form.Item name="place" label={t("tracing.exposure.place")}>
            <Input
              data-testid="exposure-place"
              maxLength={500}
              placeholder={t("tracing.exposure.placeHint")}
            />
          </Form.Item>
        </Col>
        <Col xs={24} md={10}>
          <Form.Item name="exposedRegionCode" label={t("tracing.exposure.region")}>
            <RegionPicker data-testid="exposure-region" />
          </Form.Item>
        </Col>
        <Col xs={24} md={6}>
          <Form.Item name="protected" valuePropName="checked" label=" ">
            <Checkbox data-testid="exposure-protected">{t("tracing.exposure.protected")}</Checkbox>
          </Form.Item>
        </Col>
      </Row>
      <Space direction="vertical" style={{ width: "100%" }}>
        <Button type="primary" htmlType="submit" loading={busy} data-testid="exposure-submit">
          {t("tracing.exposure.submit")}
        </Button>
        {error !== null && <Refusal error={error} testId="exposure-refusal" />}
        {kept.length > 0 && (
          <Alert
            type="warning"
            showIcon
            data-testid="exposure-kept-flags"
            message={kept.map((f) => pick(f.message, i18n.language)).join("；")}
          />
        )}
      </Space>
    </Form>
  );
}

/** The isolate step: it links the person's current quarantine placement; staff who may place people can do so first. */
function IsolateDialog({
  contact,
  onClose,
  onDone,
}: {
  contact: Contact | null;
  onClose: () => void;
  onDone: () => void;
}) {
  const { t } = useTranslation();
  const { can } = useMe();
  const [placing, setPlacing] = useState(false);
  const [placed, setPlaced] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const record = async () => {
    if (!contact) return;
    setBusy(true);
    setError(null);
    try {
      await tracingApi.step(contact.id, "isolate");
      setPlaced(false);
      onDone();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <Modal
        open={contact !== null && !placing}
        title={t("tracing.isolate.title", { name: contact?.personName ?? "" })}
        onCancel={onClose}
        onOk={() => void record()}
        okText={t("tracing.isolate.submit")}
        okButtonProps={{ "data-testid": "isolate-submit" }}
        cancelText={t("common.cancel")}
        confirmLoading={busy}
        destroyOnHidden
      >
        <Typography.Paragraph>{t("tracing.isolate.explain")}</Typography.Paragraph>
        {can("quarantine.place") && (
          <Space direction="vertical">
            <Button data-testid="isolate-place" onClick={() => setPlacing(true)}>
              {t("tracing.isolate.place")}
            </Button>
            {placed && <Alert type="success" showIcon message={t("tracing.isolate.placed")} />}
          </Space>
        )}
        {error !== null && <Refusal error={error} testId="isolate-refusal" />}
      </Modal>
      <PlacementDialog
        open={placing}
        onClose={() => setPlacing(false)}
        onPlaced={() => {
          setPlacing(false);
          setPlaced(true);
        }}
      />
    </>
  );
}

function Contacts({
  detail,
  now,
  canAct,
  onChanged,
  forwarded,
}: {
  detail: CaseDetail;
  now: number;
  canAct: boolean;
  onChanged: () => void;
  /** Contacts forwarded as assist requests: contact id → the region addressed. */
  forwarded: Map<string, { code: string; name: string | null }>;
}) {
  const { t, i18n } = useTranslation();
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [isolating, setIsolating] = useState<Contact | null>(null);
  const names = new Map<string, string>([
    [detail.case.personId, detail.case.personName],
    ...detail.contacts.map((c) => [c.personId, c.personName] as const),
  ]);
  const step = async (c: Contact, s: Step) => {
    if (s === "isolate") {
      setIsolating(c);
      return;
    }
    setBusy(`${c.id}:${s}`);
    setError(null);
    try {
      await tracingApi.step(c.id, s);
      onChanged();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(null);
    }
  };
  const loopCell = (c: Contact) => {
    const l = c.loop;
    if (!l) return "—";
    const limit = t("tracing.hours", { h: l.limitHours });
    let text: string;
    if (l.loopMs !== null) text = t("tracing.loop.closedIn", { span: span(t, l.loopMs, false), limit });
    else if (l.dueAt) {
      const since = now - (Date.parse(l.dueAt) - l.limitHours * HOUR);
      text = t("tracing.loop.running", { span: span(t, since), limit });
    } else text = t("tracing.loop.notStarted");
    return (
      <Space direction="vertical" size={0}>
        <Tag color={LOOP_COLORS[l.state]} data-testid="contact-loop-state" data-state={l.state}>
          {t(`tracing.loop.states.${l.state}`)}
        </Tag>
        <Typography.Text
          data-testid="contact-loop-time"
          data-loop-ms={l.loopMs ?? ""}
          type={l.state === "overdue" || l.state === "late" ? "danger" : undefined}
        >
          {text}
        </Typography.Text>
      </Space>
    );
  };
  const columns: TableColumnsType<Contact> = [
    {
      title: t("tracing.contacts.person"),
      key: "person",
      render: (_: unknown, c) => (
        <Space direction="vertical" size={0}>
          <span data-testid="contact-name" style={{ whiteSpace: "nowrap" }}>
            {c.personName}
          </span>
          {c.ownCaseId && <Link to={`/tracing/cases/${c.ownCaseId}`}>{t("tracing.contacts.ownCase")}</Link>}
        </Space>
      ),
    },
    {
      title: t("tracing.contacts.kind"),
      key: "kind",
      render: (_: unknown, c) => (
        <Space direction="vertical" size={0}>
          <Space size={4}>
            <Tag color={KIND_COLORS[c.kind]} data-testid="contact-kind" data-kind={c.kind}>
              {t(`tracing.kinds.${c.kind}`)}
            </Tag>
            {c.assist && !forwarded.has(c.id) && (
              <Tag color="purple" data-testid="contact-assist">
                {t("tracing.contacts.assist")}
              </Tag>
            )}
            {forwarded.has(c.id) && (
              <Tag color="purple" data-testid="contact-assist-sent" data-region={forwarded.get(c.id)!.code}>
                {t("tracing.contacts.assistSent", {
                  region: forwarded.get(c.id)!.name ?? forwarded.get(c.id)!.code,
                })}
              </Tag>
            )}
          </Space>
          <Typography.Text type="secondary" data-testid="contact-reason">
            {pick(c.explanation, i18n.language)}
          </Typography.Text>
        </Space>
      ),
    },
    {
      title: t("tracing.contacts.via"),
      key: "via",
      render: (_: unknown, c) => (
        <span data-testid="contact-via" style={{ whiteSpace: "nowrap" }}>
          {names.get(c.viaPersonId) ?? "—"}
        </span>
      ),
    },
    ...STEPS.map((s) => ({
      title: <span title={pick(LOOP_STEP_LABELS[s], i18n.language)}>{t(`tracing.steps.${s}`)}</span>,
      key: s,
      width: 110,
      render: (_: unknown, c: Contact) => {
        if (c.kind === "general") return "—";
        const at = c.steps[s];
        if (at)
          return (
            <Space direction="vertical" size={0} data-testid={`step-${s}`} data-done="true">
              <Tag color="green">{t(`tracing.steps.${s}`)} ✓</Tag>
              <Typography.Text type="secondary">{dayjs(at).format("MM-DD HH:mm")}</Typography.Text>
              {s === "isolate" &&
                (c.placementId ? (
                  <Link to={`/quarantine/placements/${c.placementId}`} data-testid="contact-placement">
                    {t("tracing.contacts.placement")}
                  </Link>
                ) : (
                  <Typography.Text type="warning">{t("tracing.contacts.noPlacement")}</Typography.Text>
                ))}
            </Space>
          );
        const isNext = c.loop?.nextStep === s;
        return canAct ? (
          <Button
            size="small"
            type={isNext ? "primary" : "default"}
            disabled={!isNext}
            data-testid={`step-${s}`}
            data-done="false"
            loading={busy === `${c.id}:${s}`}
            onClick={() => void step(c, s)}
          >
            {t(`tracing.steps.${s}`)}
          </Button>
        ) : (
          <span data-testid={`step-${s}`} data-done="false">
            —
          </span>
        );
      },
    })),
    { title: t("tracing.contacts.loop"), key: "loop", render: (_: unknown, c) => loopCell(c) },
  ];
  return (
    <>
      <Table<Contact>
        size="small"
        rowKey="id"
        columns={columns}
        dataSource={detail.contacts}
        pagination={false}
        scroll={{ x: true }}
        locale={{ emptyText: t("tracing.contacts.none") }}
        onRow={(c) =>
          ({
            "data-testid": "contact",
            "data-person": c.personId,
            "data-kind": c.kind,
          }) as HTMLAttributes<HTMLElement>
        }
      />
      {error !== null && <Refusal error={error} testId="step-refusal" />}
      <IsolateDialog
        contact={isolating}
        onClose={() => setIsolating(null)}
        onDone={() => {
          setIsolating(null);
          onChanged();
        }}
      />
    </>
  );
}

function LoopSummaryCard({ detail }: { detail: CaseDetail }) {
  const { t } = useTranslation();
  const l = detail.loop;
  const slowest = l.slowest ? detail.contacts.find((c) => c.personId === l.slowest?.personId) : undefined;
  return (
    <Card size="small" title={t("tracing.loop.summary", { h: l.limitHours })} data-testid="loop-summary">
      <Row gutter={16}>
        <Col xs={12} md={4}>
          <Statistic title={t("tracing.loop.contactsTitle")} value={l.contacts} data-testid="loop-contacts" />
        </Col>
        {(["on_time", "late", "open", "overdue"] as const).map((s) => (
          <Col xs={12} md={4} key={s}>
            <Statistic
              title={t(`tracing.loop.states.${s}`)}
              value={l.byState[s] ?? 0}
              data-testid={`loop-${s}`}
              valueStyle={s === "overdue" && (l.byState[s] ?? 0) > 0 ? { color: "#cf1322" } : undefined}
            />
          </Col>
        ))}
        <Col xs={24} md={4}>
          <Typography.Text type="secondary">{t("tracing.loop.atStep")}</Typography.Text>
          <div>
            {STEPS.map((s) => (
              <Tag key={s}>
                {t(`tracing.steps.${s}`)} {l.atStep[s] ?? 0}
              </Tag>
            ))}
          </div>
        </Col>
      </Row>
      <Space direction="vertical" size={0} style={{ marginTop: 8 }}>
        {l.slowest && (
          <Typography.Text data-testid="loop-slowest">
            {t("tracing.loop.slowest", {
              name: slowest?.personName ?? "",
              span: span(t, l.slowest.loopMs, false),
            })}
          </Typography.Text>
        )}
        {l.closed ? (
          <Typography.Text
            data-testid="loop-closed"
            data-within={String(l.closed.withinLimit)}
            type={l.closed.withinLimit ? "success" : "danger"}
          >
            {l.closed.withinLimit
              ? t("tracing.loop.closedWithin", { at: formatMinute(l.closed.at), h: l.limitHours })
              : t("tracing.loop.closedLate", { at: formatMinute(l.closed.at), h: l.limitHours })}
          </Typography.Text>
        ) : (
          <Typography.Text type="secondary">{t("tracing.loop.notClosed")}</Typography.Text>
        )}
      </Space>
    </Card>
  );
}

/** One case: the investigation's running clocks, its itinerary and exposures, its contacts' loops. */
export function TracingCasePage() {
  const { id = "" } = useParams();
  const { t, i18n } = useTranslation();
  const { can } = useMe();
  const now = useSecondNow();
  const [reclassifying, setReclassifying] = useState(false);
  const [classifying, setClassifying] = useState(false);
  const [classified, setClassified] = useState<ClassifyResult | null>(null);
  const [classifyError, setClassifyError] = useState<unknown>(null);
  const detail = useApiData(`case:${id}:${i18n.language}`, () => tracingApi.detail(id));
  const exposures = useApiData(`exposures:${id}:${i18n.language}`, () => tracingApi.exposures(id));
  const assistSent = useApiData(`assist-sent:${id}`, () =>
    unwrap(api.GET("/api/tracing/cases/{id}/assist-requests", { params: { path: { id } } })),
  );
  const investigate = can("tracing.investigate");
  const reload = () => {
    detail.reload();
    exposures.reload();
    assistSent.reload();
  };

  if (detail.error && !detail.data)
    return <Alert type="error" showIcon message={errorText(t, detail.error)} />;
  const d = detail.data;
  if (!d) return <Card loading />;
  const c = d.case;

  const classify = async () => {
    setClassifying(true);
    setClassifyError(null);
    try {
      setClassified(await tracingApi.classify(c.id));
      reload();
    } catch (e) {
      setClassifyError(e);
    } finally {
      setClassifying(false);
    }
  };

  return (
    <Space direction="vertical" size="middle" style={{ width: "100%" }} data-testid="tracing-case-page">
      <Space style={{ width: "100%", justifyContent: "space-between" }} wrap>
        <Space wrap>
          <Link to="/tracing">{t("tracing.back")}</Link>
          <Typography.Title level={4} style={{ margin: 0 }} data-testid="case-name">
            {c.personName}
          </Typography.Title>
          <Tag
            color={c.classification === "suspected" ? "gold" : "red"}
            data-testid="case-classification-tag"
            data-classification={c.classification}
          >
            {pick(CASE_CLASSIFICATION_LABELS[c.classification], i18n.language)}
          </Tag>
          <Tag>{t(`tracing.status.${c.status}`)}</Tag>
          <Link to={`/tracing/chains?case=${c.id}`} data-testid="case-chain-link">
            {t("tracingChains.viewChain")}
          </Link>
        </Space>
        {investigate && (
          <Button data-testid="reclassify" onClick={() => setReclassifying(true)}>
            {t("tracing.reclassify.title")}
          </Button>
        )}
      </Space>
      <Card size="small" title={t("tracing.case.title")}>
        <Descriptions size="small" column={{ xs: 1, md: 3 }} data-testid="case-facts">
          <Descriptions.Item label={t("tracing.case.foundBy")}>
            {pick(FOUND_BY_LABELS[c.foundBy], i18n.language)}
          </Descriptions.Item>
          <Descriptions.Item label={t("tracing.case.source")}>
            {pick(CASE_SOURCE_LABELS[c.source], i18n.language)}
            {c.linkedCaseId && (
              <Link to={`/tracing/cases/${c.linkedCaseId}`} style={{ marginLeft: 8 }}>
                {t("tracing.case.linkedCase")}
              </Link>
            )}
          </Descriptions.Item>
          <Descriptions.Item label={t("tracing.case.barcode")}>{c.barcode ?? "—"}</Descriptions.Item>
          <Descriptions.Item label={t("tracing.case.onsetDate")}>{c.onsetDate ?? "—"}</Descriptions.Item>
          <Descriptions.Item label={t("tracing.case.samplingDate")}>
            {c.samplingDate ?? "—"}
          </Descriptions.Item>
          <Descriptions.Item label={t("tracing.case.lastNegative")}>
            {c.lastNegativeSamplingDate ?? "—"}
          </Descriptions.Item>
          <Descriptions.Item label={t("tracing.case.reportedAt")}>
            {formatMinute(c.reportedAt)}
          </Descriptions.Item>
          <Descriptions.Item label={t("tracing.case.confirmedAt")}>
            {formatMinute(c.confirmedAt)}
          </Descriptions.Item>
          <Descriptions.Item label={t("tracing.case.isolatedAt")}>
            {formatMinute(c.isolatedAt)}
          </Descriptions.Item>
          <Descriptions.Item label={t("tracing.case.policy")} span={3}>
            {pick(d.policy.basis, i18n.language)}
          </Descriptions.Item>
        </Descriptions>
        {d.asContact.length > 0 && (
          <Alert
            type="info"
            showIcon
            message={d.asContact.map((a) => (
              <Link key={a.caseId} to={`/tracing/cases/${a.caseId}`} style={{ marginRight: 12 }}>
                {t("tracing.case.wasContact", {
                  kind: t(`tracing.kinds.${a.kind}`, { defaultValue: a.kind }),
                })}
              </Link>
            ))}
          />
        )}
      </Card>
      <Milestones detail={d} now={now} canRecord={investigate} onRecorded={reload} />
      <Card size="small" title={t("tracing.window.title")} data-testid="look-back">
        {d.window ? (
          <Space direction="vertical" size={0}>
            <Typography.Text data-testid="look-back-start" data-date={d.window.startDate}>
              {t("tracing.window.range", {
                start: formatMinute(d.window.start),
                end: formatMinute(d.window.end),
              })}
            </Typography.Text>
            <Typography.Text type="secondary">{pick(d.window.explanation, i18n.language)}</Typography.Text>
          </Space>
        ) : (
          <Typography.Text type="secondary">{t("tracing.window.none")}</Typography.Text>
        )}
      </Card>
      <Card size="small" title={t("tracing.itinerary.title")} data-testid="itinerary">
        <Itinerary items={exposures.data?.items ?? []} caseName={c.personName} />
        <Stays caseId={c.id} canAct={investigate} />
      </Card>
      <CoPresenceCard caseId={c.id} canAct={investigate} />
      {investigate && (
        <Card size="small" title={t("tracing.exposure.title")}>
          <ExposureForm detail={d} onRecorded={reload} />
        </Card>
      )}
      <Card
        size="small"
        title={t("tracing.contacts.title")}
        data-testid="contacts"
        extra={
          investigate && (
            <Button
              type="primary"
              data-testid="classify"
              loading={classifying}
              onClick={() => void classify()}
            >
              {t("tracing.contacts.classify")}
            </Button>
          )
        }
      >
        {classified && (
          <Alert
            type="info"
            showIcon
            style={{ marginBottom: 12 }}
            data-testid="classify-result"
            message={t("tracing.contacts.counts", classified.counts)}
            description={
              classified.refused.length + classified.notCounted.length > 0 ? (
                <ul style={{ margin: 0, paddingLeft: 18 }}>
                  {classified.refused.flatMap((r) =>
                    r.errors.map((e) => (
                      <li key={`${r.exposureId}:${e.code}`} data-testid="classify-refused" data-code={e.code}>
                        {pick(e.message, i18n.language)}
                      </li>
                    )),
                  )}
                  {classified.notCounted.map((n) => (
                    <li key={`${n.personId}:${n.viaPersonId}`}>{pick(n.why, i18n.language)}</li>
                  ))}
                </ul>
              ) : undefined
            }
          />
        )}
        {classifyError !== null && <Refusal error={classifyError} testId="classify-refusal" />}
        <Contacts
          detail={d}
          now={now}
          canAct={investigate}
          onChanged={reload}
          forwarded={
            new Map(
              (assistSent.data?.items ?? []).map((f) => [
                f.contactId,
                { code: f.regionCode, name: f.regionName },
              ]),
            )
          }
        />
      </Card>
      <LoopSummaryCard detail={d} />
      <ReclassifyDialog
        detail={d}
        open={reclassifying}
        onClose={() => setReclassifying(false)}
        onDone={() => {
          setReclassifying(false);
          reload();
        }}
      />
    </Space>
  );
}
