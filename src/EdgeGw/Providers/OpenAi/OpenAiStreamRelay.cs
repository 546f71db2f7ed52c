using System.Buffers;
using EdgeGw.Api;
using EdgeGw.Json;
using EdgeGw.Streaming;
using EdgeGw.Upstream;

namespace EdgeGw.Providers.OpenAi;

/// <summary>
/// OpenAI-format upstream to OpenAI-format client: each chunk is forwarded as its own bytes with
/// only <c>model</c> replaced by the client's name. The usage chunk the gateway asked for on the
/// client's behalf is read for accounting and not forwarded. Secrets are redacted on the way
/// (<see cref="SecretRedaction"/>): the key in any event, key-shaped tokens in error events.
/// </summary>
internal sealed class OpenAiStreamRelay(byte[] clientModelJson, bool clientWantsUsage, string deploymentName, string? apiKey = null) : IStreamTranslator
{
    private readonly byte[] _apiKey = SecretRedaction.KeyBytes(apiKey);
    private Usage _usage;
    private bool _done;

    public Usage Usage => _usage;
    public GatewayError? Error { get; private set; }
    public long GeneratedBytes { get; private set; }

    public bool OnEvent(in SseEvent sseEvent, IBufferWriter<byte> output)
    {
        var data = sseEvent.Data;
        if (data.SequenceEqual("[DONE]"u8))
        {
            output.Write("data: [DONE]\n\n"u8);
            _done = true;
            return false;
        }
        if (!OpenAiObjectScan.TryScan(data, out var scan))
        {
            Fail(new GatewayError(502, $"Deployment '{deploymentName}' sent a malformed stream chunk.", "api_error", "502"), output);
            return false;
        }
        if (scan.HasError)
        {
            // Already in OpenAI's in-band shape: forward it as it came.
            WriteEvent(output, data, default, keyShapes: true);
            Error = new GatewayError(502, $"Deployment '{deploymentName}' reported an error mid-stream.", "api_error", "502");
            return false;
        }
        GeneratedBytes += scan.GeneratedBytes;
        Observability.Otel.GenAiAnswer.FromOpenAi(data);
        if (scan.Usage.Present)
            _usage = scan.Usage;
        if (scan.HasChoices && scan.ChoicesEmpty && scan.Usage.Present && !clientWantsUsage)
            return true;
        WriteEvent(output, data, scan.Model, keyShapes: false);
        return true;
    }

    public void OnEnd(IBufferWriter<byte> output)
    {
        if (!_done && Error is null)
            Fail(new GatewayError(502, $"Deployment '{deploymentName}' ended the stream before it was complete.", "api_error", "502"), output);
    }

    public void Fail(GatewayError error, IBufferWriter<byte> output)
    {
        Error = error;
        ErrorWriter.WriteOpenAiSseEvent(output, error);
    }

    private void WriteEvent(IBufferWriter<byte> output, ReadOnlySpan<byte> json, JsonRange model, bool keyShapes)
    {
        output.Write("data: "u8);
        SecretRedaction.WriteSpliced(output, json, model, clientModelJson, _apiKey, keyShapes);
        output.Write("\n\n"u8);
    }
}
