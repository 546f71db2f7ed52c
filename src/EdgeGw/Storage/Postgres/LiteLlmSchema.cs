using Npgsql;

namespace EdgeGw.Storage.Postgres;

/// <summary>
/// LiteLLM's own tables, created by EdgeGw on a database that lacks them, exactly as Prisma creates
/// them from LiteLLM's <c>schema.prisma</c> (same names, types, defaults, keys, indexes and foreign
/// keys, including columns EdgeGw never reads) so that a LiteLLM proxy can later start on the same
/// database. A table that exists is LiteLLM's and left as it is (its migrations own it): only missing
/// tables are created, with their indexes and keys. It all runs in one transaction under an advisory
/// lock, so replicas starting together queue behind each other instead of racing on the catalog.
/// </summary>
internal static class LiteLlmSchema
{
    /// <summary>The transaction-scoped advisory lock every EdgeGw replica takes while creating tables ("EdgeGwSc").</summary>
    public const long LockKey = 0x4564_6765_4777_5363;

    /// <summary>
    /// Creates the missing tables. Returns the columns EdgeGw uses that existing tables lack (as
    /// <c>table.column</c>: a database made by an older LiteLLM); then nothing is changed.
    /// </summary>
    public static async Task<List<string>> EnsureAsync(NpgsqlDataSource source, string? schema, CancellationToken cancel = default)
    {
        await using var connection = await source.OpenConnectionAsync(cancel);
        await using var tx = await connection.BeginTransactionAsync(cancel);
        await Run(connection, tx, $"SELECT pg_advisory_xact_lock({LockKey})", cancel);
        if (schema is not null)
            await Run(connection, tx, $"CREATE SCHEMA IF NOT EXISTS {Quote(schema)}", cancel);
        var existing = await Strings(connection, tx, "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()", cancel);
        var created = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, ddl) in Tables())
        {
            if (existing.Contains(name))
                continue;
            await Run(connection, tx, ddl, cancel);
            created.Add(name);
        }
        var missing = await MissingColumns(connection, tx, cancel);
        if (missing.Count > 0)
        {
            await tx.RollbackAsync(cancel);
            return missing;
        }
        foreach (var (table, statement) in IndexesAndKeys())
        {
            if (created.Contains(table))
                await Run(connection, tx, statement, cancel);
        }
        await tx.CommitAsync(cancel);
        return missing;
    }

    private static async Task<List<string>> MissingColumns(NpgsqlConnection connection, NpgsqlTransaction tx, CancellationToken cancel)
    {
        var wanted = Used.SelectMany(t => t.Columns.Select(c => $"{t.Table}.{c}")).ToArray();
        await using var command = new NpgsqlCommand("""
            SELECT w FROM unnest(@wanted) AS w
            WHERE NOT EXISTS (SELECT 1 FROM information_schema.columns c
                              WHERE c.table_schema = current_schema() AND c.table_name || '.' || c.column_name = w)
            ORDER BY w
            """, connection, tx);
        command.Parameters.Add(new NpgsqlParameter("wanted", wanted));
        return await Strings(command, cancel);
    }

    private static async Task<List<string>> Strings(NpgsqlConnection connection, NpgsqlTransaction tx, string sql, CancellationToken cancel)
    {
        await using var command = new NpgsqlCommand(sql, connection, tx);
        return await Strings(command, cancel);
    }

    private static async Task<List<string>> Strings(NpgsqlCommand command, CancellationToken cancel)
    {
        var values = new List<string>();
        await using var r = await command.ExecuteReaderAsync(cancel);
        while (await r.ReadAsync(cancel))
            values.Add(r.GetString(0));
        return values;
    }

    /// <summary>What EdgeGw reads or writes in LiteLLM's tables (<see cref="LiteLlmAccounts"/>).</summary>
    private static readonly (string Table, string[] Columns)[] Used =
    [
        ("LiteLLM_VerificationToken", ["token", "key_name", "key_alias", "team_id", "user_id", "models", "max_budget", "budget_duration",
            "rpm_limit", "tpm_limit", "max_parallel_requests", "metadata", "blocked", "expires", "created_at", "updated_at", "spend",
            "budget_reset_at", "budget_id"]),
        ("LiteLLM_TeamTable", ["team_id", "team_alias", "models", "max_budget", "budget_duration", "rpm_limit", "tpm_limit",
            "max_parallel_requests", "blocked", "metadata", "created_at", "updated_at", "spend", "budget_reset_at", "members_with_roles",
            "admins", "members"]),
        ("LiteLLM_UserTable", ["user_id", "user_email", "user_alias", "models", "max_budget", "budget_duration", "rpm_limit", "tpm_limit",
            "max_parallel_requests", "metadata", "created_at", "updated_at", "spend", "budget_reset_at", "teams", "user_role"]),
        ("LiteLLM_TeamMembership", ["team_id", "user_id", "spend", "budget_id"]),
        ("LiteLLM_BudgetTable", ["budget_id", "max_budget", "budget_duration", "rpm_limit", "tpm_limit", "max_parallel_requests",
            "budget_reset_at", "created_by", "updated_by"]),
        // "blocked" (a later LiteLLM's) is not required: a database from before it still opens.
        ("LiteLLM_ProxyModelTable", ["model_id", "model_name", "litellm_params", "model_info", "created_at", "created_by", "updated_at", "updated_by"]),
        ("LiteLLM_CredentialsTable", ["credential_id", "credential_name", "credential_values", "credential_info", "created_at", "created_by",
            "updated_at", "updated_by"]),
    ];

    private static async Task Run(NpgsqlConnection connection, NpgsqlTransaction tx, string sql, CancellationToken cancel)
    {
        await using var command = new NpgsqlCommand(sql, connection, tx);
        await command.ExecuteNonQueryAsync(cancel);
    }

    public static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>Each table's name and DDL, in creation order.</summary>
    public static IEnumerable<(string Name, string Ddl)> Tables()
    {
        foreach (var ddl in TableDdl)
        {
            var start = ddl.IndexOf('"', StringComparison.Ordinal) + 1;
            yield return (ddl[start..ddl.IndexOf('"', start)], ddl);
        }
        foreach (var (name, entity, _) in DailyTables)
            yield return (name, DailyTable(name, entity));
    }

    /// <summary>Each index and foreign key with the table it belongs to; foreign keys last, when every target exists.</summary>
    public static IEnumerable<(string Table, string Statement)> IndexesAndKeys()
    {
        foreach (var (name, entity, unique) in DailyTables)
        {
            yield return (name, Index(true, unique, name, [entity, "date", "api_key", "model", "custom_llm_provider", "mcp_namespaced_tool_name", "endpoint"]));
            string[][] indexed = [["date"], [entity, "date"], ["api_key"], ["model"], ["mcp_namespaced_tool_name"], ["endpoint"]];
            foreach (var columns in indexed)
                yield return (name, Index(false, $"{name}_{string.Join('_', columns)}_idx", name, columns));
        }
        foreach (var (unique, name, table, columns) in Indexes)
            yield return (table, Index(unique, name, table, columns));
        foreach (var (table, column, target, targetColumn, onDelete) in ForeignKeys)
        {
            // Prisma's relation defaults: an optional relation sets NULL on delete, a required one restricts; updates cascade.
            var constraint = $"{table}_{column}_fkey";
            yield return (table, $"""
                DO $$
                BEGIN
                    IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = '{constraint}'
                                   AND connamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())) THEN
                        ALTER TABLE "{table}" ADD CONSTRAINT "{constraint}" FOREIGN KEY ("{column}") REFERENCES "{target}"("{targetColumn}") ON DELETE {onDelete} ON UPDATE CASCADE;
                    END IF;
                END $$;
                """);
        }
    }

    private static string Index(bool unique, string name, string table, string[] columns) =>
        $"""CREATE {(unique ? "UNIQUE " : "")}INDEX IF NOT EXISTS "{name}" ON "{table}"({string.Join(", ", columns.Select(c => $"\"{c}\""))})""";

    // The per-day aggregates share one shape; only the entity column differs (the tag table also keeps a request id).
    private static string DailyTable(string name, string entity) => $"""
        CREATE TABLE IF NOT EXISTS "{name}" (
            "id" TEXT NOT NULL,{(name == "LiteLLM_DailyTagSpend" ? "\n    \"request_id\" TEXT," : "")}
            "{entity}" TEXT,
            "date" TEXT NOT NULL,
            "api_key" TEXT NOT NULL,
            "model" TEXT,
            "model_group" TEXT,
            "custom_llm_provider" TEXT,
            "mcp_namespaced_tool_name" TEXT,
            "endpoint" TEXT,
            "prompt_tokens" BIGINT NOT NULL DEFAULT 0,
            "completion_tokens" BIGINT NOT NULL DEFAULT 0,
            "cache_read_input_tokens" BIGINT NOT NULL DEFAULT 0,
            "cache_creation_input_tokens" BIGINT NOT NULL DEFAULT 0,
            "spend" DOUBLE PRECISION NOT NULL DEFAULT 0.0,
            "api_requests" BIGINT NOT NULL DEFAULT 0,
            "successful_requests" BIGINT NOT NULL DEFAULT 0,
            "failed_requests" BIGINT NOT NULL DEFAULT 0,
            "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
            "updated_at" TIMESTAMP(3) NOT NULL,

            CONSTRAINT "{name}_pkey" PRIMARY KEY ("id")
        )
        """;

    // Index names longer than PostgreSQL's 63 bytes are the ones Prisma shortens them to.
    private static readonly (string Name, string Entity, string Unique)[] DailyTables =
    [
        ("LiteLLM_DailyUserSpend", "user_id", "LiteLLM_DailyUserSpend_user_id_date_api_key_model_custom_ll_key"),
        ("LiteLLM_DailyTeamSpend", "team_id", "LiteLLM_DailyTeamSpend_team_id_date_api_key_model_custom_ll_key"),
        ("LiteLLM_DailyTagSpend", "tag", "LiteLLM_DailyTagSpend_tag_date_api_key_model_custom_llm_pro_key"),
        ("LiteLLM_DailyEndUserSpend", "end_user_id", "LiteLLM_DailyEndUserSpend_end_user_id_date_api_key_model_cu_key"),
    ];

    private static readonly (bool Unique, string Name, string Table, string[] Columns)[] Indexes =
    [
        (true, "LiteLLM_TeamTable_model_id_key", "LiteLLM_TeamTable", ["model_id"]),
        (false, "LiteLLM_TeamTable_organization_id_idx", "LiteLLM_TeamTable", ["organization_id"]),
        (false, "LiteLLM_TeamTable_team_alias_idx", "LiteLLM_TeamTable", ["team_alias"]),
        (false, "LiteLLM_TeamTable_created_at_idx", "LiteLLM_TeamTable", ["created_at"]),
        (true, "LiteLLM_UserTable_sso_user_id_key", "LiteLLM_UserTable", ["sso_user_id"]),
        (true, "LiteLLM_CredentialsTable_credential_name_key", "LiteLLM_CredentialsTable", ["credential_name"]),
        (false, "LiteLLM_VerificationToken_user_id_team_id_idx", "LiteLLM_VerificationToken", ["user_id", "team_id"]),
        (false, "LiteLLM_VerificationToken_team_id_idx", "LiteLLM_VerificationToken", ["team_id"]),
        (false, "LiteLLM_VerificationToken_budget_reset_at_expires_idx", "LiteLLM_VerificationToken", ["budget_reset_at", "expires"]),
        (false, "LiteLLM_SpendLogs_startTime_idx", "LiteLLM_SpendLogs", ["startTime"]),
        (false, "LiteLLM_SpendLogs_startTime_request_id_idx", "LiteLLM_SpendLogs", ["startTime", "request_id"]),
        (false, "LiteLLM_SpendLogs_end_user_idx", "LiteLLM_SpendLogs", ["end_user"]),
        (false, "LiteLLM_SpendLogs_session_id_idx", "LiteLLM_SpendLogs", ["session_id"]),
    ];

    private static readonly (string Table, string Column, string Target, string TargetColumn, string OnDelete)[] ForeignKeys =
    [
        ("LiteLLM_OrganizationTable", "budget_id", "LiteLLM_BudgetTable", "budget_id", "RESTRICT"),
        ("LiteLLM_OrganizationTable", "object_permission_id", "LiteLLM_ObjectPermissionTable", "object_permission_id", "SET NULL"),
        ("LiteLLM_TeamTable", "organization_id", "LiteLLM_OrganizationTable", "organization_id", "SET NULL"),
        ("LiteLLM_TeamTable", "model_id", "LiteLLM_ModelTable", "id", "SET NULL"),
        ("LiteLLM_TeamTable", "object_permission_id", "LiteLLM_ObjectPermissionTable", "object_permission_id", "SET NULL"),
        ("LiteLLM_ProjectTable", "team_id", "LiteLLM_TeamTable", "team_id", "SET NULL"),
        ("LiteLLM_ProjectTable", "budget_id", "LiteLLM_BudgetTable", "budget_id", "SET NULL"),
        ("LiteLLM_ProjectTable", "object_permission_id", "LiteLLM_ObjectPermissionTable", "object_permission_id", "SET NULL"),
        ("LiteLLM_UserTable", "organization_id", "LiteLLM_OrganizationTable", "organization_id", "SET NULL"),
        ("LiteLLM_UserTable", "object_permission_id", "LiteLLM_ObjectPermissionTable", "object_permission_id", "SET NULL"),
        ("LiteLLM_VerificationToken", "budget_id", "LiteLLM_BudgetTable", "budget_id", "SET NULL"),
        ("LiteLLM_VerificationToken", "organization_id", "LiteLLM_OrganizationTable", "organization_id", "SET NULL"),
        ("LiteLLM_VerificationToken", "project_id", "LiteLLM_ProjectTable", "project_id", "SET NULL"),
        ("LiteLLM_VerificationToken", "object_permission_id", "LiteLLM_ObjectPermissionTable", "object_permission_id", "SET NULL"),
        ("LiteLLM_EndUserTable", "budget_id", "LiteLLM_BudgetTable", "budget_id", "SET NULL"),
        ("LiteLLM_EndUserTable", "object_permission_id", "LiteLLM_ObjectPermissionTable", "object_permission_id", "SET NULL"),
        ("LiteLLM_TeamMembership", "budget_id", "LiteLLM_BudgetTable", "budget_id", "SET NULL"),
    ];

    private static readonly string[] TableDdl =
    [
        """
        CREATE TABLE IF NOT EXISTS "LiteLLM_BudgetTable" (
            "budget_id" TEXT NOT NULL,
            "max_budget" DOUBLE PRECISION,
            "soft_budget" DOUBLE PRECISION,
            "max_parallel_requests" INTEGER,
            "tpm_limit" BIGINT,
            "rpm_limit" BIGINT,
            "model_max_budget" JSONB,
            "budget_duration" TEXT,
            "budget_reset_at" TIMESTAMP(3),
            "allowed_models" TEXT[] DEFAULT ARRAY[]::TEXT[],
            "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
            "created_by" TEXT NOT NULL,
            "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
            "updated_by" TEXT NOT NULL,

            CONSTRAINT "LiteLLM_BudgetTable_pkey" PRIMARY KEY ("budget_id")
        );
        """,
        """
        CREATE TABLE IF NOT EXISTS "LiteLLM_ObjectPermissionTable" (
            "object_permission_id" TEXT NOT NULL,
            "mcp_servers" TEXT[] DEFAULT ARRAY[]::TEXT[],
            "mcp_access_groups" TEXT[] DEFAULT ARRAY[]::TEXT[],
            "mcp_tool_permissions" JSONB,
            "vector_stores" TEXT[] DEFAULT ARRAY[]::TEXT[],
            "agents" TEXT[] DEFAULT ARRAY[]::TEXT[],
            "agent_access_groups" TEXT[] DEFAULT ARRAY[]::TEXT[],
            "models" TEXT[] DEFAULT ARRAY[]::TEXT[],
            "blocked_tools" TEXT[] DEFAULT ARRAY[]::TEXT[],
            "mcp_toolsets" TEXT[] DEFAULT ARRAY[]::TEXT[],
            "search_tools" TEXT[] DEFAULT ARRAY[]::TEXT[],

            CONSTRAINT "LiteLLM_ObjectPermissionTable_pkey" PRIMARY KEY ("object_permission_id")
        );
        """,
        """
        CREATE TABLE IF NOT EXISTS "LiteLLM_OrganizationTable" (
            "organization_id" TEXT NOT NULL,
            "organization_alias" TEXT NOT NULL,
            "budget_id" TEXT NOT NULL,
            "metadata" JSONB NOT NULL DEFAULT '{}',
            "models" TEXT[],
            "spend" DOUBLE PRECISION NOT NULL DEFAULT 0.0,
            "model_spend" JSONB NOT NULL DEFAULT '{}',
            "object_permission_id" TEXT,
            "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
            "created_by" TEXT NOT NULL,
            "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
            "updated_by" TEXT NOT NULL,

            CONSTRAINT "LiteLLM_OrganizationTable_pkey" PRIMARY KEY ("organization_id")
        );
        """,
        """
        CREATE TABLE IF NOT EXISTS "LiteLLM_ModelTable" (
            "id" SERIAL NOT NULL,
            "aliases" JSONB,
            "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
            "created_by" TEXT NOT NULL,
            "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
            "updated_by" TEXT NOT NULL,

            CONSTRAINT "LiteLLM_ModelTable_pkey" PRIMARY KEY ("id")
        );
        """,
        """
        CREATE TABLE IF NOT EXISTS "LiteLLM_TeamTable" (
            "team_id" TEXT NOT NULL,
            "team_alias" TEXT,
            "organization_id" TEXT,
            "object_permission_id" TEXT,
            "admins" TEXT[],
            "members" TEXT[],
            "members_with_roles" JSONB NOT NULL DEFAULT '{}',
            "metadata" JSONB NOT NULL DEFAULT '{}',
            "max_budget" DOUBLE PRECISION,
            "soft_budget" DOUBLE PRECISION,
            "spend" DOUBLE PRECISION NOT NULL DEFAULT 0.0,
            "models" TEXT[],
            "max_parallel_requests" INTEGER,
            "tpm_limit" BIGINT,
            "rpm_limit" BIGINT,
            "budget_duration" TEXT,
            "budget_reset_at" TIMESTAMP(3),
            "blocked" BOOLEAN NOT NULL DEFAULT false,
            "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
            "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
            "model_spend" JSONB NOT NULL DEFAULT '{}',
            "model_max_budget" JSONB NOT NULL DEFAULT '{}',
            "router_settings" JSONB DEFAULT '{}',
            "team_member_permissions" TEXT[] DEFAULT ARRAY[]::TEXT[],
            "access_group_ids" TEXT[] DEFAULT ARRAY[]::TEXT[],
            "policies" TEXT[] DEFAULT ARRAY[]::TEXT[],
            "default_team_member_models" TEXT[] DEFAULT ARRAY[]::TEXT[],
            "budget_limits" JSONB,
            "model_id" INTEGER,
            "allow_team_guardrail_config" BOOLEAN NOT NULL DEFAULT false,

            CONSTRAINT "LiteLLM_TeamTable_pkey" PRIMARY KEY ("team_id")
        );
        """,
        """
        CREATE TABLE IF NOT EXISTS "LiteLLM_ProjectTable" (
            "project_id" TEXT NOT NULL,
            "project_alias" TEXT,
            "description" TEXT,
            "team_id" TEXT,
            "budget_id" TEXT,
            "metadata" JSONB NOT NULL DEFAULT '{}',
            "models" TEXT[],
            "spend" DOUBLE PRECISION NOT NULL DEFAULT 0.0,
            "model_spend" JSONB NOT NULL DEFAULT '{}',
            "model_rpm_limit" JSONB NOT NULL DEFAULT '{}',
            "model_tpm_limit" JSONB NOT NULL DEFAULT '{}',
            "blocked" BOOLEAN NOT NULL DEFAULT false,
            "object_permission_id" TEXT,
            "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
            "created_by" TEXT NOT NULL,
            "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
            "updated_by" TEXT NOT NULL,

            CONSTRAINT "LiteLLM_ProjectTable_pkey" PRIMARY KEY ("project_id")
        );
        """,
        """
        CREATE TABLE IF NOT EXISTS "LiteLLM_UserTable" (
            "user_id" TEXT NOT NULL,
            "user_alias" TEXT,
            "team_id" TEXT,
            "sso_user_id" TEXT,
            "organization_id" TEXT,
            "object_permission_id" TEXT,
            "password" TEXT,
            "teams" TEXT[] DEFAULT ARRAY[]::TEXT[],
            "user_role" TEXT,
            "max_budget" DOUBLE PRECISION,
            "spend" DOUBLE PRECISION NOT NULL DEFAULT 0.0,
            "user_email" TEXT,
            "models" TEXT[],
            "metadata" JSONB NOT NULL DEFAULT '{}',
            "max_parallel_requests" INTEGER,
            "tpm_limit" BIGINT,
            "rpm_limit" BIGINT,
            "budget_duration" TEXT,
            "budget_reset_at" TIMESTAMP(3),
            "allowed_cache_controls" TEXT[] DEFAULT ARRAY[]::TEXT[],
            "policies" TEXT[] DEFAULT ARRAY[]::TEXT[],
            "model_spend" JSONB NOT NULL DEFAULT '{}',
            "model_max_budget" JSONB NOT NULL DEFAULT '{}',
            "created_at" TIMESTAMP(3) DEFAULT CURRENT_TIMESTAMP,
            "updated_at" TIMESTAMP(3) DEFAULT CURRENT_TIMESTAMP,

            CONSTRAINT "LiteLLM_UserTable_pkey" PRIMARY KEY ("user_id")
        );
        """,
        """
        CREATE TABLE IF NOT EXISTS "LiteLLM_VerificationToken" (
            "token" TEXT NOT NULL,
            "key_name" TEXT,
            "key_alias" TEXT,
            "soft_budget_cooldown" BOOLEAN NOT NULL DEFAULT false,
            "spend" DOUBLE PRECISION NOT NULL DEFAULT 0.0,
            "expires" TIMESTAMP(3),
            "models" TEXT[],
            "aliases" JSONB NOT NULL DEFAULT '{}',
            "config" JSONB NOT NULL DEFAULT '{}',
            "router_settings" JSONB DEFAULT '{}',
            "user_id" TEXT,
            "team_id" TEXT,
            "agent_id" TEXT,
            "project_id" TEXT,
            "permissions" JSONB NOT NULL DEFAULT '{}',
            "max_parallel_requests" INTEGER,
            "metadata" JSONB NOT NULL DEFAULT '{}',
            "blocked" BOOLEAN,
            "tpm_limit" BIGINT,
            "rpm_limit" BIGINT,
            "max_budget" DOUBLE PRECISION,
            "budget_duration" TEXT,
            "budget_reset_at" TIMESTAMP(3),
            "allowed_cache_controls" TEXT[] DEFAULT ARRAY[]::TEXT[],
            "allowed_routes" TEXT[] DEFAULT ARRAY[]::TEXT[],
            "policies" TEXT[] DEFAULT ARRAY[]::TEXT[],
            "access_group_ids" TEXT[] DEFAULT ARRAY[]::TEXT[],
            "model_spend" JSONB NOT NULL DEFAULT '{}',
            "model_max_budget" JSONB NOT NULL DEFAULT '{}',
            "budget_id" TEXT,
            "organization_id" TEXT,
            "object_permission_id" TEXT,
            "created_at" TIMESTAMP(3) DEFAULT CURRENT_TIMESTAMP,
            "created_by" TEXT,
            "updated_at" TIMESTAMP(3) DEFAULT CURRENT_TIMESTAMP,
            "updated_by" TEXT,
            "last_active" TIMESTAMP(3),
            "rotation_count" INTEGER DEFAULT 0,
            "auto_rotate" BOOLEAN DEFAULT false,
            "rotation_interval" TEXT,
            "last_rotation_at" TIMESTAMP(3),
            "key_rotation_at" TIMESTAMP(3),
            "budget_limits" JSONB,

            CONSTRAINT "LiteLLM_VerificationToken_pkey" PRIMARY KEY ("token")
        );
        """,
        """
        CREATE TABLE IF NOT EXISTS "LiteLLM_EndUserTable" (
            "user_id" TEXT NOT NULL,
            "alias" TEXT,
            "spend" DOUBLE PRECISION NOT NULL DEFAULT 0.0,
            "allowed_model_region" TEXT,
            "default_model" TEXT,
            "budget_id" TEXT,
            "object_permission_id" TEXT,
            "blocked" BOOLEAN NOT NULL DEFAULT false,

            CONSTRAINT "LiteLLM_EndUserTable_pkey" PRIMARY KEY ("user_id")
        );
        """,
        """
        CREATE TABLE IF NOT EXISTS "LiteLLM_TeamMembership" (
            "user_id" TEXT NOT NULL,
            "team_id" TEXT NOT NULL,
            "spend" DOUBLE PRECISION NOT NULL DEFAULT 0.0,
            "total_spend" DOUBLE PRECISION NOT NULL DEFAULT 0.0,
            "budget_id" TEXT,

            CONSTRAINT "LiteLLM_TeamMembership_pkey" PRIMARY KEY ("user_id","team_id")
        );
        """,
        """
        CREATE TABLE IF NOT EXISTS "LiteLLM_CredentialsTable" (
            "credential_id" TEXT NOT NULL,
            "credential_name" TEXT NOT NULL,
            "credential_values" JSONB NOT NULL,
            "credential_info" JSONB,
            "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
            "created_by" TEXT NOT NULL,
            "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
            "updated_by" TEXT NOT NULL,

            CONSTRAINT "LiteLLM_CredentialsTable_pkey" PRIMARY KEY ("credential_id")
        );
        """,
        """
        CREATE TABLE IF NOT EXISTS "LiteLLM_ProxyModelTable" (
            "model_id" TEXT NOT NULL,
            "model_name" TEXT NOT NULL,
            "litellm_params" JSONB NOT NULL,
            "model_info" JSONB,
            "blocked" BOOLEAN NOT NULL DEFAULT false,
            "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
            "created_by" TEXT NOT NULL,
            "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
            "updated_by" TEXT NOT NULL,

            CONSTRAINT "LiteLLM_ProxyModelTable_pkey" PRIMARY KEY ("model_id")
        );
        """,
        """
        CREATE TABLE IF NOT EXISTS "LiteLLM_SpendLogs" (
            "request_id" TEXT NOT NULL,
            "call_type" TEXT NOT NULL,
            "api_key" TEXT NOT NULL DEFAULT '',
            "spend" DOUBLE PRECISION NOT NULL DEFAULT 0.0,
            "total_tokens" INTEGER NOT NULL DEFAULT 0,
            "prompt_tokens" INTEGER NOT NULL DEFAULT 0,
            "completion_tokens" INTEGER NOT NULL DEFAULT 0,
            "startTime" TIMESTAMP(3) NOT NULL,
            "endTime" TIMESTAMP(3) NOT NULL,
            "request_duration_ms" INTEGER,
            "completionStartTime" TIMESTAMP(3),
            "model" TEXT NOT NULL DEFAULT '',
            "model_id" TEXT DEFAULT '',
            "model_group" TEXT DEFAULT '',
            "custom_llm_provider" TEXT DEFAULT '',
            "api_base" TEXT DEFAULT '',
            "user" TEXT DEFAULT '',
            "metadata" JSONB DEFAULT '{}',
            "cache_hit" TEXT DEFAULT '',
            "cache_key" TEXT DEFAULT '',
            "request_tags" JSONB DEFAULT '[]',
            "team_id" TEXT,
            "organization_id" TEXT,
            "end_user" TEXT,
            "requester_ip_address" TEXT,
            "messages" JSONB DEFAULT '{}',
            "response" JSONB DEFAULT '{}',
            "session_id" TEXT,
            "status" TEXT,
            "mcp_namespaced_tool_name" TEXT,
            "agent_id" TEXT,
            "proxy_server_request" JSONB DEFAULT '{}',

            CONSTRAINT "LiteLLM_SpendLogs_pkey" PRIMARY KEY ("request_id")
        );
        """,
    ];
}
