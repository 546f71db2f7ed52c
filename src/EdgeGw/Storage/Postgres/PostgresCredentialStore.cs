using Npgsql;
using static EdgeGw.Storage.Postgres.LiteLlmValues;

namespace EdgeGw.Storage.Postgres;

/// <summary>
/// Stored credentials in LiteLLM's own <c>LiteLLM_CredentialsTable</c>, so credentials a LiteLLM proxy stored
/// serve here and the other way round. Each committed write is announced on <paramref name="changes"/> as a
/// model change (<see cref="CredentialChange"/>): a replica reloads credentials with the models that borrow them.
/// </summary>
internal sealed class PostgresCredentialStore(NpgsqlDataSource source, DatabaseUrl url, IAccountChanges? changes = null) : ICredentialStore
{
    // LiteLLM's jsonify_object has written JSON columns as one JSON string holding the object: either reads back as the object's text.
    private const string Columns = """
        credential_id, credential_name,
        CASE WHEN jsonb_typeof(credential_values) = 'string' THEN credential_values #>> '{}' ELSE credential_values::text END,
        CASE WHEN jsonb_typeof(credential_info) = 'string' THEN credential_info #>> '{}' ELSE credential_info::text END,
        created_at, created_by, updated_at, updated_by
        """;

    public Task<IReadOnlyList<StoredCredential>> ListAsync(CancellationToken cancel = default) => Guard<IReadOnlyList<StoredCredential>>(async () =>
    {
        await using var command = source.CreateCommand($"""SELECT {Columns} FROM "LiteLLM_CredentialsTable" ORDER BY created_at, credential_name""");
        await using var r = await command.ExecuteReaderAsync(cancel);
        var rows = new List<StoredCredential>();
        while (await r.ReadAsync(cancel))
            rows.Add(Read(r));
        return rows;
    });

    public Task<StoredCredential?> GetAsync(string name, CancellationToken cancel = default) => Guard(async () =>
    {
        await using var command = source.CreateCommand($"""SELECT {Columns} FROM "LiteLLM_CredentialsTable" WHERE credential_name = @name""");
        command.Add("name", name);
        await using var r = await command.ExecuteReaderAsync(cancel);
        return await r.ReadAsync(cancel) ? Read(r) : null;
    });

    public async Task<bool> InsertAsync(StoredCredential credential, CancellationToken cancel = default) => await Announce(await Guard(async () =>
    {
        await using var command = source.CreateCommand("""
            INSERT INTO "LiteLLM_CredentialsTable" (credential_id, credential_name, credential_values, credential_info, created_at, created_by, updated_at, updated_by)
            VALUES (@id, @name, @values::jsonb, @info::jsonb, @created, @createdBy, @updated, @updatedBy)
            ON CONFLICT DO NOTHING
            """);
        command.Add("id", credential.CredentialId);
        command.Add("name", credential.CredentialName);
        command.Add("values", credential.ValuesJson);
        command.Add("info", credential.InfoJson);
        command.Add("created", Timestamp(credential.CreatedAt));
        command.Add("createdBy", credential.CreatedBy);
        command.Add("updated", Timestamp(credential.UpdatedAt));
        command.Add("updatedBy", credential.UpdatedBy);
        return await command.ExecuteNonQueryAsync(cancel) > 0;
    }), credential.CredentialName);

    public async Task<bool> UpdateAsync(string name, StoredCredential updated, CancellationToken cancel = default) => await Announce(await Guard(async () =>
    {
        await using var command = source.CreateCommand("""
            UPDATE "LiteLLM_CredentialsTable" SET credential_name = @newName, credential_values = @values::jsonb, credential_info = @info::jsonb,
                updated_at = @updated, updated_by = @updatedBy
            WHERE credential_name = @name
              AND (@newName = @name OR NOT EXISTS (SELECT 1 FROM "LiteLLM_CredentialsTable" WHERE credential_name = @newName))
            """);
        command.Add("name", name);
        command.Add("newName", updated.CredentialName);
        command.Add("values", updated.ValuesJson);
        command.Add("info", updated.InfoJson);
        command.Add("updated", Timestamp(updated.UpdatedAt));
        command.Add("updatedBy", updated.UpdatedBy);
        try
        {
            return await command.ExecuteNonQueryAsync(cancel) > 0;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            return false; // renamed onto a name another writer took meanwhile
        }
    }), name, updated.CredentialName);

    public async Task<bool> DeleteAsync(string name, CancellationToken cancel = default) => await Announce(await Guard(async () =>
    {
        await using var command = source.CreateCommand("""DELETE FROM "LiteLLM_CredentialsTable" WHERE credential_name = @name""");
        command.Add("name", name);
        return await command.ExecuteNonQueryAsync(cancel) > 0;
    }), name);

    private async Task<bool> Announce(bool written, params string[] names)
    {
        if (written && changes is not null)
            await changes.PublishAsync([.. names.Distinct(StringComparer.Ordinal).Select(CredentialChange.For)]);
        return written;
    }

    private Task<T> Guard<T>(Func<Task<T>> work) => PostgresFailure.GuardAsync(work, url);

    private static StoredCredential Read(NpgsqlDataReader r) => new(
        r.GetString(0), r.GetString(1), r.GetString(2), Text(r, 3),
        Time(r.GetDateTime(4)), r.GetString(5), Time(r.GetDateTime(6)), r.GetString(7));
}
