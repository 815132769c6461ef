import { ROOM_TYPE_LABELS } from "@cordon/domain/quarantine/sites";
import { Alert, Col, Form, Input, Modal, Radio, Row, Select, Spin, Typography } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api, unwrap } from "../api/client.ts";
import { applyServerErrors } from "../api/errors.ts";
import type { PersonSummary } from "../api/types.ts";
import { useApiData } from "../api/use-api-data.ts";
import { usePersonSearch } from "../people/use-person-search.ts";
import { instantOf, nowLocal } from "../shell/local-time.ts";
import { type PersonFacts, quarantineApi } from "./quarantine-api.ts";
import { formatMinute, pick } from "./quarantine-bits.tsx";

type Category = "close" | "secondary" | "inbound_overseas";

interface PlaceValues {
  siteId?: string;
  personIds?: string[];
  roomId?: string;
  placedAt?: string;
  sourceKind?: "manual" | "arrival_task";
  taskId?: string;
  category?: Category;
  lastExposureAt?: string;
  arrivalAt?: string;
}

/** Chooses one or more people from the registry by name, pinyin or the last digits of their ID. */
function PeopleSelect({ value, onChange }: { value?: string[]; onChange?: (v: string[]) => void }) {
  const { t } = useTranslation();
  const { options, known, searching, search } = usePersonSearch();
  const chosen = (value ?? []).map((id) => known.get(id)).filter((p): p is PersonSummary => p !== undefined);
  const all = [...chosen, ...options.filter((o) => !(value ?? []).includes(o.id))];
  return (
    <Select<string[]>
      mode="multiple"
      value={value}
      onChange={onChange}
      data-testid="place-people"
      placeholder={t("quarantine.place.peopleSearch")}
      showSearch={{ filterOption: false, onSearch: search }}
      notFoundContent={searching ? <Spin size="small" /> : null}
      options={all.map((p) => ({ value: p.id, label: `${p.name} ${p.documentNumberMasked}` }))}
      optionRender={(o) => <span data-testid={`place-person-option-${o.value}`}>{o.label}</span>}
    />
  );
}

/** The engine's facts for a manual placement, from the category the staff chose. */
function factsOf(v: PlaceValues): PersonFacts {
  if ((v.category === "close" || v.category === "secondary") && v.lastExposureAt) {
    return { contacts: [{ kind: v.category, lastExposureAt: instantOf(v.lastExposureAt) }] };
  }
  if (v.category === "inbound_overseas") return { inboundOverseas: true };
  return {};
}

/**
 * Places one person or a household (several people, one room) at a site: the room from the site's
 * suggestions, the time, and where the placement comes from (an arrival's control task, or by hand with
 * the facts the measures are decided on).
 */
