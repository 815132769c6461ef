import type { VerifyResult } from "@cordon/domain/codes/format";
import { Card, Typography } from "antd";
import { type ReactNode, useCallback, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { LanguageSwitch } from "../shell/language-switch.tsx";
import { CodeInput } from "./code-input.tsx";
import { useOfflineShell } from "./offline.ts";
import { useScanner } from "./use-scanner.ts";
import { ScannerStatusBar, Verdict } from "./verdict.tsx";

/**
 * The public health-code scanner (/scan): phone-sized, no login. Verifies the signed code on this
 * device with the published keys and the revocation list (fetched every minute, kept for offline use)
 * and shows the colour, vaccination status and expiry — or why the code is refused.
 */
export function ScanPage() {
  const { t } = useTranslation();
  const offlineReady = useOfflineShell();
  const { verifier, status, refresh } = useScanner();
  const [result, setResult] = useState<VerifyResult | null>(null);
  const seq = useRef(0);

  const onCode = useCallback(
    (text: string) => {
      const mine = ++seq.current;
      void verifier.verify(text, Math.floor(Date.now() / 1000)).then((r) => {
        if (mine !== seq.current) return; // a later scan already answered
        setResult(r);
        if (!r.ok && r.reason === "unknown_key") refresh();
      });
    },
    [verifier, refresh],
  );

  return (
    <ScanFrame title={t("scan.title")}>
      <ScannerStatusBar status={status} onRefresh={refresh} offlineReady={offlineReady} />
      <CodeInput onCode={onCode} disabled={!status.ready} />
      {result && <Verdict result={result} />}
      <Typography.Paragraph type="secondary" style={{ fontSize: 12, margin: 0 }}>
        {t("scan.lead")}
      </Typography.Paragraph>
    </ScanFrame>
  );
}

/** The phone-sized frame of the scanner and gate pages. */
export function ScanFrame({ title, children }: { title: string; children: ReactNode }) {
  return (
    <div style={{ maxWidth: 480, margin: "0 auto", padding: 12 }}>
      <div
        style={{ display: "flex", justifyContent: "space-between", alignItems: "center", marginBottom: 8 }}
      >
        <Typography.Title level={4} style={{ margin: 0 }}>
          {title}
        </Typography.Title>
        <LanguageSwitch />
      </div>
      <Card styles={{ body: { display: "flex", flexDirection: "column", gap: 12, padding: 12 } }}>
        {children}
      </Card>
    </div>
  );
}
