using Microsoft.Data.Sqlite;

namespace EdgeGw.Storage;

/// <summary>Run-time models in EdgeGw's SQLite file (migration 8's <c>proxy_models</c>).</summary>
internal sealed class SqliteModelStore(SqliteStore store) : IModelStore
{
    private const string Columns = "model_id, model_name, litellm_params, model_info, created_at, created_by, updated_at, updated_by";

    public Task<IReadOnlyList<StoredModel>> ListAsync(CancellationToken cancel = default) => Task.FromResult<IReadOnlyList<StoredModel>>(store.Run(c =>
    {
        using var command = Sql.Command(c, $"SELECT {Columns} FROM proxy_models ORDER BY created_at, model_id");
        using var r = command.ExecuteReader();
        var models = new List<StoredModel>();
        while (r.Read())
            models.Add(Read(r));
        return models;
    }));

    public Task<StoredModel?> GetAsync(string modelId, CancellationToken cancel = default) => Task.FromResult(store.Run(c => Get(c, modelId)));

    public Task<bool> InsertAsync(StoredModel model, CancellationToken cancel = default) => Task.FromResult(store.Run(c =>
    {
        using var command = Sql.Command(c, $"""
            INSERT INTO proxy_models ({Columns}) VALUES (@id, @name, @params, @info, @created, @createdBy, @updated, @updatedBy)
            ON CONFLICT (model_id) DO NOTHING
            """);
        command.Add("@id", model.ModelId);
        command.Add("@name", model.ModelName);
        command.Add("@params", model.LitellmParamsJson);
        command.Add("@info", model.ModelInfoJson);
        command.Add("@created", model.CreatedAt.ToUnixTimeMilliseconds());
        command.Add("@createdBy", model.CreatedBy);
        command.Add("@updated", model.UpdatedAt.ToUnixTimeMilliseconds());
        command.Add("@updatedBy", model.UpdatedBy);
        return command.ExecuteNonQuery() > 0;
    }));

    public Task<StoredModel?> UpdateAsync(string modelId, string modelName, string litellmParamsJson, string? modelInfoJson,
        DateTimeOffset updatedAt, string updatedBy, CancellationToken cancel = default) => Task.FromResult(store.Run(c =>
    {
        using var command = Sql.Command(c, """
            UPDATE proxy_models SET model_name = @name, litellm_params = @params, model_info = @info, updated_at = @updated, updated_by = @updatedBy
            WHERE model_id = @id
            """);
        command.Add("@id", modelId);
        command.Add("@name", modelName);
        command.Add("@params", litellmParamsJson);
        command.Add("@info", modelInfoJson);
        command.Add("@updated", updatedAt.ToUnixTimeMilliseconds());
        command.Add("@updatedBy", updatedBy);
        return command.ExecuteNonQuery() > 0 ? Get(c, modelId) : null;
    }));

    public Task<bool> DeleteAsync(string modelId, CancellationToken cancel = default) => Task.FromResult(store.Run(c =>
    {
        using var command = Sql.Command(c, "DELETE FROM proxy_models WHERE model_id = @id");
        command.Add("@id", modelId);
        return command.ExecuteNonQuery() > 0;
    }));

    private static StoredModel? Get(SqliteConnection c, string modelId)
    {
        using var command = Sql.Command(c, $"SELECT {Columns} FROM proxy_models WHERE model_id = @id");
        command.Add("@id", modelId);
        using var r = command.ExecuteReader();
        return r.Read() ? Read(r) : null;
    }

    private static StoredModel Read(SqliteDataReader r) => new(
        r.GetString(0), r.GetString(1), r.GetString(2), r.StringOrNull(3),
        DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(4)), r.GetString(5),
        DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(6)), r.GetString(7));
}
