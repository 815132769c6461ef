import { PHASE_LABELS } from "@cordon/domain/quarantine/schedule";
import { FEVER_THRESHOLD_C, SYMPTOMS, type Symptom } from "@cordon/domain/quarantine/monitoring";
import {
  Alert,
  App,
  Button,
  Card,
  Col,
  Descriptions,
  Form,
  Input,
  InputNumber,
  List,
  Modal,
  Row,
  Select,
  Space,
  Table,
  Tag,
  Timeline,
  Typography,
} from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";
import { useMe } from "../accounts/session.tsx";
import { applyServerErrors, errorText } from "../api/errors.ts";
import { useApiData } from "../api/use-api-data.ts";
import { instantOf, localInputOf, nowLocal } from "../shell/local-time.ts";
import { PageError, PageLoading } from "../shell/page-states.tsx";
import {
  type HealthReportRow,
  type Outcome,
  reportsOf,
  type PlacementDetail,
  quarantineApi,
  type SampleKind,
  type TestResultRow,
} from "./quarantine-api.ts";
import { ReportAlerts, SymptomChecks } from "./health-bits.tsx";
import { PlacementEndActions, PlacementEndNote, PreviousPlacementLink } from "./placement-end.tsx";
import { formatMinute, pick, todayLocal } from "./quarantine-bits.tsx";

const SAMPLES: readonly SampleKind[] = ["nasopharyngeal", "oropharyngeal", "unspecified"];
const OUTCOMES: readonly Outcome[] = ["negative", "positive", "pending"];
const OUTCOME_COLORS: Record<Outcome, string> = { negative: "green", positive: "red", pending: "gold" };

type Reload = () => void;

function Header({ p }: { p: PlacementDetail }) {
  const { t, i18n } = useTranslation();
  const loop = p.loop;
  return (
    <Card
      data-testid="placement-page"
      title={
        <Space wrap>
          <Link to="/quarantine">{t("quarantine.title")}</Link>
          <span>/</span>
          <Link to={`/quarantine/sites/${p.site.id}`}>{p.site.name}</Link>
          <span>/</span>
          <span data-testid="placement-person">{p.person.name}</span>
          <Tag
            color={p.status === "placed" ? "blue" : "green"}
            data-testid="placement-status"
            data-status={p.status}
          >
            {t(`quarantine.statuses.${p.status}`)}
          </Tag>
          <PreviousPlacementLink p={p} />
        </Space>
      }
    >
      <Descriptions size="small" column={{ xs: 1, md: 3 }}>
        <Descriptions.Item label={t("quarantine.placement.document")}>
          {p.person.documentNumberMasked}
        </Descriptions.Item>
        <Descriptions.Item label={t("quarantine.placement.room")}>
          <span data-testid="placement-room">{p.room?.number ?? t("common.none")}</span>
        </Descriptions.Item>
        <Descriptions.Item label={t("quarantine.placement.placedAt")}>
          {formatMinute(p.placedAt)}
        </Descriptions.Item>
        <Descriptions.Item label={t("quarantine.placement.plannedEnd")}>
          <span data-testid="placement-planned-end">{p.plannedEnd ?? t("common.none")}</span>
        </Descriptions.Item>
        <Descriptions.Item label={t("quarantine.placement.source")}>
          {p.sourceKind
            ? t(`quarantine.place.sources.${p.sourceKind === "arrival_task" ? "arrival_task" : "manual"}`)
            : t("common.none")}
        </Descriptions.Item>
        <Descriptions.Item label={t("quarantine.placement.pack")}>
          {p.packId ?? t("common.none")}
        </Descriptions.Item>
        <Descriptions.Item label={t("quarantine.placement.loop")} span={3}>
          <Space wrap data-testid="placement-loop">
            {loop.hours !== null
              ? t("quarantine.placement.loopHours", { hours: loop.hours.toFixed(1), limit: loop.limitHours })
              : t("quarantine.placement.loopOpen", {
                  limit: loop.limitHours,
                  at: formatMinute(loop.identifiedAt),
                })}
            {loop.withinLimit !== null && (
              <Tag color={loop.withinLimit ? "green" : "red"}>
                {loop.withinLimit
                  ? t("quarantine.placement.withinLimit")
                  : t("quarantine.placement.overLimit")}
              </Tag>
            )}
          </Space>
        </Descriptions.Item>
      </Descriptions>
      {p.course.notes.length > 0 && (
        <Typography.Paragraph type="secondary" style={{ marginBottom: 0, fontSize: 12 }}>
          {t("quarantine.course.notes")}: {p.course.notes.map((n) => pick(n, i18n.language)).join("；")}
        </Typography.Paragraph>
      )}
    </Card>
  );
}

