import { isWithin } from "@cordon/domain/regions/region-code";
import { Alert, Form, Input, Modal, Radio, Space, Typography } from "antd";
import dayjs from "dayjs";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ApiError } from "../api/client.ts";
import { applyServerErrors } from "../api/errors.ts";
import { RegionPicker } from "../regions/region-picker.tsx";
import { type AssistOutcome, type AssistRow, matchRow, recordOutcome } from "./assist-api.ts";

/** What a dialog reports back: the updated row, or that the row changed under the user (409). */
export type RowChange = { row: AssistRow } | { stale: true };

const NONE = "none";

interface MatchValues {
  choice?: string;
}

interface DialogProps {
  listId: string;
  row: AssistRow | null;
  onClose: () => void;
  onDone: (change: RowChange) => void;
}

/**
 * The dialogs are made anew for each row (keyed by row and version), so that nothing typed for one
 * row, a reason or a time, is still there when the next row's dialog opens.
 */
export function MatchDialog(props: DialogProps) {
  return props.row ? <MatchDialogOpen key={`${props.row.id}:${props.row.version}`} {...props} /> : null;
}

export function OutcomeDialog(props: DialogProps & { listRegion: string }) {
  return props.row ? <OutcomeDialogOpen key={`${props.row.id}:${props.row.version}`} {...props} /> : null;
}

