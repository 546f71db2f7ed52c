using Npgsql;
using static EdgeGw.Storage.Postgres.LiteLlmValues;

namespace EdgeGw.Storage.Postgres;

/// <summary>
/// <c>edgegw db copy</c>'s part for stored credentials: SQLite's <c>credentials</c> rows into LiteLLM's
/// <c>LiteLLM_CredentialsTable</c>, values as stored (still encrypted: both sides use the same LITELLM_SALT_KEY).
/// Upserted by name, so a second copy changes nothing and a credential renamed in neither place is not doubled.
/// </summary>
internal static class CredentialCopy
{
    public static async Task<int> RunAsync(SqliteStore from, NpgsqlDataSource to, CancellationToken cancel = default)
    {
        var rows = await new SqliteCredentialStore(from).ListAsync(cancel);
        foreach (var row in rows)
        {
            await using var command = to.CreateCommand("""
                INSERT INTO "LiteLLM_CredentialsTable" (credential_id, credential_name, credential_values, credential_info, created_at, created_by, updated_at, updated_by)
                VALUES (@id, @name, @values::jsonb, @info::jsonb, @created, @createdBy, @updated, @updatedBy)
                ON CONFLICT (credential_name) DO UPDATE SET credential_values = EXCLUDED.credential_values, credential_info = EXCLUDED.credential_info,
                    updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by
                """);
            command.Add("id", row.CredentialId);
            command.Add("name", row.CredentialName);
            command.Add("values", row.ValuesJson);
            command.Add("info", row.InfoJson);
            command.Add("created", Timestamp(row.CreatedAt));
            command.Add("createdBy", row.CreatedBy);
            command.Add("updated", Timestamp(row.UpdatedAt));
            command.Add("updatedBy", row.UpdatedBy);
            await command.ExecuteNonQueryAsync(cancel);
        }
        return rows.Count;
    }
}
