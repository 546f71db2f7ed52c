using System.Net;
using System.Net.Http.Headers;
using System.Text;
using BenchmarkDotNet.Attributes;
using EdgeGw.Api;
using EdgeGw.Config;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace EdgeGw.Bench;

/// <summary>
/// One whole chat request through the in-process gateway over loopback (spend logging on, SQLite), with
/// callbacks off, a generic_api webhook on, or OpenTelemetry traces on (OTLP/HTTP batch exporter); the
/// webhook, the OTLP collector and the provider are one Kestrel stand-in answering at once.
/// </summary>
public class CallbackRequestBenchmarks
{
    private const string Master = "sk-bench-master-key";
    private const string Answer = """
        {"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-4o-mini","choices":[{"index":0,"message":{"role":"assistant","content":"Hello there!"},"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":3,"total_tokens":15}}
        """;
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("""{"model":"gpt","messages":[{"role":"user","content":"Say hello in one short sentence."}]}""");

    private WebApplication _stub = null!;
    private WebApplication _gateway = null!;
    private HttpClient _client = null!;
    private string _db = "";

    [Params("off", "generic_api", "otel")]
    public string Callbacks { get; set; } = "off";

    [GlobalSetup]
    public void Setup()
    {
        var stubBuilder = WebApplication.CreateSlimBuilder();
        stubBuilder.Logging.ClearProviders();
        stubBuilder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        _stub = stubBuilder.Build();
        var answer = Encoding.UTF8.GetBytes(Answer);
        _stub.Run(async c =>
        {
            await c.Request.Body.CopyToAsync(Stream.Null);
            c.Response.ContentType = "application/json";
            await c.Response.Body.WriteAsync(c.Request.Path.StartsWithSegments("/v1/chat") ? answer : "{}"u8.ToArray());
        });
        _stub.StartAsync().GetAwaiter().GetResult();
        var stub = _stub.Urls.First().TrimEnd('/');

        var callbacks = Callbacks switch
        {
            "generic_api" => $"""
                litellm_settings:
                  callbacks: ["hook"]
                callback_settings:
                  hook: {"{"} callback_type: generic_api, endpoint: "{stub}/logs" {"}"}
                """,
            "otel" => """
                litellm_settings:
                  callbacks: ["otel"]
                """,
            _ => "",
        };
        var config = ConfigLoader.Parse($"""
            model_list:
              - model_name: gpt
                litellm_params: {"{"} model: openai/gpt-4o-mini, api_base: "{stub}/v1", api_key: sk-upstream {"}"}
            general_settings:
              master_key: {Master}
            {callbacks}
            """, name => name switch
        {
            "OTEL_EXPORTER" => "otlp_http",
            "OTEL_ENDPOINT" => stub,
            _ => null,
        });
        _db = Path.Combine(Path.GetTempPath(), $"edgegw-bench-{Guid.NewGuid():N}.db");
        _gateway = GatewayHost.Build(config, new ListenOptions(IPAddress.Loopback, 0), null, logging => logging.ClearProviders(), _db);
        _gateway.StartAsync().GetAwaiter().GetResult();
        _client = new HttpClient { BaseAddress = GatewayHost.BoundAddress(_gateway) };
        _client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Master);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _client.Dispose();
        _gateway.StopAsync().GetAwaiter().GetResult();
        _gateway.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _stub.StopAsync().GetAwaiter().GetResult();
        foreach (var suffix in new[] { "", "-wal", "-shm" })
            File.Delete(_db + suffix);
    }

    [Benchmark]
    public async Task<int> ChatRequest()
    {
        using var content = new ByteArrayContent(Body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await _client.PostAsync(new Uri("/v1/chat/completions", UriKind.Relative), content);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        return response.StatusCode == HttpStatusCode.OK ? bytes.Length : throw new InvalidOperationException($"{(int)response.StatusCode}: {Encoding.UTF8.GetString(bytes)}");
    }
}
