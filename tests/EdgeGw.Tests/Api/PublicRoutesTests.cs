using System.Net;
using System.Text.Json;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Api;

public sealed class PublicRoutesTests : IAsyncLifetime
{
    private TestGateway _gateway = null!;

    public async Task InitializeAsync() => _gateway = await TestGateway.StartAsync("""
        - model_name: b-model
          litellm_params: { model: mock/b }
        - model_name: a-model
          litellm_params: { model: mock/a1 }
        - model_name: a-model
          litellm_params: { model: mock/a2 }
        """);

    public Task DisposeAsync() => _gateway.DisposeAsync().AsTask();

    [Theory]
    [InlineData("/health/liveliness")]
    [InlineData("/health/liveness")]
    [InlineData("/health/readiness")]
    public async Task HealthProbe_NeedsNoKey(string path)
    {
        using var client = new HttpClient { BaseAddress = _gateway.BaseAddress };
        using var response = await client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Models_ListEachGroupOnceInOpenAiShape()
    {
        foreach (var path in new[] { "/v1/models", "/models" })
        {
            var json = JsonDocument.Parse(await _gateway.Client.GetStringAsync(path)).RootElement;
            Assert.Equal("list", json.GetProperty("object").GetString());
            var ids = json.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString()!).ToArray();
            Assert.Equal(["b-model", "a-model"], ids);
            Assert.All(json.GetProperty("data").EnumerateArray(), m => Assert.Equal("model", m.GetProperty("object").GetString()));
        }
    }

    [Fact]
    public async Task Models_NeedAKey()
    {
        using var client = new HttpClient { BaseAddress = _gateway.BaseAddress };
        using var response = await client.GetAsync("/v1/models");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
