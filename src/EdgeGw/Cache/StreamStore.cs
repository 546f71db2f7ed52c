using EdgeGw.Providers;
using EdgeGw.Streaming;

namespace EdgeGw.Cache;

/// <summary>
/// Stores a streamed answer once it has passed: <see cref="Begin"/> captures the response as it is
/// sent (<see cref="StreamCapture"/>), <see cref="Complete"/> folds a stream that ended normally into
/// the unstreamed body of the client's format and hands it to <see cref="ResponseCache.Store"/>.
/// A stream cut, errored (in-band or not), left by its client, or over the entry size limit is not kept.
/// </summary>
internal sealed class StreamStore : IDisposable
{
    // A stream's events repeat their envelope per delta: the captured bytes run a few times the
    // body they fold into, so capturing stops at this multiple of the entry limit.
    private const int CaptureFactor = 8;

    private readonly StreamCapture _capture;
    private readonly CacheFormat _format;

    private StreamStore(StreamCapture capture, CacheFormat format)
    {
        _capture = capture;
        _format = format;
    }

    public static StreamStore Begin(HttpContext http, ResponseCache cache, CacheFormat format)
    {
        var limit = (int)Math.Min(int.MaxValue / 2, (long)cache.Settings.MaxEntryBytes * CaptureFactor);
        return new StreamStore(StreamCapture.Start(http, limit), format);
    }

    /// <summary>The entry the finished stream makes, or null when it is not one to keep.</summary>
    public CacheEntry? Entry(HttpContext http, in ProviderResult result, string modelGroup, long nowUnixMs)
    {
        if (result.Error is not null || !result.ResponseStarted || result.ClientGone != ClientGone.No
            || http.Response.StatusCode != StatusCodes.Status200OK || !_capture.TryGetBytes(out var sse))
            return null;
        var body = Assemble(_format, sse, result.Usage);
        return body is null ? null : new CacheEntry(_format, nowUnixMs, result.Usage.PromptTokens, result.Usage.CompletionTokens, modelGroup, body);
    }

    /// <summary>A captured stream folded into the unstreamed body of <paramref name="format"/>; null when it does not add up to one. The callbacks log streams with it too.</summary>
    public static byte[]? Assemble(CacheFormat format, ReadOnlyMemory<byte> sse, in Json.Usage usage) => format switch
    {
        CacheFormat.AnthropicMessage => AnthropicStreamAssembler.Assemble(sse, usage),
        CacheFormat.ResponsesObject => ResponsesReplay.Assemble(sse),
        CacheFormat.TextCompletion => TextCompletionAssembler.Assemble(sse, usage),
        _ => OpenAiStreamAssembler.Assemble(sse, usage),
    };

    /// <summary>
    /// Stores the finished stream's entry (when it is one to keep). The client already has every
    /// event (each was flushed as it came); only the end of the chunked body waits for this fold.
    /// </summary>
    public void Complete(HttpContext http, CacheRequest cache, in ProviderResult result, string modelGroup)
    {
        if (Entry(http, result, modelGroup, cache.Cache.NowUnixMs) is { } entry)
            cache.Cache.Store(cache.Key, entry, cache.Ttl);
        Dispose();
    }

    public void Dispose() => _capture.Dispose();
}
