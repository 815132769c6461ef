import {
  CASE_CLASSIFICATION_LABELS,
  CASE_CLASSIFICATIONS,
  CASE_SOURCE_LABELS,
  CASE_SOURCES,
  type CaseClassification,
  type CaseSource,
  FOUND_BY,
  FOUND_BY_LABELS,
  type FoundBy,
} from "@cordon/domain/tracing/cases";
import { MILESTONE_LABELS, MILESTONES } from "@cordon/domain/tracing/investigation";
import {
  Alert,
  Button,
  Card,
  Checkbox,
  Col,
  Form,
  Input,
  Modal,
  Row,
  Select,
  Space,
  Table,
  type TableColumnsType,
  Tag,
  Typography,
} from "antd";
import { type HTMLAttributes, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate } from "react-router";
import { useMe } from "../accounts/session.tsx";
import { applyServerErrors, errorText } from "../api/errors.ts";
import { useApiData } from "../api/use-api-data.ts";
import { instantOf, nowLocal } from "../shell/local-time.ts";
import { type Candidate, type CaseListItem, type Escalation, tracingApi } from "./tracing-api.ts";
import {
  ClockCell,
  formatMinute,
  labelled,
  PersonSelect,
  pick,
  span,
  useSecondNow,
} from "./tracing-bits.tsx";

interface CaseValues {
  personId?: string;
  classification?: CaseClassification;
  foundBy?: FoundBy;
  source?: CaseSource;
  linkedCaseId?: string;
  onsetDate?: string;
  samplingDate?: string;
  confirmedAt?: string;
}

const CASE_FIELDS = [
  "personId",
  "classification",
  "foundBy",
  "source",
  "linkedCaseId",
  "onsetDate",
  "samplingDate",
  "lastNegativeSamplingDate",
  "confirmedAt",
  "reportedAt",
];

const confirmed = (c?: string) => c !== undefined && c !== "suspected";

/**
 * Opens a case: from a positive single tube (the person and sampling come from the testing records) or
 * by hand (a person of the registry). Its investigation opens with the clocks of the policy in force.
 */
