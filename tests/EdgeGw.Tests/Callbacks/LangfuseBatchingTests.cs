using System.Text.Json;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Callbacks;

/// <summary>How the langfuse callback groups requests into ingestion POSTs, and which outcomes it sends.</summary>
public sealed class LangfuseBatchingTests
{
    private const string Answer = CallbackRows.OkAnswer;

    [Fact]
    public async Task ThreeRequestsWithFlushAtThree_ArriveInOnePostOfSixEvents()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var langfuse = await FakeLangfuse.StartAsync();
        upstream.RespondJson(Answer);
        // A flush interval far beyond the test: only the batch size can send.
        await using var gateway = await TestGateway.StartAsync(OpenAiDeploymentYaml.Of("cheap", upstream), $"""
            litellm_settings:
              callbacks: ["langfuse"]
            environment_variables:
              LANGFUSE_PUBLIC_KEY: {FakeLangfuse.PublicKey}
              LANGFUSE_SECRET_KEY: {FakeLangfuse.SecretKey}
              LANGFUSE_HOST: {langfuse.Url}
              LANGFUSE_FLUSH_AT: "3"
              LANGFUSE_FLUSH_INTERVAL: "600"
            """);

        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            using var response = await gateway.ChatAsync(TestGateway.MasterKey);
            ids.Add(response.Headers.GetValues("x-litellm-call-id").Single());
        }
        foreach (var id in ids)
            await langfuse.GenerationAsync(id);

        var post = Assert.Single(langfuse.Sink.Requests);
        var body = JsonDocument.Parse(post.Body).RootElement;
        Assert.Equal(6, body.GetProperty("batch").GetArrayLength());
        Assert.Equal(6, body.GetProperty("metadata").GetProperty("batch_size").GetInt32());
        Assert.Equal(ids, body.GetProperty("batch").EnumerateArray()
            .Where(e => e.GetProperty("type").GetString() == "trace-create")
            .Select(e => e.GetProperty("body").GetProperty("id").GetString()));
    }

    [Fact]
    public async Task FailureCallbackOnly_SendsFailuresNotSuccesses()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var langfuse = await FakeLangfuse.StartAsync();
        await using var gateway = await TestGateway.StartAsync(OpenAiDeploymentYaml.Of("cheap", upstream), $"""
            litellm_settings:
              failure_callback: ["langfuse"]
            {langfuse.Environment()}
            """);

        upstream.RespondJson(Answer);
        using var ok = await gateway.ChatAsync(TestGateway.MasterKey);
        upstream.RespondJson("""{"error":{"message":"bad things","type":"invalid_request_error"}}""", 400);
        using var failed = await gateway.ChatAsync(TestGateway.MasterKey);
        await langfuse.GenerationAsync(failed.Headers.GetValues("x-litellm-call-id").Single());

        var okId = ok.Headers.GetValues("x-litellm-call-id").Single();
        Assert.DoesNotContain(langfuse.Events, e => e.GetProperty("type").GetString() == "trace-create" && e.GetProperty("body").GetProperty("id").GetString() == okId);
    }

    [Fact]
    public async Task KeyWithItsOwnLangfuseProject_SendsItsEventsThereAndOthersToTheProxys()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var proxyProject = await FakeLangfuse.StartAsync();
        await using var teamProject = await FakeLangfuse.StartAsync();
        upstream.RespondJson(Answer);
        await using var gateway = await TestGateway.StartAsync(OpenAiDeploymentYaml.Of("cheap", upstream), $"""
            litellm_settings:
              callbacks: ["langfuse"]
            {proxyProject.Environment()}
            """);
        const string teamSecret = "sk-lf-team-secret-777";
        var key = await gateway.NewKeyAsync($$$"""
            {"metadata":{"logging":[{"callback_name":"langfuse","callback_type":"success_and_failure",
              "callback_vars":{"langfuse_public_key":"pk-lf-team","langfuse_secret_key":"{{{teamSecret}}}","langfuse_host":"{{{teamProject.Url}}}"}}]}}
            """);

        using var own = await gateway.ChatAsync(key);
        using var proxys = await gateway.ChatAsync(TestGateway.MasterKey);
        await teamProject.GenerationAsync(CallbackRows.CallId(own));
        await proxyProject.GenerationAsync(CallbackRows.CallId(proxys));

        var post = teamProject.Sink.Requests.First();
        Assert.Equal("Basic " + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"pk-lf-team:{teamSecret}")), post.Headers["authorization"]);
        Assert.DoesNotContain(teamProject.Events, e => e.GetProperty("body").TryGetProperty("traceId", out var t) && t.GetString() == CallbackRows.CallId(proxys));
        Assert.DoesNotContain(proxyProject.Events, e => e.GetProperty("body").TryGetProperty("traceId", out var t) && t.GetString() == CallbackRows.CallId(own));
        foreach (var request in teamProject.Sink.Requests.Concat(proxyProject.Sink.Requests))
            Assert.DoesNotContain(teamSecret, request.BodyText, StringComparison.Ordinal);
    }
}
