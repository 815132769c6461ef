import { CheckCircleOutlined, ScanOutlined } from "@ant-design/icons";
import {
  Alert,
  App,
  Button,
  Card,
  Empty,
  Input,
  type InputRef,
  List,
  Progress,
  Select,
  Space,
  Tag,
  Typography,
} from "antd";
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { ApiError } from "../api/client.ts";
import { useApiData } from "../api/use-api-data.ts";
import { PageError } from "../shell/page-states.tsx";
import { natApi, type PoolDecision, type PoolSize, personRef, type Tube } from "./nat-api.ts";
import { formatMinute, pick, Refusal } from "./nat-bits.tsx";

const DESK_KEY = "cordon.nat.desk";

interface Desk {
  pointId?: string;
  campaignId?: string;
  roundId?: string;
}

function storedDesk(): Desk {
  try {
    return JSON.parse(localStorage.getItem(DESK_KEY) ?? "{}") as Desk;
  } catch {
    return {};
  }
}

/** The tube at the desk: its barcode, and the tube once opened (null: new, opened by the first person). */
interface CurrentTube {
  barcode: string;
  tube: Tube | null;
  pool: PoolDecision | null;
}

/** A refusal and what the sampler had scanned when it came. */
interface Refused {
  error: unknown;
  what: "tube" | "person" | "seal";
}

interface Sealed {
  barcode: string;
  n: number;
  size: number;
  at: string;
}

/** The local refusal of a tube the server already says cannot take swabs (sealed, or of another round). */
class LocalRefusal extends ApiError {}

/**
 * The sampler at a desk, on a phone: the sampling point and round, then a tube's barcode, then each
 * person's document number or code; the tube fills (n / size) and is sealed. Every refusal is shown
 * in the user's language and nothing typed is lost.
 */
