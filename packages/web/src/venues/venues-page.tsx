import { VENUE_KINDS, type VenueKind } from "@cordon/domain/venues/venue-kinds";
import { PlusOutlined, PrinterOutlined } from "@ant-design/icons";
import {
  Alert,
  App,
  Button,
  type ButtonProps,
  Card,
  Col,
  Form,
  Input,
  InputNumber,
  Modal,
  Row,
  Select,
  Space,
  Statistic,
  Switch,
  Table,
  type TableColumnsType,
  Tag,
  Typography,
} from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { api, unwrap } from "../api/client.ts";
import { applyServerErrors, errorText } from "../api/errors.ts";
import type { components } from "../api/schema.d.ts";
import { useApiData } from "../api/use-api-data.ts";
import { formatDateTime } from "../i18n/format.ts";
import { RegionPicker } from "../regions/region-picker.tsx";
import { PageError } from "../shell/page-states.tsx";

type Venue = components["schemas"]["VenueListItem"];
type Device = components["schemas"]["VenueDevice"];
type Scan = components["schemas"]["VenueScan"];

const FIELDS = ["name", "kind", "regionCode", "address", "capacity", "lat", "lon"] as const;

interface VenueValues {
  name?: string;
  kind?: VenueKind;
  regionCode?: string;
  address?: string;
  capacity?: number | null;
  lat?: number | null;
  lon?: number | null;
  active?: boolean;
}

/**
 * Venues (场所码) in the user's jurisdiction: register and change them, print each one's poster (its QR
 * code opens the check-in page), see its gate devices and its recent check-ins.
 */
