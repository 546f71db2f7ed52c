using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using EdgeGw.Api;
using EdgeGw.Config;
using EdgeGw.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EdgeGw.Tests.Ops;

/// <summary>
/// The gateway in-process with its config in a file (so it can be reloaded), its log captured,
/// and its runtime reachable.
/// </summary>
public sealed class OpsGateway : IAsyncDisposable
{
    private readonly WebApplication _app;

    private OpsGateway(WebApplication app, string configPath, string databasePath, CapturedLog log)
    {
        _app = app;
        ConfigPath = configPath;
        DatabasePath = databasePath;
        Log = log;
        Client = new HttpClient { BaseAddress = GatewayHost.BoundAddress(app), Timeout = TimeSpan.FromSeconds(30) };
        Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TestGateway.MasterKey);
    }

    public string ConfigPath { get; }
    public string DatabasePath { get; }
    public CapturedLog Log { get; }
    public HttpClient Client { get; }
    internal GatewayRuntime Runtime => _app.Services.GetRequiredService<GatewayRuntime>();

    public static string Yaml(string modelListYaml, string extraYaml = "") => $"""
        model_list:
        {string.Join('\n', modelListYaml.Trim('\n').Split('\n').Select(l => "  " + l))}
        general_settings:
          master_key: {TestGateway.MasterKey}
        {extraYaml}
        """;

    public static async Task<OpsGateway> StartAsync(string yaml)
    {
        var configPath = Path.Combine(Path.GetTempPath(), $"edgegw-ops-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(configPath, yaml);
        var log = new CapturedLog();
        var databasePath = TestGateway.NewDatabasePath();
        var app = GatewayHost.Build(ConfigLoader.LoadFile(configPath), new ListenOptions(IPAddress.Loopback, 0), null,
            logging =>
            {
                logging.ClearProviders();
                logging.AddProvider(log);
            }, databasePath);
        await app.StartAsync();
        return new OpsGateway(app, configPath, databasePath, log);
    }

    public Task<HttpResponseMessage> PostJsonAsync(string path, string json, Action<HttpRequestMessage>? configure = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        configure?.Invoke(request);
        return Client.SendAsync(request);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        File.Delete(ConfigPath);
        TestGateway.DeleteDatabase(DatabasePath);
    }
}

/// <summary>Every log entry with its structured state, for assertions on what was (not) logged.</summary>
public sealed class CapturedLog : ILoggerProvider
{
    public sealed record Entry(string Category, LogLevel Level, string Message, IReadOnlyDictionary<string, object?> State);

    private readonly ConcurrentQueue<Entry> _entries = new();

    public IReadOnlyList<Entry> Entries => [.. _entries];

    public IReadOnlyList<Entry> In(string category) => [.. _entries.Where(e => e.Category == category)];

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturedLog owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var fields = new Dictionary<string, object?>(StringComparer.Ordinal);
            if (state is IEnumerable<KeyValuePair<string, object?>> pairs)
            {
                foreach (var (k, v) in pairs)
                    fields[k] = v;
            }
            owner._entries.Enqueue(new Entry(category, logLevel, formatter(state, exception), fields));
        }
    }
}
