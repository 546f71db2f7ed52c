using EdgeGw.Api.Responses;
using Npgsql;
using static EdgeGw.Storage.Postgres.LiteLlmValues;

namespace EdgeGw.Storage.Postgres;

/// <summary>
/// Responses turns on PostgreSQL in EdgeGw's own table, <c>EdgeGw_ResponseStore</c>, created next to
/// LiteLLM's (LiteLLM has no table of its own for them: it reads them back from spend-log payloads).
/// </summary>
internal sealed class PostgresResponseTable(NpgsqlDataSource source) : IResponseTable
{
    private const long LockKey = 0x4564_6765_4777_5273; // distinct from the schema and retention locks
    private const string Columns = "response_id, deployment_id, model_group, previous_response_id, input_items, response, key_hash, team_id, created_at";

    /// <summary>Creates the table where missing; one replica at a time.</summary>
    public static async Task EnsureAsync(NpgsqlDataSource source, CancellationToken cancel = default)
    {
        await using var connection = await source.OpenConnectionAsync(cancel);
        await using var tx = await connection.BeginTransactionAsync(cancel);
        await using (var command = new NpgsqlCommand($"""
            SELECT pg_advisory_xact_lock({LockKey});
            CREATE TABLE IF NOT EXISTS "EdgeGw_ResponseStore" (
                response_id TEXT PRIMARY KEY,
                deployment_id TEXT NOT NULL,
                model_group TEXT NOT NULL,
                previous_response_id TEXT,
                input_items BYTEA,
                response BYTEA,
                key_hash TEXT,
                team_id TEXT,
                created_at TIMESTAMP(3) NOT NULL
            );
            CREATE INDEX IF NOT EXISTS "EdgeGw_ResponseStore_created_at_idx" ON "EdgeGw_ResponseStore"(created_at);
            """, connection, tx))
            await command.ExecuteNonQueryAsync(cancel);
        await tx.CommitAsync(cancel);
    }

    public async Task InsertAsync(IReadOnlyList<StoredResponse> batch, CancellationToken cancel)
    {
        await using var connection = await source.OpenConnectionAsync(cancel);
        await using var tx = await connection.BeginTransactionAsync(cancel);
        foreach (var r in batch)
        {
            await using var command = new NpgsqlCommand($"""
                INSERT INTO "EdgeGw_ResponseStore" ({Columns}) VALUES (@id, @deployment, @group, @previous, @input, @response, @key, @team, @created)
                ON CONFLICT (response_id) DO NOTHING
                """, connection, tx);
            command.Add("id", r.Id);
            command.Add("deployment", r.DeploymentId);
            command.Add("group", r.ModelGroup);
            command.Add("previous", r.PreviousResponseId);
            command.Parameters.Add(new NpgsqlParameter("input", NpgsqlTypes.NpgsqlDbType.Bytea) { Value = r.InputItemsJson.IsEmpty ? DBNull.Value : r.InputItemsJson.ToArray() });
            command.Parameters.Add(new NpgsqlParameter("response", NpgsqlTypes.NpgsqlDbType.Bytea) { Value = r.ResponseJson.IsEmpty ? DBNull.Value : r.ResponseJson.ToArray() });
            command.Add("key", r.KeyHash);
            command.Add("team", r.TeamId);
            command.Add("created", Timestamp(r.CreatedAt));
            await command.ExecuteNonQueryAsync(cancel);
        }
        await tx.CommitAsync(cancel);
    }

    public async Task<StoredResponse?> GetAsync(string id, CancellationToken cancel)
    {
        await using var connection = await source.OpenConnectionAsync(cancel);
        await using var command = new NpgsqlCommand($"""SELECT {Columns} FROM "EdgeGw_ResponseStore" WHERE response_id = @id""", connection);
        command.Add("id", id);
        await using var r = await command.ExecuteReaderAsync(cancel);
        if (!await r.ReadAsync(cancel))
            return null;
        return new StoredResponse(r.GetString(0), r.GetString(1), r.GetString(2), Text(r, 3),
            r.IsDBNull(4) ? default : r.GetFieldValue<byte[]>(4),
            r.IsDBNull(5) ? default : r.GetFieldValue<byte[]>(5),
            Text(r, 6), Text(r, 7), Time(r.GetDateTime(8)));
    }

    public async Task<bool> DeleteAsync(string id, CancellationToken cancel)
    {
        await using var connection = await source.OpenConnectionAsync(cancel);
        await using var command = new NpgsqlCommand("""DELETE FROM "EdgeGw_ResponseStore" WHERE response_id = @id""", connection);
        command.Add("id", id);
        return await command.ExecuteNonQueryAsync(cancel) > 0;
    }

    public async Task<long> PurgeAsync(DateTimeOffset cutoff, int keepNewest, CancellationToken cancel)
    {
        await using var connection = await source.OpenConnectionAsync(cancel);
        await using var command = new NpgsqlCommand("""
            WITH old AS (DELETE FROM "EdgeGw_ResponseStore" WHERE created_at < @cutoff RETURNING 1)
            SELECT count(*) FROM old
            """, connection);
        command.Add("cutoff", Timestamp(cutoff));
        var deleted = (long)(await command.ExecuteScalarAsync(cancel) ?? 0L);
        await using var over = new NpgsqlCommand("""
            DELETE FROM "EdgeGw_ResponseStore" WHERE created_at <= (SELECT created_at FROM "EdgeGw_ResponseStore" ORDER BY created_at DESC LIMIT 1 OFFSET @keep)
            """, connection);
        over.Add("keep", keepNewest);
        return deleted + await over.ExecuteNonQueryAsync(cancel);
    }
}