export function VenuesPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [q, setQ] = useState("");
  const [kind, setKind] = useState<VenueKind | undefined>();
  const [page, setPage] = useState(1);
  const [editing, setEditing] = useState<Venue | "new" | null>(null);
  const [devicesOf, setDevicesOf] = useState<Venue | null>(null);
  const [scansOf, setScansOf] = useState<Venue | null>(null);
  const [busy, setBusy] = useState(false);
  const [form] = Form.useForm<VenueValues>();
  const { data, error, loading, reload } = useApiData(`venues:${q}:${kind ?? ""}:${page}`, () =>
    unwrap(
      api.GET("/api/venues", {
        params: {
          query: { page, pageSize: 20, ...(q.trim() ? { q: q.trim() } : {}), ...(kind ? { kind } : {}) },
        },
      }),
    ),
  );

  const open = (v: Venue | "new") => {
    form.resetFields();
    if (v !== "new")
      form.setFieldsValue({
        name: v.name,
        kind: v.kind,
        regionCode: v.regionCode,
        address: v.address,
        capacity: v.capacity,
        lat: v.lat,
        lon: v.lon,
        active: v.active,
      });
    setEditing(v);
  };

  const save = async (v: VenueValues) => {
    if (!editing) return;
    setBusy(true);
    const body = {
      name: v.name ?? "",
      kind: v.kind ?? "",
      regionCode: v.regionCode ?? "",
      address: v.address ?? "",
      capacity: v.capacity ?? null,
      lat: v.lat ?? null,
      lon: v.lon ?? null,
    };
    try {
      if (editing === "new") {
        await unwrap(api.POST("/api/venues", { body }));
        message.success(t("venues.created"));
      } else {
        await unwrap(
          api.PATCH("/api/venues/{id}", {
            params: { path: { id: editing.id } },
            body: { ...body, active: v.active ?? true, version: editing.version },
          }),
        );
        message.success(t("venues.saved"));
      }
      setEditing(null);
      reload();
    } catch (e) {
      const rest = applyServerErrors(form, FIELDS, t, e);
      if (rest) message.error(rest);
    } finally {
      setBusy(false);
    }
  };

  const columns: TableColumnsType<Venue> = [
    {
      title: t("venues.name"),
      dataIndex: "name",
      render: (name: string, v) => (
        <span data-testid="venue-name" data-id={v.id}>
          {name} {!v.active && <Tag data-testid="venue-inactive">{t("venues.inactive")}</Tag>}
        </span>
      ),
    },
    { title: t("venues.kind"), dataIndex: "kind", render: (k: VenueKind) => t(`venues.kinds.${k}`) },
    { title: t("venues.region"), dataIndex: "regionName" },
    { title: t("venues.address"), dataIndex: "address" },
    {
      title: t("venues.capacity"),
      dataIndex: "capacity",
      render: (c: number | null) => c ?? t("common.none"),
    },
    { title: t("venues.devices"), dataIndex: "devices" },
    {
      title: t("common.actions"),
      key: "actions",
      render: (_: unknown, v) => (
        <Space wrap>
          <Button size="small" data-testid="venue-edit" onClick={() => open(v)}>
            {t("venues.edit")}
          </Button>
          <Button
            size="small"
            icon={<PrinterOutlined />}
            href={`/api/venues/${v.id}/poster.pdf`}
            target="_blank"
            data-testid="venue-poster"
          >
            {t("venues.poster")}
          </Button>
          <Button size="small" data-testid="venue-devices" onClick={() => setDevicesOf(v)}>
            {t("venues.devicesButton")}
          </Button>
          <Button size="small" data-testid="venue-scans" onClick={() => setScansOf(v)}>
            {t("venues.scansButton")}
          </Button>
        </Space>
      ),
    },
  ];

  return (
    <Card
      title={t("venues.title")}
      data-testid="venues-page"
      extra={
        <Button type="primary" icon={<PlusOutlined />} data-testid="venue-create" onClick={() => open("new")}>
          {t("venues.create")}
        </Button>
      }
    >
      <Typography.Paragraph type="secondary">{t("venues.lead")}</Typography.Paragraph>
      <Space style={{ marginBottom: 16 }} wrap>
        <Input.Search
          allowClear
          placeholder={t("venues.search")}
          onSearch={(v) => {
            setQ(v);
            setPage(1);
          }}
          style={{ width: 260 }}
          data-testid="venues-search"
        />
        <Select<VenueKind>
          allowClear
          placeholder={t("venues.kind")}
          value={kind}
          onChange={(k) => {
            setKind(k);
            setPage(1);
          }}
          style={{ width: 180 }}
          options={VENUE_KINDS.map((k) => ({ value: k, label: t(`venues.kinds.${k}`) }))}
        />
      </Space>
      {error ? (
        <PageError error={error} onRetry={reload} />
      ) : (
        <Table<Venue>
          rowKey="id"
          size="middle"
          loading={loading}
          columns={columns}
          dataSource={data?.items ?? []}
          locale={{ emptyText: t("venues.empty") }}
          pagination={{
            current: page,
            pageSize: 20,
            total: data?.total ?? 0,
            onChange: setPage,
            hideOnSinglePage: true,
          }}
          scroll={{ x: 1000 }}
          data-testid="venues-table"
        />
      )}
      <Modal
        open={editing !== null}
        title={editing === "new" ? t("venues.createTitle") : t("venues.editTitle")}
        onCancel={() => setEditing(null)}
        onOk={() => form.submit()}
        okText={t("common.save")}
        cancelText={t("common.cancel")}
        confirmLoading={busy}
        okButtonProps={{ "data-testid": "venue-form-submit" } as ButtonProps}
        width={640}
        forceRender
      >
        <Form<VenueValues> form={form} layout="vertical" onFinish={save}>
          <Form.Item
            name="name"
            label={t("venues.name")}
            rules={[{ required: true, message: t("venues.required") }]}
          >
            <Input maxLength={200} data-testid="venue-form-name" />
          </Form.Item>
          <Row gutter={16}>
            <Col span={12}>
              <Form.Item
                name="kind"
                label={t("venues.kind")}
                rules={[{ required: true, message: t("venues.required") }]}
              >
                <Select
                  data-testid="venue-form-kind"
                  options={VENUE_KINDS.map((k) => ({ value: k, label: t(`venues.kinds.${k}`) }))}
                />
              </Form.Item>
            </Col>
            <Col span={12}>
              <Form.Item name="capacity" label={t("venues.capacity")}>
                <InputNumber
                  min={1}
                  max={1_000_000}
                  precision={0}
                  style={{ width: "100%" }}
                  data-testid="venue-form-capacity"
                />
              </Form.Item>
            </Col>
          </Row>
          <Form.Item
            name="regionCode"
            label={t("venues.region")}
            rules={[{ required: true, message: t("venues.required") }]}
          >
            <RegionPicker data-testid="venue-form-region" />
          </Form.Item>
          <Form.Item
            name="address"
            label={t("venues.address")}
            rules={[{ required: true, message: t("venues.required") }]}
          >
            <Input maxLength={500} data-testid="venue-form-address" />
          </Form.Item>
          <Row gutter={16}>
            <Col span={12}>
              <Form.Item name="lat" label={t("venues.lat")}>
                <InputNumber min={-90} max={90} step={0.0001} style={{ width: "100%" }} />
              </Form.Item>
            </Col>
            <Col span={12}>
              <Form.Item name="lon" label={t("venues.lon")}>
                <InputNumber min={-180} max={180} step={0.0001} style={{ width: "100%" }} />
              </Form.Item>
            </Col>
          </Row>
          {editing !== "new" && (
            <Form.Item
              name="active"
              label={t("venues.active")}
              valuePropName="checked"
              extra={t("venues.activeHelp")}
            >
              <Switch data-testid="venue-form-active" />
            </Form.Item>
          )}
        </Form>
      </Modal>
      {devicesOf && <DevicesModal venue={devicesOf} onClose={() => setDevicesOf(null)} onChanged={reload} />}
      {scansOf && <ScansModal venue={scansOf} onClose={() => setScansOf(null)} />}
    </Card>
  );
}

