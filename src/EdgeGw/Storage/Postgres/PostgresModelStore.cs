using Npgsql;
using static EdgeGw.Storage.Postgres.LiteLlmValues;

namespace EdgeGw.Storage.Postgres;

/// <summary>
/// Run-time models in LiteLLM's own <c>LiteLLM_ProxyModelTable</c>, so models a LiteLLM proxy stored
/// appear here and the other way round. Its <c>blocked</c> column (newer LiteLLM) is read, never written (a new row takes its default).
/// Each committed write is announced on <paramref name="changes"/> (kind <see cref="AccountTable.Model"/>), as account
/// writes are, so every replica reloads that model; a database that is down is a <see cref="StoreUnavailableException"/>.
/// </summary>
internal sealed class PostgresModelStore(NpgsqlDataSource source, DatabaseUrl url, IAccountChanges? changes = null) : IModelStore
{
    // LiteLLM has written the JSON columns both as objects and as one JSON string holding the object: either reads back as the object's text.
    // blocked is read through the row's JSON: a table from before LiteLLM added the column reads as not blocked, no schema probe needed.
    private const string Columns = """
        model_id, model_name,
        CASE WHEN jsonb_typeof(litellm_params) = 'string' THEN litellm_params #>> '{}' ELSE litellm_params::text END,
        CASE WHEN jsonb_typeof(model_info) = 'string' THEN model_info #>> '{}' ELSE model_info::text END,
        created_at, created_by, updated_at, updated_by,
        COALESCE((to_jsonb(m) ->> 'blocked')::boolean, false)
        """;

    public Task<IReadOnlyList<StoredModel>> ListAsync(CancellationToken cancel = default) => Guard(() => List(cancel));

    public Task<StoredModel?> GetAsync(string modelId, CancellationToken cancel = default) => Guard(() => Get(modelId, cancel));

    public async Task<bool> InsertAsync(StoredModel model, CancellationToken cancel = default) =>
        await Announce(await Guard(() => Insert(model, cancel)), model.ModelId);

    public async Task<StoredModel?> UpdateAsync(string modelId, string modelName, string litellmParamsJson, string? modelInfoJson,
        DateTimeOffset updatedAt, string updatedBy, CancellationToken cancel = default)
    {
        var stored = await Guard(() => Update(modelId, modelName, litellmParamsJson, modelInfoJson, updatedAt, updatedBy, cancel));
        await Announce(stored is not null, modelId);
        return stored;
    }

    public async Task<bool> DeleteAsync(string modelId, CancellationToken cancel = default) =>
        await Announce(await Guard(() => Delete(modelId, cancel)), modelId);

    private async Task<bool> Announce(bool written, string modelId)
    {
        if (written && changes is not null)
            await changes.PublishAsync([new AccountChange(AccountTable.Model, modelId)]);
        return written;
    }

    private Task<T> Guard<T>(Func<Task<T>> work) => PostgresFailure.GuardAsync(work, url);

    private async Task<IReadOnlyList<StoredModel>> List(CancellationToken cancel)
    {
        await using var command = source.CreateCommand($"""SELECT {Columns} FROM "LiteLLM_ProxyModelTable" m ORDER BY created_at, model_id""");
        await using var r = await command.ExecuteReaderAsync(cancel);
        var models = new List<StoredModel>();
        while (await r.ReadAsync(cancel))
            models.Add(Read(r));
        return models;
    }

    private async Task<StoredModel?> Get(string modelId, CancellationToken cancel)
    {
        await using var command = source.CreateCommand($"""SELECT {Columns} FROM "LiteLLM_ProxyModelTable" m WHERE model_id = @id""");
        command.Add("id", modelId);
        return await Single(command, cancel);
    }

    private async Task<bool> Insert(StoredModel model, CancellationToken cancel)
    {
        await using var command = source.CreateCommand("""
            INSERT INTO "LiteLLM_ProxyModelTable" (model_id, model_name, litellm_params, model_info, created_at, created_by, updated_at, updated_by)
            VALUES (@id, @name, @params::jsonb, @info::jsonb, @created, @createdBy, @updated, @updatedBy)
            ON CONFLICT (model_id) DO NOTHING
            """);
        command.Add("id", model.ModelId);
        command.Add("name", model.ModelName);
        command.Add("params", model.LitellmParamsJson);
        command.Add("info", model.ModelInfoJson);
        command.Add("created", Timestamp(model.CreatedAt));
        command.Add("createdBy", model.CreatedBy);
        command.Add("updated", Timestamp(model.UpdatedAt));
        command.Add("updatedBy", model.UpdatedBy);
        return await command.ExecuteNonQueryAsync(cancel) > 0;
    }

    private async Task<StoredModel?> Update(string modelId, string modelName, string litellmParamsJson, string? modelInfoJson,
        DateTimeOffset updatedAt, string updatedBy, CancellationToken cancel)
    {
        await using var command = source.CreateCommand($"""
            UPDATE "LiteLLM_ProxyModelTable" m SET model_name = @name, litellm_params = @params::jsonb, model_info = @info::jsonb,
                updated_at = @updated, updated_by = @updatedBy
            WHERE model_id = @id
            RETURNING {Columns}
            """);
        command.Add("id", modelId);
        command.Add("name", modelName);
        command.Add("params", litellmParamsJson);
        command.Add("info", modelInfoJson);
        command.Add("updated", Timestamp(updatedAt));
        command.Add("updatedBy", updatedBy);
        return await Single(command, cancel);
    }

    private async Task<bool> Delete(string modelId, CancellationToken cancel)
    {
        await using var command = source.CreateCommand("""DELETE FROM "LiteLLM_ProxyModelTable" WHERE model_id = @id""");
        command.Add("id", modelId);
        return await command.ExecuteNonQueryAsync(cancel) > 0;
    }

    private static async Task<StoredModel?> Single(NpgsqlCommand command, CancellationToken cancel)
    {
        await using var r = await command.ExecuteReaderAsync(cancel);
        return await r.ReadAsync(cancel) ? Read(r) : null;
    }

    private static StoredModel Read(NpgsqlDataReader r) => new(
        r.GetString(0), r.GetString(1), r.GetString(2), Text(r, 3),
        Time(r.GetDateTime(4)), r.GetString(5), Time(r.GetDateTime(6)), r.GetString(7)) { Blocked = r.GetBoolean(8) };
}