export function PlacementDialog({
  open,
  siteId,
  onClose,
  onPlaced,
}: {
  open: boolean;
  siteId?: string;
  onClose: () => void;
  onPlaced: (placed: number) => void;
}) {
  const { t, i18n } = useTranslation();
  const [form] = Form.useForm<PlaceValues>();
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const [offered] = useState(nowLocal);
  const chosenSite = Form.useWatch("siteId", form) ?? siteId;
  const personIds = Form.useWatch("personIds", form) ?? [];
  const sourceKind = Form.useWatch("sourceKind", form) ?? "manual";
  const category = Form.useWatch("category", form);
  const n = Math.max(personIds.length, 1);

  const sites = useApiData(open ? "place-sites" : null, () => quarantineApi.sites());
  const suggestions = useApiData(open && chosenSite ? `suggest:${chosenSite}:${n}` : null, () =>
    quarantineApi.suggestions(chosenSite ?? "", n),
  );
  const tasks = useApiData(open && sourceKind === "arrival_task" ? "place-tasks" : null, () =>
    unwrap(api.GET("/api/arrivals/tasks", { params: { query: {} } })),
  );
  const site = sites.data?.items.find((s) => s.id === chosenSite);
  const taskOptions = (tasks.data?.items ?? []).filter(
    (task) => task.status !== "released" && (personIds.length === 0 || personIds.includes(task.personId)),
  );

  const submit = async (v: PlaceValues) => {
    setBusy(true);
    setFailure(null);
    try {
      const facts = v.sourceKind === "arrival_task" ? undefined : factsOf(v);
      const r = await quarantineApi.place({
        siteId: v.siteId ?? "",
        roomId: v.roomId ?? null,
        placedAt: instantOf(v.placedAt ?? offered, offered),
        source:
          v.sourceKind === "arrival_task" && v.taskId
            ? { kind: "arrival_task", id: v.taskId }
            : { kind: "manual" },
        people: (v.personIds ?? []).map((personId) => ({
          personId,
          ...(v.lastExposureAt && v.category !== "inbound_overseas"
            ? { lastExposureAt: instantOf(v.lastExposureAt) }
            : {}),
          ...(v.arrivalAt ? { arrivalAt: instantOf(v.arrivalAt) } : {}),
          ...(facts ? { facts } : {}),
        })),
      });
      form.resetFields();
      onPlaced(r.items.length);
    } catch (e) {
      setFailure(applyServerErrors(form, ["siteId", "roomId", "placedAt", "people"], t, e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open={open}
      title={t("quarantine.place.title")}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t("quarantine.place.submit")}
      okButtonProps={{ "data-testid": "place-submit" }}
      cancelText={t("common.cancel")}
      confirmLoading={busy}
      width={640}
      destroyOnHidden
    >
      <Form<PlaceValues>
        form={form}
        layout="vertical"
        onFinish={submit}
        initialValues={{ siteId, placedAt: offered, sourceKind: "manual" }}
      >
        <Form.Item
          name="siteId"
          label={t("quarantine.place.site")}
          rules={[{ required: true, message: t("quarantine.required") }]}
        >
          <Select
            data-testid="place-site"
            loading={sites.loading}
            onChange={() => form.setFieldValue("roomId", undefined)}
            options={(sites.data?.items ?? []).map((s) => ({ value: s.id, label: s.name }))}
          />
        </Form.Item>
        <Form.Item
          name="personIds"
          label={t("quarantine.place.people")}
          extra={t("quarantine.place.household")}
          rules={[{ required: true, message: t("quarantine.required") }]}
        >
          <PeopleSelect />
        </Form.Item>
        <Form.Item
          name="roomId"
          label={t("quarantine.place.room")}
          extra={
            site?.kind === "home"
              ? t("quarantine.place.homeRoom")
              : suggestions.data?.message
                ? pick(suggestions.data.message, i18n.language)
                : t("quarantine.place.suggested", { n: suggestions.data?.rooms.length ?? 0 })
          }
          rules={site?.kind === "home" ? [] : [{ required: true, message: t("quarantine.required") }]}
        >
          <Select
            allowClear
            showSearch={{ optionFilterProp: "label" }}
            data-testid="place-room"
            loading={suggestions.loading}
            notFoundContent={
              suggestions.error ? (
                <Typography.Text type="danger">{suggestions.error.message}</Typography.Text>
              ) : null
            }
            options={(suggestions.data?.rooms ?? []).map((r) => ({
              value: r.id,
              label: `${r.number} · ${pick(ROOM_TYPE_LABELS[r.type], i18n.language)}`,
            }))}
            optionRender={(o) => (
              <span data-testid={`place-room-option-${String(o.label).split(" ")[0]}`}>{o.label}</span>
            )}
          />
        </Form.Item>
        <Row gutter={16}>
          <Col span={12}>
            <Form.Item
              name="placedAt"
              label={t("quarantine.place.placedAt")}
              rules={[{ required: true, message: t("quarantine.required") }]}
            >
              <Input type="datetime-local" data-testid="place-at" />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="sourceKind" label={t("quarantine.place.source")}>
              <Radio.Group data-testid="place-source">
                <Radio value="manual">{t("quarantine.place.sources.manual")}</Radio>
                <Radio value="arrival_task">{t("quarantine.place.sources.arrival_task")}</Radio>
              </Radio.Group>
            </Form.Item>
          </Col>
        </Row>
        {sourceKind === "arrival_task" ? (
          <Form.Item
            name="taskId"
            label={t("quarantine.place.task")}
            rules={[{ required: true, message: t("quarantine.required") }]}
          >
            <Select
              data-testid="place-task"
              loading={tasks.loading}
              options={taskOptions.map((task) => ({
                value: task.id,
                label: `${task.personName} · ${formatMinute(task.arrivalAt)} · ${pick(task.statusLabel, i18n.language)}`,
              }))}
            />
          </Form.Item>
        ) : (
          <>
            {/* The category decides the measures: a placement by hand without one has none to follow. */}
            <Form.Item
              name="category"
              label={t("quarantine.place.category")}
              rules={[{ required: true, message: t("quarantine.required") }]}
            >
              <Select
                data-testid="place-category"
                options={(["close", "secondary", "inbound_overseas"] as const).map((c) => ({
                  value: c,
                  label: t(`quarantine.place.categories.${c}`),
                }))}
              />
            </Form.Item>
            <Row gutter={16}>
              {(category === "close" || category === "secondary") && (
                <Col span={12}>
                  <Form.Item
                    name="lastExposureAt"
                    label={t("quarantine.place.lastExposureAt")}
                    rules={[{ required: true, message: t("quarantine.required") }]}
                  >
                    <Input type="datetime-local" data-testid="place-exposure" />
                  </Form.Item>
                </Col>
              )}
              {category === "inbound_overseas" && (
                <Col span={12}>
                  <Form.Item
                    name="arrivalAt"
                    label={t("quarantine.place.arrivalAt")}
                    rules={[{ required: true, message: t("quarantine.required") }]}
                  >
                    <Input type="datetime-local" data-testid="place-arrival" />
                  </Form.Item>
                </Col>
              )}
            </Row>
          </>
        )}
        {failure && <Alert type="error" showIcon message={failure} data-testid="place-error" />}
      </Form>
    </Modal>
  );
}
