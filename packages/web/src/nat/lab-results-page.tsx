import { UploadOutlined } from "@ant-design/icons";
import {
  Alert,
  Button,
  Card,
  Col,
  Row,
  Space,
  Statistic,
  Table,
  type TableColumnsType,
  Tag,
  Typography,
  Upload,
} from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ApiError } from "../api/client.ts";
import { errorText } from "../api/errors.ts";
import { formatNumber } from "../i18n/format.ts";
import { importLabFile, type LabBatch, type LabOutcome } from "./nat-api.ts";
import { pick } from "./nat-bits.tsx";

const STATUS_COLORS: Record<LabOutcome["status"], string> = {
  recorded: "green",
  late: "gold",
  unchanged: "default",
  conflict: "red",
  unknown_tube: "magenta",
};

/** A bad row of a refused file: its line in the file (header = 1), the column, and why. */
interface Problem {
  key: string;
  line: number | null;
  column: string;
  message: string;
}

/** "rows[12].tested_at" → line 12, column tested_at; "header[3]" → the header. */
function problemOf(f: { field: string; message: string }, i: number): Problem {
  const row = /^rows\[(\d+)\](?:\.(.+))?$/.exec(f.field);
  if (row) return { key: `${i}`, line: Number(row[1]), column: row[2] ?? "", message: f.message };
  if (f.field.startsWith("header")) return { key: `${i}`, line: 1, column: f.field, message: f.message };
  return { key: `${i}`, line: null, column: f.field, message: f.message };
}

function BatchResult({ batch }: { batch: LabBatch }) {
  const { t, i18n } = useTranslation();
  const columns: TableColumnsType<LabOutcome> = [
    {
      title: t("nat.lab.line"),
      dataIndex: "line",
      width: 70,
      render: (v: number | null) => v ?? t("common.none"),
    },
    {
      title: t("nat.lab.barcode"),
      dataIndex: "barcode",
      render: (v: string) => <Typography.Text code>{v}</Typography.Text>,
    },
    {
      title: t("nat.lab.status"),
      dataIndex: "status",
      render: (s: LabOutcome["status"]) => (
        <Tag color={STATUS_COLORS[s]} data-testid="lab-outcome-status" data-status={s}>
          {t(`nat.lab.statuses.${s}`)}
        </Tag>
      ),
    },
    {
      title: t("nat.lab.effect"),
      dataIndex: "effect",
      render: (e: LabOutcome["effect"]) =>
        e ? (
          <Tag
            color={e === "tests_closed" ? "green" : "red"}
            data-testid="lab-outcome-effect"
            data-effect={e}
          >
            {t(`nat.lab.effects.${e}`)}
          </Tag>
        ) : (
          t("common.none")
        ),
    },
    {
      title: t("nat.lab.message"),
      key: "message",
      render: (_: unknown, o) => (
        <Space direction="vertical" size={0}>
          <span>{pick(o.message, i18n.language)}</span>
          {o.notes.map((n, i) => (
            <Typography.Text key={i} type="warning" style={{ fontSize: 12 }}>
              {pick(n, i18n.language)}
            </Typography.Text>
          ))}
        </Space>
      ),
    },
  ];
  const stat = (key: string, value: number, warn = false) => (
    <Col xs={12} sm={8} md={6} lg={3} key={key}>
      <Statistic
        title={t(`nat.lab.counts.${key}` as "nat.lab.counts.recorded")}
        value={value}
        valueStyle={warn && value > 0 ? { color: "#cf1322" } : undefined}
        data-testid={`lab-count-${key}`}
        data-n={value}
      />
    </Col>
  );
  return (
    <Card title={t("nat.lab.resultTitle")} data-testid="lab-result">
      <Space direction="vertical" style={{ width: "100%" }}>
        <Alert
          type={batch.conflicts || batch.unknown ? "warning" : "success"}
          showIcon
          title={pick(batch.message, i18n.language)}
          data-testid="lab-result-message"
        />
        <Row gutter={[16, 16]}>
          {stat("received", batch.received)}
          {stat("recorded", batch.recorded)}
          {stat("unchanged", batch.unchanged)}
          {stat("conflicts", batch.conflicts, true)}
          {stat("late", batch.late, true)}
          {stat("unknown", batch.unknown, true)}
          {stat("testsClosed", batch.testsClosed)}
          {stat("recalled", batch.recalled, true)}
          {stat("caseCandidates", batch.caseCandidates, true)}
        </Row>
        <Table<LabOutcome>
          rowKey={(o) => `${o.field}:${o.barcode}`}
          size="small"
          columns={columns}
          dataSource={batch.outcomes}
          pagination={{ pageSize: 50, hideOnSinglePage: true }}
          scroll={{ x: 720 }}
          data-testid="lab-outcomes"
          onRow={(o) => ({ "data-testid": "lab-outcome", "data-barcode": o.barcode }) as object}
        />
      </Space>
    </Card>
  );
}

