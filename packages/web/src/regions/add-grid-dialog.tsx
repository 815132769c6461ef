import { App, Form, Input, Modal } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api, unwrap } from "../api/client.ts";
import { applyServerErrors } from "../api/errors.ts";

/** Draws a new grid inside a community; the server gives it the next free code. */
export function AddGridDialog({
  communityCode,
  open,
  onClose,
  onCreated,
}: {
  communityCode: string;
  open: boolean;
  onClose: () => void;
  onCreated: () => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ name: string }>();
  const [busy, setBusy] = useState(false);

  const submit = async () => {
    const v = await form.validateFields();
    setBusy(true);
    try {
      const grid = await unwrap(
        api.POST("/api/regions/{code}/grids", {
          params: { path: { code: communityCode } },
          body: { name: v.name },
        }),
      );
      message.success(t("regions.gridCreated", { name: grid.name }));
      form.resetFields();
      onCreated();
      onClose();
    } catch (e) {
      const rest = applyServerErrors(form, ["name"], t, e);
      if (rest) message.error(rest);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open={open}
      title={t("regions.addGrid")}
      okText={t("common.save")}
      cancelText={t("common.cancel")}
      confirmLoading={busy}
      onOk={submit}
      onCancel={onClose}
      data-testid="grid-dialog"
    >
      <Form form={form} layout="vertical" requiredMark={false}>
        <Form.Item
          name="name"
          label={t("regions.gridName")}
          rules={[{ required: true, whitespace: true, message: t("regions.gridNameRequired") }]}
          data-testid="field-grid-name"
        >
          <Input maxLength={50} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