function DevicesModal({
  venue,
  onClose,
  onChanged,
}: {
  venue: Venue;
  onClose: () => void;
  onChanged: () => void;
}) {
  const { t } = useTranslation();
  const { message, modal } = App.useApp();
  const { data, error, loading, reload } = useApiData(`venue-devices:${venue.id}`, () =>
    unwrap(api.GET("/api/venues/{id}/devices", { params: { path: { id: venue.id } } })),
  );
  const revoke = (d: Device) =>
    modal.confirm({
      title: t("venues.revokeTitle", { name: d.name }),
      content: t("venues.revokeLead"),
      okText: t("venues.revoke"),
      okButtonProps: { danger: true },
      cancelText: t("common.cancel"),
      onOk: async () => {
        try {
          await unwrap(
            api.POST("/api/venues/{id}/devices/{deviceId}/revoke", {
              params: { path: { id: venue.id, deviceId: d.id } },
            }),
          );
          message.success(t("venues.revoked"));
          reload();
          onChanged();
        } catch (e) {
          message.error(errorText(t, e));
        }
      },
    });
  return (
    <Modal
      open
      title={t("venues.devicesTitle", { name: venue.name })}
      onCancel={onClose}
      footer={null}
      width={720}
    >
      <Alert
        type="info"
        showIcon
        style={{ marginBottom: 12 }}
        message={
          <span>
            {t("venues.devicesLead")} <Link to="/gate">{t("venues.gateLink")}</Link>
          </span>
        }
      />
      {error ? (
        <PageError error={error} onRetry={reload} />
      ) : (
        <Table<Device>
          rowKey="id"
          size="small"
          loading={loading}
          dataSource={data?.items ?? []}
          pagination={false}
          locale={{ emptyText: t("venues.noDevices") }}
          data-testid="venue-devices-table"
          columns={[
            { title: t("venues.deviceName"), dataIndex: "name" },
            {
              title: t("venues.registeredAt"),
              dataIndex: "createdAt",
              render: (v: string) => formatDateTime(v),
            },
            {
              title: t("venues.deviceState"),
              dataIndex: "revokedAt",
              render: (v: string | null) =>
                v ? (
                  <Tag>{t("venues.revokedAt", { at: formatDateTime(v) })}</Tag>
                ) : (
                  <Tag color="green">{t("venues.deviceActive")}</Tag>
                ),
            },
            {
              title: t("common.actions"),
              key: "actions",
              render: (_: unknown, d) =>
                !d.revokedAt && (
                  <Button size="small" danger onClick={() => revoke(d)} data-testid="device-revoke">
                    {t("venues.revoke")}
                  </Button>
                ),
            },
          ]}
        />
      )}
    </Modal>
  );
}

const COLOUR_TAG: Record<Scan["colour"], string> = {
  green: "green",
  yellow: "gold",
  red: "red",
  grey: "default",
};

function ScansModal({ venue, onClose }: { venue: Venue; onClose: () => void }) {
  const { t } = useTranslation();
  const { data, error, loading, reload } = useApiData(`venue-scans:${venue.id}`, () =>
    unwrap(api.GET("/api/venues/{id}/scans", { params: { path: { id: venue.id }, query: { hours: 24 } } })),
  );
  return (
    <Modal
      open
      title={t("venues.scansTitle", { name: venue.name })}
      onCancel={onClose}
      footer={null}
      width={760}
    >
      {error ? (
        <PageError error={error} onRetry={reload} />
      ) : (
        <>
          <Space size="large" style={{ marginBottom: 12 }}>
            <Statistic title={t("venues.admitted")} value={data?.admitted ?? 0} />
            <Statistic title={t("venues.refused")} value={data?.refused ?? 0} />
          </Space>
          <Table<Scan>
            rowKey="id"
            size="small"
            loading={loading}
            dataSource={data?.items ?? []}
            pagination={{ pageSize: 20, hideOnSinglePage: true }}
            locale={{ emptyText: t("venues.noScans") }}
            data-testid="venue-scans-table"
            columns={[
              { title: t("venues.scanAt"), dataIndex: "at", render: (v: string) => formatDateTime(v) },
              { title: t("venues.way"), dataIndex: "way", render: (w: Scan["way"]) => t(`venues.ways.${w}`) },
              {
                title: t("venues.colour"),
                dataIndex: "colour",
                render: (c: Scan["colour"]) => <Tag color={COLOUR_TAG[c]}>{t(`venues.colours.${c}`)}</Tag>,
              },
              {
                title: t("venues.temperature"),
                dataIndex: "temperature",
                render: (v: number | null) => (v === null ? t("common.none") : `${v.toFixed(1)} ℃`),
              },
              {
                title: t("venues.decision"),
                dataIndex: "decision",
                render: (d: Scan["decision"]) => (
                  <Tag color={d === "admit" ? "green" : "red"}>{t(`venues.decisions.${d}`)}</Tag>
                ),
              },
            ]}
          />
        </>
      )}
    </Modal>
  );
}