export function SamplerPage() {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const [desk, setDesk] = useState<Desk>(storedDesk);
  const [barcodeText, setBarcodeText] = useState("");
  const [personText, setPersonText] = useState("");
  const [size, setSize] = useState<PoolSize | "auto">("auto");
  const [current, setCurrent] = useState<CurrentTube | null>(null);
  const [scanned, setScanned] = useState<Record<string, string>>({});
  const [refused, setRefused] = useState<Refused | null>(null);
  const [busy, setBusy] = useState(false);
  const [sealed, setSealed] = useState<Sealed[]>([]);
  const barcodeRef = useRef<InputRef>(null);
  const personRef_ = useRef<InputRef>(null);

  const points = useApiData("nat-points", () => natApi.points());
  const campaigns = useApiData("nat-campaigns", () => natApi.campaigns());
  const campaign = useApiData(desk.campaignId ? `nat-campaign:${desk.campaignId}` : null, () =>
    natApi.campaign(desk.campaignId!),
  );

  useEffect(() => {
    try {
      localStorage.setItem(DESK_KEY, JSON.stringify(desk));
    } catch {
      // Private windows may refuse storage; the desk is then chosen again after a reload.
    }
  }, [desk]);

  // The round defaults to the campaign's current one (the latest started).
  const roundId = desk.roundId ?? campaign.data?.round.id;
  const round = campaign.data?.roundList.find((r) => r.id === roundId);
  const point = points.data?.items.find((p) => p.id === desk.pointId);
  const ready = Boolean(point && round);

  const focusPerson = () => setTimeout(() => personRef_.current?.focus(), 0);
  const focusBarcode = () => setTimeout(() => barcodeRef.current?.focus(), 0);

  const scanTube = async () => {
    const barcode = barcodeText.trim();
    if (!barcode || !round) return;
    setBusy(true);
    setRefused(null);
    try {
      const tube = await natApi.tube(barcode);
      if (tube.sealedAt !== null)
        throw new LocalRefusal(422, "nat.tube_sealed", t("nat.sample.tubeSealed", { barcode }));
      if (tube.roundId !== round.id)
        throw new LocalRefusal(422, "nat.tube_other_round", t("nat.sample.otherRound", { barcode }));
      setCurrent({ barcode, tube, pool: null });
      focusPerson();
    } catch (e) {
      if (e instanceof ApiError && e.status === 404 && !(e instanceof LocalRefusal)) {
        setCurrent({ barcode, tube: null, pool: null });
        focusPerson();
      } else {
        setRefused({ error: e, what: "tube" });
      }
    } finally {
      setBusy(false);
    }
  };

  const addPerson = async () => {
    const text = personText.trim();
    if (!text || !current || !round || !point) return;
    setBusy(true);
    setRefused(null);
    const ref = personRef(text);
    try {
      const before = new Set(current.tube?.members.map((m) => m.personId) ?? []);
      const r = current.tube
        ? await natApi.addSwab(current.barcode, ref)
        : await natApi.openTube({
            barcode: current.barcode,
            roundId: round.id,
            samplingPointId: point.id,
            person: ref,
            ...(size === "auto" ? {} : { size }),
          });
      const added = r.tube.members.find((m) => !before.has(m.personId));
      if (added) setScanned((s) => ({ ...s, [added.personId]: text }));
      setCurrent({ barcode: current.barcode, tube: r.tube, pool: r.pool });
      setPersonText("");
      if (r.tube.full) message.info(t("nat.sample.full", { barcode: current.barcode }));
      focusPerson();
    } catch (e) {
      setRefused({ error: e, what: "person" });
      focusPerson();
    } finally {
      setBusy(false);
    }
  };

  const seal = async () => {
    if (!current?.tube) return;
    setBusy(true);
    setRefused(null);
    try {
      const tube = await natApi.seal(current.barcode);
      setSealed((s) => [
        { barcode: tube.barcode, n: tube.members.length, size: tube.size, at: tube.sealedAt ?? "" },
        ...s,
      ]);
      message.success(t("nat.sample.sealed", { barcode: tube.barcode, n: tube.members.length }));
      setCurrent(null);
      setBarcodeText("");
      setSize("auto");
      focusBarcode();
    } catch (e) {
      setRefused({ error: e, what: "seal" });
    } finally {
      setBusy(false);
    }
  };

  const error = points.error ?? campaigns.error ?? campaign.error;
  if (error)
    return (
      <PageError error={error} onRetry={() => (points.reload(), campaigns.reload(), campaign.reload())} />
    );

  const tube = current?.tube ?? null;
  const n = tube?.members.length ?? 0;
  const tubeSize = tube?.size ?? null;

  return (
    <Space
      direction="vertical"
      size="middle"
      style={{ width: "100%", maxWidth: 560 }}
      data-testid="sampler-page"
    >
      <Typography.Title level={4} style={{ margin: 0 }}>
        {t("nat.sample.title")}
      </Typography.Title>
      <Card size="small" title={t("nat.sample.deskTitle")}>
        <Space direction="vertical" style={{ width: "100%" }}>
          <Select
            size="large"
            style={{ width: "100%" }}
            placeholder={t("nat.sample.point")}
            loading={points.loading}
            value={point?.id}
            onChange={(pointId) => setDesk((d) => ({ ...d, pointId }))}
            options={(points.data?.items ?? []).map((p) => ({ value: p.id, label: p.name }))}
            optionRender={(o) => <span data-testid={`sample-point-option-${o.value}`}>{o.label}</span>}
            notFoundContent={t("nat.sample.noPoints")}
            data-testid="sample-point"
          />
          <Select
            size="large"
            style={{ width: "100%" }}
            placeholder={t("nat.sample.campaign")}
            loading={campaigns.loading}
            value={campaigns.data?.items.some((c) => c.id === desk.campaignId) ? desk.campaignId : undefined}
            onChange={(campaignId) => setDesk((d) => ({ ...d, campaignId, roundId: undefined }))}
            options={(campaigns.data?.items ?? []).map((c) => ({ value: c.id, label: c.name }))}
            optionRender={(o) => <span data-testid={`sample-campaign-option-${o.value}`}>{o.label}</span>}
            notFoundContent={t("nat.sample.noCampaigns")}
            data-testid="sample-campaign"
          />
          {campaign.data && (
            <Select
              size="large"
              style={{ width: "100%" }}
              value={round?.id}
              onChange={(id) => setDesk((d) => ({ ...d, roundId: id }))}
              options={campaign.data.roundList.map((r) => ({
                value: r.id,
                label: t("nat.sample.roundOption", {
                  n: r.number,
                  from: formatMinute(r.startsAt),
                  to: formatMinute(r.deadlineAt),
                }),
              }))}
              data-testid="sample-round"
              data-round={round?.number}
            />
          )}
        </Space>
      </Card>

      {ready && (
        <Card size="small" title={t("nat.sample.tubeTitle")} data-testid="sample-tube-card">
          <Space direction="vertical" style={{ width: "100%" }}>
            <Space.Compact style={{ width: "100%" }}>
              <Input
                ref={barcodeRef}
                size="large"
                prefix={<ScanOutlined />}
                placeholder={t("nat.sample.barcode")}
                value={barcodeText}
                disabled={current !== null}
                onChange={(e) => setBarcodeText(e.target.value)}
                onPressEnter={scanTube}
                autoComplete="off"
                data-testid="sample-barcode"
              />
              {current ? (
                <Button
                  size="large"
                  onClick={() => {
                    setCurrent(null);
                    setRefused(null);
                    focusBarcode();
                  }}
                  data-testid="sample-tube-change"
                >
                  {t("nat.sample.change")}
                </Button>
              ) : (
                <Button
                  size="large"
                  type="primary"
                  loading={busy}
                  onClick={scanTube}
                  data-testid="sample-barcode-go"
                >
                  {t("nat.sample.openTube")}
                </Button>
              )}
            </Space.Compact>
            {refused?.what === "tube" && <Refusal error={refused.error} testId="sample-refusal" />}
            {current && (
              <div
                data-testid="sample-tube"
                data-barcode={current.barcode}
                data-state={tube ? "open" : "new"}
              >
                {tube ? (
                  <Space direction="vertical" style={{ width: "100%" }} size={4}>
                    <Space wrap>
                      <Tag color="blue" data-testid="sample-tube-size" data-size={tube.size}>
                        {tube.mode === "household"
                          ? t("nat.sample.householdTube", { n: tube.size })
                          : t("nat.sample.poolTube", { n: tube.size })}
                      </Tag>
                      {current.pool && (
                        <Typography.Text
                          type="secondary"
                          style={{ fontSize: 12 }}
                          data-testid="sample-pool-reason"
                        >
                          {pick(current.pool.reason, i18n.language)}
                        </Typography.Text>
                      )}
                    </Space>
                    <Progress
                      percent={Math.round((n / tube.size) * 100)}
                      status={tube.full ? "success" : "active"}
                      format={() => (
                        <span data-testid="tube-fill" data-n={n} data-size={tube.size}>
                          {n} / {tube.size}
                        </span>
                      )}
                    />
                  </Space>
                ) : (
                  <Space direction="vertical" style={{ width: "100%" }} size={4}>
                    <Typography.Text data-testid="sample-tube-new">
                      {t("nat.sample.newTube", { barcode: current.barcode })}
                    </Typography.Text>
                    <Space wrap>
                      <span>{t("nat.sample.size")}</span>
                      <Select<PoolSize | "auto">
                        value={size}
                        onChange={setSize}
                        style={{ width: 180 }}
                        data-testid="sample-size"
                        options={[
                          { value: "auto", label: t("nat.sample.sizeAuto") },
                          ...([1, 5, 10, 20] as const).map((s) => ({
                            value: s,
                            label: t("nat.sample.poolTube", { n: s }),
                          })),
                        ]}
                      />
                    </Space>
                  </Space>
                )}
              </div>
            )}
          </Space>
        </Card>
      )}

      {ready && current && (
        <Card size="small" title={t("nat.sample.personTitle")} data-testid="sample-person-card">
          <Space direction="vertical" style={{ width: "100%" }}>
            <Space.Compact style={{ width: "100%" }}>
              <Input
                ref={personRef_}
                size="large"
                prefix={<ScanOutlined />}
                placeholder={t("nat.sample.person")}
                value={personText}
                disabled={tube?.full === true}
                onChange={(e) => setPersonText(e.target.value)}
                onPressEnter={addPerson}
                autoComplete="off"
                data-testid="sample-person"
              />
              <Button
                size="large"
                type="primary"
                loading={busy}
                disabled={tube?.full === true}
                onClick={addPerson}
                data-testid="sample-person-add"
              >
                {t("nat.sample.add")}
              </Button>
            </Space.Compact>
            {refused && refused.what !== "tube" && <Refusal error={refused.error} testId="sample-refusal" />}
            {tube?.full && (
              <Alert type="success" showIcon title={t("nat.sample.fullHint")} data-testid="sample-full" />
            )}
            <List
              size="small"
              dataSource={[...(tube?.members ?? [])].reverse()}
              locale={{ emptyText: t("nat.sample.noneYet") }}
              renderItem={(m) => (
                <List.Item data-testid="sample-member" data-person={m.personId}>
                  <Space wrap>
                    <CheckCircleOutlined style={{ color: "#52c41a" }} />
                    <span>{scanned[m.personId] ?? m.personId.slice(0, 8)}</span>
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      {formatMinute(m.sampledAt)}
                    </Typography.Text>
                  </Space>
                </List.Item>
              )}
            />
            <Button
              block
              size="large"
              type={tube?.full ? "primary" : "default"}
              disabled={!tube}
              loading={busy}
              onClick={seal}
              data-testid="sample-seal"
            >
              {t("nat.sample.seal", { n, size: tubeSize ?? "—" })}
            </Button>
          </Space>
        </Card>
      )}

      {ready && (
        <Card size="small" title={t("nat.sample.sealedTitle")}>
          {sealed.length === 0 ? (
            <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t("nat.sample.noneSealed")} />
          ) : (
            <List
              size="small"
              dataSource={sealed}
              renderItem={(s) => (
                <List.Item data-testid="sample-sealed" data-barcode={s.barcode} data-n={s.n}>
                  <Space wrap>
                    <Tag>{s.barcode}</Tag>
                    <span>
                      {s.n} / {s.size}
                    </span>
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      {formatMinute(s.at)}
                    </Typography.Text>
                  </Space>
                </List.Item>
              )}
            />
          )}
        </Card>
      )}
    </Space>
  );
}
