using System.Net;
using System.Net.Http.Headers;
using System.Text;
using EdgeGw.Api;
using EdgeGw.Config;
using Microsoft.Extensions.Logging;

namespace EdgeGw.Tests.Infrastructure;

/// <summary>The gateway in-process on a loopback port, built from a YAML config like the binary's.</summary>
public sealed class TestGateway : IAsyncDisposable
{
    public const string MasterKey = "sk-test-master-key-0001"; // long enough to be a valid custom key, so refusing it as one is tested
    private readonly WebApplication _app;

    private readonly bool _ownsDatabase;

    private TestGateway(WebApplication app, Uri baseAddress, string databasePath, bool ownsDatabase)
    {
        _app = app;
        _ownsDatabase = ownsDatabase;
        DatabasePath = databasePath;
        BaseAddress = baseAddress;
        Client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
        Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", MasterKey);
    }

    public Uri BaseAddress { get; }
    /// <summary>This gateway's own SQLite file (deleted on dispose unless the test passed it in).</summary>
    public string DatabasePath { get; }
    /// <summary>A client that sends the master key.</summary>
    public HttpClient Client { get; }
    /// <summary>The process-wide parts (database, spend writer), for tests that break the disk under them.</summary>
    internal GatewayRuntime Runtime => Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<GatewayRuntime>(_app.Services);

    /// <summary>Starts a gateway on <paramref name="modelListYaml"/> (the model_list entries) plus any extra top-level YAML.</summary>
    /// <param name="databasePath">A database to reuse (e.g. to restart on it); by default a fresh temp file.</param>
    /// <param name="streamWriteTimeout">How long a stream's client may leave a write untaken (EDGEGW_STREAM_WRITE_TIMEOUT).</param>
    /// <param name="databaseUrl">A PostgreSQL <c>general_settings.database_url</c>: LiteLLM's tables there instead of a SQLite file.</param>
    /// <param name="generalSettings">Extra <c>general_settings</c> lines, e.g. <c>store_model_in_db: true</c>.</param>
    /// <param name="logging">The log providers (by default none: nothing is logged).</param>
    public static async Task<TestGateway> StartAsync(string modelListYaml, string extraYaml = "", TimeProvider? time = null, string? databasePath = null,
        TimeSpan? streamWriteTimeout = null, string? databaseUrl = null, string[]? generalSettings = null, Action<ILoggingBuilder>? logging = null)
    {
        var databaseLine = (databaseUrl is null ? "" : $"\n  database_url: {databaseUrl}")
            + string.Concat((generalSettings ?? []).Select(line => "\n  " + line));
        var yaml = $"""
            model_list:
            {Indent(modelListYaml)}
            general_settings:
              master_key: {MasterKey}{databaseLine}
            {extraYaml}
            """;
        var config = ConfigLoader.Parse(yaml, _ => null);
        var ownsDatabase = databasePath is null;
        databasePath ??= NewDatabasePath();
        var listen = new ListenOptions(IPAddress.Loopback, 0) { StreamWriteTimeout = streamWriteTimeout ?? EdgeGw.Streaming.StreamLimits.DefaultWriteTimeout };
        var app = GatewayHost.Build(config, listen, time,
            builder =>
            {
                builder.ClearProviders();
                logging?.Invoke(builder);
            }, databasePath);
        await app.StartAsync();
        return new TestGateway(app, GatewayHost.BoundAddress(app), databasePath, ownsDatabase);
    }

    public static string NewDatabasePath() =>
        Path.Combine(Path.GetTempPath(), $"edgegw-test-{Guid.NewGuid():N}.db");

    public static void DeleteDatabase(string path)
    {
        foreach (var suffix in new[] { "", "-wal", "-shm" })
            File.Delete(path + suffix);
    }

    private static string Indent(string text) =>
        string.Join('\n', text.Trim('\n').Split('\n').Select(l => "  " + l));

    public Task<HttpResponseMessage> PostJsonAsync(string path, string json, HttpClient? client = null) =>
        (client ?? Client).PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));

    public async Task<HttpResponseMessage> PostStreamAsync(string path, string json)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        return await Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (_ownsDatabase)
            DeleteDatabase(DatabasePath);
    }
}
