using System.Net;
using System.Text.Json;
using EdgeGw.Ops;
using EdgeGw.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace EdgeGw.Tests.Ops;

public sealed class ConfigReloadTests
{
    private const string OneModel = """
        - model_name: first
          litellm_params:
            model: mock/first
            mock_response: from first
        """;

    private static async Task<string[]> ModelsAsync(OpsGateway gateway)
    {
        using var response = await gateway.Client.GetAsync("/v1/models");
        var data = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("data");
        return [.. data.EnumerateArray().Select(m => m.GetProperty("id").GetString()!)];
    }

    private static ConfigReloader Reloader(OpsGateway gateway) =>
        ConfigReloader.Manual(gateway.Runtime, gateway.ConfigPath, gateway.Log.CreateLogger("EdgeGw.Reload"));

    [Fact]
    public async Task ValidFile_AddsModelAndKeepsSpendData()
    {
        await using var gateway = await OpsGateway.StartAsync(OpsGateway.Yaml(OneModel));
        using (var first = await gateway.PostJsonAsync("/v1/chat/completions", """{"model":"first","messages":[{"role":"user","content":"hi"}]}"""))
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var dataBefore = gateway.Runtime.Data;

        await File.WriteAllTextAsync(gateway.ConfigPath, OpsGateway.Yaml(OneModel + "\n" + """
            - model_name: second
              litellm_params:
                model: mock/second
                mock_response: from second
            """));
        Assert.True(Reloader(gateway).Reload());

        Assert.Equal(["first", "second"], await ModelsAsync(gateway));
        using var answer = await gateway.PostJsonAsync("/v1/chat/completions", """{"model":"second","messages":[{"role":"user","content":"hi"}]}""");
        Assert.Contains("from second", await answer.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Same(dataBefore, gateway.Runtime.Data);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        int rows;
        do
        {
            using var logs = await gateway.Client.GetAsync("/spend/logs");
            rows = JsonDocument.Parse(await logs.Content.ReadAsStringAsync()).RootElement.GetArrayLength();
        }
        while (rows < 2 && DateTime.UtcNow < deadline);
        Assert.Equal(2, rows); // both snapshots write to the same database
    }

    [Fact]
    public async Task InvalidFile_IsRejectedWithItsProblemAndOldModelsStay()
    {
        await using var gateway = await OpsGateway.StartAsync(OpsGateway.Yaml(OneModel));
        await File.WriteAllTextAsync(gateway.ConfigPath, OpsGateway.Yaml("""
            - model_name: bad
              litellm_params:
                model: llama3
            """));

        Assert.False(Reloader(gateway).Reload());

        Assert.Equal(["first"], await ModelsAsync(gateway));
        var logged = Assert.Single(gateway.Log.In("EdgeGw.Reload"));
        Assert.Equal(LogLevel.Error, logged.Level);
        Assert.Contains("model_list[0].litellm_params.model", logged.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InFlightStream_FinishesOnTheOldSnapshot()
    {
        await using var gateway = await OpsGateway.StartAsync(OpsGateway.Yaml("""
            - model_name: slow
              litellm_params:
                model: mock/slow
                mock_response: a b c d e f g h
                mock_tokens_per_second: 40
            """));
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent("""{"model":"slow","stream":true,"messages":[{"role":"user","content":"hi"}]}""", System.Text.Encoding.UTF8, "application/json"),
        };
        using var response = await gateway.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        Assert.StartsWith("data: ", await reader.ReadLineAsync());

        await File.WriteAllTextAsync(gateway.ConfigPath, OpsGateway.Yaml(OneModel)); // "slow" is gone
        Assert.True(Reloader(gateway).Reload());

        var rest = await reader.ReadToEndAsync();
        Assert.EndsWith("data: [DONE]\n\n", rest, StringComparison.Ordinal);
        Assert.Equal(["first"], await ModelsAsync(gateway));
    }
}
