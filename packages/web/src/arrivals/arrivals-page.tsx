import { PlusOutlined } from "@ant-design/icons";
import { nextStep, type ControlStep } from "@cordon/domain/arrivals/control-task";
import {
  Alert,
  App,
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
  Timeline,
  Typography,
} from "antd";
import dayjs from "dayjs";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { useMe } from "../accounts/session.tsx";
import { ApiError, api, unwrap } from "../api/client.ts";
import { errorText } from "../api/errors.ts";
import type { components } from "../api/schema.d.ts";
import { useApiData } from "../api/use-api-data.ts";
import { DeadlinesCard } from "../deadlines/deadlines-card.tsx";
import { formatDateTime } from "../i18n/format.ts";
import { MeasuresView, pickText } from "../policies/measures-view.tsx";
import { PageError } from "../shell/page-states.tsx";
import { instantOf, nowLocal } from "../shell/local-time.ts";
import { useNow } from "../shell/use-now.ts";
import { ArrivalCountsCard } from "./arrival-counts-card.tsx";
import { RegisterArrivalDialog } from "./register-arrival-dialog.tsx";
import { STATUS_COLORS } from "./status.ts";

type Task = components["schemas"]["ControlTaskListItem"];
type TaskStatus = Task["status"];
const STATUSES: readonly TaskStatus[] = ["pending", "verify", "transfer", "test", "control", "released"];

