using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Callbacks;

/// <summary>LiteLLM's message redaction settings, each seen in the payload a webhook receives.</summary>
public sealed class RedactionTests
{
    private const string Prompt = "my private medical question";
    private const string AnswerText = "a private diagnosis";
    private const string Body = $$"""{"model":"cheap","messages":[{"role":"user","content":"{{Prompt}}"}]}""";

    private static void AnswerOk(WebhookGateway hook) => hook.Upstream.RespondJson($$$"""
        {"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-4o","choices":[{"index":0,"message":{"role":"assistant","content":"{{{AnswerText}}}"},"finish_reason":"stop"}],"usage":{"prompt_tokens":7,"completion_tokens":3,"total_tokens":10}}
        """);

    private static async Task<JsonElement> ChatAsync(WebhookGateway hook, string key, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = new StringContent(Body, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        foreach (var (name, value) in headers)
            request.Headers.Add(name, value);
        using var response = await hook.Gateway.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await hook.PayloadAsync(WebhookGateway.CallId(response));
    }

    private static void AssertRedacted(JsonElement payload)
    {
        Assert.Equal("""[{"role":"user","content":"redacted-by-litellm"}]""", payload.GetProperty("messages").GetRawText());
        Assert.Equal("""{"text":"redacted-by-litellm"}""", payload.GetProperty("response").GetRawText());
        Assert.DoesNotContain(Prompt, payload.GetRawText(), StringComparison.Ordinal);
        Assert.DoesNotContain(AnswerText, payload.GetRawText(), StringComparison.Ordinal);
    }

    private static void AssertLogged(JsonElement payload)
    {
        Assert.Equal(Prompt, payload.GetProperty("messages")[0].GetProperty("content").GetString());
        Assert.Equal(AnswerText, payload.GetProperty("response").GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
    }

    private static string Logging(bool turnOff) =>
        $$$"""{"logging":[{"callback_name":"hook","callback_type":"success","callback_vars":{"turn_off_message_logging":"{{{(turnOff ? "True" : "False")}}}"}}]}""";

    [Fact]
    public async Task TurnOffMessageLogging_MarkerAndNoPromptOrAnswerTextInAnyPayload()
    {
        await using var hook = await WebhookGateway.StartAsync("  turn_off_message_logging: true");
        AnswerOk(hook);
        AssertRedacted(await ChatAsync(hook, TestGateway.MasterKey));

        hook.Upstream.RespondStream([
            $$"""data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{"content":"{{AnswerText}}"},"finish_reason":"stop"}]}""" + "\n\n",
            "data: [DONE]\n\n"]);
        using var stream = await hook.Gateway.PostStreamAsync("/v1/chat/completions", Body.Replace("\"cheap\"", "\"cheap\",\"stream\":true", StringComparison.Ordinal));
        Assert.Contains(AnswerText, await stream.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        AssertRedacted(await hook.PayloadAsync(WebhookGateway.CallId(stream)));
        Assert.DoesNotContain(Prompt, hook.AllPayloadText, StringComparison.Ordinal);
        Assert.DoesNotContain(AnswerText, hook.AllPayloadText, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("x-litellm-enable-message-redaction")]
    [InlineData("litellm-enable-message-redaction")]
    public async Task EnableRedactionHeader_RedactsThatRequestOnly(string header)
    {
        await using var hook = await WebhookGateway.StartAsync();
        AnswerOk(hook);

        AssertRedacted(await ChatAsync(hook, TestGateway.MasterKey, (header, "true")));
        AssertLogged(await ChatAsync(hook, TestGateway.MasterKey));
    }

    [Fact]
    public async Task DisableRedactionHeader_HeardOnlyForAKeyAllowedToOptOut()
    {
        await using var hook = await WebhookGateway.StartAsync("  turn_off_message_logging: true");
        AnswerOk(hook);
        var plain = await hook.Gateway.NewKeyAsync();
        var allowed = await hook.Gateway.NewKeyAsync("""{"metadata":{"allow_client_message_redaction_opt_out":true}}""");

        AssertRedacted(await ChatAsync(hook, plain, ("litellm-disable-message-redaction", "true")));
        AssertLogged(await ChatAsync(hook, allowed, ("litellm-disable-message-redaction", "true")));
        AssertRedacted(await ChatAsync(hook, allowed));
    }

    [Fact]
    public async Task KeyMetadataLoggingTurnOff_RedactsThatKeysRequestsOnly()
    {
        await using var hook = await WebhookGateway.StartAsync();
        AnswerOk(hook);
        var quiet = await hook.Gateway.NewKeyAsync($$"""{"metadata":{{Logging(turnOff: true)}}}""");
        var other = await hook.Gateway.NewKeyAsync();

        AssertRedacted(await ChatAsync(hook, quiet));
        AssertLogged(await ChatAsync(hook, other));
    }

    [Fact]
    public async Task TeamMetadataLoggingTurnOff_RedactsItsKeysUnlessTheKeySaysOtherwise()
    {
        await using var hook = await WebhookGateway.StartAsync();
        AnswerOk(hook);
        var team = (await hook.Gateway.PostAdminAsync("/team/new", $$"""{"team_alias":"gdpr","metadata":{{Logging(turnOff: true)}}}"""))
            .GetProperty("team_id").GetString();
        var member = await hook.Gateway.NewKeyAsync($$"""{"team_id":"{{team}}"}""");
        var ownSetting = await hook.Gateway.NewKeyAsync($$"""{"team_id":"{{team}}","metadata":{{Logging(turnOff: false)}}}""");

        AssertRedacted(await ChatAsync(hook, member));
        AssertLogged(await ChatAsync(hook, ownSetting));
    }

    [Fact]
    public async Task KeyLoggingTurnOffFalse_OverridesTheGlobalSetting()
    {
        await using var hook = await WebhookGateway.StartAsync("  turn_off_message_logging: true");
        AnswerOk(hook);
        var key = await hook.Gateway.NewKeyAsync($$"""{"metadata":{{Logging(turnOff: false)}}}""");

        AssertLogged(await ChatAsync(hook, key));
        AssertRedacted(await ChatAsync(hook, TestGateway.MasterKey));
    }

    [Fact]
    public async Task RedactMessagesInExceptions_FailurePayloadHasStatusButNoErrorText()
    {
        await using var hook = await WebhookGateway.StartAsync("  redact_messages_in_exceptions: true");
        hook.Upstream.RespondJson($$$"""{"error":{"message":"content refused: '{{{Prompt}}}'","type":"invalid_request_error"}}""", 400);

        using var response = await hook.Gateway.ChatAsync(TestGateway.MasterKey, Body);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var payload = await hook.PayloadAsync(WebhookGateway.CallId(response));

        Assert.StartsWith("BadRequestError: status 400", payload.GetProperty("error_str").GetString(), StringComparison.Ordinal);
        Assert.Equal("400", payload.GetProperty("error_information").GetProperty("error_code").GetString());
        Assert.DoesNotContain("content refused", hook.AllPayloadText, StringComparison.Ordinal);
    }
}
