import { VACCINATION_BYTES, type VerifyResult } from "@cordon/domain/codes/format";
import { type GateDecision, gateDecision } from "@cordon/domain/codes/verify";
import {
  Alert,
  Button,
  Form,
  Input,
  InputNumber,
  Popconfirm,
  Select,
  Space,
  Spin,
  Statistic,
  Tag,
  Typography,
} from "antd";
import dayjs from "dayjs";
import { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { api, unwrap } from "../api/client.ts";
import { errorText } from "../api/errors.ts";
import { useSession } from "../accounts/session.tsx";
import { CodeInput } from "./code-input.tsx";
import { GateUploader } from "./gate-queue.ts";
import { useOfflineShell } from "./offline.ts";
import { ScanFrame } from "./scan-page.tsx";
import { useScanner } from "./use-scanner.ts";
import { ScannerStatusBar, useMessage, Verdict } from "./verdict.tsx";

const DEVICE_STORAGE = "cordon.gate.device";
const QUEUE_STORAGE = "cordon.gate.queue";
const MIN_TEMPERATURE = 30;
const MAX_TEMPERATURE = 45;

interface GateDevice {
  token: string;
  device: { id: string; name: string; venueId: string };
  venueName: string;
}

function storedDevice(): GateDevice | null {
  try {
    const s = localStorage.getItem(DEVICE_STORAGE);
    return s ? (JSON.parse(s) as GateDevice) : null;
  } catch {
    return null;
  }
}

/**
 * The venue gate (/gate): registered once by venue staff, then each scan is verified on this device
 * (offline if need be), the temperature read, admitted or refused by the policy, shown big, and queued
 * for upload to `POST /api/checkin/gate` in batches.
 */
export function GatePage() {
  const { t } = useTranslation();
  const offlineReady = useOfflineShell();
  const [device, setDevice] = useState<GateDevice | null>(storedDevice);
  return (
    <ScanFrame title={t("scan.gate.title")}>
      {device ? (
        <GateScanner
          device={device}
          offlineReady={offlineReady}
          onForget={() => {
            localStorage.removeItem(DEVICE_STORAGE);
            localStorage.removeItem(QUEUE_STORAGE);
            setDevice(null);
          }}
        />
      ) : (
        <RegisterDevice
          onRegistered={(d) => {
            localStorage.setItem(DEVICE_STORAGE, JSON.stringify(d));
            // A new device starts its own sequence: the server keys idempotency by (device, seq).
            localStorage.removeItem(QUEUE_STORAGE);
            setDevice(d);
          }}
        />
      )}
    </ScanFrame>
  );
}

function RegisterDevice({ onRegistered }: { onRegistered: (d: GateDevice) => void }) {
  const { t } = useTranslation();
  const { session } = useSession();
  const [query, setQuery] = useState("");
  const [venues, setVenues] = useState<{ id: string; name: string; address: string }[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [form] = Form.useForm<{ venueId: string; name: string }>();
  const can = session.status === "authenticated" && session.me.permissions.includes("venues.manage");

  useEffect(() => {
    if (!can) return;
    let current = true;
    const id = setTimeout(() => {
      unwrap(api.GET("/api/venues", { params: { query: { q: query || undefined, pageSize: 50 } } })).then(
        (r) => current && setVenues(r.items.map((v) => ({ id: v.id, name: v.name, address: v.address }))),
        (e: unknown) => current && setError(errorText(t, e)),
      );
    }, 250);
    return () => {
      current = false;
      clearTimeout(id);
    };
  }, [can, query, t]);

  if (session.status === "loading") return <Spin />;
  if (!can) {
    return (
      <Alert
        type="info"
        showIcon
        data-testid="gate-register-login"
        message={t("scan.gate.registerTitle")}
        description={
          <Space direction="vertical">
            <span>{t("scan.gate.registerNeedsLogin")}</span>
            {session.status === "anonymous" && (
              <Link to="/login?next=%2Fgate">
                <Button type="primary">{t("scan.gate.logIn")}</Button>
              </Link>
            )}
          </Space>
        }
      />
    );
  }
  return (
    <Form
      form={form}
      layout="vertical"
      data-testid="gate-register"
      initialValues={{ name: t("scan.gate.defaultDeviceName") }}
      onFinish={async (v) => {
        setBusy(true);
        setError(null);
        try {
          const r = await unwrap(
            api.POST("/api/venues/{id}/devices", {
              params: { path: { id: v.venueId } },
              body: { name: v.name },
            }),
          );
          const venue = venues.find((x) => x.id === v.venueId);
          onRegistered({
            token: r.token,
            device: { id: r.device.id, name: r.device.name, venueId: r.device.venueId },
            venueName: venue?.name ?? "",
          });
        } catch (e) {
          setError(errorText(t, e));
        } finally {
          setBusy(false);
        }
      }}
    >
      <Typography.Paragraph>{t("scan.gate.registerLead")}</Typography.Paragraph>
      <Form.Item name="venueId" label={t("scan.gate.venue")} rules={[{ required: true }]}>
        <Select
          showSearch
          data-testid="gate-venue"
          filterOption={false}
          onSearch={setQuery}
          options={venues.map((v) => ({ value: v.id, label: `${v.name} · ${v.address}` }))}
        />
      </Form.Item>
      <Form.Item name="name" label={t("scan.gate.deviceName")} rules={[{ required: true, max: 200 }]}>
        <Input data-testid="gate-device-name" />
      </Form.Item>
      {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 12 }} />}
      <Button type="primary" htmlType="submit" loading={busy} block data-testid="gate-register-submit">
        {t("scan.gate.register")}
      </Button>
    </Form>
  );
}