/** The control tasks of the jurisdiction, most urgent first, each moved on by its one next step. */
export function ArrivalsPage() {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const { message } = App.useApp();
  const { can } = useMe();
  const canWrite = can("people.write");
  const now = useNow();
  const [onlyOverdue, setOnlyOverdue] = useState(false);
  const [status, setStatus] = useState<TaskStatus | "all">("all");
  const [registering, setRegistering] = useState(false);
  // The step being taken, and the time the form offered when it opened ("now", to the minute).
  const [stepping, setStepping] = useState<{ task: Task; step: ControlStep; offered: string } | null>(null);
  const [stepFailure, setStepFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [refresh, setRefresh] = useState(0);
  const [stepForm] = Form.useForm<{ at?: string }>();
  const { data, error, loading, reload } = useApiData(`arrival-tasks:${onlyOverdue}:${refresh}`, () =>
    unwrap(api.GET("/api/arrivals/tasks", { params: { query: onlyOverdue ? { overdue: "true" } : {} } })),
  );
  const rows = (data?.items ?? []).filter((r) => status === "all" || r.status === status);

  const countdown = (task: Task) => {
    if (task.status === "control" || task.status === "released") return null;
    const ms = dayjs(task.dueAt).valueOf() - now;
    const abs = Math.abs(ms);
    const h = Math.floor(abs / 3_600_000);
    const time =
      h >= 48
        ? t("arrivals.daysHours", { d: Math.floor(h / 24), h: h % 24 })
        : t("arrivals.hoursMinutes", { h, m: Math.floor((abs % 3_600_000) / 60_000) });
    return ms >= 0 ? t("arrivals.remaining", { time }) : t("arrivals.overdueBy", { time });
  };

  const takeStep = async (v: { at?: string }) => {
    if (!stepping) return;
    setBusy(true);
    setStepFailure(null);
    try {
      await unwrap(
        api.POST("/api/arrivals/tasks/{id}/steps", {
          params: { path: { id: stepping.task.id } },
          // Left at the offered "now", the step is taken at this instant (not at the start of the minute,
          // which may be before the task was registered or its previous step taken).
          body: {
            step: stepping.step,
            at: instantOf(v.at ?? stepping.offered, stepping.offered),
            version: stepping.task.version,
          },
        }),
      );
      message.success(t("arrivals.stepDone", { step: t(`arrivals.steps.${stepping.step}`) }));
      setStepping(null);
      setRefresh((n) => n + 1);
    } catch (e) {
      if (e instanceof ApiError && e.status === 409) {
        message.warning(t("arrivals.stale"));
        setStepping(null);
        reload();
      } else setStepFailure(errorText(t, e));
    } finally {
      setBusy(false);
    }
  };

  const columns: TableColumnsType<Task> = [
    {
      title: t("arrivals.person"),
      key: "person",
      render: (_: unknown, r) => (
        <Space direction="vertical" size={0}>
          {can("people.pii") ? (
            <Link to={`/people/${r.personId}`} data-testid="task-person">
              {r.personName}
            </Link>
          ) : (
            <span data-testid="task-person">{r.personName}</span>
          )}
          <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid="task-document">
            {r.documentNumberMasked}
          </Typography.Text>
        </Space>
      ),
    },
    {
      title: t("arrivals.arrivalAt"),
      key: "arrival",
      render: (_: unknown, r) => (
        <Space direction="vertical" size={0}>
          <span>{formatDateTime(r.arrivalAt)}</span>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {r.regionName}
            {r.originRegionName && ` ← ${r.originRegionName}`}
          </Typography.Text>
        </Space>
      ),
    },
    {
      title: t("arrivals.reportedBy"),
      dataIndex: "reportedBy",
      render: (v: Task["reportedBy"]) => (
        <Tag color={v === "citizen" ? "geekblue" : undefined} data-testid="task-reported-by" data-by={v}>
          {t(`arrivals.reporters.${v}`)}
        </Tag>
      ),
    },
    {
      title: t("arrivals.measures"),
      key: "measures",
      width: 300,
      render: (_: unknown, r) =>
        r.decidedMeasures ? (
          <div data-testid="task-measures">
            <MeasuresView measures={r.decidedMeasures} />
            {r.packTitle && (
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {t("arrivals.pack")}: {pickText(r.packTitle, lang)}
              </Typography.Text>
            )}
          </div>
        ) : (
          t("arrivals.noMeasures")
        ),
    },
    {
      title: t("arrivals.status"),
      dataIndex: "status",
      render: (s: TaskStatus) => (
        <Tag color={STATUS_COLORS[s]} data-testid="task-status" data-status={s}>
          {t(`arrivals.statuses.${s}`)}
        </Tag>
      ),
    },
    {
      title: t("arrivals.due"),
      key: "due",
      render: (_: unknown, r) => {
        const left = countdown(r);
        return (
          <Space direction="vertical" size={0} data-testid="task-due" data-overdue={String(r.overdue)}>
            <Typography.Text type={r.overdue ? "danger" : undefined}>
              {formatDateTime(r.dueAt)}
            </Typography.Text>
            {r.overdue && <Tag color="red">{t("arrivals.overdue")}</Tag>}
            {left && (
              <Typography.Text type={r.overdue ? "danger" : "secondary"} style={{ fontSize: 12 }}>
                {left}
              </Typography.Text>
            )}
          </Space>
        );
      },
    },
    ...(canWrite
      ? [
          {
            title: t("arrivals.nextStep"),
            key: "next",
            render: (_: unknown, r: Task) => {
              const step = nextStep(r.status);
              return step ? (
                <Button
                  type="primary"
                  data-testid="task-next-step"
                  data-step={step}
                  onClick={() => {
                    setStepFailure(null);
                    const offered = nowLocal();
                    // The form instance outlives the dialog: give it this opening's "now", not the last one's.
                    stepForm.setFieldsValue({ at: offered });
                    setStepping({ task: r, step, offered });
                  }}
                >
                  {t(`arrivals.steps.${step}`)}
                </Button>
              ) : (
                <Typography.Text type="secondary">{t("arrivals.finished")}</Typography.Text>
              );
            },
          },
        ]
      : []),
  ];

  return (
    <Space direction="vertical" size="middle" style={{ width: "100%" }}>
      <Card
        title={t("arrivals.title")}
        data-testid="arrivals-page"
        extra={
          canWrite && (
            <Button
              type="primary"
              icon={<PlusOutlined />}
              onClick={() => setRegistering(true)}
              data-testid="arrival-register"
            >
              {t("arrivals.register")}
            </Button>
          )
        }
      >
        <Typography.Paragraph type="secondary">{t("arrivals.lead")}</Typography.Paragraph>
        <Space wrap style={{ marginBottom: 16 }}>
          <Checkbox
            checked={onlyOverdue}
            onChange={(e) => setOnlyOverdue(e.target.checked)}
            data-testid="tasks-only-overdue"
          >
            {t("arrivals.onlyOverdue")}
          </Checkbox>
          <Select<TaskStatus | "all">
            value={status}
            onChange={setStatus}
            style={{ width: 160 }}
            data-testid="tasks-status-filter"
            options={[
              { value: "all", label: t("arrivals.allStatuses") },
              ...STATUSES.map((s) => ({ value: s, label: t(`arrivals.statuses.${s}`) })),
            ]}
          />
        </Space>
        {error ? (
          <PageError error={error} onRetry={reload} />
        ) : (
          <Table<Task>
            rowKey="id"
            size="middle"
            loading={loading}
            columns={columns}
            dataSource={rows}
            locale={{ emptyText: t("arrivals.empty") }}
            pagination={{ pageSize: 50, hideOnSinglePage: true }}
            scroll={{ x: 960 }}
            data-testid="tasks-table"
            expandable={{
              expandedRowRender: (r) => (
                <div data-testid="task-history">
                  <Typography.Text strong>{t("arrivals.history")}</Typography.Text>
                  {r.route && (
                    <Typography.Paragraph type="secondary" style={{ marginBottom: 8 }}>
                      {t("arrivals.route")}: {r.route}
                    </Typography.Paragraph>
                  )}
                  {r.steps.length === 0 ? (
                    <Typography.Paragraph type="secondary">{t("arrivals.noSteps")}</Typography.Paragraph>
                  ) : (
                    <Timeline
                      style={{ marginTop: 12 }}
                      items={r.steps.map((s) => ({
                        children: (
                          <span data-testid="task-history-step" data-step={s.step}>
                            <Tag color={STATUS_COLORS[s.step]}>{t(`arrivals.statuses.${s.step}`)}</Tag>
                            {t("arrivals.stepBy", { at: formatDateTime(s.at), by: s.byName ?? s.by })}
                          </span>
                        ),
                      }))}
                    />
                  )}
                </div>
              ),
            }}
          />
        )}
      </Card>
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={can("deadlines.write") ? 14 : 24}>
          <ArrivalCountsCard refresh={refresh} />
        </Col>
        {can("deadlines.write") && (
          <Col xs={24} lg={10}>
            <DeadlinesCard />
          </Col>
        )}
      </Row>
      <Modal
        open={stepping !== null}
        title={
          stepping &&
          t("arrivals.stepTitle", {
            step: t(`arrivals.steps.${stepping.step}`),
            name: stepping.task.personName,
          })
        }
        onCancel={() => setStepping(null)}
        onOk={() => stepForm.submit()}
        okText={stepping ? t(`arrivals.steps.${stepping.step}`) : undefined}
        okButtonProps={{ "data-testid": "step-confirm" }}
        cancelText={t("common.cancel")}
        confirmLoading={busy}
        destroyOnHidden
      >
        <Form form={stepForm} layout="vertical" onFinish={takeStep} initialValues={{ at: stepping?.offered }}>
          <Form.Item
            name="at"
            label={t("arrivals.stepAt")}
            rules={[{ required: true, message: t("arrivals.stepRequired") }]}
          >
            <Input type="datetime-local" data-testid="step-at" />
          </Form.Item>
        </Form>
        {stepFailure && <Alert type="error" showIcon message={stepFailure} data-testid="step-error" />}
      </Modal>
      <RegisterArrivalDialog
        open={registering}
        onClose={() => setRegistering(false)}
        onRegistered={(withTask) => {
          setRegistering(false);
          message.success(withTask ? t("arrivals.registered") : t("arrivals.registeredNoTask"));
          setRefresh((n) => n + 1);
        }}
      />
    </Space>
  );
}
