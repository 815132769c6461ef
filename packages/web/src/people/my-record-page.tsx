import { CarOutlined, HeartOutlined, QrcodeOutlined } from "@ant-design/icons";
import { Button, Card, Result, Space, Typography } from "antd";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router";
import { useMe } from "../accounts/session.tsx";
import { useApiData } from "../api/use-api-data.ts";
import { MyArrivals } from "../arrivals/my-arrivals.tsx";
import { quarantineApi } from "../quarantine/quarantine-api.ts";
import { PersonDetailPage } from "./person-detail-page.tsx";

/** A citizen's own record: the one person their account is linked to. */
export function MyRecordPage() {
  const { t } = useTranslation();
  const { me } = useMe();
  const navigate = useNavigate();
  // Someone in quarantine reports their temperature twice a day: the way there is on their own page.
  const placement = useApiData("me-placement", () =>
    me.user.personId ? quarantineApi.myPlacement() : Promise.resolve(null),
  );
  if (!me.user.personId) {
    return <Result status="info" title={t("people.noLinkedRecord")} data-testid="no-linked-record" />;
  }
  return (
    <Space direction="vertical" size="middle" style={{ width: "100%" }}>
      <Card size="small" data-testid="my-code-card">
        <Space direction="vertical" style={{ width: "100%" }}>
          <Typography.Text>{t("codes.my.openLead")}</Typography.Text>
          <Button
            type="primary"
            size="large"
            block
            icon={<QrcodeOutlined />}
            onClick={() => navigate("/me/code")}
            data-testid="open-my-code"
          >
            {t("codes.my.open")}
          </Button>
        </Space>
      </Card>
      <Card size="small">
        <Space direction="vertical" style={{ width: "100%" }}>
          <Typography.Text>{t("selfReport.openLead")}</Typography.Text>
          <Button
            type="primary"
            size="large"
            block
            icon={<CarOutlined />}
            onClick={() => navigate("/me/arrival")}
            data-testid="open-self-report"
          >
            {t("selfReport.open")}
          </Button>
        </Space>
      </Card>
      {placement.data && (
        <Card size="small" data-testid="my-quarantine">
          <Space direction="vertical" style={{ width: "100%" }}>
            <Typography.Text>{t("quarantine.me.openLead")}</Typography.Text>
            <Button
              type="primary"
              size="large"
              block
              icon={<HeartOutlined />}
              onClick={() => navigate("/me/health")}
              data-testid="open-health-report"
            >
              {t("quarantine.me.report")}
            </Button>
          </Space>
        </Card>
      )}
      <MyArrivals />
      <PersonDetailPage personId={me.user.personId} />
    </Space>
  );
}
