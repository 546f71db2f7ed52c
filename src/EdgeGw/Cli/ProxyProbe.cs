using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using EdgeGw.Ops;

namespace EdgeGw.Cli;

/// <summary>
/// LiteLLM's <c>--health</c> (GET <c>/health</c>) and <c>--test</c> (one chat completion) against a
/// gateway already running at --host/--port: print the answer, exit 0 on 2xx, 1 otherwise. Both send
/// LITELLM_MASTER_KEY, which LiteLLM's CLI leaves out (its probes then fail on a keyed proxy).
/// </summary>
internal static class ProxyProbe
{
    public static async Task<int> RunAsync(CommandLine options, Func<string, string?> environment)
    {
        var host = HealthCheckCommand.ProbeHost(options.Host.ToString());
        var authority = host.Contains(':', StringComparison.Ordinal) ? $"[{host}]:{options.Port}" : $"{host}:{options.Port}";
        var baseUri = new Uri($"{(options.SslCertfilePath is null ? "http" : "https")}://{authority}");
        using var handler = HealthCheckCommand.Handler(options.SslCertfilePath);
        using var client = new HttpClient(handler) { BaseAddress = baseUri, Timeout = TimeSpan.FromMinutes(2) };
        if (environment("LITELLM_MASTER_KEY") is { Length: > 0 } key)
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var request = options.RunTest
            ? new HttpRequestMessage(HttpMethod.Post, "/chat/completions") { Content = TestRequest(options.TestModel ?? "gpt-3.5-turbo") }
            : new HttpRequestMessage(HttpMethod.Get, "/health");
        try
        {
            using var response = await client.SendAsync(request);
            Console.WriteLine($"{request.Method} {new Uri(baseUri, request.RequestUri!)}: {(int)response.StatusCode}");
            Console.WriteLine(await response.Content.ReadAsStringAsync());
            return response.IsSuccessStatusCode ? 0 : 1;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            Console.Error.WriteLine($"edgegw: {new Uri(baseUri, request.RequestUri!)}: {e.Message}");
            return 1;
        }
    }

    private static StringContent TestRequest(string model) => new(
        $$"""{"model":"{{JsonEncodedText.Encode(model)}}","messages":[{"role":"user","content":"this is a test request, write a short poem"}],"max_tokens":256}""",
        Encoding.UTF8, "application/json");
}
