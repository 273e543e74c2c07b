-- Side tables for the drop-in APIs (README, "Drop-in APIs").
-- The fleet monitor's server registry: hostname is unique; registering again updates the row.
CREATE TABLE IF NOT EXISTS servers (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    hostname      text NOT NULL UNIQUE,
    ip_address    text,
    os            text,
    labels        jsonb NOT NULL DEFAULT '{}'::jsonb,
    agent_version text,
    last_seen     timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);

-- Training-run metadata: kept per (run, metric, step) when a batch write carries any.
CREATE TABLE IF NOT EXISTS run_metadata (
    run_id      text   NOT NULL,
    metric_name text   NOT NULL,
    step        bigint NOT NULL,
    metadata    jsonb  NOT NULL,
    PRIMARY KEY (run_id, metric_name, step)
);
