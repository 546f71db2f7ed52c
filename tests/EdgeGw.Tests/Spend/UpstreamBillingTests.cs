using System.Net;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Spend;

/// <summary>Billing from a real adapter's usage: the OpenAI pass-through against a loopback upstream.</summary>
public sealed class UpstreamBillingTests : IAsyncLifetime
{
    private FakeUpstream _upstream = null!;
    private TestGateway _gateway = null!;

    private const string Completion = """
        {"id":"chatcmpl-9","object":"chat.completion","created":1741569952,"model":"gpt-4o-2024-08-06","choices":[{"index":0,"message":{"role":"assistant","content":"Hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1000,"completion_tokens":100,"total_tokens":1100,"prompt_tokens_details":{"cached_tokens":400}}}
        """;

    private static readonly string[] Stream =
    [
        "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Hi\"},\"finish_reason\":null}]}\n\n",
        "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n",
        "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o\",\"choices\":[],\"usage\":{\"prompt_tokens\":1000,\"completion_tokens\":100,\"total_tokens\":1100,\"prompt_tokens_details\":{\"cached_tokens\":400}}}\n\n",
        "data: [DONE]\n\n",
    ];

    private const string Chat = """{"model":"gpt","messages":[{"role":"user","content":"hello"}]}""";
    private const string StreamChat = """{"model":"gpt","messages":[{"role":"user","content":"hello"}],"stream":true}""";

    // Usage an upstream reports is validated before it is billed: never a credit, never an overflow.
    private const string Huge = "9007199254740992"; // 2^53

    private static string CompletionWith(string prompt, string completion) => $$$"""
        {"id":"chatcmpl-9","object":"chat.completion","created":1741569952,"model":"gpt-4o-2024-08-06","choices":[{"index":0,"message":{"role":"assistant","content":"Hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":{{{prompt}}},"completion_tokens":{{{completion}}},"total_tokens":0}}
        """;

    private static string[] StreamWith(string prompt, string completion) =>
    [
        "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Hi\"},\"finish_reason\":\"stop\"}]}\n\n",
        $"data: {{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o\",\"choices\":[],\"usage\":{{\"prompt_tokens\":{prompt},\"completion_tokens\":{completion},\"total_tokens\":0}}}}\n\n",
        "data: [DONE]\n\n",
    ];

    public async Task InitializeAsync()
    {
        _upstream = await FakeUpstream.StartAsync();
        _gateway = await TestGateway.StartAsync($"""
            - model_name: gpt
              litellm_params:
                model: openai/gpt-4o-2024-08-06
                api_base: {_upstream.Url}/v1
                api_key: sk-upstream
            """);
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    [Fact]
    public async Task NonStreamed_IsBilledFromUpstreamUsageWithCachedRate()
    {
        _upstream.RespondJson(Completion);
        var key = await _gateway.NewKeyAsync();

        using var response = await _gateway.ChatAsync(key, Chat);

        // gpt-4o: 600 × $2.50 + 400 cached × $1.25 + 100 × $10, per million tokens.
        Assert.Equal("0.003", response.Headers.GetValues("x-litellm-response-cost").Single());
        Assert.Equal(0.003m, await _gateway.KeySpendAsync(key));
    }

    [Fact]
    public async Task Streamed_IsBilledExactlyLikeNonStreamed()
    {
        var key = await _gateway.NewKeyAsync();
        _upstream.RespondStream(Stream);

        using (var response = await _gateway.ChatAsync(key, StreamChat))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            await response.Content.ReadAsStringAsync();
        }

        Assert.Equal(0.003m, await _gateway.KeySpendAsync(key));
        var row = (await _gateway.GetAdminAsync($"/spend/logs?api_key={key}"))[0];
        Assert.Equal(1000, row.GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(100, row.GetProperty("completion_tokens").GetInt32());
        Assert.Equal("gpt-4o-2024-08-06", row.GetProperty("model").GetString());
        Assert.Equal("gpt", row.GetProperty("model_group").GetString());
    }

    [Fact]
    public async Task BudgetReachedByAStream_RefusesTheVeryNextRequest()
    {
        var key = await _gateway.NewKeyAsync("""{"max_budget":0.003}""");
        _upstream.RespondStream(Stream);

        using (var response = await _gateway.ChatAsync(key, StreamChat))
            await response.Content.ReadAsStringAsync();
        using var refused = await _gateway.ChatAsync(key, StreamChat);

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("budget_exceeded", (await AdminClient.ErrorOf(refused)).GetProperty("type").GetString());
    }

    [Fact]
    public async Task BudgetReachedByANonStream_RefusesTheVeryNextRequest()
    {
        var key = await _gateway.NewKeyAsync("""{"max_budget":0.003}""");
        _upstream.RespondJson(Completion);

        using (var response = await _gateway.ChatAsync(key, Chat))
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var refused = await _gateway.ChatAsync(key, Chat);

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
    }

    [Fact]
    public async Task UpstreamError_IsLoggedAsFailureWithZeroSpend()
    {
        _upstream.RespondJson("""{"error":{"message":"overloaded","type":"server_error"}}""", 500);
        var key = await _gateway.NewKeyAsync();

        using var response = await _gateway.ChatAsync(key, Chat);

        Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);
        var row = (await _gateway.GetAdminAsync($"/spend/logs?api_key={key}"))[0];
        Assert.Equal("failure", row.GetProperty("status").GetString());
        Assert.Equal(0m, row.GetProperty("spend").GetDecimal());
    }

    [Fact]
    public async Task NegativeTokenCounts_AnswerAndBillNothingNotACredit()
    {
        var key = await _gateway.NewKeyAsync();
        _upstream.RespondJson(CompletionWith("-700000000", "-100000000"));

        using var response = await _gateway.ChatAsync(key, Chat);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("\"Hi\"", await response.Content.ReadAsStringAsync());
        Assert.Equal(0m, await _gateway.KeySpendAsync(key));
        var row = (await _gateway.GetAdminAsync($"/spend/logs?api_key={key}"))[0];
        Assert.Equal(0, row.GetProperty("prompt_tokens").GetInt64());
        Assert.Equal(0m, row.GetProperty("spend").GetDecimal());
    }

    [Fact]
    public async Task TwoToThe53Tokens_AnswerAndBillTheClampedCount()
    {
        var key = await _gateway.NewKeyAsync();
        _upstream.RespondJson(CompletionWith(Huge, Huge));

        using var response = await _gateway.ChatAsync(key, Chat);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        // Each count clamps to 10^9 tokens: gpt-4o at $2.50 + $10 per million.
        Assert.Equal(12_500m, await _gateway.KeySpendAsync(key));
        var row = (await _gateway.GetAdminAsync($"/spend/logs?api_key={key}"))[0];
        Assert.Equal(1_000_000_000, row.GetProperty("prompt_tokens").GetInt64());
    }

    [Fact]
    public async Task StreamedAbsurdUsage_AnswersAndNeverGoesNegative()
    {
        var key = await _gateway.NewKeyAsync();
        _upstream.RespondStream(StreamWith("-5", Huge));
        using (var response = await _gateway.ChatAsync(key, StreamChat))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains("[DONE]", await response.Content.ReadAsStringAsync());
        }
        _upstream.RespondStream(StreamWith("1e300", "-1e300"));
        using (var response = await _gateway.ChatAsync(key, StreamChat))
            Assert.Contains("[DONE]", await response.Content.ReadAsStringAsync());

        // 10^9 output tokens at $10 per million, then 10^9 input tokens at $2.50.
        Assert.Equal(12_500m, await _gateway.KeySpendAsync(key));
    }
}
