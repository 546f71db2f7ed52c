using System.Text.Json;

namespace EdgeGw.Tests.Infrastructure;

/// <summary>A Langfuse ingestion endpoint on loopback: answers 207 as Langfuse does and lets tests find the events it got.</summary>
public sealed class FakeLangfuse : IAsyncDisposable
{
    public const string PublicKey = "pk-lf-test-public";
    public const string SecretKey = "sk-lf-test-secret-0123";

    private FakeLangfuse(FakeUpstream sink) => Sink = sink;

    public FakeUpstream Sink { get; }

    public string Url => Sink.Url;

    /// <summary>The <c>environment_variables</c> block pointing LiteLLM's langfuse callback here.</summary>
    public string Environment(string extra = "") => $"""
        environment_variables:
          LANGFUSE_PUBLIC_KEY: {PublicKey}
          LANGFUSE_SECRET_KEY: {SecretKey}
          LANGFUSE_HOST: {Url}
          LANGFUSE_FLUSH_INTERVAL: "0.02"
        {extra}
        """;

    public static async Task<FakeLangfuse> StartAsync()
    {
        var sink = await FakeUpstream.StartAsync();
        sink.RespondJson("""{"successes":[],"errors":[]}""", 207);
        return new FakeLangfuse(sink);
    }

    /// <summary>Every ingestion event received so far, in order.</summary>
    public IEnumerable<JsonElement> Events =>
        Sink.Requests.ToArray().SelectMany(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("batch").EnumerateArray().Select(e => e.Clone()));

    /// <summary>The body of the first <paramref name="type"/> event matching <paramref name="match"/>, waiting (bounded) for it.</summary>
    public async Task<JsonElement> EventAsync(string type, Func<JsonElement, bool> match)
    {
        for (var i = 0; i < 500; i++)
        {
            foreach (var e in Events)
            {
                if (e.GetProperty("type").GetString() == type && match(e.GetProperty("body")))
                    return e.GetProperty("body");
            }
            await Task.Delay(20);
        }
        throw new TimeoutException($"no {type} event within 10 s");
    }

    public Task<JsonElement> TraceAsync(string id) => EventAsync("trace-create", b => b.GetProperty("id").GetString() == id);

    public Task<JsonElement> GenerationAsync(string traceId) => EventAsync("generation-create", b => b.GetProperty("traceId").GetString() == traceId);

    public ValueTask DisposeAsync() => Sink.DisposeAsync();
}
