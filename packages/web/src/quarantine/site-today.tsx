import { Badge, Card, Col, Input, List, Row, Space, Tag, Typography } from "antd";
import { type ReactNode, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { useApiData } from "../api/use-api-data.ts";
import { PageError } from "../shell/page-states.tsx";
import { quarantineApi } from "./quarantine-api.ts";

interface Entry {
  placementId: string;
  personName: string;
  roomNumber: string | null;
}
import { formatMinute, pick, todayLocal } from "./quarantine-bits.tsx";

function PersonLink({ e }: { e: Entry }) {
  return (
    <Link to={`/quarantine/placements/${e.placementId}`} data-testid="today-person">
      {e.personName}
    </Link>
  );
}

function Section<T extends Entry>({
  title,
  testId,
  items,
  color,
  render,
}: {
  title: string;
  testId: string;
  items: T[] | undefined;
  color: string;
  render: (e: T) => ReactNode;
}) {
  const { t } = useTranslation();
  return (
    <Card
      size="small"
      data-testid={testId}
      title={
        <Space>
          {title}
          <Badge count={items?.length ?? 0} color={color} showZero data-testid={`${testId}-count`} />
        </Space>
      }
    >
      <List<T>
        size="small"
        dataSource={items ?? []}
        locale={{ emptyText: t("quarantine.today.none") }}
        renderItem={(e) => <List.Item data-testid={`${testId}-item`}>{render(e)}</List.Item>}
      />
    </Card>
  );
}

const room = (e: Entry) =>
  e.roomNumber ? (
    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
      {e.roomNumber}
    </Typography.Text>
  ) : null;

/** One site's day: tests due and missed, who may be released, fever and symptom alerts, missing reports. */
export function SiteToday({ siteId, refresh }: { siteId: string; refresh: number }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const [date, setDate] = useState(todayLocal);
  const sampleLabel = (s: string) =>
    s === "nasopharyngeal" || s === "oropharyngeal" || s === "unspecified" ? t(`quarantine.samples.${s}`) : s;
  const today = useApiData(`today:${siteId}:${date}:${refresh}`, () => quarantineApi.today(siteId, date));
  const alerts = useApiData(`alerts:${siteId}:${date}:${refresh}`, () => quarantineApi.alerts(siteId, date));

  return (
    <Space direction="vertical" style={{ width: "100%" }} data-testid="site-today">
      <Space>
        <span>{t("quarantine.today.date")}</span>
        <Input
          type="date"
          value={date}
          onChange={(e) => e.target.value && setDate(e.target.value)}
          style={{ width: 180 }}
          data-testid="today-date"
        />
      </Space>
      {today.error ? (
        <PageError error={today.error} onRetry={today.reload} />
      ) : (
        <Row gutter={[12, 12]}>
          <Col xs={24} md={8}>
            <Section
              title={t("quarantine.today.dueTests")}
              testId="today-due"
              color="blue"
              items={today.data?.dueTests}
              render={(e) => (
                <Space wrap>
                  <PersonLink e={e} />
                  {room(e)}
                  <Tag>{t("quarantine.course.day", { n: e.dayNumber })}</Tag>
                  <Tag>{sampleLabel(e.sample)}</Tag>
                  {e.result && (
                    <Tag color={e.result.outcome === "positive" ? "red" : "green"}>
                      {t(`quarantine.outcomes.${e.result.outcome}`)}
                    </Tag>
                  )}
                </Space>
              )}
            />
          </Col>
          <Col xs={24} md={8}>
            <Section
              title={t("quarantine.today.missedTests")}
              testId="today-missed"
              color="red"
              items={today.data?.missedTests}
              render={(e) => (
                <Space wrap>
                  <PersonLink e={e} />
                  {room(e)}
                  <Tag color="red">{e.date}</Tag>
                  <Tag>{t("quarantine.course.day", { n: e.dayNumber })}</Tag>
                </Space>
              )}
            />
          </Col>
          <Col xs={24} md={8}>
            <Section
              title={t("quarantine.today.releasable")}
              testId="today-releasable"
              color="green"
              items={today.data?.releasable}
              render={(e) => (
                <Space wrap>
                  <PersonLink e={e} />
                  {room(e)}
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {pick(e.message, lang)}
                  </Typography.Text>
                </Space>
              )}
            />
          </Col>
        </Row>
      )}
      {alerts.error ? (
        <PageError error={alerts.error} onRetry={alerts.reload} />
      ) : (
        <Row gutter={[12, 12]}>
          <Col xs={24} md={12}>
            <Section
              title={t("quarantine.today.alerts")}
              testId="today-alerts"
              color="red"
              items={alerts.data?.alerts}
              render={(e) => (
                <Space wrap>
                  <PersonLink e={e} />
                  {room(e)}
                  <Typography.Text type="secondary">{formatMinute(e.at)}</Typography.Text>
                  <Typography.Text type="danger" strong data-testid="today-alert-temperature">
                    {e.temperatureC.toFixed(1)} °C
                  </Typography.Text>
                  {e.alerts.map((a, i) => (
                    <Tag key={i} color="red">
                      {pick(a.message, lang)}
                    </Tag>
                  ))}
                </Space>
              )}
            />
          </Col>
          <Col xs={24} md={12}>
            <Section
              title={t("quarantine.today.missing")}
              testId="today-missing"
              color="orange"
              items={alerts.data?.missing}
              render={(e) => (
                <Space wrap>
                  <PersonLink e={e} />
                  {room(e)}
                  <Tag color="orange">{t("quarantine.today.cutoff", { cutoff: e.cutoff })}</Tag>
                </Space>
              )}
            />
          </Col>
        </Row>
      )}
    </Space>
  );
}
