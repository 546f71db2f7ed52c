namespace EdgeGw.Storage;

/// <summary>
/// The schema as an ordered list of steps; <c>PRAGMA user_version</c> records how many have run.
/// Steps are append-only: a released step is never edited, a change is a new step.
/// Money columns are INTEGER nano-dollars so SQL sums are exact; times are Unix milliseconds.
/// </summary>
internal static class Migrations
{
    public static readonly string[] Steps =
    [
        // 1: keys, teams, users, global spend, spend logs.
        """
        CREATE TABLE teams (
            team_id TEXT PRIMARY KEY,
            team_alias TEXT,
            models TEXT NOT NULL DEFAULT '[]',
            max_budget INTEGER,
            budget_duration TEXT,
            budget_reset_at INTEGER,
            rpm_limit INTEGER,
            tpm_limit INTEGER,
            blocked INTEGER NOT NULL DEFAULT 0,
            metadata TEXT NOT NULL DEFAULT '{}',
            spend INTEGER NOT NULL DEFAULT 0,
            spend_seq INTEGER NOT NULL DEFAULT 0,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL
        );
        CREATE TABLE users (
            user_id TEXT PRIMARY KEY,
            user_email TEXT,
            user_alias TEXT,
            models TEXT NOT NULL DEFAULT '[]',
            max_budget INTEGER,
            budget_duration TEXT,
            budget_reset_at INTEGER,
            metadata TEXT NOT NULL DEFAULT '{}',
            spend INTEGER NOT NULL DEFAULT 0,
            spend_seq INTEGER NOT NULL DEFAULT 0,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL
        );
        CREATE TABLE keys (
            token TEXT PRIMARY KEY,
            key_name TEXT NOT NULL,
            key_alias TEXT,
            team_id TEXT,
            user_id TEXT,
            models TEXT NOT NULL DEFAULT '[]',
            max_budget INTEGER,
            budget_duration TEXT,
            budget_reset_at INTEGER,
            rpm_limit INTEGER,
            tpm_limit INTEGER,
            max_parallel_requests INTEGER,
            metadata TEXT NOT NULL DEFAULT '{}',
            blocked INTEGER NOT NULL DEFAULT 0,
            expires INTEGER,
            spend INTEGER NOT NULL DEFAULT 0,
            spend_seq INTEGER NOT NULL DEFAULT 0,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL
        );
        CREATE INDEX keys_team ON keys (team_id);
        CREATE INDEX keys_user ON keys (user_id);
        CREATE TABLE global_spend (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            spend INTEGER NOT NULL DEFAULT 0,
            budget_reset_at INTEGER,
            spend_seq INTEGER NOT NULL DEFAULT 0
        );
        INSERT INTO global_spend (id) VALUES (1);
        CREATE TABLE spend_logs (
            request_id TEXT PRIMARY KEY,
            call_type TEXT NOT NULL,
            api_key TEXT NOT NULL,
            spend INTEGER NOT NULL,
            total_tokens INTEGER NOT NULL,
            prompt_tokens INTEGER NOT NULL,
            completion_tokens INTEGER NOT NULL,
            start_time INTEGER NOT NULL,
            end_time INTEGER NOT NULL,
            model TEXT NOT NULL,
            model_group TEXT NOT NULL,
            model_id TEXT NOT NULL,
            api_base TEXT NOT NULL,
            user TEXT,
            team_id TEXT,
            metadata TEXT NOT NULL DEFAULT '{}',
            cache_hit INTEGER NOT NULL DEFAULT 0,
            status TEXT NOT NULL
        );
        CREATE INDEX spend_logs_time ON spend_logs (start_time);
        CREATE INDEX spend_logs_key ON spend_logs (api_key, start_time);
        CREATE INDEX spend_logs_team ON spend_logs (team_id, start_time);
        CREATE INDEX spend_logs_user ON spend_logs (user, start_time);
        """,
        // 2: rate limits for users (rpm, tpm, parallel) and teams (parallel), as keys have.
        """
        ALTER TABLE users ADD COLUMN rpm_limit INTEGER;
        ALTER TABLE users ADD COLUMN tpm_limit INTEGER;
        ALTER TABLE users ADD COLUMN max_parallel_requests INTEGER;
        ALTER TABLE teams ADD COLUMN max_parallel_requests INTEGER;
        """,
        // 3: team memberships (/team/member_add) with a budget in the team and its spend.
        """
        CREATE TABLE team_members (
            member_id TEXT PRIMARY KEY,
            team_id TEXT NOT NULL,
            user_id TEXT NOT NULL,
            role TEXT NOT NULL DEFAULT 'user',
            max_budget INTEGER,
            spend INTEGER NOT NULL DEFAULT 0,
            budget_reset_at INTEGER,
            spend_seq INTEGER NOT NULL DEFAULT 0,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL
        );
        CREATE INDEX team_members_team ON team_members (team_id);
        CREATE INDEX team_members_user ON team_members (user_id);
        """,
        // 4: LiteLLM_SpendLogs' end_user, request_tags (JSON array) and custom_llm_provider.
        """
        ALTER TABLE spend_logs ADD COLUMN end_user TEXT;
        ALTER TABLE spend_logs ADD COLUMN request_tags TEXT NOT NULL DEFAULT '[]';
        ALTER TABLE spend_logs ADD COLUMN custom_llm_provider TEXT;
        CREATE INDEX spend_logs_end_user ON spend_logs (end_user, start_time);
        """,
        // 5: request_id is the call id a client may choose, so it is no key: every request keeps its own row.
        """
        ALTER TABLE spend_logs RENAME TO spend_logs_v4;
        CREATE TABLE spend_logs (
            row_id INTEGER PRIMARY KEY,
            request_id TEXT NOT NULL,
            call_type TEXT NOT NULL,
            api_key TEXT NOT NULL,
            spend INTEGER NOT NULL,
            total_tokens INTEGER NOT NULL,
            prompt_tokens INTEGER NOT NULL,
            completion_tokens INTEGER NOT NULL,
            start_time INTEGER NOT NULL,
            end_time INTEGER NOT NULL,
            model TEXT NOT NULL,
            model_group TEXT NOT NULL,
            model_id TEXT NOT NULL,
            api_base TEXT NOT NULL,
            user TEXT,
            team_id TEXT,
            metadata TEXT NOT NULL DEFAULT '{}',
            cache_hit INTEGER NOT NULL DEFAULT 0,
            status TEXT NOT NULL,
            end_user TEXT,
            request_tags TEXT NOT NULL DEFAULT '[]',
            custom_llm_provider TEXT
        );
        INSERT INTO spend_logs (request_id, call_type, api_key, spend, total_tokens, prompt_tokens, completion_tokens, start_time,
          end_time, model, model_group, model_id, api_base, user, team_id, metadata, cache_hit, status, end_user, request_tags, custom_llm_provider)
        SELECT request_id, call_type, api_key, spend, total_tokens, prompt_tokens, completion_tokens, start_time,
          end_time, model, model_group, model_id, api_base, user, team_id, metadata, cache_hit, status, end_user, request_tags, custom_llm_provider
        FROM spend_logs_v4 ORDER BY rowid;
        DROP TABLE spend_logs_v4;
        CREATE INDEX spend_logs_request ON spend_logs (request_id);
        CREATE INDEX spend_logs_time ON spend_logs (start_time);
        CREATE INDEX spend_logs_key ON spend_logs (api_key, start_time);
        CREATE INDEX spend_logs_team ON spend_logs (team_id, start_time);
        CREATE INDEX spend_logs_user ON spend_logs (user, start_time);
        CREATE INDEX spend_logs_end_user ON spend_logs (end_user, start_time);
        """,
        // 6: LiteLLM_SpendLogs' cache_key: a response-cache hit names the entry it was answered from.
        """
        ALTER TABLE spend_logs ADD COLUMN cache_key TEXT;
        """,
        // 7: Responses API turns kept for previous_response_id, GET and input_items (bridged providers), or where they live (pass-through).
        """
        CREATE TABLE responses (
            response_id TEXT PRIMARY KEY,
            deployment_id TEXT NOT NULL,
            model_group TEXT NOT NULL,
            previous_response_id TEXT,
            input_items BLOB,
            response BLOB,
            key_hash TEXT,
            team_id TEXT,
            created_at INTEGER NOT NULL
        );
        CREATE INDEX responses_created ON responses (created_at);
        """,
        // 8: models added at run time (/model/new), as LiteLLM_ProxyModelTable: params and info as JSON text, secrets inside already encrypted.
        """
        CREATE TABLE proxy_models (
            model_id TEXT PRIMARY KEY,
            model_name TEXT NOT NULL,
            litellm_params TEXT NOT NULL,
            model_info TEXT,
            created_at INTEGER NOT NULL,
            created_by TEXT NOT NULL,
            updated_at INTEGER NOT NULL,
            updated_by TEXT NOT NULL
        );
        """,
        // 9: credentials stored through /credentials, as LiteLLM_CredentialsTable: values as JSON text, each value already encrypted.
        """
        CREATE TABLE credentials (
            credential_id TEXT PRIMARY KEY,
            credential_name TEXT NOT NULL UNIQUE,
            credential_values TEXT NOT NULL,
            credential_info TEXT,
            created_at INTEGER NOT NULL,
            created_by TEXT NOT NULL,
            updated_at INTEGER NOT NULL,
            updated_by TEXT NOT NULL
        );
        """,
        // 10: the team, user and end-user indexes hold only rows that have one: most keys carry none of the three,
        // and each index a row enters is a B-tree insert on the spend writer's per-row path. The reports' filters
        // (=, IN) imply IS NOT NULL, so SQLite still uses them.
        """
        DROP INDEX spend_logs_team;
        DROP INDEX spend_logs_user;
        DROP INDEX spend_logs_end_user;
        CREATE INDEX spend_logs_team ON spend_logs (team_id, start_time) WHERE team_id IS NOT NULL;
        CREATE INDEX spend_logs_user ON spend_logs (user, start_time) WHERE user IS NOT NULL;
        CREATE INDEX spend_logs_end_user ON spend_logs (end_user, start_time) WHERE end_user IS NOT NULL;
        """,
    ];

    public static int Latest => Steps.Length;
}
