import { Alert, App, Button, Form, Input, Modal, Select, Switch } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api, unwrap } from "../api/client.ts";
import { applyServerErrors } from "../api/errors.ts";
import type { User } from "../api/types.ts";
import { ROLES, type Role } from "../i18n/labels.ts";
import { RegionPicker } from "../regions/region-picker.tsx";

interface UserFormValues {
  username: string;
  displayName: string;
  role: Role;
  jurisdictionCode?: string;
  password?: string;
  disabled?: boolean;
}

const FIELDS = ["username", "displayName", "role", "jurisdictionCode", "password", "disabled"] as const;

/** Creates a user (POST) or changes one (PATCH only what changed): role, jurisdiction, disable, unlock, password. */
export function UserFormDialog({
  user,
  onClose,
  onSaved,
}: {
  user: User | null;
  onClose: () => void;
  onSaved: () => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<UserFormValues>();
  const [busy, setBusy] = useState(false);
  const required = { required: true, message: t("users.required") };

  const save = async (extra: { unlock?: boolean } = {}) => {
    const v = await form.validateFields();
    setBusy(true);
    try {
      if (!user) {
        await unwrap(
          api.POST("/api/users", {
            body: {
              username: v.username.trim(),
              displayName: v.displayName.trim(),
              role: v.role,
              jurisdictionCode: v.jurisdictionCode ?? "",
              password: v.password ?? "",
            },
          }),
        );
        message.success(t("users.created"));
      } else {
        const body: {
          displayName?: string;
          role?: Role;
          jurisdictionCode?: string;
          disabled?: boolean;
          password?: string;
          unlock?: boolean;
        } = { ...extra };
        if (v.displayName.trim() !== user.displayName) body.displayName = v.displayName.trim();
        if (v.role !== user.role) body.role = v.role;
        if (v.jurisdictionCode && v.jurisdictionCode !== user.jurisdictionCode)
          body.jurisdictionCode = v.jurisdictionCode;
        if ((v.disabled ?? false) !== user.disabled) body.disabled = v.disabled ?? false;
        if (v.password) body.password = v.password;
        await unwrap(api.PATCH("/api/users/{id}", { params: { path: { id: user.id } }, body }));
        message.success(t("common.saved"));
      }
      onSaved();
    } catch (e) {
      const rest = applyServerErrors(form, FIELDS, t, e);
      if (rest) message.error(rest);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open
      title={user ? t("users.editTitle", { username: user.username }) : t("users.create")}
      okText={t("common.save")}
      cancelText={t("common.cancel")}
      confirmLoading={busy}
      onOk={() => save()}
      onCancel={onClose}
      data-testid="user-dialog"
    >
      {user?.locked && (
        <Alert
          type="warning"
          showIcon
          title={t("users.unlockHint")}
          style={{ marginBottom: 16 }}
          action={
            <Button
              size="small"
              onClick={() => save({ unlock: true })}
              loading={busy}
              data-testid="user-unlock"
            >
              {t("users.unlock")}
            </Button>
          }
        />
      )}
      <Form<UserFormValues>
        form={form}
        layout="vertical"
        requiredMark={false}
        initialValues={
          user
            ? {
                username: user.username,
                displayName: user.displayName,
                role: user.role,
                jurisdictionCode: user.jurisdictionCode,
                disabled: user.disabled,
              }
            : { role: "grid_worker" }
        }
      >
        <Form.Item
          name="username"
          label={t("users.username")}
          rules={[required]}
          data-testid="field-username"
        >
          <Input disabled={user !== null} autoComplete="off" maxLength={32} />
        </Form.Item>
        <Form.Item
          name="displayName"
          label={t("users.displayName")}
          rules={[required]}
          data-testid="field-displayName"
        >
          <Input maxLength={50} />
        </Form.Item>
        <Form.Item name="role" label={t("users.role")} rules={[required]} data-testid="field-role">
          <Select<Role> options={ROLES.map((r) => ({ value: r, label: t(`roles.${r}`) }))} />
        </Form.Item>
        <Form.Item
          name="jurisdictionCode"
          label={t("users.jurisdiction")}
          rules={[required]}
          data-testid="field-jurisdictionCode"
        >
          <RegionPicker data-testid="user-jurisdiction" />
        </Form.Item>
        <Form.Item
          name="password"
          label={user ? t("users.resetPassword") : t("users.password")}
          rules={user ? [] : [required]}
          extra={user ? t("users.resetPasswordHint") : undefined}
          data-testid="field-password"
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        {user && (
          <Form.Item
            name="disabled"
            label={t("users.disable")}
            valuePropName="checked"
            data-testid="field-disabled"
          >
            <Switch />
          </Form.Item>
        )}
      </Form>
    </Modal>
  );
}
