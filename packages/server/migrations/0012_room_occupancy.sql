-- A quarantine room's "occupied" is derived from its placements, not stored (issue 4). A room's
-- effective state is occupied while at least one placement with status 'placed' is in it
-- (quarantine_placements.site_id, room_id), otherwise its stored state (`effectiveRoomState` in
-- packages/server/src/quarantine/site.repository.ts; every read of a room's state goes through it).
-- The stored state (quarantine_rooms.state) is what staff set — free, cleaning, out of service, or
-- occupied by someone not in the registry — and what release leaves (cleaning, once the last person
-- placed in the room has left). Placing people no longer writes the room (it only takes its row lock,
-- so that two placements into one room happen one after the other), and a room holding placed people
-- cannot be changed by hand.
--
-- Rooms that placing set occupied and that still hold a current placement go back to the state they
-- had before they were placed into (free: a room is placed into only when free); their effective
-- state stays occupied. Rooms stored occupied with nobody placed in them were set so by hand and stay.
--
-- Distribution (docs/scale-out.md): no new table. quarantine_rooms is distributed by site_id and
-- quarantine_placements by person_id, so the effective state of a room looks up the placements of its
-- site on every shard (the placements' index by site, status and room answers it).

UPDATE quarantine_rooms r
SET state = 'free', state_reason = NULL
WHERE r.state = 'occupied'
  AND EXISTS (
    SELECT 1 FROM quarantine_placements q
    WHERE q.site_id = r.site_id AND q.status = 'placed' AND q.room_id = r.id
  );