function Refused({ error }: { error: unknown }) {
  const { t } = useTranslation();
  // In the file's order, line by line (the server names them by kind of check).
  const problems = (error instanceof ApiError ? error.fields.map(problemOf) : []).sort(
    (a, b) => (a.line ?? Infinity) - (b.line ?? Infinity),
  );
  return (
    <Card title={t("nat.lab.refusedTitle")} data-testid="lab-refused">
      <Space direction="vertical" style={{ width: "100%" }}>
        <Alert
          type="error"
          showIcon
          title={errorText(t, error)}
          description={problems.length ? t("nat.lab.refusedLead") : undefined}
          data-testid="lab-refused-message"
        />
        {problems.length > 0 && (
          <Table<Problem>
            rowKey="key"
            size="small"
            dataSource={problems}
            pagination={{ pageSize: 50, hideOnSinglePage: true }}
            onRow={(p) => ({ "data-testid": "lab-problem", "data-line": p.line ?? "" }) as object}
            columns={[
              {
                title: t("nat.lab.line"),
                dataIndex: "line",
                width: 90,
                render: (v: number | null) => (v === 1 ? t("nat.lab.header") : (v ?? t("common.none"))),
              },
              {
                title: t("nat.lab.column"),
                dataIndex: "column",
                width: 140,
                render: (v: string) => <Typography.Text code>{v}</Typography.Text>,
              },
              { title: t("nat.lab.reason"), dataIndex: "message" },
            ]}
          />
        )}
      </Space>
    </Card>
  );
}

/** A lab sends its result file (CSV); the answer says what every row did, or why the file was refused. */
export function LabResultsPage() {
  const { t } = useTranslation();
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [batch, setBatch] = useState<LabBatch | null>(null);
  const [failure, setFailure] = useState<unknown>(null);

  const send = async () => {
    if (!file) return;
    setBusy(true);
    setBatch(null);
    setFailure(null);
    try {
      setBatch(await importLabFile(file));
    } catch (e) {
      setFailure(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Space direction="vertical" size="middle" style={{ width: "100%" }} data-testid="lab-results-page">
      <Typography.Title level={4} style={{ margin: 0 }}>
        {t("nat.lab.title")}
      </Typography.Title>
      <Card>
        <Space direction="vertical" style={{ width: "100%" }}>
          <Typography.Paragraph type="secondary" style={{ marginBottom: 0 }}>
            {t("nat.lab.lead")}
          </Typography.Paragraph>
          <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
            {t("nat.lab.columns")}{" "}
            <Typography.Text code>barcode, result, ct_orf1ab, ct_n, tested_at, lab</Typography.Text>{" "}
            {t("nat.lab.columnsZh")}{" "}
            <Typography.Text code>试管条码, 检测结果, ORF1ab, n_ct, 检测时间, 检测机构</Typography.Text>
          </Typography.Paragraph>
          <Space wrap>
            <div data-testid="lab-file">
              <Upload
                accept=".csv,.txt,text/csv"
                maxCount={1}
                fileList={
                  file ? [{ uid: "file", name: file.name, size: file.size, status: "done" as const }] : []
                }
                beforeUpload={(f) => {
                  setFile(f);
                  setBatch(null);
                  setFailure(null);
                  return false;
                }}
                onRemove={() => setFile(null)}
              >
                <Button icon={<UploadOutlined />}>{t("nat.lab.choose")}</Button>
              </Upload>
            </div>
            <Button type="primary" disabled={!file} loading={busy} onClick={send} data-testid="lab-send">
              {t("nat.lab.send")}
            </Button>
          </Space>
          {file && (
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {t("nat.lab.fileSize", { size: formatNumber(Math.ceil(file.size / 1024)) })}
            </Typography.Text>
          )}
        </Space>
      </Card>
      {failure !== null && <Refused error={failure} />}
      {batch && <BatchResult batch={batch} />}
    </Space>
  );
}
