import {
  Alert,
  App,
  Button,
  Card,
  Col,
  Form,
  Input,
  InputNumber,
  Row,
  Select,
  Space,
  Table,
  Typography,
} from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useMe } from "../accounts/session.tsx";
import { api, unwrap } from "../api/client.ts";
import { applyServerErrors } from "../api/errors.ts";
import type { components } from "../api/schema.d.ts";
import { useApiData } from "../api/use-api-data.ts";
import { PageError } from "../shell/page-states.tsx";
import {
  beijingTime,
  type CodeColour,
  type CodeOverride,
  COLOUR_HEX,
  ColourTag,
  ReasonList,
} from "./code-bits.tsx";
import { OverrideActions } from "./override-actions.tsx";
import { OverrideStatusTag } from "./overrides-page.tsx";

type CodeChange = components["schemas"]["CodeChange"];

const REQUESTABLE: readonly CodeColour[] = ["green", "yellow", "red"];
const SOURCES = [
  "nat_lab_results",
  "nat_recalls",
  "tracing_cases",
  "tracing_contacts",
  "quarantine_placements",
  "area_designations",
  "persons",
  "health_code_overrides",
  "co_presence_contacts",
] as const;
type Source = (typeof SOURCES)[number];
const isSource = (s: string): s is Source => (SOURCES as readonly string[]).includes(s);

interface RequestValues {
  colour?: CodeColour;
  reason?: string;
  hours?: number;
}

/** What made the colour change: first computation, a change of state (which), a recheck in time. */
function useCause(): (cause: string) => string {
  const { t } = useTranslation();
  return (cause) => {
    if (cause === "first") return t("codes.causes.first");
    if (cause === "recheck") return t("codes.causes.recheck");
    if (cause.startsWith("signal:")) {
      const what = cause
        .slice("signal:".length)
        .split(",")
        .map((s) => (isSource(s) ? t(`codes.sources.${s}`) : s))
        .join("、");
      return t("codes.causes.signal", { what });
    }
    return cause;
  };
}

/**
 * A person's health code on their record, for staff: the colour and every reason, the history of
 * changes (from → to, when, why), the overrides, and — for users with codes.override — a request for
 * a colour by hand (a written reason and hours; a second user approves it on the overrides report or here).
 */
