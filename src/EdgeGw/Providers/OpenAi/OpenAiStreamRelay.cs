using System.Buffers;
using EdgeGw.Api;
using EdgeGw.Json;
using EdgeGw.Streaming;

namespace EdgeGw.Providers.OpenAi;

/// <summary>
/// OpenAI-format upstream to OpenAI-format client: each chunk is forwarded as its own bytes with
/// only <c>model</c> replaced by the client's name. The usage chunk the gateway asked for on the
/// client's behalf is read for accounting and not forwarded.
/// </summary>
internal sealed class OpenAiStreamRelay(byte[] clientModelJson, bool clientWantsUsage, string deploymentName) : IStreamTranslator
{
    private Usage _usage;
    private bool _done;

    public Usage Usage => _usage;
    public GatewayError? Error { get; private set; }

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
            WriteEvent(output, data, default);
            Error = new GatewayError(502, $"Deployment '{deploymentName}' reported an error mid-stream.", "api_error", "502");
            return false;
        }
        if (scan.Usage.Present)
            _usage = scan.Usage;
        if (scan.HasChoices && scan.ChoicesEmpty && scan.Usage.Present && !clientWantsUsage)
            return true;
        WriteEvent(output, data, scan.Model);
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

    private void WriteEvent(IBufferWriter<byte> output, ReadOnlySpan<byte> json, JsonRange model)
    {
        output.Write("data: "u8);
        if (model.IsEmpty)
        {
            output.Write(json);
        }
        else
        {
            output.Write(json[..model.Start]);
            output.Write(clientModelJson);
            output.Write(json[model.End..]);
        }
        output.Write("\n\n"u8);
    }
}
