import { Alert, Button, Card, Space, Table, type TableColumnsType, Tag, Typography } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api, unwrap } from "../api/client.ts";
import type { components } from "../api/schema.d.ts";
import { useApiData } from "../api/use-api-data.ts";
import { formatMinute, Refusal } from "../tracing/tracing-bits.tsx";

type Candidate = components["schemas"]["CoPresenceCandidate"];

const keyOf = (c: Candidate) => `${c.personId}|${c.basis}|${c.venueId ?? c.cell ?? ""}`;

/**
 * Co-presence candidates (时空伴随) of a case, for its page: people who shared a venue (scans) or an
 * 800 m grid cell (location points) with the case at the same time, under the health-code policy in
 * force; the investigator ticks the ones that stand and confirms them (their codes turn yellow).
 */
export function CoPresenceCard({ caseId, canAct }: { caseId: string; canAct: boolean }) {
  const { t } = useTranslation();
  const data = useApiData(`co-presence:${caseId}`, () =>
    unwrap(api.GET("/api/tracing/cases/{id}/co-presence", { params: { path: { id: caseId } } })),
  );
  const [selected, setSelected] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<{ confirmed: number; already: number } | null>(null);
  const v = data.data;
  const rows = v?.candidates ?? [];

  const confirm = async () => {
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      const chosen = rows.filter((c) => selected.includes(keyOf(c)));
      const r = await unwrap(
        api.POST("/api/tracing/cases/{id}/co-presence/confirm", {
          params: { path: { id: caseId } },
          body: {
            candidates: chosen.map((c) => ({
              personId: c.personId,
              basis: c.basis,
              venueId: c.venueId,
              cell: c.cell,
            })),
          },
        }),
      );
      setDone({ confirmed: r.confirmed.length, already: r.alreadyConfirmed });
      setSelected([]);
      data.reload();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const columns: TableColumnsType<Candidate> = [
    {
      title: t("copresence.person"),
      key: "person",
      render: (_, c) => (
        <Space direction="vertical" size={0}>
          <span>{c.personNameMasked || "—"}</span>
          <Typography.Text type="secondary">{c.documentNumberMasked}</Typography.Text>
        </Space>
      ),
    },
    {
      title: t("copresence.place"),
      key: "place",
      render: (_, c) =>
        c.basis === "venue" ? (
          <Space size={4}>
            <Tag color="blue">{t("copresence.basis.venue")}</Tag>
            {c.venueName ?? c.venueId}
          </Space>
        ) : (
          <Space size={4}>
            <Tag color="purple">{t("copresence.basis.grid_cell")}</Tag>
            <Typography.Text code>{c.cell}</Typography.Text>
          </Space>
        ),
    },
    {
      title: t("copresence.overlap"),
      key: "overlap",
      render: (_, c) => `${formatMinute(c.from)} – ${formatMinute(c.to).slice(11)}`,
    },
    {
      title: t("copresence.minutes"),
      dataIndex: "minutes",
      align: "right",
      render: (m: number) => Math.round(m),
    },
    {
      title: t("copresence.status"),
      key: "status",
      render: (_, c) =>
        c.confirmed ? (
          <Tag color="gold">{t("copresence.confirmed")}</Tag>
        ) : (
          <Tag>{t("copresence.candidate")}</Tag>
        ),
    },
  ];

  return (
    <Card size="small" title={t("copresence.title")} data-testid="co-presence" loading={!v && !data.error}>
      {data.error && <Refusal error={data.error} testId="co-presence-error" />}
      {v && (
        <Space direction="vertical" style={{ width: "100%" }}>
          <Typography.Text type="secondary" data-testid="co-presence-rule">
            {t("copresence.rule", {
              days: v.policy.lookbackDays,
              stay: v.policy.assumedStayMinutes,
              buffer: v.policy.bufferMinutes,
              cell: v.policy.gridCellMeters,
              minutes: v.policy.minMinutes,
            })}
          </Typography.Text>
          <Typography.Text type="secondary">
            {t("copresence.itinerary", { visits: v.visits, points: v.points })}
            {v.excludedContacts > 0 && ` ${t("copresence.excluded", { n: v.excludedContacts })}`}
          </Typography.Text>
          <Table<Candidate>
            size="small"
            rowKey={keyOf}
            dataSource={rows}
            columns={columns}
            pagination={rows.length > 20 ? { pageSize: 20 } : false}
            locale={{ emptyText: t("copresence.none") }}
            data-testid="co-presence-table"
            rowSelection={
              canAct
                ? {
                    selectedRowKeys: selected,
                    onChange: (keys) => setSelected(keys.map(String)),
                    getCheckboxProps: (c) => ({ disabled: c.confirmed }),
                  }
                : undefined
            }
          />
          {canAct && (
            <Button
              type="primary"
              disabled={selected.length === 0}
              loading={busy}
              onClick={() => void confirm()}
              data-testid="co-presence-confirm"
            >
              {t("copresence.confirm", { n: selected.length })}
            </Button>
          )}
          {done && (
            <Alert
              type="success"
              showIcon
              data-testid="co-presence-done"
              message={t("copresence.done", { n: done.confirmed, already: done.already })}
            />
          )}
          {error !== null && <Refusal error={error} testId="co-presence-refused" />}
        </Space>
      )}
    </Card>
  );
}
