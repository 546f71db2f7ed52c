using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace EdgeGw.Tests.Infrastructure;

/// <summary>Admin-route and model-request helpers over a <see cref="TestGateway"/>.</summary>
public static class AdminClient
{
    public const string Chat = """{"model":"cheap","messages":[{"role":"user","content":"hi"}]}""";

    /// <summary>A mock model whose cost per request is exact: see <see cref="ChatCost"/>.</summary>
    public const string CheapModel = """
        - model_name: cheap
          litellm_params:
            model: mock/cheap
            mock_response: one two three
            input_cost_per_token: 0.001
            output_cost_per_token: 0.002
        - model_name: other
          litellm_params:
            model: mock/other
            mock_response: four five
            input_cost_per_token: 0.001
            output_cost_per_token: 0.002
        """;

    /// <summary>The cost of <see cref="Chat"/> on <c>cheap</c>: 8 prompt tokens × 0.001 + 3 completion tokens × 0.002.</summary>
    public const decimal ChatCost = 0.014m;

    public static async Task<JsonElement> PostAdminAsync(this TestGateway gateway, string path, string json, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var response = await gateway.PostJsonAsync(path, json);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"{path}: expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public static async Task<JsonElement> GetAdminAsync(this TestGateway gateway, string pathAndQuery, HttpStatusCode expected = HttpStatusCode.OK, string? key = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, pathAndQuery);
        if (key is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var response = await gateway.Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"{pathAndQuery}: expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Creates a key and returns its plaintext.</summary>
    public static async Task<string> NewKeyAsync(this TestGateway gateway, string json = "{}") =>
        (await gateway.PostAdminAsync("/key/generate", json)).GetProperty("key").GetString()!;

    public static Task<HttpResponseMessage> ChatAsync(this TestGateway gateway, string key, string body = Chat, string path = "/v1/chat/completions")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return gateway.Client.SendAsync(request);
    }

    public static async Task<JsonElement> ErrorOf(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").Clone();

    public static async Task<decimal> KeySpendAsync(this TestGateway gateway, string key) =>
        (await gateway.GetAdminAsync($"/key/info?key={Uri.EscapeDataString(key)}")).GetProperty("info").GetProperty("spend").GetDecimal();
}
