import { Alert, App, Button, Form, Input, Modal, Space, Typography } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ApiError, api, unwrap } from "../api/client.ts";
import { errorText } from "../api/errors.ts";
import type { CodeOverride } from "./code-bits.tsx";

type Action = "approve" | "reject" | "revoke" | "withdraw";

const TITLES = {
  approve: "codes.overrides.approveTitle",
  reject: "codes.overrides.rejectTitle",
  revoke: "codes.overrides.revokeTitle",
  withdraw: "codes.overrides.withdrawTitle",
} as const;
const DONE = {
  approve: "codes.overrides.approved",
  reject: "codes.overrides.rejected",
  revoke: "codes.overrides.revoked",
  withdraw: "codes.overrides.withdrawn",
} as const;

/**
 * What a user with codes.override can do with one override: approve or reject a pending request (the
 * server refuses the requester's own approval), withdraw it, or revoke one in force — each in a dialog
 * that asks for the note or reason and shows the server's refusal in its words.
 */
export function OverrideActions({
  override: o,
  personName,
  inForce,
  onChanged,
}: {
  override: CodeOverride;
  personName: string;
  inForce: boolean;
  onChanged: () => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [action, setAction] = useState<Action | null>(null);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<{ code: string; text: string } | null>(null);
  const [form] = Form.useForm<{ text?: string }>();

  const open = (a: Action) => {
    form.resetFields();
    setFailure(null);
    setAction(a);
  };

  const submit = async ({ text }: { text?: string }) => {
    if (!action) return;
    setBusy(true);
    setFailure(null);
    try {
      const path = { id: o.id };
      if (action === "approve" || action === "reject") {
        await unwrap(
          api.POST("/api/codes/overrides/{id}/decision", {
            params: { path },
            body: { approve: action === "approve", note: text?.trim() || null },
          }),
        );
      } else {
        await unwrap(
          api.POST("/api/codes/overrides/{id}/revoke", { params: { path }, body: { reason: text ?? "" } }),
        );
      }
      message.success(t(DONE[action]));
      setAction(null);
      onChanged();
    } catch (e) {
      setFailure({ code: e instanceof ApiError ? e.code : "unexpected", text: errorText(t, e) });
    } finally {
      setBusy(false);
    }
  };

  const needsText = action !== "approve";
  const label =
    action === "approve"
      ? t("codes.overrides.noteOptional")
      : action === "reject"
        ? t("codes.overrides.noteRequired")
        : t("codes.overrides.revokeReasonLabel");

  return (
    <>
      <Space size={4} wrap>
        {o.status === "pending" && (
          <>
            <Button
              size="small"
              type="primary"
              data-testid="override-approve"
              onClick={() => open("approve")}
            >
              {t("codes.overrides.approve")}
            </Button>
            <Button size="small" danger data-testid="override-reject" onClick={() => open("reject")}>
              {t("codes.overrides.reject")}
            </Button>
            <Button size="small" data-testid="override-withdraw" onClick={() => open("withdraw")}>
              {t("codes.overrides.withdraw")}
            </Button>
          </>
        )}
        {o.status === "approved" && inForce && (
          <Button size="small" danger data-testid="override-revoke" onClick={() => open("revoke")}>
            {t("codes.overrides.revoke")}
          </Button>
        )}
      </Space>
      <Modal
        open={action !== null}
        title={action ? t(TITLES[action]) : ""}
        onCancel={() => setAction(null)}
        onOk={() => form.submit()}
        okText={action ? t(`codes.overrides.${action}`) : ""}
        okButtonProps={{ danger: action !== "approve", "data-testid": "override-confirm" }}
        cancelText={t("common.cancel")}
        confirmLoading={busy}
        destroyOnHidden
      >
        <Typography.Paragraph data-testid="override-summary">
          {t("codes.overrides.summary", {
            name: personName,
            colour: t(`codes.colours.${o.colour}`),
            hours: o.hours,
          })}
          <br />
          <Typography.Text type="secondary">{o.reason}</Typography.Text>
        </Typography.Paragraph>
        <Form form={form} layout="vertical" onFinish={submit}>
          <Form.Item
            name="text"
            label={label}
            rules={
              needsText ? [{ required: true, whitespace: true, message: t("codes.person.required") }] : []
            }
          >
            <Input.TextArea rows={2} maxLength={2000} data-testid="override-text" />
          </Form.Item>
        </Form>
        {failure && (
          <Alert
            type="error"
            showIcon
            data-testid="override-error"
            data-code={failure.code}
            title={failure.text}
          />
        )}
      </Modal>
    </>
  );
}
