import { DeleteOutlined, PlusOutlined } from "@ant-design/icons";
import { App, Button, Card, Form, Input, List, Modal, Popconfirm, Typography } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api, unwrap } from "../api/client.ts";
import { applyServerErrors, errorText } from "../api/errors.ts";
import type { Responsible } from "../api/types.ts";

interface ResponsibleForm {
  name: string;
  title: string;
  phone: string;
}

const FIELDS = ["name", "title", "phone"] as const;

/** Who answers for a region (市包县、县包乡、乡包村、村包户); add and remove with regions.write. */
export function ResponsiblesCard({
  regionCode,
  responsibles,
  canWrite,
  onChanged,
}: {
  regionCode: string;
  responsibles: Responsible[];
  canWrite: boolean;
  onChanged: () => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<ResponsibleForm>();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);

  const add = async () => {
    const v = await form.validateFields();
    setBusy(true);
    try {
      await unwrap(
        api.POST("/api/regions/{code}/responsibles", { params: { path: { code: regionCode } }, body: v }),
      );
      message.success(t("common.saved"));
      setOpen(false);
      form.resetFields();
      onChanged();
    } catch (e) {
      const rest = applyServerErrors(form, FIELDS, t, e);
      if (rest) message.error(rest);
    } finally {
      setBusy(false);
    }
  };

  const remove = async (id: string) => {
    try {
      await unwrap(api.DELETE("/api/responsibles/{id}", { params: { path: { id } } }));
      message.success(t("common.removed"));
      onChanged();
    } catch (e) {
      message.error(errorText(t, e));
    }
  };

  return (
    <Card
      title={t("regions.responsibles")}
      size="small"
      data-testid="responsibles"
      extra={
        canWrite && (
          <Button
            size="small"
            icon={<PlusOutlined />}
            onClick={() => setOpen(true)}
            data-testid="add-responsible"
          >
            {t("common.add")}
          </Button>
        )
      }
    >
      <List
        dataSource={responsibles}
        locale={{ emptyText: t("regions.noResponsibles") }}
        renderItem={(r) => (
          <List.Item
            data-testid={`responsible-${r.id}`}
            actions={
              canWrite
                ? [
                    <Popconfirm
                      key="remove"
                      title={t("common.confirmRemove")}
                      okText={t("common.remove")}
                      cancelText={t("common.cancel")}
                      onConfirm={() => remove(r.id)}
                    >
                      <Button
                        size="small"
                        type="text"
                        danger
                        icon={<DeleteOutlined />}
                        aria-label={t("common.remove")}
                      />
                    </Popconfirm>,
                  ]
                : []
            }
          >
            <List.Item.Meta
              title={
                <span>
                  {r.name} <Typography.Text type="secondary">{r.title}</Typography.Text>
                </span>
              }
              description={r.phone}
            />
          </List.Item>
        )}
      />
      <Modal
        open={open}
        title={t("regions.addResponsible")}
        okText={t("common.save")}
        cancelText={t("common.cancel")}
        confirmLoading={busy}
        onOk={add}
        onCancel={() => setOpen(false)}
        data-testid="responsible-dialog"
      >
        <Form form={form} layout="vertical" requiredMark={false}>
          <Form.Item name="name" label={t("regions.responsibleName")} data-testid="field-responsible-name">
            <Input maxLength={50} />
          </Form.Item>
          <Form.Item name="title" label={t("regions.responsibleTitle")} data-testid="field-responsible-title">
            <Input maxLength={50} />
          </Form.Item>
          <Form.Item name="phone" label={t("regions.responsiblePhone")} data-testid="field-responsible-phone">
            <Input maxLength={30} inputMode="tel" />
          </Form.Item>
        </Form>
      </Modal>
    </Card>
  );
}
