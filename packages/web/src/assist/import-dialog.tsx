import { DownloadOutlined, UploadOutlined } from "@ant-design/icons";
import { Alert, Button, Form, Input, Modal, Result, Space, Table, Typography, Upload } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router";
import { useMe } from "../accounts/session.tsx";
import { applyServerErrors } from "../api/errors.ts";
import { formatNumber } from "../i18n/format.ts";
import { RegionPicker } from "../regions/region-picker.tsx";
import { type ImportResult, importList, type RejectedRow, uploadContentType } from "./assist-api.ts";
import { rowAttributes } from "./assist-bits.tsx";

interface ImportValues {
  name?: string;
  source?: string;
  regionCode?: string;
}

/** The columns a list file may carry, by their Chinese names (the server also reads the English ones). */
const TEMPLATE_HEADERS = ["姓名", "证件号码", "手机号", "协查原因", "现住址", "线索区划"];

/** A CSV field, quoted when it holds a comma, a quote or a line break. */
const csvField = (v: string | number) => {
  const text = String(v);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
};

/** Saves rows as a CSV made here in the browser (with a BOM, so that Excel reads it as UTF-8). */
function downloadCsv(fileName: string, rows: (string | number)[][]) {
  const text = rows.map((r) => r.map(csvField).join(",")).join("\r\n");
  const blob = new Blob([`\uFEFF${text}\r\n`], { type: "text/csv;charset=utf-8" });
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = fileName;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

const stripExtension = (fileName: string) => fileName.replace(/\.[^.]+$/, "");

/** Uploads a CSV/XLSX list file, then shows how many rows were stored and which were refused, and why. */
export function ImportDialog({
  open,
  onClose,
  onImported,
}: {
  open: boolean;
  onClose: () => void;
  onImported: () => void;
}) {
  const { t } = useTranslation();
  const { me } = useMe();
  const navigate = useNavigate();
  const [form] = Form.useForm<ImportValues>();
  const [file, setFile] = useState<File | null>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const [result, setResult] = useState<ImportResult | null>(null);

  const close = () => {
    setFile(null);
    setFileError(null);
    setFailure(null);
    setResult(null);
    form.resetFields();
    onClose();
  };

  const submit = async (v: ImportValues) => {
    if (!file) {
      setFileError(t("assist.fileRequired"));
      return;
    }
    setBusy(true);
    setFailure(null);
    try {
      const r = await importList(file, {
        name: (v.name ?? "").trim(),
        source: (v.source ?? "").trim(),
        ...(v.regionCode ? { regionCode: v.regionCode } : {}),
      });
      setResult(r);
      onImported();
    } catch (e) {
      setFailure(applyServerErrors(form, ["name", "source", "regionCode"], t, e));
    } finally {
      setBusy(false);
    }
  };

  const rejectedColumns = [
    { title: t("assist.rejectedRow"), dataIndex: "row", width: 80 },
    {
      title: t("assist.rejectedField"),
      dataIndex: "field",
      width: 120,
      render: (f: string) => <Typography.Text code>{f}</Typography.Text>,
    },
    { title: t("assist.rejectedReason"), dataIndex: "message" },
  ];

  return (
    <Modal
      open={open}
      title={t("assist.importTitle")}
      onCancel={close}
      width={720}
      destroyOnHidden
      footer={
        result ? (
          <Space wrap>
            <Button onClick={close} data-testid="import-close">
              {t("assist.close")}
            </Button>
            <Button
              type="primary"
              data-testid="import-open-list"
              onClick={() => {
                const id = result.list.id;
                close();
                navigate(`/assist-lists/${id}`);
              }}
            >
              {t("assist.openList")}
            </Button>
          </Space>
        ) : (
          <Space wrap>
            <Button onClick={close}>{t("common.cancel")}</Button>
            <Button type="primary" loading={busy} onClick={() => form.submit()} data-testid="import-submit">
              {t("assist.upload")}
            </Button>
          </Space>
        )
      }
    >
      {result ? (
        <div data-testid="import-result">
          <Result
            status={result.rejected.length ? "warning" : "success"}
            title={
              <span data-testid="import-stored" data-n={result.list.counts.total}>
                {t("assist.imported", { name: result.list.name, n: formatNumber(result.list.counts.total) })}
              </span>
            }
            style={{ padding: "16px 0" }}
          />
          {result.rejected.length > 0 ? (
            <>
              <Space wrap style={{ width: "100%", justifyContent: "space-between", marginBottom: 8 }}>
                <Typography.Title level={5} style={{ margin: 0 }}>
                  {t("assist.rejectedTitle", { n: formatNumber(result.rejected.length) })}
                </Typography.Title>
                <Button
                  size="small"
                  icon={<DownloadOutlined />}
                  data-testid="import-rejected-download"
                  onClick={() =>
                    downloadCsv(t("assist.rejectedFile", { name: result.list.name }), [
                      [t("assist.rejectedRow"), t("assist.rejectedField"), t("assist.rejectedReason")],
                      ...result.rejected.map((r) => [r.row, r.field, r.message]),
                    ])
                  }
                >
                  {t("assist.rejectedDownload")}
                </Button>
              </Space>
              <Table<RejectedRow>
                data-testid="import-rejected"
                size="small"
                rowKey={(r) => `${r.row}:${r.field}:${r.code}`}
                columns={rejectedColumns}
                dataSource={result.rejected}
                pagination={{ pageSize: 20, hideOnSinglePage: true }}
                scroll={{ x: 480 }}
                onRow={(r) => rowAttributes({ "data-testid": "rejected-row", "data-row": r.row })}
              />
            </>
          ) : (
            <Typography.Text type="success">{t("assist.noRejected")}</Typography.Text>
          )}
        </div>
      ) : (
        <>
          <Typography.Paragraph type="secondary">{t("assist.importLead")}</Typography.Paragraph>
          <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
            {t("assist.columnsHint")}{" "}
            <Button
              size="small"
              type="link"
              icon={<DownloadOutlined />}
              onClick={() => downloadCsv(t("assist.templateFile"), [TEMPLATE_HEADERS])}
              data-testid="import-template"
            >
              {t("assist.template")}
            </Button>
          </Typography.Paragraph>
          {failure && (
            <Alert
              type="error"
              showIcon
              title={failure}
              style={{ marginBottom: 16 }}
              data-testid="import-error"
            />
          )}
          <Form<ImportValues> form={form} layout="vertical" onFinish={submit}>
            <Form.Item
              label={t("assist.file")}
              required
              validateStatus={fileError ? "error" : undefined}
              help={fileError ?? undefined}
            >
              <div data-testid="import-file">
                <Upload
                  accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                  maxCount={1}
                  fileList={
                    file ? [{ uid: "file", name: file.name, size: file.size, status: "done" as const }] : []
                  }
                  beforeUpload={(f) => {
                    if (!uploadContentType(f.name)) {
                      setFileError(t("assist.fileType"));
                      return Upload.LIST_IGNORE;
                    }
                    setFile(f);
                    setFileError(null);
                    if (!form.getFieldValue("name")) form.setFieldValue("name", stripExtension(f.name));
                    return false;
                  }}
                  onRemove={() => setFile(null)}
                >
                  <Button icon={<UploadOutlined />}>{t("assist.chooseFile")}</Button>
                </Upload>
              </div>
            </Form.Item>
            <Form.Item
              name="name"
              label={t("assist.name")}
              rules={[{ required: true, whitespace: true, message: t("assist.nameRequired") }]}
            >
              <Input maxLength={200} data-testid="import-name" />
            </Form.Item>
            <Form.Item
              name="source"
              label={t("assist.source")}
              rules={[{ required: true, whitespace: true, message: t("assist.sourceRequired") }]}
            >
              <Input
                maxLength={200}
                placeholder={t("assist.sourcePlaceholder")}
                data-testid="import-source"
              />
            </Form.Item>
            <Form.Item
              name="regionCode"
              label={t("assist.receivingRegion")}
              extra={t("assist.receivingRegionHint")}
            >
              <RegionPicker within={me.user.jurisdictionCode} data-testid="import-region" />
            </Form.Item>
          </Form>
        </>
      )}
    </Modal>
  );
}
