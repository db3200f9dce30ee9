-- What an action achieved, as its hosts report it after the fact (issue 16):
-- one row per event, replaced by each new report.
CREATE TABLE event_outcomes (
    event_id uuid PRIMARY KEY REFERENCES events (id) ON DELETE CASCADE,
    leaflets integer CHECK (leaflets BETWEEN 0 AND 1000000),
    doors_knocked integer CHECK (doors_knocked BETWEEN 0 AND 1000000),
    conversations integer CHECK (conversations BETWEEN 0 AND 1000000),
    posters integer CHECK (posters BETWEEN 0 AND 1000000),
    signatures integer CHECK (signatures BETWEEN 0 AND 1000000),
    contacts integer CHECK (contacts BETWEEN 0 AND 1000000),
    notes text CHECK (char_length(notes) <= 2000),
    reported_at timestamptz NOT NULL DEFAULT now(),
    -- Kept when the reporter's account goes: the figures are the movement's.
    reported_by uuid REFERENCES people (id) ON DELETE SET NULL
);
CREATE INDEX event_outcomes_reporter_idx ON event_outcomes (reported_by);