/** Decides an ambiguous row: one of the candidates the server found by name and phone, or none of them. */
function MatchDialogOpen({
  listId,
  row,
  onClose,
  onDone,
}: {
  listId: string;
  row: AssistRow | null;
  onClose: () => void;
  onDone: (change: RowChange) => void;
}) {
  const { t } = useTranslation();
  const [form] = Form.useForm<MatchValues>();
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);

  const submit = async (v: MatchValues) => {
    if (!row) return;
    setBusy(true);
    setFailure(null);
    try {
      const updated = await matchRow(listId, row.id, {
        personId: v.choice === NONE ? null : (v.choice ?? null),
        version: row.version,
      });
      onDone({ row: updated });
    } catch (e) {
      if (e instanceof ApiError && e.status === 409) onDone({ stale: true });
      else setFailure(applyServerErrors(form, [], t, e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open
      title={row ? t("assist.matchTitle", { n: row.rowNumber, name: row.name }) : ""}
      onCancel={() => {
        setFailure(null);
        onClose();
      }}
      onOk={() => form.submit()}
      okText={t("assist.decide")}
      okButtonProps={{ "data-testid": "match-submit" }}
      cancelText={t("common.cancel")}
      confirmLoading={busy}
      destroyOnHidden
      width={560}
    >
      <Typography.Paragraph type="secondary">{t("assist.matchLead")}</Typography.Paragraph>
      {failure && (
        <Alert type="error" showIcon title={failure} style={{ marginBottom: 12 }} data-testid="match-error" />
      )}
      <Form<MatchValues> form={form} layout="vertical" onFinish={submit}>
        <Form.Item
          name="choice"
          label={t("assist.candidate")}
          rules={[{ required: true, message: t("assist.chooseCandidate") }]}
        >
          <Radio.Group style={{ width: "100%" }}>
            <Space orientation="vertical" style={{ width: "100%" }}>
              {row?.candidates.map((c) => (
                <Radio
                  key={c.personId}
                  value={c.personId}
                  data-testid="match-candidate"
                  data-person={c.personId}
                >
                  <strong>{c.name}</strong>{" "}
                  <Typography.Text style={{ fontFamily: "monospace" }}>
                    {c.documentNumberMasked ?? t("common.none")}
                  </Typography.Text>{" "}
                  <Typography.Text type="secondary">{c.regionName ?? c.regionCode ?? ""}</Typography.Text>
                </Radio>
              ))}
              <Radio value={NONE} data-testid="match-none">
                {t("assist.noneOfThese")}
              </Radio>
            </Space>
          </Radio.Group>
        </Form.Item>
      </Form>
    </Modal>
  );
}

interface OutcomeValues {
  outcome?: AssistOutcome;
  at?: string;
  reason?: string;
  forwardedTo?: string;
}

const OUTCOMES: readonly AssistOutcome[] = ["controlled", "not_found", "forwarded"];
const FIELDS = ["outcome", "at", "reason", "forwardedTo"] as const;

/**
 * Records how an open row ended: controlled (needs a matched person), not found (needs a reason) or
 * forwarded (to a region outside the list's jurisdiction). The server's field errors show on the fields.
 */
function OutcomeDialogOpen({
  listId,
  listRegion,
  row,
  onClose,
  onDone,
}: {
  listId: string;
  listRegion: string;
  row: AssistRow | null;
  onClose: () => void;
  onDone: (change: RowChange) => void;
}) {
  const { t } = useTranslation();
  const [form] = Form.useForm<OutcomeValues>();
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const outcome = Form.useWatch("outcome", form);

  const submit = async (v: OutcomeValues) => {
    if (!row || !v.outcome) return;
    setBusy(true);
    setFailure(null);
    try {
      const reason = v.reason?.trim();
      const updated = await recordOutcome(listId, row.id, {
        outcome: v.outcome,
        at: dayjs(v.at).format(),
        ...(reason ? { reason } : {}),
        ...(v.outcome === "forwarded" && v.forwardedTo ? { forwardedTo: v.forwardedTo } : {}),
        version: row.version,
      });
      onDone({ row: updated });
    } catch (e) {
      if (e instanceof ApiError && e.status === 409) onDone({ stale: true });
      else setFailure(applyServerErrors(form, FIELDS, t, e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open
      title={row ? t("assist.outcomeTitle", { n: row.rowNumber, name: row.name }) : ""}
      onCancel={() => {
        setFailure(null);
        onClose();
      }}
      onOk={() => form.submit()}
      okText={t("assist.record")}
      okButtonProps={{ "data-testid": "outcome-submit" }}
      cancelText={t("common.cancel")}
      confirmLoading={busy}
      destroyOnHidden
      width={560}
    >
      {failure && (
        <Alert
          type="error"
          showIcon
          title={failure}
          style={{ marginBottom: 12 }}
          data-testid="outcome-error"
        />
      )}
      <Form<OutcomeValues>
        form={form}
        layout="vertical"
        onFinish={submit}
        initialValues={{
          outcome: row?.personId ? "controlled" : undefined,
          // To the second: a time rounded down to the minute could fall before the list was received.
          at: dayjs().format("YYYY-MM-DDTHH:mm:ss"),
        }}
      >
        <Form.Item
          name="outcome"
          label={t("assist.outcomeKind")}
          rules={[{ required: true, message: t("assist.required") }]}
          extra={row && !row.personId ? t("assist.controlledNeedsPerson") : undefined}
        >
          <Radio.Group data-testid="outcome-kind">
            {OUTCOMES.map((o) => (
              <Radio.Button
                key={o}
                value={o}
                disabled={o === "controlled" && !row?.personId}
                data-testid={`outcome-${o}`}
              >
                {t(`assist.outcomes.${o}`)}
              </Radio.Button>
            ))}
          </Radio.Group>
        </Form.Item>
        <Form.Item
          name="at"
          label={t("assist.outcomeAt")}
          rules={[{ required: true, message: t("assist.required") }]}
        >
          <Input type="datetime-local" step={1} data-testid="outcome-at" />
        </Form.Item>
        {outcome === "forwarded" && (
          <Form.Item
            name="forwardedTo"
            label={t("assist.forwardTo")}
            rules={[
              { required: true, message: t("assist.forwardToRequired") },
              {
                validator: (_, code?: string) =>
                  !code || !isWithin(listRegion, code)
                    ? Promise.resolve()
                    : Promise.reject(new Error(t("assist.forwardOutside"))),
              },
            ]}
          >
            <RegionPicker data-testid="outcome-forward-to" />
          </Form.Item>
        )}
        <Form.Item
          name="reason"
          label={t("assist.outcomeReason")}
          // Read at validation time, not from the last render: a quick submit after choosing is still checked.
          rules={[
            ({ getFieldValue }) => ({
              validator: (_, v?: string) =>
                getFieldValue("outcome") !== "not_found" || (v ?? "").trim() !== ""
                  ? Promise.resolve()
                  : Promise.reject(new Error(t("assist.notFoundReasonRequired"))),
            }),
          ]}
          required={outcome === "not_found"}
        >
          <Input.TextArea
            rows={2}
            maxLength={1000}
            placeholder={outcome === "not_found" ? t("assist.notFoundReasonPlaceholder") : undefined}
            data-testid="outcome-reason"
          />
        </Form.Item>
      </Form>
    </Modal>
  );
}
