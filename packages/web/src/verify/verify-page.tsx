import { CheckCircleFilled, CloseCircleFilled } from "@ant-design/icons";
import { Card, Descriptions, Result, Spin, Typography } from "antd";
import { useTranslation } from "react-i18next";
import { useParams } from "react-router";
import { errorText } from "../api/errors.ts";
import { useApiData } from "../api/use-api-data.ts";
import { LanguageSwitch } from "../shell/language-switch.tsx";
import { quarantineApi } from "../quarantine/quarantine-api.ts";

/**
 * The public page a release certificate's QR code opens: no login; valid or not, and the masked facts
 * the certificate states, so a checkpoint can compare them with the paper.
 */
export function VerifyPage() {
  const { certificateId = "" } = useParams();
  const { t } = useTranslation();
  const { data, error, loading } = useApiData(`certificate:${certificateId}`, () =>
    quarantineApi.certificate(certificateId),
  );
  const valid = data?.valid === true;
  return (
    <div style={{ maxWidth: 560, margin: "0 auto", padding: 16 }}>
      <div
        style={{ display: "flex", justifyContent: "space-between", alignItems: "center", marginBottom: 12 }}
      >
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t("quarantine.verify.title")}
        </Typography.Title>
        <LanguageSwitch />
      </div>
      <Card data-testid="verify-page">
        {loading && !data && !error ? (
          <Spin />
        ) : data && valid ? (
          <>
            <Result
              status="success"
              icon={<CheckCircleFilled />}
              title={
                <span data-testid="verify-status" data-valid="true">
                  {t("quarantine.verify.valid")}
                </span>
              }
              style={{ padding: "8px 0" }}
            />
            <Descriptions
              column={1}
              size="small"
              bordered
              styles={{ label: { whiteSpace: "nowrap" } }}
              data-testid="verify-facts"
            >
              <Descriptions.Item label={t("quarantine.verify.name")}>
                <span data-testid="verify-name">{data.personNameMasked}</span>
              </Descriptions.Item>
              <Descriptions.Item label={t("quarantine.verify.document")}>
                {data.documentNumberMasked}
              </Descriptions.Item>
              <Descriptions.Item label={t("quarantine.verify.site")}>{data.siteName}</Descriptions.Item>
              <Descriptions.Item label={t("quarantine.verify.placedOn")}>{data.placedOn}</Descriptions.Item>
              <Descriptions.Item label={t("quarantine.verify.releasedOn")}>
                <span data-testid="verify-released-on">{data.releasedOn}</span>
              </Descriptions.Item>
              <Descriptions.Item label={t("quarantine.verify.releaseKind")}>
                {t(`quarantine.releaseKinds.${data.releaseKind}`)}
              </Descriptions.Item>
              <Descriptions.Item label={t("quarantine.verify.issuedBy")}>{data.issuedBy}</Descriptions.Item>
            </Descriptions>
          </>
        ) : (
          <Result
            status="error"
            icon={<CloseCircleFilled />}
            title={
              <span data-testid="verify-status" data-valid="false">
                {t("quarantine.verify.invalid")}
              </span>
            }
            subTitle={error ? errorText(t, error) : null}
          />
        )}
        <Typography.Paragraph type="secondary" style={{ marginTop: 12, marginBottom: 0, fontSize: 12 }}>
          {t("quarantine.verify.lead")}
        </Typography.Paragraph>
      </Card>
    </div>
  );
}