interface LastScan {
  result: VerifyResult;
  decision: GateDecision;
  temperature: number | null;
  queued: boolean;
}

function GateScanner({
  device,
  offlineReady,
  onForget,
}: {
  device: GateDevice;
  offlineReady: boolean;
  onForget: () => void;
}) {
  const { t } = useTranslation();
  const msg = useMessage();
  const { verifier, status, refresh } = useScanner();
  const uploader = useMemo(() => new GateUploader(QUEUE_STORAGE, device.token), [device.token]);
  const upload = useSyncExternalStore(uploader.subscribe, uploader.getStatus);
  const [temperature, setTemperature] = useState<number | null>(null);
  const [last, setLast] = useState<LastScan | null>(null);
  const [focusCode, setFocusCode] = useState(0);
  const seq = useRef(0);

  useEffect(() => {
    uploader.start();
    const online = () => uploader.kick();
    window.addEventListener("online", online);
    return () => {
      window.removeEventListener("online", online);
      uploader.stop();
    };
  }, [uploader]);

  const onCode = useCallback(
    (text: string) => {
      const policy = verifier.policy;
      if (!policy) return;
      const temp = temperature;
      const mine = ++seq.current;
      const at = new Date();
      void verifier.verify(text, Math.floor(at.getTime() / 1000)).then((result) => {
        const decision = gateDecision(result, temp, policy);
        // Only a code whose signature checked out names a person (expired and revoked ones do too):
        // a forged or unreadable one is refused on the spot and not uploaded.
        const code = decision.code;
        if (code) {
          uploader.add({
            ref: code.refHex,
            colour: code.colour,
            vaccination: VACCINATION_BYTES[code.vaccination],
            temperature: temp,
            at: at.toISOString(),
            decision: decision.decision,
            ...(decision.reason ? { reason: result.ok ? decision.reason : result.reason } : {}),
          });
        }
        if (mine === seq.current) {
          setLast({ result, decision, temperature: temp, queued: code !== null });
          setTemperature(null);
        }
        if (!result.ok && result.reason === "unknown_key") refresh();
      });
    },
    [verifier, uploader, refresh, temperature],
  );

  const admit = last?.decision.decision === "admit";
  return (
    <>
      <Space wrap size={4} style={{ justifyContent: "space-between", width: "100%" }}>
        <Typography.Text strong data-testid="gate-venue-name">
          {device.venueName} · {device.device.name}
        </Typography.Text>
        <Popconfirm
          title={
            upload.queued > 0
              ? t("scan.gate.forgetWithQueue", { n: upload.queued })
              : t("scan.gate.forgetConfirm")
          }
          onConfirm={onForget}
        >
          <Typography.Link style={{ fontSize: 12 }}>{t("scan.gate.forget")}</Typography.Link>
        </Popconfirm>
      </Space>
      <ScannerStatusBar status={status} onRefresh={refresh} offlineReady={offlineReady} />
      <InputNumber<number>
        size="large"
        style={{ width: "100%" }}
        data-testid="gate-temperature"
        placeholder={t("scan.gate.temperaturePlaceholder")}
        aria-label={t("scan.gate.temperature")}
        min={MIN_TEMPERATURE}
        max={MAX_TEMPERATURE}
        step={0.1}
        precision={1}
        suffix="°C"
        value={temperature}
        onChange={(v) => setTemperature(v === null || !Number.isFinite(v) ? null : v)}
        // Enter after the temperature: the code field takes the focus, where a hardware scanner types.
        onPressEnter={() => setFocusCode((n) => n + 1)}
      />
      <CodeInput onCode={onCode} disabled={!status.ready} focusKey={focusCode} />
      {last && (
        <div
          data-testid="gate-decision"
          data-decision={last.decision.decision}
          role="alert"
          style={{
            background: admit ? "#237804" : "#a8071a",
            color: "#fff",
            borderRadius: 12,
            padding: "14px 12px",
            textAlign: "center",
          }}
        >
          <div style={{ fontSize: 44, fontWeight: 800, letterSpacing: 2, lineHeight: 1.2 }}>
            {admit ? `✓ ${t("scan.gate.admit")}` : `✕ ${t("scan.gate.refuse")}`}
          </div>
          <div data-testid="gate-decision-message" style={{ fontSize: 16, marginTop: 4 }}>
            {[
              admit ? null : msg(last.decision.message),
              last.temperature !== null && last.decision.reason !== "fever"
                ? `${t("scan.gate.temperature")} ${last.temperature.toFixed(1)} °C`
                : null,
              last.queued ? null : t("scan.gate.notRecorded"),
            ]
              .filter((x) => x !== null)
              .join(" · ")}
          </div>
        </div>
      )}
      {last && <Verdict result={last.result} />}
      <Space wrap style={{ justifyContent: "space-between", width: "100%" }}>
        <Statistic
          title={t("scan.gate.queue")}
          value={upload.queued}
          valueRender={(node) => <span data-testid="gate-queue">{node}</span>}
        />
        <Space direction="vertical" size={0} style={{ textAlign: "right" }}>
          {upload.sending && <Tag color="processing">{t("scan.gate.sending")}</Tag>}
          {upload.retryAt !== null && !upload.sending && upload.queued > 0 && (
            <Tag color="orange" data-testid="gate-retry">
              {t("scan.gate.retryAt", { at: dayjs(upload.retryAt).format("HH:mm:ss") })}
            </Tag>
          )}
          {upload.lastAcknowledgedAt !== null && (
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {t("scan.gate.lastSent", { at: dayjs(upload.lastAcknowledgedAt).format("HH:mm:ss") })}
            </Typography.Text>
          )}
        </Space>
      </Space>
      {upload.lastError && upload.queued > 0 && (
        <Alert
          type={upload.deviceRefused ? "error" : "warning"}
          showIcon
          data-testid="gate-upload-error"
          message={upload.deviceRefused ? t("scan.gate.deviceRefused") : t("scan.gate.uploadFailed")}
          description={upload.lastError === "network" ? t("errors.network") : upload.lastError}
        />
      )}
    </>
  );
}