interface TransferValues {
  vehicle?: string;
  escort?: string;
  pickedUpAt?: string;
  arrivedAt?: string;
}

function TransferCard({
  p,
  canWrite,
  onChanged,
}: {
  p: PlacementDetail;
  canWrite: boolean;
  onChanged: Reload;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<TransferValues>();
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const tr = p.transfer;
  const save = async (v: TransferValues) => {
    setBusy(true);
    setFailure(null);
    try {
      await quarantineApi.transfer(p.id, {
        vehicle: v.vehicle ?? "",
        escort: v.escort ?? "",
        pickedUpAt: instantOf(v.pickedUpAt ?? ""),
        ...(v.arrivedAt ? { arrivedAt: instantOf(v.arrivedAt) } : {}),
      });
      message.success(t("quarantine.transfer.saved"));
      onChanged();
    } catch (e) {
      setFailure(applyServerErrors(form, ["vehicle", "escort", "pickedUpAt", "arrivedAt"], t, e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card title={t("quarantine.transfer.title")} size="small" data-testid="transfer-card">
      {tr ? (
        <Descriptions size="small" column={{ xs: 1, md: 2 }} data-testid="transfer-recorded">
          <Descriptions.Item label={t("quarantine.transfer.vehicle")}>{tr.vehicle}</Descriptions.Item>
          <Descriptions.Item label={t("quarantine.transfer.escort")}>{tr.escort}</Descriptions.Item>
          <Descriptions.Item label={t("quarantine.transfer.pickedUpAt")}>
            {formatMinute(tr.pickedUpAt)}
          </Descriptions.Item>
          <Descriptions.Item label={t("quarantine.transfer.arrivedAt")}>
            {tr.arrivedAt ? formatMinute(tr.arrivedAt) : t("common.none")}
          </Descriptions.Item>
        </Descriptions>
      ) : (
        <Typography.Paragraph type="secondary">{t("quarantine.transfer.none")}</Typography.Paragraph>
      )}
      {canWrite && p.status === "placed" && (
        <Form<TransferValues>
          form={form}
          layout="vertical"
          onFinish={save}
          initialValues={
            tr
              ? {
                  vehicle: tr.vehicle,
                  escort: tr.escort,
                  pickedUpAt: localInputOf(tr.pickedUpAt),
                  arrivedAt: tr.arrivedAt ? localInputOf(tr.arrivedAt) : undefined,
                }
              : { pickedUpAt: nowLocal() }
          }
        >
          <Row gutter={12}>
            <Col xs={24} md={12}>
              <Form.Item
                name="vehicle"
                label={t("quarantine.transfer.vehicle")}
                rules={[{ required: true, message: t("quarantine.required") }]}
              >
                <Input maxLength={200} data-testid="transfer-vehicle" />
              </Form.Item>
            </Col>
            <Col xs={24} md={12}>
              <Form.Item
                name="escort"
                label={t("quarantine.transfer.escort")}
                rules={[{ required: true, message: t("quarantine.required") }]}
              >
                <Input maxLength={200} data-testid="transfer-escort" />
              </Form.Item>
            </Col>
            <Col xs={24} md={12}>
              <Form.Item
                name="pickedUpAt"
                label={t("quarantine.transfer.pickedUpAt")}
                rules={[{ required: true, message: t("quarantine.required") }]}
              >
                <Input type="datetime-local" data-testid="transfer-picked-up" />
              </Form.Item>
            </Col>
            <Col xs={24} md={12}>
              <Form.Item name="arrivedAt" label={t("quarantine.transfer.arrivedAt")}>
                <Input type="datetime-local" data-testid="transfer-arrived" />
              </Form.Item>
            </Col>
          </Row>
          {failure && <Alert type="error" showIcon message={failure} style={{ marginBottom: 12 }} />}
          <Button htmlType="submit" loading={busy} data-testid="transfer-save">
            {t("quarantine.transfer.save")}
          </Button>
        </Form>
      )}
    </Card>
  );
}

function CourseCard({ p }: { p: PlacementDetail }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const today = todayLocal();
  const resultOn = (date: string) => p.results.filter((r) => r.sampledOn === date);
  return (
    <Card title={t("quarantine.course.title")} size="small" data-testid="course-card">
      <Timeline
        items={p.course.phases.map((ph) => ({
          color: ph.start && ph.start <= today && (!ph.end || today <= ph.end) ? "blue" : "gray",
          children: (
            <span data-testid="course-phase" data-phase={ph.kind}>
              <strong>{pick(PHASE_LABELS[ph.kind], lang)}</strong>{" "}
              {ph.days !== null && <Tag>{t("quarantine.course.days", { n: ph.days })}</Tag>}
              {t("quarantine.course.from", {
                start: ph.start ?? t("quarantine.course.noEnd"),
                end: ph.end ?? t("quarantine.course.noEnd"),
              })}
            </span>
          ),
        }))}
      />
      <Typography.Text strong>{t("quarantine.course.tests")}</Typography.Text>
      <Table
        size="small"
        rowKey={(a) => `${a.date}:${a.ruleId}`}
        pagination={false}
        dataSource={p.course.appointments}
        data-testid="course-tests"
        onRow={(a) => ({ "data-date": a.date }) as React.HTMLAttributes<HTMLElement>}
        columns={[
          {
            title: t("quarantine.course.date"),
            dataIndex: "date",
            render: (d: string) => (
              <Space>
                {d}
                {d === today && <Tag color="blue">{t("quarantine.course.today")}</Tag>}
              </Space>
            ),
          },
          {
            title: t("quarantine.course.phase"),
            key: "phase",
            render: (_: unknown, a) =>
              a.phase in PHASE_LABELS
                ? pick(PHASE_LABELS[a.phase as keyof typeof PHASE_LABELS], lang)
                : a.phase,
          },
          {
            title: "",
            key: "day",
            render: (_: unknown, a) => t("quarantine.course.day", { n: a.dayNumber }),
          },
          {
            title: t("quarantine.course.sample"),
            dataIndex: "sample",
            render: (s: string | undefined) =>
              s ? t(`quarantine.samples.${s}`, { defaultValue: s }) : t("common.none"),
          },
          {
            title: t("quarantine.course.result"),
            key: "result",
            render: (_: unknown, a) => {
              if (a.beforePlacement)
                return (
                  <Typography.Text type="secondary">{t("quarantine.course.beforePlacement")}</Typography.Text>
                );
              const rs = resultOn(a.date);
              if (rs.length === 0)
                return (
                  <Typography.Text type={a.date < today ? "danger" : "secondary"}>
                    {t("quarantine.course.noResult")}
                  </Typography.Text>
                );
              return rs.map((r) => (
                <Tag key={r.id} color={OUTCOME_COLORS[r.outcome]}>
                  {t(`quarantine.outcomes.${r.outcome}`)}
                </Tag>
              ));
            },
          },
        ]}
      />
    </Card>
  );
}

interface ResultValues {
  sampledOn?: string;
  sample?: SampleKind;
  outcome?: Outcome;
  labReference?: string;
}

function ResultsCard({
  p,
  canWrite,
  onChanged,
}: {
  p: PlacementDetail;
  canWrite: boolean;
  onChanged: Reload;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<ResultValues>();
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const save = async (v: ResultValues) => {
    setBusy(true);
    setFailure(null);
    try {
      await quarantineApi.result(p.id, {
        sampledOn: v.sampledOn ?? "",
        sample: v.sample ?? "unspecified",
        outcome: v.outcome ?? "pending",
        labReference: v.labReference ?? "",
      });
      message.success(t("quarantine.results.saved"));
      form.setFieldsValue({ labReference: "" });
      onChanged();
    } catch (e) {
      setFailure(applyServerErrors(form, ["sampledOn", "sample", "outcome", "labReference"], t, e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card title={t("quarantine.results.title")} size="small" data-testid="results-card">
      <Table<TestResultRow>
        size="small"
        rowKey="id"
        pagination={false}
        dataSource={[...p.results].sort((a, b) => a.sampledOn.localeCompare(b.sampledOn))}
        locale={{ emptyText: t("quarantine.results.empty") }}
        data-testid="results-table"
        columns={[
          { title: t("quarantine.results.sampledOn"), dataIndex: "sampledOn" },
          {
            title: t("quarantine.results.sample"),
            dataIndex: "sample",
            render: (s: SampleKind) => t(`quarantine.samples.${s}`),
          },
          {
            title: t("quarantine.results.outcome"),
            dataIndex: "outcome",
            render: (o: Outcome) => (
              <Tag color={OUTCOME_COLORS[o]} data-testid="result-outcome" data-outcome={o}>
                {t(`quarantine.outcomes.${o}`)}
              </Tag>
            ),
          },
          { title: t("quarantine.results.labReference"), dataIndex: "labReference" },
        ]}
      />
      {canWrite && p.status === "placed" && (
        <Form<ResultValues>
          form={form}
          layout="vertical"
          onFinish={save}
          style={{ marginTop: 12 }}
          initialValues={{ sampledOn: todayLocal(), sample: "nasopharyngeal", outcome: "negative" }}
        >
          <Row gutter={12}>
            <Col xs={12} md={6}>
              <Form.Item
                name="sampledOn"
                label={t("quarantine.results.sampledOn")}
                rules={[{ required: true, message: t("quarantine.required") }]}
              >
                <Input type="date" data-testid="result-date" />
              </Form.Item>
            </Col>
            <Col xs={12} md={6}>
              <Form.Item name="sample" label={t("quarantine.results.sample")}>
                <Select
                  data-testid="result-sample"
                  options={SAMPLES.map((s) => ({ value: s, label: t(`quarantine.samples.${s}`) }))}
                />
              </Form.Item>
            </Col>
            <Col xs={12} md={6}>
              <Form.Item name="outcome" label={t("quarantine.results.outcome")}>
                <Select
                  data-testid="result-outcome-input"
                  options={OUTCOMES.map((o) => ({ value: o, label: t(`quarantine.outcomes.${o}`) }))}
                />
              </Form.Item>
            </Col>
            <Col xs={12} md={6}>
              <Form.Item
                name="labReference"
                label={t("quarantine.results.labReference")}
                rules={[{ required: true, message: t("quarantine.required") }]}
              >
                <Input maxLength={200} data-testid="result-lab" />
              </Form.Item>
            </Col>
          </Row>
          {failure && (
            <Alert
              type="error"
              showIcon
              message={failure}
              style={{ marginBottom: 12 }}
              data-testid="result-error"
            />
          )}
          <Button htmlType="submit" loading={busy} data-testid="result-save">
            {t("quarantine.results.add")}
          </Button>
        </Form>
      )}
    </Card>
  );
}

interface HealthValues {
  temperatureC?: number;
  symptoms?: Symptom[];
}

function HealthCard({
  p,
  canWrite,
  onChanged,
}: {
  p: PlacementDetail;
  canWrite: boolean;
  onChanged: Reload;
}) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<HealthValues>();
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const save = async (v: HealthValues) => {
    setBusy(true);
    setFailure(null);
    try {
      await quarantineApi.healthReport(p.id, {
        temperatureC: v.temperatureC ?? 0,
        symptoms: v.symptoms ?? [],
      });
      message.success(t("quarantine.health.saved"));
      form.resetFields();
      onChanged();
    } catch (e) {
      setFailure(applyServerErrors(form, ["temperatureC", "symptoms"], t, e));
    } finally {
      setBusy(false);
    }
  };
  const reports = reportsOf(p).sort((a, b) => b.reportedAt.localeCompare(a.reportedAt));
  // The latest report's alerts stay on top, in red, until a later report has none.
  const latest = reports[0];
  const lastAlert = latest?.alerts.length
    ? latest.alerts.map((a) => pick(a.message, i18n.language)).join("；")
    : null;
  return (
    <Card title={t("quarantine.health.title")} size="small" data-testid="health-card">
      {lastAlert && (
        <Alert
          type="error"
          showIcon
          style={{ marginBottom: 12 }}
          data-testid="fever-alert"
          message={t("quarantine.health.fever", { messages: lastAlert })}
        />
      )}
      <Table<HealthReportRow>
        size="small"
        rowKey="id"
        pagination={{ pageSize: 10, hideOnSinglePage: true }}
        dataSource={reports}
        locale={{ emptyText: t("quarantine.health.empty") }}
        data-testid="health-table"
        columns={[
          {
            title: t("quarantine.health.at"),
            dataIndex: "reportedAt",
            render: (v: string) => formatMinute(v),
          },
          {
            title: t("quarantine.health.temperature"),
            dataIndex: "temperatureC",
            render: (v: number) => (
              <Typography.Text
                type={v >= FEVER_THRESHOLD_C ? "danger" : undefined}
                strong={v >= FEVER_THRESHOLD_C}
                data-testid="health-temperature"
              >
                {v.toFixed(1)}
              </Typography.Text>
            ),
          },
          {
            title: t("quarantine.health.symptoms"),
            dataIndex: "symptoms",
            render: (v: string[]) =>
              v.length === 0
                ? t("quarantine.health.noSymptoms")
                : v.map((s) => (s in SYMPTOMS ? pick(SYMPTOMS[s as Symptom], i18n.language) : s)).join("、"),
          },
          {
            title: t("quarantine.health.by"),
            dataIndex: "reportedBy",
            render: (v: "staff" | "self") => t(`quarantine.health.reporters.${v}`),
          },
          {
            title: t("quarantine.health.alert"),
            key: "alerts",
            render: (_: unknown, r) => <ReportAlerts report={r} />,
          },
        ]}
      />
      {canWrite && p.status === "placed" && (
        <Form<HealthValues> form={form} layout="vertical" onFinish={save} style={{ marginTop: 12 }}>
          <Form.Item
            name="temperatureC"
            label={t("quarantine.health.temperature")}
            rules={[{ required: true, message: t("quarantine.required") }]}
          >
            <InputNumber
              min={30}
              max={45}
              step={0.1}
              precision={1}
              style={{ width: 160 }}
              data-testid="health-temperature-input"
            />
          </Form.Item>
          <Form.Item name="symptoms" label={t("quarantine.health.symptoms")}>
            <SymptomChecks />
          </Form.Item>
          {failure && <Alert type="error" showIcon message={failure} style={{ marginBottom: 12 }} />}
          <Button htmlType="submit" loading={busy} data-testid="health-save">
            {t("quarantine.health.add")}
          </Button>
        </Form>
      )}
    </Card>
  );
}

function ReleaseCard({ p, onChanged }: { p: PlacementDetail; onChanged: Reload }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const { message } = App.useApp();
  const { can } = useMe();
  const [busy, setBusy] = useState(false);
  const [early, setEarly] = useState(false);
  const [reason, setReason] = useState("");
  const [failure, setFailure] = useState<string | null>(null);
  const v = p.release;

  const release = async (kind: "on_schedule" | "early") => {
    setBusy(true);
    setFailure(null);
    try {
      await quarantineApi.release(p.id, kind === "early" ? { kind, reason: reason.trim() } : { kind });
      message.success(t("quarantine.release.done"));
      setEarly(false);
      onChanged();
    } catch (e) {
      setFailure(errorText(t, e));
    } finally {
      setBusy(false);
    }
  };

  if (p.status !== "placed") {
    return (
      <Card title={t("quarantine.release.title")} size="small" data-testid="release-card">
        <Space direction="vertical">
          {p.status === "ended" ? (
            <PlacementEndNote p={p} />
          ) : (
            <Typography.Text data-testid="release-done">
              {t("quarantine.release.released", {
                at: p.releasedAt ? formatMinute(p.releasedAt) : t("common.none"),
                kind: p.releaseKind ? t(`quarantine.releaseKinds.${p.releaseKind}`) : t("common.none"),
              })}
              {p.releaseReason ? ` · ${p.releaseReason}` : ""}
            </Typography.Text>
          )}
          {p.certificateId && (
            <Space wrap>
              <Button
                type="primary"
                href={quarantineApi.certificateUrl(p.id)}
                target="_blank"
                rel="noopener"
                data-testid="certificate-link"
              >
                {t("quarantine.release.certificate")}
              </Button>
              <Link to={`/verify/${p.certificateId}`} target="_blank" data-testid="verify-link">
                {t("quarantine.release.verify")}
              </Link>
            </Space>
          )}
        </Space>
      </Card>
    );
  }

  return (
    <Card
      title={t("quarantine.release.title")}
      size="small"
      data-testid="release-card"
      data-verdict={v?.status ?? "none"}
    >
      {v?.status === "releasable" && (
        <Space direction="vertical" style={{ width: "100%" }}>
          <Alert
            type="success"
            showIcon
            message={t("quarantine.release.releasable")}
            data-testid="release-releasable"
          />
          {v.next && (
            <Typography.Text>
              {t("quarantine.release.next", {
                phase:
                  v.next.kind in PHASE_LABELS
                    ? pick(PHASE_LABELS[v.next.kind as keyof typeof PHASE_LABELS], lang)
                    : v.next.kind,
                start: v.next.start ?? t("quarantine.course.noEnd"),
                end: v.next.end ?? t("quarantine.course.noEnd"),
              })}
            </Typography.Text>
          )}
          {can("quarantine.place") && (
            <Button
              type="primary"
              loading={busy}
              onClick={() => void release("on_schedule")}
              data-testid="release-on-schedule"
            >
              {t("quarantine.release.onSchedule")}
            </Button>
          )}
        </Space>
      )}
      {v?.status === "not_yet" && (
        <Space direction="vertical" style={{ width: "100%" }}>
          <Alert type="info" showIcon message={t("quarantine.release.notYet")} />
          <List
            size="small"
            header={<strong>{t("quarantine.release.unmet")}</strong>}
            dataSource={v.unmet}
            data-testid="release-unmet"
            renderItem={(c) => (
              <List.Item data-testid="release-unmet-item" data-code={c.code}>
                <Typography.Text type="danger">{pick(c.message, lang)}</Typography.Text>
              </List.Item>
            )}
          />
          {v.met.length > 0 && (
            <List
              size="small"
              header={<strong>{t("quarantine.release.met")}</strong>}
              dataSource={v.met}
              renderItem={(c) => <List.Item>{pick(c.message, lang)}</List.Item>}
            />
          )}
        </Space>
      )}
      {(v?.status === "positive" || v?.status === "upgrade_to_close_contact") && (
        <Alert
          type="error"
          showIcon
          data-testid="release-blocked"
          message={
            v.status === "positive" ? t("quarantine.release.positive") : t("quarantine.release.upgrade")
          }
          description={pick(v.reason, lang)}
        />
      )}
      {can("quarantine.override") && (
        <Button
          danger
          style={{ marginTop: 12 }}
          onClick={() => setEarly(true)}
          data-testid="release-early-open"
        >
          {t("quarantine.release.early")}
        </Button>
      )}
      <PlacementEndActions p={p} onChanged={onChanged} />
      {failure && !early && (
        <Alert
          type="error"
          showIcon
          message={failure}
          style={{ marginTop: 12 }}
          data-testid="release-error"
        />
      )}
      <Modal
        open={early}
        title={t("quarantine.release.earlyTitle")}
        onCancel={() => setEarly(false)}
        onOk={() => void release("early")}
        okText={t("quarantine.release.confirm")}
        okButtonProps={{
          danger: true,
          disabled: reason.trim() === "",
          "data-testid": "release-early-confirm",
        }}
        cancelText={t("common.cancel")}
        confirmLoading={busy}
        destroyOnHidden
      >
        <Typography.Paragraph>{t("quarantine.release.reason")}</Typography.Paragraph>
        <Input.TextArea
          rows={3}
          maxLength={1000}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          data-testid="release-reason"
        />
        {failure && <Alert type="error" showIcon message={failure} style={{ marginTop: 12 }} />}
      </Modal>
    </Card>
  );
}

/** A person's quarantine: placement, transfer, course, results, temperatures and release, on one page. */
export function PlacementPage() {
  const { id = "" } = useParams();
  const { can } = useMe();
  const canWrite = can("quarantine.place");
  const { data, error, reload } = useApiData(`placement:${id}`, () => quarantineApi.placement(id));
  if (error && !data) return <PageError error={error} onRetry={reload} />;
  if (!data) return <PageLoading />;
  return (
    <Space direction="vertical" size="middle" style={{ width: "100%" }}>
      <Header p={data} />
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={12}>
          <Space direction="vertical" size="middle" style={{ width: "100%" }}>
            <ReleaseCard p={data} onChanged={reload} />
            <CourseCard p={data} />
            <TransferCard p={data} canWrite={canWrite} onChanged={reload} />
          </Space>
        </Col>
        <Col xs={24} xl={12}>
          <Space direction="vertical" size="middle" style={{ width: "100%" }}>
            <HealthCard p={data} canWrite={canWrite} onChanged={reload} />
            <ResultsCard p={data} canWrite={canWrite} onChanged={reload} />
          </Space>
        </Col>
      </Row>
    </Space>
  );
}
