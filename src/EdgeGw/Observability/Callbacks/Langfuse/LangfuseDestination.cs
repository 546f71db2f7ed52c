using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using EdgeGw.Buffers;
using EdgeGw.Config;
using EdgeGw.Json;
using Microsoft.Extensions.Logging;

namespace EdgeGw.Observability.Callbacks.Langfuse;

/// <summary>
/// LiteLLM's <c>langfuse</c> callback: POSTs each batch to Langfuse's ingestion API
/// (<c>{host}/api/public/ingestion</c>, Basic auth public:secret) as <c>{"batch":[…],"metadata":{…}}</c>,
/// two events per request. A batch larger than <see cref="MaxBodyBytes"/> goes in several POSTs.
/// Langfuse answers 207 when some events were refused: those are counted and logged (rate-limited), not
/// retried, since sending the same event again gets the same answer; a 5xx, 429 or timeout throws so the
/// worker retries the batch (same trace and generation ids: Langfuse updates them, no duplicates).
/// Events of a key or team with its own Langfuse project (<c>metadata.logging</c>) go there instead.
/// </summary>
internal sealed partial class LangfuseDestination(LangfuseCallback settings, HttpClient http, ILogger log) : ICallbackDestination
{
    /// <summary>Below Langfuse's 4.5 MB request limit, with room for one more large event.</summary>
    private const int MaxBodyBytes = 3 * 1024 * 1024;

    private readonly LangfuseEventWriter _events = new(settings.Release);
    private readonly PooledBufferWriter _body = new(16 * 1024);
    private readonly LangfuseProject _proxyProject = new(settings.Host, settings.PublicKey, settings.SecretKey);
    private readonly LangfuseKeyProjects _keyProjects = new(settings.Host, Environment.GetEnvironmentVariable);
    private readonly List<LangfuseProject?> _projectOf = [];
    private CallbackEvent[] _subset = [];
    private long _rejected;
    private long _rejectedLogged;
    private long _lastRejectLog = long.MinValue;

    public string Name => LangfuseSettingsReader.Name;

    /// <summary>Events Langfuse refused in a 207 answer, since start.</summary>
    public long Rejected => Interlocked.Read(ref _rejected);

    public async Task SendAsync(ReadOnlyMemory<CallbackEvent> batch, CancellationToken cancel)
    {
        if (!AnyOwnProject(batch.Span))
        {
            await SendAsync(_proxyProject, batch, cancel).ConfigureAwait(false);
            return;
        }
        // Rare: one POST per project in the batch, each with that project's events in order.
        var projects = _projectOf.Distinct().ToList();
        if (_subset.Length < batch.Length)
            _subset = new CallbackEvent[batch.Length];
        foreach (var project in projects)
        {
            var n = 0;
            for (var i = 0; i < batch.Length; i++)
            {
                if (_projectOf[i] == project)
                    _subset[n++] = batch.Span[i];
            }
            await SendAsync(project ?? _proxyProject, _subset.AsMemory(0, n), cancel).ConfigureAwait(false);
        }
        Array.Clear(_subset);
    }

    private bool AnyOwnProject(ReadOnlySpan<CallbackEvent> batch)
    {
        _projectOf.Clear();
        var any = false;
        foreach (ref readonly var item in batch)
        {
            var project = _keyProjects.For(item);
            _projectOf.Add(project);
            any |= project is not null;
        }
        return any;
    }

    private async Task SendAsync(LangfuseProject project, ReadOnlyMemory<CallbackEvent> batch, CancellationToken cancel)
    {
        for (var next = 0; next < batch.Length;)
        {
            var count = Serialize(batch.Span[next..], project);
            next += count;
            await PostAsync(project, count, cancel).ConfigureAwait(false);
        }
    }

    /// <summary>Writes as many of <paramref name="events"/> as fit <see cref="MaxBodyBytes"/> (at least one); returns how many.</summary>
    private int Serialize(ReadOnlySpan<CallbackEvent> events, LangfuseProject project)
    {
        _body.Reset();
        using var json = new Utf8JsonWriter(_body, JsonOptions.Writer);
        json.WriteStartObject();
        json.WriteStartArray("batch"u8);
        var written = 0;
        while (written < events.Length && (written == 0 || json.BytesCommitted + json.BytesPending < MaxBodyBytes))
        {
            _events.Write(json, events[written]);
            written++;
        }
        json.WriteEndArray();
        json.WriteStartObject("metadata"u8);
        json.WriteNumber("batch_size"u8, written * 2);
        json.WriteString("sdk_integration"u8, "litellm"u8);
        json.WriteString("sdk_name"u8, "edgegw"u8);
        json.WriteString("public_key"u8, project.PublicKey);
        json.WriteEndObject();
        json.WriteEndObject();
        json.Flush();
        return written;
    }

    private async Task PostAsync(LangfuseProject project, int events, CancellationToken cancel)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, project.Endpoint)
        {
            Content = new ReadOnlyMemoryContent(_body.WrittenMemory),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Authorization = project.Authorization;
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancel).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.MultiStatus)
        {
            CountRefused(await response.Content.ReadAsByteArrayAsync(cancel).ConfigureAwait(false));
            return;
        }
        // The status only: an error body could echo what was sent.
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException($"Langfuse answered {(int)response.StatusCode} to a batch of {events} requests", null, response.StatusCode);
    }

    private void CountRefused(byte[] answer)
    {
        var (refused, first) = LangfuseIngestionAnswer.Errors(answer);
        if (refused == 0)
            return;
        var total = Interlocked.Add(ref _rejected, refused);
        var now = Environment.TickCount64;
        if (now - _lastRejectLog < 30_000)
            return;
        LogRefused(log, total - _rejectedLogged, total, first);
        _rejectedLogged = total;
        _lastRejectLog = now;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "callback langfuse: Langfuse refused {Events} events since the last report ({Total} in all), e.g. {Error}")]
    private static partial void LogRefused(ILogger log, long events, long total, string error);
}
