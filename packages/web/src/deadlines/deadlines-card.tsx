import { App, Button, Card, Descriptions, Form, InputNumber, Modal, Select, Space, Typography } from "antd";
import type { TFunction } from "i18next";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useMe } from "../accounts/session.tsx";
import { ApiError, api, unwrap } from "../api/client.ts";
import { errorText } from "../api/errors.ts";
import type { components } from "../api/schema.d.ts";
import { useApiData } from "../api/use-api-data.ts";
import { RegionName } from "../regions/region-name.tsx";
import { PageError } from "../shell/page-states.tsx";

type Rule = components["schemas"]["DeadlineRule"];
type Kind = "arrivalTask" | "assistList";
const KINDS: readonly Kind[] = ["arrivalTask", "assistList"];

type Mode = "inherit" | "hours" | "end_of_day";
type EditValues = Record<`${Kind}Mode`, Mode> & Partial<Record<`${Kind}Hours`, number | null>>;

export function ruleText(t: TFunction, rule: Rule): string {
  return rule.kind === "hours" ? t("deadlines.hoursN", { n: rule.hours }) : t("deadlines.endOfDay");
}

function ruleOf(mode: Mode, hours: number | null | undefined): Rule | null {
  if (mode === "inherit") return null;
  if (mode === "end_of_day") return { kind: "end_of_day" };
  return { kind: "hours", hours: hours ?? 0 };
}

/**
 * The deadlines in force for my jurisdiction (arrival control tasks, assist lists) and the region
 * that set each; an administrator or the command sets this level's own, or lets it follow the one above.
 */
export function DeadlinesCard() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const { me, can } = useMe();
  const region = me.user.jurisdictionCode;
  const [editing, setEditing] = useState(false);
  const [busy, setBusy] = useState(false);
  const [form] = Form.useForm<EditValues>();
  const { data, error, loading, reload } = useApiData(`deadlines:${region}`, () =>
    unwrap(api.GET("/api/deadlines", { params: { query: { regionCode: region } } })),
  );

  const open = () => {
    if (!data) return;
    const values = {} as EditValues;
    for (const k of KINDS) {
      const own = data.own?.[k] ?? null;
      values[`${k}Mode`] = own ? own.kind : "inherit";
      values[`${k}Hours`] = own?.kind === "hours" ? own.hours : 24;
    }
    form.setFieldsValue(values);
    setEditing(true);
  };

  const save = async (v: EditValues) => {
    setBusy(true);
    try {
      await unwrap(
        api.PUT("/api/deadlines/{regionCode}", {
          params: { path: { regionCode: region } },
          body: {
            arrivalTask: ruleOf(v.arrivalTaskMode, v.arrivalTaskHours),
            assistList: ruleOf(v.assistListMode, v.assistListHours),
            version: data?.own?.version ?? 0,
          },
        }),
      );
      message.success(t("deadlines.saved"));
      setEditing(false);
      reload();
    } catch (e) {
      if (e instanceof ApiError && e.status === 409) {
        message.warning(t("deadlines.stale"));
        setEditing(false);
        reload();
        return;
      }
      // The server names the kind ("arrivalTask"); the form shows its reason under that kind's hours.
      if (e instanceof ApiError && e.fields.length > 0)
        form.setFields(
          e.fields.map((f) => ({ name: `${f.field}Hours` as `${Kind}Hours`, errors: [f.message] })),
        );
      else message.error(errorText(t, e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card
      size="small"
      title={t("deadlines.title")}
      loading={loading && !data}
      data-testid="deadlines-card"
      extra={
        can("deadlines.write") && (
          <Button size="small" onClick={open} disabled={!data} data-testid="deadlines-edit">
            {t("deadlines.edit")}
          </Button>
        )
      }
    >
      <Typography.Paragraph type="secondary" style={{ marginBottom: 8 }}>
        {t("deadlines.lead")}
      </Typography.Paragraph>
      {error ? (
        <PageError error={error} onRetry={reload} />
      ) : (
        data && (
          <Descriptions column={1} size="small" bordered>
            {KINDS.map((k) => (
              <Descriptions.Item key={k} label={t(`deadlines.kinds.${k}`)}>
                <Space direction="vertical" size={0} data-testid={`deadline-${k}`}>
                  <Typography.Text strong data-testid={`deadline-${k}-rule`}>
                    {ruleText(t, data.effective[k].rule)}
                  </Typography.Text>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {t("deadlines.setBy")}:{" "}
                    {data.effective[k].setBy ? (
                      <RegionName code={data.effective[k].setBy} />
                    ) : (
                      t("deadlines.systemDefault")
                    )}
                  </Typography.Text>
                </Space>
              </Descriptions.Item>
            ))}
          </Descriptions>
        )
      )}
      <Modal
        open={editing}
        title={t("deadlines.edit")}
        onCancel={() => setEditing(false)}
        onOk={() => form.submit()}
        okText={t("deadlines.save")}
        okButtonProps={{ "data-testid": "deadlines-save" }}
        cancelText={t("common.cancel")}
        confirmLoading={busy}
        forceRender
      >
        <Form form={form} layout="vertical" onFinish={save}>
          {KINDS.map((k) => (
            <Form.Item key={k} label={t(`deadlines.kinds.${k}`)} style={{ marginBottom: 8 }}>
              <Space wrap align="start">
                <Form.Item name={`${k}Mode`} noStyle>
                  <Select<Mode>
                    style={{ width: 200 }}
                    data-testid={`deadline-${k}-mode`}
                    options={[
                      { value: "inherit", label: t("deadlines.inherit") },
                      { value: "hours", label: t("deadlines.hours") },
                      { value: "end_of_day", label: t("deadlines.endOfDay") },
                    ]}
                  />
                </Form.Item>
                <Form.Item noStyle shouldUpdate>
                  {() =>
                    form.getFieldValue(`${k}Mode`) === "hours" && (
                      <Form.Item
                        name={`${k}Hours`}
                        rules={[
                          {
                            required: true,
                            type: "integer",
                            min: 1,
                            max: 168,
                            message: t("deadlines.hoursRequired"),
                          },
                        ]}
                        style={{ marginBottom: 0 }}
                      >
                        <InputNumber
                          min={1}
                          max={168}
                          precision={0}
                          addonAfter={t("deadlines.hoursField")}
                          data-testid={`deadline-${k}-hours`}
                        />
                      </Form.Item>
                    )
                  }
                </Form.Item>
              </Space>
            </Form.Item>
          ))}
        </Form>
      </Modal>
    </Card>
  );
}
