using System.Buffers;
using System.IO.Pipelines;
using EdgeGw.Api;
using EdgeGw.Providers;

namespace EdgeGw.Streaming;

/// <summary>
/// The streaming loop shared by every provider:
/// <code>
///   upstream body ──PipeReader──▶ SseParser/NdjsonFramer ──events──▶ translator ──▶ response PipeWriter ──flush──▶ client
/// </code>
/// Each read's complete events are translated and flushed before the next read, so nothing is held
/// back; a partial line waits in the pipe for its next bytes. <c>stream_timeout</c> bounds every
/// wait for upstream bytes.
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

        var output = response.BodyWriter;
        var reader = PipeReader.Create(upstream, ReaderOptions);
        using var parser = framer;
        GatewayError? failure = null;
        try
        {
            var running = true;
            while (running)
            {
                timeout.CancelAfter(streamTimeout);
                var read = await reader.ReadAsync(timeout.Token);
                var buffer = read.Buffer;
                while (running && parser.TryRead(ref buffer, out var sseEvent))
                    running = translator.OnEvent(sseEvent, output);
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
                if (output.UnflushedBytes > 0)
                {
                    var flush = await output.FlushAsync(http.RequestAborted);
                    if (flush.IsCompleted || flush.IsCanceled)
                        break; // the client went away
                }
            }
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            // Client disconnected: nothing more can be told; the upstream is released by disposal.
        }
        catch (OperationCanceledException)
        {
            failure = GatewayError.UpstreamTimeout(deploymentName, streamTimeout);
        }
        catch (EventTooLargeException e)
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
            return new ProviderResult(translator.Error, response.HasStarted, translator.Usage);
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
}
