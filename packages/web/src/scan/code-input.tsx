import { CameraOutlined, StopOutlined } from "@ant-design/icons";
import { Alert, Button, Input, type InputRef, Space } from "antd";
import jsQR from "jsqr";
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";

/** The same code seen again by the camera within this time is not a new scan. */
const REPEAT_MS = 3_000;
/** Frames are scaled down to this width before decoding: enough for a phone-screen QR, cheap on a phone. */
const FRAME_WIDTH = 640;

/**
 * Where a code comes from: a text field (hardware barcode scanners type the text and Enter; paste
 * works too) or the camera, decoded with jsQR frame by frame. Calls `onCode` with the text read.
 */
export function CodeInput({
  onCode,
  disabled,
  focusKey,
}: {
  onCode: (text: string) => void;
  disabled?: boolean;
  /** Changing it moves the focus to the code field (where a hardware scanner types). */
  focusKey?: number;
}) {
  const { t } = useTranslation();
  const [text, setText] = useState("");
  const [camera, setCamera] = useState(false);
  const input = useRef<InputRef>(null);
  useEffect(() => {
    if (focusKey) input.current?.focus();
  }, [focusKey]);

  const submit = (value: string) => {
    const v = value.trim();
    setText("");
    if (v) onCode(v);
    input.current?.focus();
  };

  return (
    <Space direction="vertical" style={{ width: "100%" }}>
      <Space.Compact style={{ width: "100%" }}>
        <Input
          ref={input}
          autoFocus
          size="large"
          data-testid="scan-input"
          placeholder={t("scan.inputPlaceholder")}
          aria-label={t("scan.inputPlaceholder")}
          value={text}
          disabled={disabled}
          autoComplete="off"
          spellCheck={false}
          onChange={(e) => setText(e.target.value)}
          onPressEnter={() => submit(text)}
          onPaste={(e) => {
            const pasted = e.clipboardData.getData("text");
            if (pasted.trim().startsWith("CDC")) {
              e.preventDefault();
              submit(pasted);
            }
          }}
        />
        <Button size="large" data-testid="scan-submit" disabled={disabled} onClick={() => submit(text)}>
          {t("scan.check")}
        </Button>
      </Space.Compact>
      <Button
        block
        icon={camera ? <StopOutlined /> : <CameraOutlined />}
        data-testid="scan-camera"
        disabled={disabled}
        onClick={() => setCamera((c) => !c)}
      >
        {camera ? t("scan.cameraStop") : t("scan.cameraStart")}
      </Button>
      {camera && <CameraReader onCode={onCode} />}
    </Space>
  );
}

function CameraReader({ onCode }: { onCode: (text: string) => void }) {
  const { t } = useTranslation();
  const video = useRef<HTMLVideoElement>(null);
  const [error, setError] = useState<string | null>(null);
  const onCodeRef = useRef(onCode);
  useEffect(() => {
    onCodeRef.current = onCode;
  }, [onCode]);

  useEffect(() => {
    let stream: MediaStream | null = null;
    let frame = 0;
    let stopped = false;
    let last = { text: "", at: 0 };
    const canvas = document.createElement("canvas");
    const ctx = canvas.getContext("2d", { willReadFrequently: true });

    const tick = () => {
      if (stopped) return;
      const v = video.current;
      if (v && ctx && v.readyState >= v.HAVE_CURRENT_DATA && v.videoWidth > 0) {
        const scale = Math.min(1, FRAME_WIDTH / v.videoWidth);
        canvas.width = Math.round(v.videoWidth * scale);
        canvas.height = Math.round(v.videoHeight * scale);
        ctx.drawImage(v, 0, 0, canvas.width, canvas.height);
        const img = ctx.getImageData(0, 0, canvas.width, canvas.height);
        const qr = jsQR(img.data, img.width, img.height, { inversionAttempts: "dontInvert" });
        const now = Date.now();
        if (qr && qr.data && (qr.data !== last.text || now - last.at > REPEAT_MS)) {
          last = { text: qr.data, at: now };
          onCodeRef.current(qr.data);
        }
      }
      frame = requestAnimationFrame(tick);
    };

    void (async () => {
      try {
        if (!navigator.mediaDevices?.getUserMedia) throw new Error("no camera API");
        stream = await navigator.mediaDevices.getUserMedia({
          video: { facingMode: "environment" },
          audio: false,
        });
        if (stopped) {
          stream.getTracks().forEach((tr) => tr.stop());
          return;
        }
        const v = video.current;
        if (!v) return;
        v.srcObject = stream;
        await v.play();
        frame = requestAnimationFrame(tick);
      } catch (e) {
        if (!stopped) setError(e instanceof Error ? e.message : String(e));
      }
    })();

    return () => {
      stopped = true;
      cancelAnimationFrame(frame);
      stream?.getTracks().forEach((tr) => tr.stop());
    };
  }, []);

  if (error) {
    return <Alert type="warning" showIcon message={t("scan.cameraError")} description={error} />;
  }
  return (
    <video
      ref={video}
      data-testid="scan-video"
      muted
      playsInline
      style={{ width: "100%", maxHeight: 320, background: "#000", borderRadius: 8 }}
    />
  );
}
