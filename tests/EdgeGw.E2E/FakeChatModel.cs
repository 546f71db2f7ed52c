using System.Text.Json;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.E2E;

/// <summary>
/// An OpenAI chat upstream for the UI tests: one fixed answer, as JSON or as an SSE stream (with a
/// usage chunk) as the request asks, echoing the requested model so each deployment logs its own.
/// </summary>
public static class FakeChatModel
{
    public const string Answer = "Hello from the fake model.";
    public const int PromptTokens = 12, CompletionTokens = 7;
    private static readonly string Usage = $$"""{"prompt_tokens":{{PromptTokens}},"completion_tokens":{{CompletionTokens}},"total_tokens":{{PromptTokens + CompletionTokens}}}""";
    private static readonly string[] Pieces = ["Hello", " from", " the fake", " model."];

    public static void Serve(FakeUpstream upstream) => upstream.Handle(async (c, request) =>
    {
        using var body = request.Json();
        var model = body.RootElement.TryGetProperty("model", out var m) ? m.GetString() ?? "fake" : "fake";
        var streamed = body.RootElement.TryGetProperty("stream", out var s) && s.ValueKind == JsonValueKind.True;
        if (!streamed)
        {
            c.Response.ContentType = "application/json";
            await c.Response.WriteAsync($$"""
                {"id":"chatcmpl-ui","object":"chat.completion","created":1764547200,"model":"{{model}}","choices":[{"index":0,"message":{"role":"assistant","content":"{{Answer}}"},"finish_reason":"stop"}],"usage":{{Usage}}}
                """);
            return;
        }
        c.Response.ContentType = "text/event-stream; charset=utf-8";
        foreach (var piece in Pieces)
        {
            await c.Response.WriteAsync(Chunk(model, $$"""{"index":0,"delta":{"content":"{{piece}}"},"finish_reason":null}"""));
            await c.Response.Body.FlushAsync();
        }
        await c.Response.WriteAsync(Chunk(model, """{"index":0,"delta":{},"finish_reason":"stop"}"""));
        await c.Response.WriteAsync($$"""
            data: {"id":"chatcmpl-ui","object":"chat.completion.chunk","created":1764547200,"model":"{{model}}","choices":[],"usage":{{Usage}}}


            """);
        await c.Response.WriteAsync("data: [DONE]\n\n");
    });

    private static string Chunk(string model, string choice) =>
        $$"""data: {"id":"chatcmpl-ui","object":"chat.completion.chunk","created":1764547200,"model":"{{model}}","choices":[{{choice}}]}""" + "\n\n";
}
