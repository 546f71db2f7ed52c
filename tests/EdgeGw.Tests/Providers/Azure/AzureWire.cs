namespace EdgeGw.Tests.Providers.Azure;

/// <summary>
/// Azure OpenAI's bytes as its service sends them (keys in alphabetical order, filter annotations,
/// an empty-choices prompt-filter chunk first), with this project's own ids and text.
/// </summary>
internal static class AzureWire
{
    public const string Deployment = "prod-gpt4o";
    public const string Key = "az-key-0123456789abcdef";

    public const string Completion = """
        {"choices":[{"content_filter_results":{"hate":{"filtered":false,"severity":"safe"},"self_harm":{"filtered":false,"severity":"safe"},"sexual":{"filtered":false,"severity":"safe"},"violence":{"filtered":false,"severity":"safe"}},"finish_reason":"stop","index":0,"logprobs":null,"message":{"annotations":[],"content":"Grüße aus 東京 🌸","refusal":null,"role":"assistant"}}],"created":1763790000,"id":"chatcmpl-AzTest0001","model":"gpt-4o-2024-11-20","object":"chat.completion","prompt_filter_results":[{"prompt_index":0,"content_filter_results":{"hate":{"filtered":false,"severity":"safe"},"jailbreak":{"filtered":false,"detected":false},"self_harm":{"filtered":false,"severity":"safe"},"sexual":{"filtered":false,"severity":"safe"},"violence":{"filtered":false,"severity":"safe"}}}],"system_fingerprint":"fp_a1b2c3d4e5","usage":{"completion_tokens":9,"completion_tokens_details":{"accepted_prediction_tokens":0,"audio_tokens":0,"reasoning_tokens":0,"rejected_prediction_tokens":0},"prompt_tokens":14,"prompt_tokens_details":{"audio_tokens":0,"cached_tokens":0},"total_tokens":23}}
        """;

    private const string Safe = """{"hate":{"filtered":false,"severity":"safe"},"self_harm":{"filtered":false,"severity":"safe"},"sexual":{"filtered":false,"severity":"safe"},"violence":{"filtered":false,"severity":"safe"}}""";

    public const string PromptFilterChunk = """{"choices":[],"created":0,"id":"","model":"","object":"","prompt_filter_results":[{"prompt_index":0,"content_filter_results":""" + Safe + "}]}";

    private const string Tail = ""","created":1763790000,"id":"chatcmpl-AzTest0002","model":"gpt-4o-2024-11-20","object":"chat.completion.chunk","system_fingerprint":"fp_a1b2c3d4e5"}""";

    public const string RoleChunk = """{"choices":[{"content_filter_results":{},"delta":{"content":"","refusal":null,"role":"assistant"},"finish_reason":null,"index":0,"logprobs":null}]""" + Tail;

    public static string TextChunk(string escapedText) =>
        """{"choices":[{"content_filter_results":""" + Safe + ""","delta":{"content":""" + "\"" + escapedText + "\"" + """},"finish_reason":null,"index":0,"logprobs":null}]""" + Tail;

    public static string FinishChunk(string reason) =>
        """{"choices":[{"content_filter_results":{},"delta":{},"finish_reason":""" + "\"" + reason + "\"" + ""","index":0,"logprobs":null}]""" + Tail;

    public const string UsageChunk = """{"choices":[],"created":1763790000,"id":"chatcmpl-AzTest0002","model":"gpt-4o-2024-11-20","object":"chat.completion.chunk","system_fingerprint":"fp_a1b2c3d4e5","usage":{"completion_tokens":9,"completion_tokens_details":{"accepted_prediction_tokens":0,"audio_tokens":0,"reasoning_tokens":0,"rejected_prediction_tokens":0},"prompt_tokens":14,"prompt_tokens_details":{"audio_tokens":0,"cached_tokens":4},"total_tokens":23}}""";

    /// <summary>The text the client must see, in order.</summary>
    public const string StreamText = "Grüße aus \"東京\" 🌸";

    /// <summary>A full stream: prompt-filter chunk, role, text with filter results, finish, usage, [DONE].</summary>
    public static string[] StreamEvents(bool withUsage = true, string finish = "stop")
    {
        var events = new List<string>
        {
            PromptFilterChunk,
            RoleChunk,
            TextChunk("Grüße"),
            TextChunk(" aus \\\"東京\\\""),
            TextChunk(" 🌸"),
            FinishChunk(finish),
        };
        if (withUsage)
            events.Add(UsageChunk);
        events.Add("[DONE]");
        return [.. events];
    }

    public static string Stream(bool withUsage = true, string finish = "stop") =>
        string.Concat(StreamEvents(withUsage, finish).Select(e => "data: " + e + "\n\n"));

    public const string ContentFilterError = """
        {"error":{"message":"The response was filtered due to the prompt triggering Azure OpenAI's content management policy. Please modify your prompt and retry.","type":null,"param":"prompt","code":"content_filter","status":400,"innererror":{"code":"ResponsibleAIPolicyViolation","content_filter_result":{"hate":{"filtered":false,"severity":"safe"},"jailbreak":{"filtered":true,"detected":true},"self_harm":{"filtered":false,"severity":"safe"},"sexual":{"filtered":false,"severity":"safe"},"violence":{"filtered":false,"severity":"safe"}}}}}
        """;

    /// <summary>The spec's spelling: only the inner error names the policy violation.</summary>
    public const string InnerOnlyContentFilterError = """
        {"error":{"code":"400","message":"Blocked by the content policy of this resource.","param":"messages","inner_error":{"code":"ResponsibleAIPolicyViolation","content_filter_results":{"hate":{"filtered":true,"severity":"high"}}}}}
        """;

    public const string Unauthorized = """
        {"error":{"code":"401","message":"Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource."}}
        """;

    public const string RateLimited = """
        {"error":{"code":"429","message":"Requests to the ChatCompletions_Create Operation under Azure OpenAI API version 2024-10-21 have exceeded token rate limit of your current pricing tier. Please retry after 17 seconds."}}
        """;
}
