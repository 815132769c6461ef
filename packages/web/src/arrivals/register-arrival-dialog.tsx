import { Alert, Form, Modal, Select, Spin } from "antd";
import { useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, unwrap } from "../api/client.ts";
import type { PersonSummary } from "../api/types.ts";
import { ArrivalFields, type ArrivalValues, reportOf, showReportErrors } from "./arrival-form.tsx";

interface RegisterValues extends ArrivalValues {
  personId?: string;
}

/** Chooses a person from the registry by name, pinyin or the last digits of their ID (GET /api/people?q=). */
function PersonSelect({ value, onChange }: { value?: string; onChange?: (v: string | undefined) => void }) {
  const { t } = useTranslation();
  const [options, setOptions] = useState<PersonSummary[]>([]);
  const [searching, setSearching] = useState(false);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const seq = useRef(0);
  const search = (term: string) => {
    clearTimeout(timer.current);
    const q = term.trim();
    if (!q) return;
    timer.current = setTimeout(async () => {
      const mine = ++seq.current;
      setSearching(true);
      try {
        const r = await unwrap(api.GET("/api/people", { params: { query: { q, pageSize: 20 } } }));
        if (mine === seq.current) setOptions(r.items);
      } catch {
        if (mine === seq.current) setOptions([]);
      } finally {
        if (mine === seq.current) setSearching(false);
      }
    }, 250);
  };
  return (
    <Select<string>
      value={value}
      onChange={onChange}
      size="large"
      data-testid="register-person"
      placeholder={t("arrivals.personSearch")}
      showSearch={{ filterOption: false, onSearch: search }}
      notFoundContent={searching ? <Spin size="small" /> : null}
      options={options.map((p) => ({
        value: p.id,
        label: `${p.name} ${p.documentNumberMasked}`,
      }))}
      optionRender={(o) => <span data-testid={`person-option-${o.value}`}>{o.label}</span>}
    />
  );
}

/** A grid worker registers an arrival for a person in the registry: the self-report's form plus the person. */
export function RegisterArrivalDialog({
  open,
  onClose,
  onRegistered,
}: {
  open: boolean;
  onClose: () => void;
  onRegistered: (withTask: boolean) => void;
}) {
  const { t } = useTranslation();
  const [form] = Form.useForm<RegisterValues>();
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);

  const submit = async (v: RegisterValues) => {
    setBusy(true);
    setFailure(null);
    try {
      const r = await unwrap(
        api.POST("/api/arrivals", { body: { personId: v.personId ?? "", ...reportOf(v) } }),
      );
      onRegistered(r.task !== null);
    } catch (e) {
      setFailure(showReportErrors(form, t, e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open={open}
      title={t("arrivals.registerTitle")}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t("selfReport.submit")}
      okButtonProps={{ "data-testid": "register-submit" }}
      cancelText={t("common.cancel")}
      confirmLoading={busy}
      width={560}
      destroyOnHidden
    >
      <Form<RegisterValues>
        form={form}
        layout="vertical"
        onFinish={submit}
        initialValues={{ occupation: "none", travel: [] }}
        scrollToFirstError
      >
        <Form.Item
          name="personId"
          label={t("arrivals.personField")}
          rules={[{ required: true, message: t("arrivals.personRequired") }]}
        >
          <PersonSelect />
        </Form.Item>
        <ArrivalFields publicPlaces={false} />
        {failure && <Alert type="error" showIcon message={failure} />}
      </Form>
    </Modal>
  );
}
