import { Alert, App, Button, Form, Input, Modal, Select, Space, Typography } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate } from "react-router";
import { useMe } from "../accounts/session.tsx";
import { applyServerErrors, errorText } from "../api/errors.ts";
import { useApiData } from "../api/use-api-data.ts";
import { instantOf, nowLocal } from "../shell/local-time.ts";
import { type PlacementDetail, quarantineApi } from "./quarantine-api.ts";
import { formatMinute } from "./quarantine-bits.tsx";

/** A placement that ended besides release: where the person went (hospital, or the placement after an upgrade). */
export function PlacementEndNote({ p }: { p: PlacementDetail }) {
  const { t } = useTranslation();
  const at = p.releasedAt ? formatMinute(p.releasedAt) : t("common.none");
  return (
    <Space direction="vertical">
      {p.releaseKind === "to_hospital" && (
        <Typography.Text data-testid="ended-to-hospital">
          {t("quarantine.end.endedToHospital", { at, hospital: p.endSite?.name ?? t("common.none") })}
          {p.releaseReason ? ` · ${p.releaseReason}` : ""}
        </Typography.Text>
      )}
      {p.releaseKind === "upgraded" && (
        <Typography.Text data-testid="ended-upgraded">
          {t("quarantine.end.endedUpgraded", { at })}
          {p.releaseReason ? ` · ${p.releaseReason}` : ""}{" "}
          {p.nextPlacementId && (
            <Link to={`/quarantine/placements/${p.nextPlacementId}`} data-testid="next-placement">
              {t("quarantine.end.nextPlacement")}
            </Link>
          )}
        </Typography.Text>
      )}
    </Space>
  );
}

/** The link back to the placement an upgrade ended, on the placement that follows it. */
export function PreviousPlacementLink({ p }: { p: PlacementDetail }) {
  const { t } = useTranslation();
  if (!p.previousPlacementId) return null;
  return (
    <Link to={`/quarantine/placements/${p.previousPlacementId}`} data-testid="previous-placement">
      {t("quarantine.end.previousPlacement")}
    </Link>
  );
}

interface UpgradeValues {
  lastExposureAt?: string;
  reason?: string;
}

/**
 * Beside release: "转定点医院" (prominent when a result is positive) and, for a secondary contact,
 * "升级为密接". The server decides who may (a positive result, or the command with a reason).
 */
export function PlacementEndActions({ p, onChanged }: { p: PlacementDetail; onChanged: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const { can } = useMe();
  const navigate = useNavigate();
  const [open, setOpen] = useState<"hospital" | "upgrade" | null>(null);
  const [hospitalId, setHospitalId] = useState<string | undefined>();
  const [reason, setReason] = useState("");
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const [form] = Form.useForm<UpgradeValues>();
  const positive = p.results.some((r) => r.outcome === "positive");
  const { data: sites } = useApiData(open === "hospital" ? "quarantine-sites" : null, () =>
    quarantineApi.sites(),
  );
  const hospitals = (sites?.items ?? []).filter((s) => s.kind === "designated_hospital");
  if (!can("quarantine.place") || p.status !== "placed") return null;
  if (!positive && !p.upgradable && !can("quarantine.override")) return null;

  const close = () => {
    setOpen(null);
    setFailure(null);
  };
  const toHospital = async () => {
    if (!hospitalId) return;
    setBusy(true);
    setFailure(null);
    try {
      await quarantineApi.toHospital(p.id, { hospitalSiteId: hospitalId, reason: reason.trim() || null });
      message.success(t("quarantine.end.moved"));
      close();
      onChanged();
    } catch (e) {
      setFailure(errorText(t, e));
    } finally {
      setBusy(false);
    }
  };
  const upgrade = async (v: UpgradeValues) => {
    setBusy(true);
    setFailure(null);
    try {
      const r = await quarantineApi.upgrade(p.id, {
        lastExposureAt: instantOf(v.lastExposureAt ?? ""),
        reason: v.reason ?? "",
      });
      message.success(t("quarantine.end.upgraded"));
      close();
      void navigate(`/quarantine/placements/${r.placement.id}`);
    } catch (e) {
      setFailure(applyServerErrors(form, ["lastExposureAt", "reason"], t, e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Space wrap style={{ marginTop: 12 }}>
      {(positive || can("quarantine.override")) && (
        <Button
          type={positive ? "primary" : "default"}
          danger={positive}
          onClick={() => setOpen("hospital")}
          data-testid="to-hospital-open"
        >
          {t("quarantine.end.toHospital")}
        </Button>
      )}
      {p.upgradable && (
        <Button onClick={() => setOpen("upgrade")} data-testid="upgrade-open">
          {t("quarantine.end.upgrade")}
        </Button>
      )}
      <Modal
        open={open === "hospital"}
        title={t("quarantine.end.toHospitalTitle")}
        onCancel={close}
        onOk={() => void toHospital()}
        okText={t("quarantine.end.confirm")}
        okButtonProps={{
          danger: true,
          disabled: !hospitalId || (!positive && reason.trim() === ""),
          "data-testid": "to-hospital-confirm",
        }}
        cancelText={t("common.cancel")}
        confirmLoading={busy}
        destroyOnHidden
      >
        <Typography.Paragraph type="secondary">{t("quarantine.end.toHospitalLead")}</Typography.Paragraph>
        <Typography.Paragraph>{t("quarantine.end.hospital")}</Typography.Paragraph>
        <Select
          style={{ width: "100%" }}
          value={hospitalId}
          onChange={setHospitalId}
          notFoundContent={t("quarantine.end.noHospital")}
          options={hospitals.map((h) => ({ value: h.id, label: h.name }))}
          data-testid="to-hospital-site"
        />
        <Typography.Paragraph style={{ marginTop: 12 }}>
          {positive ? t("quarantine.end.reasonOptional") : t("quarantine.end.reason")}
        </Typography.Paragraph>
        <Input.TextArea
          rows={2}
          maxLength={1000}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          data-testid="to-hospital-reason"
        />
        {failure && <Alert type="error" showIcon message={failure} style={{ marginTop: 12 }} />}
      </Modal>
      <Modal
        open={open === "upgrade"}
        title={t("quarantine.end.upgradeTitle")}
        onCancel={close}
        onOk={() => form.submit()}
        okText={t("quarantine.end.upgrade")}
        okButtonProps={{ "data-testid": "upgrade-confirm" }}
        cancelText={t("common.cancel")}
        confirmLoading={busy}
        destroyOnHidden
      >
        <Typography.Paragraph type="secondary">{t("quarantine.end.upgradeLead")}</Typography.Paragraph>
        <Form<UpgradeValues>
          form={form}
          layout="vertical"
          onFinish={upgrade}
          initialValues={{ lastExposureAt: nowLocal() }}
        >
          <Form.Item
            name="lastExposureAt"
            label={t("quarantine.end.lastExposureAt")}
            rules={[{ required: true, message: t("quarantine.required") }]}
          >
            <Input type="datetime-local" data-testid="upgrade-exposure" />
          </Form.Item>
          <Form.Item
            name="reason"
            label={t("quarantine.end.reason")}
            rules={[{ required: true, whitespace: true, message: t("quarantine.required") }]}
          >
            <Input.TextArea rows={2} maxLength={1000} data-testid="upgrade-reason" />
          </Form.Item>
        </Form>
        {failure && <Alert type="error" showIcon message={failure} />}
      </Modal>
    </Space>
  );
}