export function PersonCodeCard({ personId, personName }: { personId: string; personName: string }) {
  const { t } = useTranslation();
  const { can } = useMe();
  const { message } = App.useApp();
  const cause = useCause();
  const [form] = Form.useForm<RequestValues>();
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const { data, error, reload } = useApiData(`person-code:${personId}`, () =>
    unwrap(api.GET("/api/people/{id}/code", { params: { path: { id: personId } } })),
  );

  const request = async (v: RequestValues) => {
    setBusy(true);
    setFailure(null);
    try {
      await unwrap(
        api.POST("/api/people/{id}/code/overrides", {
          params: { path: { id: personId } },
          body: { colour: v.colour ?? "", reason: v.reason ?? "", hours: v.hours ?? 0 },
        }),
      );
      message.success(t("codes.person.requested"));
      form.resetFields();
      reload();
    } catch (e) {
      setFailure(applyServerErrors(form, ["colour", "reason", "hours"], t, e));
    } finally {
      setBusy(false);
    }
  };

  if (error) return <PageError error={error} onRetry={reload} />;
  if (!data) return <Card title={t("codes.person.title")} loading size="small" />;
  const style = COLOUR_HEX[data.colour];

  return (
    <Card
      title={t("codes.person.title")}
      size="small"
      data-testid="person-code"
      data-colour={data.colour}
      extra={
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {t("codes.person.computedAt", { at: beijingTime(data.computedAt) })}
          {data.recheckAt && ` · ${t("codes.person.recheckAt", { at: beijingTime(data.recheckAt) })}`}
        </Typography.Text>
      }
    >
      <Space orientation="vertical" size={12} style={{ width: "100%" }}>
        <Space wrap>
          <span
            data-testid="person-code-colour"
            style={{ ...style, borderRadius: 6, padding: "4px 14px", fontSize: 18, fontWeight: 700 }}
          >
            {t(`codes.colours.${data.colour}`)}
          </span>
          <Typography.Text>{t("codes.person.since", { at: beijingTime(data.since) })}</Typography.Text>
        </Space>
        <div>
          <Typography.Text strong>{t("codes.person.reasons")}</Typography.Text>
          <ReasonList reasons={data.reasons} />
        </div>
        <div>
          <Typography.Text strong>{t("codes.person.history")}</Typography.Text>
          <Table<CodeChange>
            rowKey="id"
            size="small"
            pagination={{ pageSize: 10, hideOnSinglePage: true }}
            scroll={{ x: "max-content" }}
            dataSource={data.history}
            locale={{ emptyText: t("codes.person.historyEmpty") }}
            onRow={(c) =>
              ({
                "data-testid": "code-change",
                "data-from": c.fromColour ?? "",
                "data-to": c.toColour,
              }) as object
            }
            columns={[
              { title: t("codes.person.at"), dataIndex: "at", render: (v: string) => beijingTime(v) },
              {
                title: t("codes.person.change"),
                key: "change",
                render: (_: unknown, c) => (
                  <Space size={2}>
                    {c.fromColour ? <ColourTag colour={c.fromColour} /> : t("common.none")}→
                    <ColourTag colour={c.toColour} />
                  </Space>
                ),
              },
              { title: t("codes.person.cause"), dataIndex: "cause", render: (v: string) => cause(v) },
              {
                title: t("codes.person.pack"),
                dataIndex: "packId",
                render: (v: string | null) => v ?? t("common.none"),
              },
            ]}
          />
        </div>
        <div>
          <Typography.Text strong>{t("codes.person.overrides")}</Typography.Text>
          <Table<CodeOverride>
            rowKey="id"
            size="small"
            pagination={false}
            scroll={{ x: "max-content" }}
            dataSource={data.overrides}
            locale={{ emptyText: t("codes.person.overridesEmpty") }}
            onRow={(o) =>
              ({ "data-testid": "person-override", "data-id": o.id, "data-status": o.status }) as object
            }
            columns={[
              {
                title: t("codes.overrides.colour"),
                dataIndex: "colour",
                render: (_: unknown, o) => <ColourTag colour={o.colour} />,
              },
              { title: t("codes.overrides.reason"), dataIndex: "reason" },
              {
                title: t("codes.overrides.hours"),
                dataIndex: "hours",
                render: (n: number) => t("codes.overrides.hoursValue", { n }),
              },
              {
                title: t("codes.overrides.status"),
                dataIndex: "status",
                render: (_: unknown, o) => <OverrideStatusTag status={o.status} />,
              },
              {
                title: t("codes.overrides.requester"),
                key: "requester",
                render: (_: unknown, o) =>
                  `${o.requestedByName ?? o.requestedBy} · ${beijingTime(o.requestedAt)}`,
              },
              {
                title: t("codes.overrides.approver"),
                key: "approver",
                render: (_: unknown, o) =>
                  o.decidedBy
                    ? `${o.decidedByName ?? o.decidedBy} · ${o.decidedAt ? beijingTime(o.decidedAt) : ""}`
                    : t("common.none"),
              },
              {
                title: t("codes.overrides.expires"),
                dataIndex: "expiresAt",
                render: (v: string | null) => (v ? beijingTime(v) : t("common.none")),
              },
              ...(can("codes.override")
                ? [
                    {
                      title: t("common.actions"),
                      key: "actions",
                      render: (_: unknown, o: CodeOverride) => (
                        <OverrideActions
                          override={o}
                          personName={personName}
                          inForce={
                            o.status === "approved" && !!o.expiresAt && Date.parse(o.expiresAt) > Date.now()
                          }
                          onChanged={reload}
                        />
                      ),
                    },
                  ]
                : []),
            ]}
          />
        </div>
        {can("codes.override") && (
          <Card size="small" type="inner" title={t("codes.person.request")} data-testid="override-request">
            <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
              {t("codes.person.requestLead")}
            </Typography.Paragraph>
            <Form<RequestValues>
              form={form}
              layout="vertical"
              onFinish={request}
              initialValues={{ hours: 24 }}
            >
              <Row gutter={12}>
                <Col xs={24} sm={12}>
                  <Form.Item
                    name="colour"
                    label={t("codes.person.colour")}
                    rules={[{ required: true, message: t("codes.person.required") }]}
                  >
                    <Select
                      data-testid="override-colour"
                      options={REQUESTABLE.map((c) => ({
                        value: c,
                        label: <span data-testid={`override-colour-${c}`}>{t(`codes.colours.${c}`)}</span>,
                      }))}
                    />
                  </Form.Item>
                </Col>
                <Col xs={24} sm={12}>
                  <Form.Item
                    name="hours"
                    label={t("codes.person.hours")}
                    rules={[{ required: true, message: t("codes.person.required") }]}
                  >
                    <InputNumber
                      min={1}
                      precision={0}
                      style={{ width: "100%" }}
                      data-testid="override-hours"
                    />
                  </Form.Item>
                </Col>
              </Row>
              <Form.Item
                name="reason"
                label={t("codes.person.reason")}
                rules={[{ required: true, whitespace: true, message: t("codes.person.required") }]}
              >
                <Input.TextArea
                  rows={2}
                  maxLength={2000}
                  placeholder={t("codes.person.reasonPlaceholder")}
                  data-testid="override-reason-input"
                />
              </Form.Item>
              {failure && (
                <Alert
                  type="error"
                  showIcon
                  title={failure}
                  style={{ marginBottom: 12 }}
                  data-testid="override-request-error"
                />
              )}
              <Button type="primary" htmlType="submit" loading={busy} data-testid="override-submit">
                {t("codes.person.submit")}
              </Button>
            </Form>
          </Card>
        )}
      </Space>
    </Card>
  );
}
