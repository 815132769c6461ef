import { ROOM_TRANSITIONS, ROOM_TYPE_LABELS, type RoomState } from "@cordon/domain/quarantine/sites";
import { Alert, App, Button, Empty, Input, Modal, Segmented, Space, Spin, Typography } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { useMe } from "../accounts/session.tsx";
import { errorText } from "../api/errors.ts";
import { PageError } from "../shell/page-states.tsx";
import type { BoardRoom } from "./quarantine-api.ts";
import { quarantineApi } from "./quarantine-api.ts";
import { pick, ROOM_STATE_ORDER, ROOM_TILE_STYLES } from "./quarantine-bits.tsx";
import { useApiData } from "../api/use-api-data.ts";

/**
 * The room occupancy board of one site: a tile per room, coloured by state, with who is in it. Staff
 * move a room along the allowed states (a room emptied by release is disinfected, then free again);
 * "occupied" comes from the people placed in a room, not from a hand change, and a room with people in
 * it offers no change (the server refuses one: release or move them first).
 */
export function SiteBoard({
  siteId,
  refresh,
  onChanged,
}: {
  siteId: string;
  refresh: number;
  onChanged: () => void;
}) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const { can } = useMe();
  const [filter, setFilter] = useState<RoomState | "all">("all");
  const [open, setOpen] = useState<BoardRoom | null>(null);
  const [reason, setReason] = useState("");
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const { data, error, loading, reload } = useApiData(`board:${siteId}:${refresh}`, () =>
    quarantineApi.board(siteId),
  );
  const rooms = data?.rooms ?? [];
  const shown = rooms.filter((r) => filter === "all" || r.state === filter);

  const move = async (room: BoardRoom, to: RoomState) => {
    setBusy(true);
    setFailure(null);
    try {
      await quarantineApi.roomState(siteId, room.id, to, reason.trim() || undefined);
      message.success(
        t("quarantine.board.moved", { number: room.number, state: t(`quarantine.roomStates.${to}`) }),
      );
      setOpen(null);
      reload();
      onChanged();
    } catch (e) {
      setFailure(errorText(t, e));
    } finally {
      setBusy(false);
    }
  };

  if (error) return <PageError error={error} onRetry={reload} />;
  if (loading && !data) return <Spin />;

  const counts = Object.fromEntries(
    ROOM_STATE_ORDER.map((s) => [s, rooms.filter((r) => r.state === s).length]),
  );

  return (
    <div data-testid="site-board">
      <Segmented<RoomState | "all">
        value={filter}
        onChange={setFilter}
        style={{ marginBottom: 12 }}
        data-testid="board-filter"
        options={[
          { value: "all", label: `${t("common.all")} ${rooms.length}` },
          ...ROOM_STATE_ORDER.map((s) => ({
            value: s,
            label: `${t(`quarantine.roomStates.${s}`)} ${counts[s]}`,
          })),
        ]}
      />
      {shown.length === 0 ? (
        <Empty description={t("quarantine.board.empty")} />
      ) : (
        <div style={{ display: "flex", flexWrap: "wrap", gap: 6 }}>
          {shown.map((r) => (
            <button
              type="button"
              key={r.id}
              data-testid="board-room"
              data-number={r.number}
              data-state={r.state}
              onClick={() => {
                setReason("");
                setFailure(null);
                setOpen(r);
              }}
              title={pick(ROOM_TYPE_LABELS[r.type], i18n.language)}
              style={{
                ...ROOM_TILE_STYLES[r.state],
                borderWidth: 1,
                borderStyle: "solid",
                borderRadius: 6,
                width: r.occupants.length ? 132 : 64,
                minHeight: 44,
                padding: "4px 6px",
                textAlign: "left",
                cursor: "pointer",
                fontSize: 12,
              }}
            >
              <strong>{r.number}</strong>
              {r.occupants.map((o) => (
                <div
                  key={o.placementId}
                  data-testid="board-occupant"
                  style={{ overflow: "hidden", textOverflow: "ellipsis", whiteSpace: "nowrap" }}
                >
                  {o.personName}
                </div>
              ))}
            </button>
          ))}
        </div>
      )}
      <Modal
        open={open !== null}
        title={open && t("quarantine.board.roomTitle", { number: open.number })}
        onCancel={() => setOpen(null)}
        footer={null}
        destroyOnHidden
      >
        {open && (
          <Space direction="vertical" style={{ width: "100%" }} data-testid="room-dialog">
            <Typography.Text>
              {pick(ROOM_TYPE_LABELS[open.type], i18n.language)} · {t(`quarantine.roomStates.${open.state}`)}
            </Typography.Text>
            {open.occupants.map((o) => (
              <div key={o.placementId}>
                <Link to={`/quarantine/placements/${o.placementId}`} data-testid="room-occupant-link">
                  {o.personName}
                </Link>{" "}
                <Typography.Text type="secondary">
                  {t("quarantine.board.since", {
                    since: o.since.slice(0, 10),
                    end: o.plannedEnd ?? t("common.none"),
                  })}
                </Typography.Text>
              </div>
            ))}
            {can("quarantine.rooms") && open.occupants.length === 0 && (
              <>
                {ROOM_TRANSITIONS[open.state].includes("out_of_service") && (
                  <Input
                    placeholder={t("quarantine.board.reason")}
                    value={reason}
                    maxLength={1000}
                    onChange={(e) => setReason(e.target.value)}
                    data-testid="room-reason"
                  />
                )}
                <Space wrap>
                  {ROOM_TRANSITIONS[open.state]
                    .filter((s) => s !== "occupied")
                    .map((s) => (
                      <Button
                        key={s}
                        loading={busy}
                        danger={s === "out_of_service"}
                        onClick={() => void move(open, s)}
                        data-testid={`room-to-${s}`}
                      >
                        {t(`quarantine.board.to.${s}`)}
                      </Button>
                    ))}
                </Space>
              </>
            )}
            {failure && <Alert type="error" showIcon message={failure} />}
          </Space>
        )}
      </Modal>
    </div>
  );
}
