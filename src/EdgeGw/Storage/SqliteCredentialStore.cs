using Microsoft.Data.Sqlite;

namespace EdgeGw.Storage;

/// <summary>Stored credentials in EdgeGw's SQLite file (migration 9's <c>credentials</c>).</summary>
internal sealed class SqliteCredentialStore(SqliteStore store) : ICredentialStore
{
    private const string Columns = "credential_id, credential_name, credential_values, credential_info, created_at, created_by, updated_at, updated_by";

    public Task<IReadOnlyList<StoredCredential>> ListAsync(CancellationToken cancel = default) => Task.FromResult<IReadOnlyList<StoredCredential>>(store.Run(c =>
    {
        using var command = Sql.Command(c, $"SELECT {Columns} FROM credentials ORDER BY created_at, credential_name");
        using var r = command.ExecuteReader();
        var rows = new List<StoredCredential>();
        while (r.Read())
            rows.Add(Read(r));
        return rows;
    }));

    public Task<StoredCredential?> GetAsync(string name, CancellationToken cancel = default) => Task.FromResult(store.Run(c =>
    {
        using var command = Sql.Command(c, $"SELECT {Columns} FROM credentials WHERE credential_name = @name");
        command.Add("@name", name);
        using var r = command.ExecuteReader();
        return r.Read() ? Read(r) : null;
    }));

    public Task<bool> InsertAsync(StoredCredential credential, CancellationToken cancel = default) => Task.FromResult(store.Run(c =>
    {
        using var command = Sql.Command(c, $"""
            INSERT INTO credentials ({Columns}) VALUES (@id, @name, @values, @info, @created, @createdBy, @updated, @updatedBy)
            ON CONFLICT DO NOTHING
            """);
        command.Add("@id", credential.CredentialId);
        command.Add("@name", credential.CredentialName);
        command.Add("@values", credential.ValuesJson);
        command.Add("@info", credential.InfoJson);
        command.Add("@created", credential.CreatedAt.ToUnixTimeMilliseconds());
        command.Add("@createdBy", credential.CreatedBy);
        command.Add("@updated", credential.UpdatedAt.ToUnixTimeMilliseconds());
        command.Add("@updatedBy", credential.UpdatedBy);
        return command.ExecuteNonQuery() > 0;
    }));

    public Task<bool> UpdateAsync(string name, StoredCredential updated, CancellationToken cancel = default) => Task.FromResult(store.Run(c =>
    {
        using var command = Sql.Command(c, """
            UPDATE OR IGNORE credentials SET credential_name = @newName, credential_values = @values, credential_info = @info,
                updated_at = @updated, updated_by = @updatedBy
            WHERE credential_name = @name
            """);
        command.Add("@name", name);
        command.Add("@newName", updated.CredentialName);
        command.Add("@values", updated.ValuesJson);
        command.Add("@info", updated.InfoJson);
        command.Add("@updated", updated.UpdatedAt.ToUnixTimeMilliseconds());
        command.Add("@updatedBy", updated.UpdatedBy);
        return command.ExecuteNonQuery() > 0;
    }));

    public Task<bool> DeleteAsync(string name, CancellationToken cancel = default) => Task.FromResult(store.Run(c =>
    {
        using var command = Sql.Command(c, "DELETE FROM credentials WHERE credential_name = @name");
        command.Add("@name", name);
        return command.ExecuteNonQuery() > 0;
    }));

    private static StoredCredential Read(SqliteDataReader r) => new(
        r.GetString(0), r.GetString(1), r.GetString(2), r.StringOrNull(3),
        DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(4)), r.GetString(5),
        DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(6)), r.GetString(7));
}
