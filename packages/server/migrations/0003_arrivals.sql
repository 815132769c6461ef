-- Arrival screening (来返报备): each registered arrival with the engine's decision, and the control task
-- (核 → 转 → 检 → 隔/监测 → 解除) that goes to the responsible community or grid with a due time.
-- Distribution: both tables by person_id (docs/scale-out.md); person_id is part of each primary key,
-- and the task → arrival reference is (person_id, arrival_id) so it stays on one shard.

CREATE TABLE arrivals (
  id uuid NOT NULL,
  person_id uuid NOT NULL REFERENCES persons (id),
  origin_region_code text,
  route text,
  arrival_at timestamptz NOT NULL,
  destination_region_code text COLLATE "C" NOT NULL REFERENCES regions (code),
  travel_history jsonb NOT NULL,
  facts jsonb NOT NULL,
  reported_by text NOT NULL CHECK (reported_by IN ('grid_worker', 'citizen')),
  decision jsonb NOT NULL,
  created_by uuid,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (person_id, id)
);
CREATE UNIQUE INDEX arrivals_id_idx ON arrivals (id, person_id);
CREATE INDEX arrivals_destination_idx ON arrivals (destination_region_code, arrival_at);

CREATE TABLE control_tasks (
  id uuid NOT NULL,
  arrival_id uuid NOT NULL,
  person_id uuid NOT NULL,
  region_code text COLLATE "C" NOT NULL REFERENCES regions (code),
  status text NOT NULL CHECK (status IN ('pending', 'verify', 'transfer', 'test', 'control', 'released')),
  due_at timestamptz NOT NULL,
  steps jsonb NOT NULL DEFAULT '[]',
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  version integer NOT NULL DEFAULT 1,
  PRIMARY KEY (person_id, id),
  FOREIGN KEY (person_id, arrival_id) REFERENCES arrivals (person_id, id)
);
CREATE UNIQUE INDEX control_tasks_id_idx ON control_tasks (id, person_id);
-- "What is overdue in my jurisdiction": a prefix range on region_code, then status and due time.
CREATE INDEX control_tasks_region_status_due_idx ON control_tasks (region_code, status, due_at);
