using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using EdgeGw.Api;
using EdgeGw.Providers;
using EdgeGw.Upstream.Http1;

namespace EdgeGw.Streaming;

/// <summary>
/// The streaming loop shared by every provider:
/// <code>
///   upstream body ──PipeReader──▶ SseParser/NdjsonFramer ──events──▶ translator ──▶ response PipeWriter ──flush──▶ client
///                                                    client gone or stalled ──▶ StreamDrain (to the usage, output discarded)
/// </code>
/// Each read's complete events are translated and flushed before the next read, so nothing is held
/// back; a partial line waits in the pipe for its next bytes. <c>stream_timeout</c> bounds every
/// wait for upstream bytes, the stream write timeout every wait for the client to take a flush.
/// A stream with no usage from its upstream is billed an estimate, marked as one.
/// </summary>
internal static class SseRelay
{
    private static readonly StreamPipeReaderOptions ReaderOptions = new(bufferSize: 8192, minimumReadSize: 2048);

    public static ValueTask<ProviderResult> RelayAsync<TTranslator>(
        Stream upstream, TTranslator translator, HttpContext http, CancellationTokenSource timeout,
        TimeSpan streamTimeout, string deploymentName)
        where TTranslator : IStreamTranslator =>
        RelayAsync(upstream, new SseParser(), translator, http, timeout, streamTimeout, deploymentName);

    /// <summary>The same loop over an upstream framed otherwise (Ollama's NDJSON); the client still gets SSE.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public static async ValueTask<ProviderResult> RelayAsync<TFramer, TTranslator>(
        Stream upstream, TFramer framer, TTranslator translator, HttpContext http, CancellationTokenSource timeout,
        TimeSpan streamTimeout, string deploymentName)
        where TFramer : IEventFramer
        where TTranslator : IStreamTranslator
    {
        var response = http.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no"; // a reverse proxy in front must not buffer either

        var limits = StreamLimits.Of(http);
        var output = response.BodyWriter;
        var reader = PipeReader.Create(upstream, ReaderOptions);
        using var parser = framer;
        using var cancel = new RelayCancellation(timeout, http.RequestAborted);
        GatewayError? failure = null;
        var gone = ClientGone.No;
        var running = true;
        try
        {
            while (running)
            {
                var read = await reader.ReadAsync(cancel.Read(streamTimeout));
                var buffer = read.Buffer;
                while (running && parser.TryRead(ref buffer, out var sseEvent))
                    running = translator.OnEvent(sseEvent, output);
                if (!running && translator.Error is null && upstream is Http1BodyStream body)
                    body.EndMarkerRead(); // the pool may wait for the body's last chunk to keep the connection
                if (running && read.IsCompleted)
                {
                    if (parser.TryFinish(buffer, out var last))
                        translator.OnEvent(last, output);
                    buffer = buffer.Slice(buffer.End);
                    running = false;
                }
                reader.AdvanceTo(buffer.Start, buffer.End);
                if (!running)
                    translator.OnEnd(output);
                // After a disconnect Kestrel drops writes (nothing is left to flush): the abort itself says the client left.
                gone = output.UnflushedBytes > 0 ? await FlushAsync(output, http, cancel, limits.WriteTimeout)
                    : http.RequestAborted.IsCancellationRequested ? ClientGone.Disconnected : ClientGone.No;
                if (gone != ClientGone.No)
                    break;
            }
            if (gone != ClientGone.No)
                return await AbandonedAsync(reader, parser, translator, http, cancel, streamTimeout, limits, gone, running);
        }
        catch (Exception e) when (http.RequestAborted.IsCancellationRequested
            && e is OperationCanceledException or StreamFramingException or IOException or HttpRequestException)
        {
            gone = ClientGone.Disconnected; // the upstream failed (or timed out) after the client left: billed an estimate
        }
        catch (OperationCanceledException)
        {
            failure = GatewayError.UpstreamTimeout(deploymentName, streamTimeout);
        }
        catch (StreamFramingException e)
        {
            failure = GatewayError.UpstreamUnreachable(deploymentName, e.Message);
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            failure = GatewayError.UpstreamUnreachable(deploymentName, "the stream broke: " + e.Message);
        }
        finally
        {
            await reader.CompleteAsync();
        }

        if (failure is null)
            return Billed(translator, response.HasStarted, gone, complete: gone == ClientGone.No);
        if (!response.HasStarted && output.UnflushedBytes == 0)
            return new ProviderResult(failure, false, translator.Usage);
        translator.Fail(failure, output);
        try
        {
            await output.FlushAsync(http.RequestAborted);
        }
        catch (OperationCanceledException)
        {
            // The client left as well; the failure is still reported to the caller for accounting.
        }
        return new ProviderResult(failure, true, translator.Usage);
    }

    /// <summary>Flushes to the client; a client that left, or did not take the bytes within <paramref name="writeTimeout"/>, is gone.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<ClientGone> FlushAsync(PipeWriter output, HttpContext http, RelayCancellation cancel, TimeSpan writeTimeout)
    {
        try
        {
            var flush = await output.FlushAsync(cancel.Write(writeTimeout));
            cancel.Wrote();
            return flush.IsCompleted || flush.IsCanceled || http.RequestAborted.IsCancellationRequested ? ClientGone.Disconnected : ClientGone.No;
        }
        catch (OperationCanceledException) when (cancel.WriteTimedOut)
        {
            // Kestrel may abort the connection itself on the cancelled flush; either way the client sat on a write.
            http.Abort(); // frees the connection; its unread bytes are dropped
            return ClientGone.Stalled;
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            return ClientGone.Disconnected;
        }
    }

    /// <summary>The client is gone mid-stream: read the upstream on to its usage, then bill it (or an estimate).</summary>
    private static async ValueTask<ProviderResult> AbandonedAsync<TFramer, TTranslator>(PipeReader reader, TFramer parser, TTranslator translator,
        HttpContext http, RelayCancellation cancel, TimeSpan streamTimeout, StreamLimits limits, ClientGone gone, bool running)
        where TFramer : IEventFramer
        where TTranslator : IStreamTranslator
    {
        var runtime = GatewayRuntime.Of(http);
        var maxBytes = runtime?.Current.Config.General.MaxResponseSizeBytes ?? Config.GeneralSettings.DefaultMaxResponseSizeBytes;
        // A shutdown's end aborts every connection: reading on would outlast it, so those are estimated.
        var stopping = runtime?.Stopping.IsCancellationRequested == true;
        var complete = !running || (!stopping && await StreamDrain.ToEndAsync(reader, parser, translator, cancel, streamTimeout, limits, maxBytes));
        return Billed(translator, true, gone, complete);
    }

    /// <summary>A stream that ended without an error the client was told of: its usage, else an estimate from the text seen.</summary>
    private static ProviderResult Billed<TTranslator>(TTranslator translator, bool started, ClientGone gone, bool complete)
        where TTranslator : IStreamTranslator
    {
        var usage = translator.Usage;
        if (gone == ClientGone.No)
        {
            if (translator.Error is not null)
                return new ProviderResult(translator.Error, started, usage);
            return new ProviderResult(null, started, usage.Present ? usage : StreamDrain.Estimate(usage, translator.GeneratedBytes));
        }
        if (!complete || !usage.Present)
            usage = StreamDrain.Estimate(usage, translator.GeneratedBytes);
        return new ProviderResult(null, true, usage) { ClientGone = gone };
    }
}