function CaseDialog({
  candidate,
  open,
  cases,
  onClose,
  onCreated,
}: {
  candidate: Candidate | null;
  open: boolean;
  cases: CaseListItem[];
  onClose: () => void;
  onCreated: (id: string) => void;
}) {
  const { t, i18n } = useTranslation();
  const [form] = Form.useForm<CaseValues>();
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const [offered] = useState(nowLocal);
  const classification = Form.useWatch("classification", form);
  const source = Form.useWatch("source", form);

  const submit = async (v: CaseValues) => {
    setBusy(true);
    setFailure(null);
    const common = {
      classification: v.classification ?? "confirmed_mild",
      source: v.source ?? "local",
      linkedCaseId: v.source === "linked" ? (v.linkedCaseId ?? null) : null,
      onsetDate: v.onsetDate || null,
      confirmedAt: confirmed(v.classification) && v.confirmedAt ? instantOf(v.confirmedAt, offered) : null,
    };
    try {
      const c = candidate
        ? await tracingApi.fromCandidate(candidate.id, common)
        : await tracingApi.createCase({
            ...common,
            personId: v.personId ?? "",
            foundBy: v.foundBy ?? "screening",
            samplingDate: v.samplingDate || null,
          });
      form.resetFields();
      onCreated(c.id);
    } catch (e) {
      setFailure(applyServerErrors(form, CASE_FIELDS, t, e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open={open}
      title={
        candidate ? t("tracing.open.fromCandidate", { name: candidate.personName }) : t("tracing.open.byHand")
      }
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t("tracing.open.submit")}
      okButtonProps={{ "data-testid": "case-submit" }}
      cancelText={t("common.cancel")}
      confirmLoading={busy}
      width={640}
      destroyOnHidden
    >
      {candidate && (
        <Alert
          type="info"
          showIcon
          style={{ marginBottom: 16 }}
          message={t("tracing.open.candidateNote", {
            barcode: candidate.barcode,
            sampledAt: formatMinute(candidate.sampledAt),
          })}
        />
      )}
      <Form<CaseValues>
        form={form}
        layout="vertical"
        onFinish={submit}
        initialValues={{
          classification: "confirmed_mild",
          source: "local",
          foundBy: "screening",
          confirmedAt: offered,
        }}
      >
        {!candidate && (
          <Form.Item
            name="personId"
            label={t("tracing.open.person")}
            rules={[{ required: true, message: t("tracing.required") }]}
          >
            <PersonSelect testId="case-person" />
          </Form.Item>
        )}
        <Row gutter={16}>
          <Col span={12}>
            <Form.Item name="classification" label={t("tracing.case.classification")}>
              <Select
                data-testid="case-classification"
                options={labelled(CASE_CLASSIFICATIONS, CASE_CLASSIFICATION_LABELS, i18n.language)}
              />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="source" label={t("tracing.case.source")}>
              <Select
                data-testid="case-source"
                options={labelled(CASE_SOURCES, CASE_SOURCE_LABELS, i18n.language)}
              />
            </Form.Item>
          </Col>
        </Row>
        {source === "linked" && (
          <Form.Item name="linkedCaseId" label={t("tracing.case.linkedCase")}>
            <Select
              data-testid="case-linked"
              options={cases.map((s) => ({
                value: s.case.id,
                label: `${s.case.personName} · ${formatMinute(s.case.reportedAt)}`,
              }))}
            />
          </Form.Item>
        )}
        <Row gutter={16}>
          {!candidate && (
            <Col span={12}>
              <Form.Item name="foundBy" label={t("tracing.case.foundBy")}>
                <Select
                  data-testid="case-found-by"
                  options={labelled(FOUND_BY, FOUND_BY_LABELS, i18n.language)}
                />
              </Form.Item>
            </Col>
          )}
          {!candidate && (
            <Col span={12}>
              <Form.Item name="samplingDate" label={t("tracing.case.samplingDate")}>
                <Input type="date" data-testid="case-sampling" />
              </Form.Item>
            </Col>
          )}
          <Col span={12}>
            <Form.Item
              name="onsetDate"
              label={t("tracing.case.onsetDate")}
              extra={t("tracing.open.onsetHint")}
            >
              <Input type="date" data-testid="case-onset" />
            </Form.Item>
          </Col>
          {confirmed(classification) && (
            <Col span={12}>
              <Form.Item name="confirmedAt" label={t("tracing.case.confirmedAt")}>
                <Input type="datetime-local" data-testid="case-confirmed" />
              </Form.Item>
            </Col>
          )}
        </Row>
        {failure && <Alert type="error" showIcon message={failure} data-testid="case-error" />}
      </Form>
    </Modal>
  );
}

function Escalations({ items }: { items: Escalation[] }) {
  const { t, i18n } = useTranslation();
  const columns: TableColumnsType<Escalation> = [
    {
      title: t("tracing.escalations.case"),
      dataIndex: "personName",
      render: (v: string, e) => <Link to={`/tracing/cases/${e.caseId}`}>{v}</Link>,
    },
    {
      title: t("tracing.escalations.what"),
      key: "what",
      render: (_: unknown, e) => pick(e.message, i18n.language),
    },
    { title: t("tracing.escalations.due"), dataIndex: "dueAt", render: (v: string) => formatMinute(v) },
    {
      title: t("tracing.escalations.overdueBy"),
      dataIndex: "overdueByMs",
      render: (v: number) => <Typography.Text type="danger">{span(t, v, false)}</Typography.Text>,
    },
  ];
  return (
    <Table<Escalation>
      size="small"
      data-testid="escalations"
      rowKey={(e) => `${e.caseId}:${e.milestone ?? ""}:${e.contactId ?? ""}`}
      columns={columns}
      dataSource={items}
      pagination={false}
      locale={{ emptyText: t("tracing.escalations.none") }}
      onRow={(e) => ({ "data-testid": "escalation", "data-kind": e.kind }) as HTMLAttributes<HTMLElement>}
    />
  );
}

/** The cases board: positive results waiting, the cases with their running clocks, and what is overdue. */
export function TracingCasesPage() {
  const { t, i18n } = useTranslation();
  const { can } = useMe();
  const navigate = useNavigate();
  const now = useSecondNow();
  const [overdueOnly, setOverdueOnly] = useState(false);
  const [dialog, setDialog] = useState<{ candidate: Candidate | null } | null>(null);
  const investigate = can("tracing.investigate");
  const candidates = useApiData(investigate ? `candidates:${i18n.language}` : null, () =>
    tracingApi.candidates(),
  );
  const cases = useApiData(`cases:${overdueOnly}:${i18n.language}`, () => tracingApi.cases(overdueOnly));
  const escalations = useApiData(`escalations:${i18n.language}`, () => tracingApi.escalations());

  const candidateColumns: TableColumnsType<Candidate> = [
    { title: t("tracing.candidates.name"), dataIndex: "personName" },
    {
      title: t("tracing.candidates.barcode"),
      dataIndex: "barcode",
      render: (v: string) => <Typography.Text code>{v}</Typography.Text>,
    },
    {
      title: t("tracing.candidates.ct"),
      key: "ct",
      render: (_: unknown, k) => `ORF1ab ${k.ct.orf1ab ?? "—"} · N ${k.ct.n ?? "—"}`,
    },
    {
      title: t("tracing.candidates.sampledAt"),
      dataIndex: "sampledAt",
      render: (v: string | null) => formatMinute(v),
    },
    {
      title: t("tracing.candidates.testedAt"),
      dataIndex: "testedAt",
      render: (v: string | null) => formatMinute(v),
    },
    { title: t("tracing.candidates.lab"), dataIndex: "lab", render: (v: string | null) => v ?? "—" },
    {
      title: "",
      key: "open",
      render: (_: unknown, k) => (
        <Button
          type="primary"
          size="small"
          data-testid="candidate-open"
          onClick={() => setDialog({ candidate: k })}
        >
          {t("tracing.candidates.open")}
        </Button>
      ),
    },
  ];

  const caseColumns: TableColumnsType<CaseListItem> = [
    {
      title: t("tracing.case.person"),
      key: "person",
      render: (_: unknown, s) => (
        <Link to={`/tracing/cases/${s.case.id}`} data-testid="case-link" data-id={s.case.id}>
          {s.case.personName}
        </Link>
      ),
    },
    {
      title: t("tracing.case.classification"),
      key: "classification",
      render: (_: unknown, s) => (
        <Tag color={s.case.classification === "suspected" ? "gold" : "red"}>
          {pick(CASE_CLASSIFICATION_LABELS[s.case.classification], i18n.language)}
        </Tag>
      ),
    },
    {
      title: t("tracing.case.reportedAt"),
      key: "reported",
      render: (_: unknown, s) => formatMinute(s.case.reportedAt),
    },
    ...MILESTONES.map((m) => ({
      title: pick(MILESTONE_LABELS[m], i18n.language),
      key: m,
      render: (_: unknown, s: CaseListItem) => {
        const clock = s.clocks.find((k) => k.milestone === m);
        return clock ? <ClockCell clock={clock} now={now} compact /> : "—";
      },
    })),
    {
      title: t("tracing.loop.title"),
      key: "loop",
      render: (_: unknown, s) => (
        <span data-testid="case-loop">
          {t("tracing.loop.contacts", { n: s.loop.contacts })}
          {s.loop.overdue.length > 0 && (
            <Tag color="red" style={{ marginLeft: 8 }}>
              {t("tracing.loop.overdueN", { n: s.loop.overdue.length })}
            </Tag>
          )}
        </span>
      ),
    },
  ];

  const caseList = cases.data?.items ?? [];
  return (
    <Space direction="vertical" size="middle" style={{ width: "100%" }} data-testid="tracing-cases-page">
      <Space style={{ width: "100%", justifyContent: "space-between" }} wrap>
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t("tracing.title")}
        </Typography.Title>
        {investigate && (
          <Button data-testid="case-create" onClick={() => setDialog({ candidate: null })}>
            {t("tracing.open.byHand")}
          </Button>
        )}
      </Space>
      {investigate && (
        <Card title={t("tracing.candidates.title")} size="small" data-testid="candidates">
          {candidates.error && <Alert type="error" showIcon message={errorText(t, candidates.error)} />}
          <Table<Candidate>
            size="small"
            rowKey="id"
            columns={candidateColumns}
            dataSource={candidates.data?.items ?? []}
            loading={candidates.loading}
            pagination={false}
            locale={{ emptyText: t("tracing.candidates.none") }}
            onRow={(k) =>
              ({ "data-testid": "candidate", "data-person": k.personId }) as HTMLAttributes<HTMLElement>
            }
          />
        </Card>
      )}
      <Card
        title={t("tracing.cases.title")}
        size="small"
        extra={
          <Checkbox
            checked={overdueOnly}
            onChange={(e) => setOverdueOnly(e.target.checked)}
            data-testid="cases-overdue"
          >
            {t("tracing.cases.overdueOnly")}
          </Checkbox>
        }
      >
        {cases.error && <Alert type="error" showIcon message={errorText(t, cases.error)} />}
        <Table<CaseListItem>
          size="small"
          rowKey={(s) => s.case.id}
          columns={caseColumns}
          dataSource={caseList}
          loading={cases.loading}
          pagination={false}
          scroll={{ x: true }}
          locale={{ emptyText: t("tracing.cases.none") }}
          onRow={(s) =>
            ({
              "data-testid": "case-row",
              "data-id": s.case.id,
              "data-overdue": String(s.overdue),
              style: s.overdue ? { background: "#fff1f0" } : undefined,
            }) as HTMLAttributes<HTMLElement>
          }
        />
      </Card>
      <Card title={t("tracing.escalations.title")} size="small">
        {escalations.error && <Alert type="error" showIcon message={errorText(t, escalations.error)} />}
        <Escalations items={escalations.data?.items ?? []} />
      </Card>
      <CaseDialog
        open={dialog !== null}
        candidate={dialog?.candidate ?? null}
        cases={caseList}
        onClose={() => setDialog(null)}
        onCreated={(id) => {
          setDialog(null);
          navigate(`/tracing/cases/${id}`);
        }}
      />
    </Space>
  );
}
