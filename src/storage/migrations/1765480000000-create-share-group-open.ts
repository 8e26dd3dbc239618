import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * PostgreSQL only: `shoal_share_group_open(name, exclusive, check_keys)` locks a share group's
 * row (FOR SHARE, or FOR UPDATE when `exclusive`) and answers it with its members, as JSON
 * (`group` null: no such group), and the topics they subscribe to that exist (`topics`) — what
 * every share fetch and ack opens with, in one round trip where it took three. With
 * `check_keys`, `keys` says whether an API key exists (a fetch whose auth check rides on it:
 * security/deferred-auth.ts), looked at before the group. The members are read by a statement
 * of their own after the lock (a VOLATILE function's statements each take a new snapshot under
 * READ COMMITTED), so they are as of after any wait for the lock, as the separate statements
 * read them. SQLite keeps its statements.
 */
export class CreateShareGroupOpen1765480000000 implements MigrationInterface {
  name = 'CreateShareGroupOpen1765480000000';

  async up(runner: QueryRunner): Promise<void> {
    if (runner.connection.options.type !== 'postgres') return;
    await runner.query(`CREATE OR REPLACE FUNCTION shoal_share_group_open(group_name TEXT, exclusive BOOLEAN, check_keys BOOLEAN) RETURNS JSON
      LANGUAGE plpgsql VOLATILE AS $fn$
      DECLARE
        g shoal_share_group%ROWTYPE;
        members JSON;
        topics JSON;
      BEGIN
        IF check_keys AND EXISTS (SELECT 1 FROM shoal_api_key) THEN
          RETURN json_build_object('keys', true);
        END IF;
        IF exclusive THEN
          SELECT * INTO g FROM shoal_share_group WHERE name = group_name FOR UPDATE;
        ELSE
          SELECT * INTO g FROM shoal_share_group WHERE name = group_name FOR SHARE;
        END IF;
        IF NOT FOUND THEN
          RETURN json_build_object('group', NULL);
        END IF;
        SELECT COALESCE(json_agg(json_build_object('member_id', m.member_id, 'topics', m.topics,
            'session_timeout_ms', m.session_timeout_ms, 'expires_at', m.expires_at) ORDER BY m.member_id), '[]'::json)
          INTO members FROM shoal_share_member m WHERE m.group_id = g.id;
        SELECT COALESCE(json_agg(row_to_json(t)), '[]'::json) INTO topics FROM shoal_topic t
          WHERE t.name IN (SELECT json_array_elements_text(m.topics::json) FROM shoal_share_member m WHERE m.group_id = g.id);
        RETURN json_build_object('group', row_to_json(g), 'members', members, 'topics', topics);
      END
      $fn$`);
  }

  async down(runner: QueryRunner): Promise<void> {
    if (runner.connection.options.type !== 'postgres') return;
    await runner.query('DROP FUNCTION IF EXISTS shoal_share_group_open(TEXT, BOOLEAN, BOOLEAN)');
  }
}
