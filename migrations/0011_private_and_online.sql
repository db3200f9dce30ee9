-- Private addresses (issue 16): a meeting in someone's flat shows its
-- street and exact location to its hosts and GOING attendees only; the
-- practical instructions (door code, floor) likewise.
CREATE TYPE address_visibility AS ENUM ('PUBLIC', 'ATTENDEES');
ALTER TABLE events
    ADD COLUMN address_visibility address_visibility NOT NULL DEFAULT 'PUBLIC',
    ADD COLUMN instructions text CHECK (char_length(instructions) <= 2000);

-- Online actions: no place to go, a link instead (hosts and GOING
-- attendees only). Such an action still sits in a commune (its group's,
-- or its organiser's) for the statistics, but near searches skip it.
ALTER TABLE events
    ADD COLUMN online boolean NOT NULL DEFAULT false,
    ADD COLUMN online_url text CHECK (char_length(online_url) <= 2000);
