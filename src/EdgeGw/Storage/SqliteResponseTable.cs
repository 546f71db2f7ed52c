using EdgeGw.Api.Responses;
using Microsoft.Data.Sqlite;

namespace EdgeGw.Storage;

/// <summary>Responses turns in EdgeGw's SQLite file (migration 7's <c>responses</c> table).</summary>
internal sealed class SqliteResponseTable(SqliteStore store) : IResponseTable
{
    private const string Columns = "response_id, deployment_id, model_group, previous_response_id, input_items, response, key_hash, team_id, created_at";

    public Task InsertAsync(IReadOnlyList<StoredResponse> batch, CancellationToken cancel)
    {
        store.InTransaction((c, tx) =>
        {
            using var command = Sql.Command(c, $"INSERT OR IGNORE INTO responses ({Columns}) VALUES (@id, @deployment, @group, @previous, @input, @response, @key, @team, @created)", tx);
            foreach (var r in batch)
            {
                command.Parameters.Clear();
                command.Add("@id", r.Id);
                command.Add("@deployment", r.DeploymentId);
                command.Add("@group", r.ModelGroup);
                command.Add("@previous", r.PreviousResponseId);
                command.Add("@input", r.InputItemsJson.IsEmpty ? null : r.InputItemsJson.ToArray());
                command.Add("@response", r.ResponseJson.IsEmpty ? null : r.ResponseJson.ToArray());
                command.Add("@key", r.KeyHash);
                command.Add("@team", r.TeamId);
                command.Add("@created", r.CreatedAt.ToUnixTimeMilliseconds());
                command.ExecuteNonQuery();
            }
        });
        return Task.CompletedTask;
    }

    // On the thread pool: a /v1/responses turn runs on the socket's thread (Api/InlineIo.cs), and this read waits for the
    // connection the spend writer may hold through a commit.
    public Task<StoredResponse?> GetAsync(string id, CancellationToken cancel) => Task.Run(() => store.Run(c =>
    {
        using var command = Sql.Command(c, $"SELECT {Columns} FROM responses WHERE response_id = @id");
        command.Add("@id", id);
        using var r = command.ExecuteReader();
        return r.Read() ? Read(r) : null;
    }));

    public Task<bool> DeleteAsync(string id, CancellationToken cancel) => Task.FromResult(store.Run(c =>
    {
        using var command = Sql.Command(c, "DELETE FROM responses WHERE response_id = @id");
        command.Add("@id", id);
        return command.ExecuteNonQuery() > 0;
    }));

    public Task<long> PurgeAsync(DateTimeOffset cutoff, int keepNewest, CancellationToken cancel) => Task.FromResult(store.Run(c =>
    {
        using var old = Sql.Command(c, "DELETE FROM responses WHERE created_at < @cutoff");
        old.Add("@cutoff", cutoff.ToUnixTimeMilliseconds());
        long deleted = old.ExecuteNonQuery();
        using var over = Sql.Command(c, """
            DELETE FROM responses WHERE created_at <= (SELECT created_at FROM responses ORDER BY created_at DESC LIMIT 1 OFFSET @keep)
            """);
        over.Add("@keep", keepNewest);
        return deleted + over.ExecuteNonQuery();
    }));

    private static StoredResponse Read(SqliteDataReader r) => new(
        r.GetString(0), r.GetString(1), r.GetString(2), r.StringOrNull(3),
        r.IsDBNull(4) ? default : (byte[])r.GetValue(4),
        r.IsDBNull(5) ? default : (byte[])r.GetValue(5),
        r.StringOrNull(6), r.StringOrNull(7), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(8)));
}
