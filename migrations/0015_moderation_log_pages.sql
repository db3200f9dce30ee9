-- One person's moderation log (the lines about them and the lines by
-- them) read off indexes in the log's order, newest first, so that a
-- moderator looking up one member reads that member's lines and not the
-- whole log (issue 15: no listing grows with the table). The page merges
-- two index walks, one per role; the old index on (target, created_at)
-- served neither order nor the actor.
DROP INDEX moderation_log_target_idx;
CREATE INDEX moderation_log_target_page_idx ON moderation_log (target_person_id, id);
CREATE INDEX moderation_log_actor_page_idx ON moderation_log (actor_id, id);
