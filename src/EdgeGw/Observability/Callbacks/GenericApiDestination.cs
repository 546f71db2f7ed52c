using System.Net.Http.Headers;
using System.Text.Json;
using EdgeGw.Buffers;
using EdgeGw.Config;
using EdgeGw.Json;

namespace EdgeGw.Observability.Callbacks;

/// <summary>
/// LiteLLM's <c>generic_api</c> callback: POSTs each batch of <c>StandardLoggingPayload</c>s to the
/// endpoint with the configured headers, laid out as <c>log_format</c> says (a JSON array by default).
/// </summary>
internal sealed class GenericApiDestination(GenericApiCallback settings, HttpClient http) : ICallbackDestination
{
    private readonly StandardLoggingPayloadWriter _payload = new();
    private readonly PooledBufferWriter _body = new(16 * 1024);

    public string Name => settings.Name;

    public async Task SendAsync(ReadOnlyMemory<CallbackEvent> batch, CancellationToken cancel)
    {
        if (settings.Format == GenericLogFormat.Single)
        {
            for (var i = 0; i < batch.Length; i++)
                await PostAsync(batch.Slice(i, 1), cancel).ConfigureAwait(false);
            return;
        }
        await PostAsync(batch, cancel).ConfigureAwait(false);
    }

    private async Task PostAsync(ReadOnlyMemory<CallbackEvent> events, CancellationToken cancel)
    {
        Serialize(events.Span);
        using var request = new HttpRequestMessage(HttpMethod.Post, settings.Endpoint)
        {
            Content = new ReadOnlyMemoryContent(_body.WrittenMemory),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(
            settings.Format == GenericLogFormat.Ndjson ? "application/x-ndjson" : "application/json");
        foreach (var (name, value) in settings.Headers)
        {
            if (!request.Headers.TryAddWithoutValidation(name, value))
                request.Content.Headers.TryAddWithoutValidation(name, value);
        }
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancel).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException($"{settings.Endpoint.GetLeftPart(UriPartial.Path)} answered {(int)response.StatusCode}", null, response.StatusCode);
    }

    private void Serialize(ReadOnlySpan<CallbackEvent> events)
    {
        _body.Reset();
        using var json = new Utf8JsonWriter(_body, JsonOptions.Writer);
        if (settings.Format == GenericLogFormat.Ndjson)
        {
            foreach (ref readonly var item in events)
            {
                _payload.Write(json, item);
                json.Flush();
                json.Reset();
                _body.Write("\n"u8);
            }
            return;
        }
        if (settings.Format == GenericLogFormat.JsonArray)
            json.WriteStartArray();
        foreach (ref readonly var item in events)
            _payload.Write(json, item);
        if (settings.Format == GenericLogFormat.JsonArray)
            json.WriteEndArray();
        json.Flush();
    }
}
