using Npgsql;

namespace EdgeGw.Storage.Postgres;

/// <summary>
/// A PostgreSQL database named by a <c>DATABASE_URL</c>, holding LiteLLM's tables: one pooled
/// <see cref="NpgsqlDataSource"/> for the process's life. Built with the slim builder (no
/// reflection, trimming- and AOT-clean) plus the two features LiteLLM's schema needs: arrays
/// (<c>TEXT[]</c>) and TLS (<c>sslmode=require</c>, as hosted databases ask).
/// </summary>
internal sealed class PostgresStore : IAsyncDisposable
{
    private PostgresStore(NpgsqlDataSource source, DatabaseUrl url)
    {
        Source = source;
        Url = url;
    }

    public NpgsqlDataSource Source { get; }
    public DatabaseUrl Url { get; }

    /// <summary>Connects, creates LiteLLM's tables where missing; <see cref="StoreException"/> says why it cannot.</summary>
    public static async Task<PostgresStore> OpenAsync(string databaseUrl, CancellationToken cancel = default)
    {
        if (!DatabaseUrl.TryParse(databaseUrl, out var url, out var error))
            throw new StoreException(error);
        var source = Build(url);
        try
        {
            var missing = await LiteLlmSchema.EnsureAsync(source, url.Schema, cancel);
            if (missing.Count > 0)
                throw new StoreException(
                    $"PostgreSQL database {url.Redacted} holds LiteLLM tables from an older LiteLLM, without {string.Join(", ", missing)}. " +
                    "Bring its schema up to date with LiteLLM's migrations (start a current LiteLLM proxy on it once), then start edgegw again.");
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            await source.DisposeAsync();
            // Npgsql's messages name host and database, never the password.
            throw new StoreException($"cannot open PostgreSQL database {url.Redacted}: {e.Message}", e);
        }
        catch
        {
            await source.DisposeAsync();
            throw;
        }
        return new PostgresStore(source, url);
    }

    public static NpgsqlDataSource Build(DatabaseUrl url)
    {
        var builder = new NpgsqlSlimDataSourceBuilder(url.ConnectionString);
        builder.EnableArrays();
        builder.EnableTransportSecurity();
        return builder.Build();
    }

    public ValueTask DisposeAsync() => Source.DisposeAsync();
}
