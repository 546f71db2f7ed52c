using System.Diagnostics;
using Npgsql;

namespace EdgeGw.Storage.Postgres;

/// <summary>
/// A PostgreSQL database named by a <c>DATABASE_URL</c>, holding LiteLLM's tables: one pooled
/// <see cref="NpgsqlDataSource"/> for the process's life. Built with the slim builder (no
/// reflection, trimming- and AOT-clean) plus the two features LiteLLM's schema needs: arrays
/// (<c>TEXT[]</c>) and TLS (<c>sslmode=require</c>, as hosted databases ask).
/// </summary>
internal sealed partial class PostgresStore : IAsyncDisposable
{
    private PostgresStore(NpgsqlDataSource source, DatabaseUrl url)
    {
        Source = source;
        Url = url;
    }

    public NpgsqlDataSource Source { get; }
    public DatabaseUrl Url { get; }

    /// <summary>
    /// Connects and creates LiteLLM's tables where missing; <see cref="StoreException"/> says why it cannot.
    /// A database that is down or still starting is retried, with back-off, for up to <paramref name="wait"/>
    /// (LiteLLM's tutorials start the proxy beside a PostgreSQL that is not ready yet); each wait is logged.
    /// </summary>
    public static async Task<PostgresStore> OpenAsync(string databaseUrl, TimeSpan wait = default, ILogger? logger = null, CancellationToken cancel = default)
    {
        if (!DatabaseUrl.TryParse(databaseUrl, out var url, out var error))
            throw new StoreException(error);
        var source = Build(url);
        var waited = Stopwatch.StartNew();
        var retries = 0;
        try
        {
            List<string> missing;
            for (var delay = FirstRetry; ; delay = delay * 2 > LongestRetry ? LongestRetry : delay * 2, retries++)
            {
                try
                {
                    missing = await LiteLlmSchema.EnsureAsync(source, url.Schema, cancel);
                    break;
                }
                catch (Exception e) when (PostgresFailure.WorthWaitingFor(e) && waited.Elapsed + delay < wait)
                {
                    if (logger is not null)
                        LogWaiting(logger, url.Redacted, PostgresFailure.Reason(e), delay.TotalSeconds, wait.TotalSeconds);
                    await Task.Delay(delay, cancel);
                }
            }
            if (missing.Count > 0)
                throw new StoreException(
                    $"PostgreSQL database {url.Redacted} holds LiteLLM tables from an older LiteLLM, without {string.Join(", ", missing)}. " +
                    "Bring its schema up to date with LiteLLM's migrations (start a current LiteLLM proxy on it once), then start edgegw again.");
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            await source.DisposeAsync();
            // Npgsql's messages name host and database, never the password.
            var after = retries > 0 ? $" (waited {waited.Elapsed.TotalSeconds:0} s)" : "";
            throw new StoreException($"cannot open PostgreSQL database {url.Redacted}{after}: {PostgresFailure.Reason(e)}", e);
        }
        catch
        {
            await source.DisposeAsync();
            throw;
        }
        if (logger is not null && retries > 0)
            LogReached(logger, url.Redacted, waited.Elapsed.TotalSeconds);
        return new PostgresStore(source, url);
    }

    private static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan LongestRetry = TimeSpan.FromSeconds(4);

    [LoggerMessage(Level = LogLevel.Warning, Message = "database: PostgreSQL {Url} is not reachable yet ({Reason}); retrying in {Delay} s (gives up after {Limit} s)")]
    private static partial void LogWaiting(ILogger logger, string url, string reason, double delay, double limit);

    [LoggerMessage(Level = LogLevel.Information, Message = "database: PostgreSQL {Url} reached after {Seconds:0.0} s")]
    private static partial void LogReached(ILogger logger, string url, double seconds);

    public static NpgsqlDataSource Build(DatabaseUrl url)
    {
        var builder = new NpgsqlSlimDataSourceBuilder(url.ConnectionString);
        builder.EnableArrays();
        builder.EnableTransportSecurity();
        return builder.Build();
    }

    public ValueTask DisposeAsync() => Source.DisposeAsync();
}
