using Npgsql;
using static EdgeGw.Storage.Postgres.LiteLlmValues;

namespace EdgeGw.Storage.Postgres;

/// <summary>
/// Run-time models in LiteLLM's own <c>LiteLLM_ProxyModelTable</c>, so models a LiteLLM proxy stored
/// appear here and the other way round. Its <c>blocked</c> column (newer LiteLLM) is left to its default.
/// </summary>
internal sealed class PostgresModelStore(NpgsqlDataSource source) : IModelStore
{
    // LiteLLM has written the JSON columns both as objects and as one JSON string holding the object: either reads back as the object's text.
    private const string Columns = """
        model_id, model_name,
        CASE WHEN jsonb_typeof(litellm_params) = 'string' THEN litellm_params #>> '{}' ELSE litellm_params::text END,
        CASE WHEN jsonb_typeof(model_info) = 'string' THEN model_info #>> '{}' ELSE model_info::text END,
        created_at, created_by, updated_at, updated_by
        """;

    public async Task<IReadOnlyList<StoredModel>> ListAsync(CancellationToken cancel = default)
    {
        await using var command = source.CreateCommand($"""SELECT {Columns} FROM "LiteLLM_ProxyModelTable" ORDER BY created_at, model_id""");
        await using var r = await command.ExecuteReaderAsync(cancel);
        var models = new List<StoredModel>();
        while (await r.ReadAsync(cancel))
            models.Add(Read(r));
        return models;
    }

    public async Task<StoredModel?> GetAsync(string modelId, CancellationToken cancel = default)
    {
        await using var command = source.CreateCommand($"""SELECT {Columns} FROM "LiteLLM_ProxyModelTable" WHERE model_id = @id""");
        command.Add("id", modelId);
        return await Single(command, cancel);
    }

    public async Task<bool> InsertAsync(StoredModel model, CancellationToken cancel = default)
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

    public async Task<StoredModel?> UpdateAsync(string modelId, string modelName, string litellmParamsJson, string? modelInfoJson,
        DateTimeOffset updatedAt, string updatedBy, CancellationToken cancel = default)
    {
        await using var command = source.CreateCommand($"""
            UPDATE "LiteLLM_ProxyModelTable" SET model_name = @name, litellm_params = @params::jsonb, model_info = @info::jsonb,
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

    public async Task<bool> DeleteAsync(string modelId, CancellationToken cancel = default)
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
        Time(r.GetDateTime(4)), r.GetString(5), Time(r.GetDateTime(6)), r.GetString(7));
}
