using System.Buffers;
using System.Text.Json;
using EdgeGw.Api;
using EdgeGw.Buffers;
using EdgeGw.Json;
using EdgeGw.Streaming;
using EdgeGw.Upstream;

namespace EdgeGw.Providers.Gemini;

/// <summary>
/// Gemini <c>streamGenerateContent?alt=sse</c> → the canonical stream events. Each SSE event is a
/// whole <c>GenerateContentResponse</c> carrying only new parts: text → Text, <c>thought</c> text →
/// Reasoning, a <c>functionCall</c> (always complete) → ToolCallStart + one ToolArguments with the
/// args object escaped into string content. <c>usageMetadata</c> is a running total (the last one
/// wins). Gemini has no terminator: EOF after a <c>finishReason</c> is the natural end; EOF before
/// one is a broken stream. Parsing is by <see cref="Utf8JsonReader"/> over the event's bytes with
/// state in fields: no allocation per event.
/// </summary>
internal sealed class GeminiStreamDecoder<TEncoder>(TEncoder encoder, string deploymentName, string? apiKey = null)
    : ChatStreamDecoder<TEncoder>(encoder, deploymentName)
    where TEncoder : IChatStreamEncoder
{
    /// <summary>Gemini's <c>candidateCount</c> limit.</summary>
    private const int MaxCandidates = 8;

    private readonly int[] _toolCalls = new int[MaxCandidates];
    private readonly bool[] _finished = new bool[MaxCandidates];
    private ulong _idSeed;
    private bool _started;

    public override bool OnEvent(in SseEvent sseEvent, IBufferWriter<byte> output)
    {
        if (Over)
            return false;
        var data = sseEvent.Data;
        try
        {
            if (!_started && !Begin(data, output))
                return Stop(output, data);
            var reader = new Utf8JsonReader(data);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                return Malformed(output);
            var blocked = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("candidates"u8))
                {
                    reader.Read();
                    if (!Candidates(ref reader, data, output))
                        return Malformed(output);
                }
                else if (reader.ValueTextEquals("usageMetadata"u8))
                {
                    reader.Read();
                    GeminiUsageReader.Read(ref reader, ref CurrentUsage);
                }
                else if (reader.ValueTextEquals("promptFeedback"u8))
                {
                    reader.Read();
                    blocked = HasBlockReason(ref reader);
                }
                else if (reader.ValueTextEquals("error"u8))
                {
                    reader.Read();
                    Fail(GeminiErrorMapper.FromStream(ref reader, DeploymentName, apiKey), output);
                    return false;
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
                return Malformed(output);
            if (blocked && !_finished[0])
            {
                // A blocked prompt gets no candidates: end choice 0 as filtered.
                _finished[0] = true;
                Finished = true;
                Encoder.Finish(output, 0, FinishReason.ContentFilter);
            }
            return true;
        }
        catch (JsonException)
        {
            return Malformed(output);
        }
    }

    /// <summary>
    /// First event: finds <c>responseId</c> (it follows <c>candidates</c> on the wire) for the
    /// stream's id and the tool-call id seed. False when the first event is an error.
    /// </summary>
    private bool Begin(ReadOnlySpan<byte> data, IBufferWriter<byte> output)
    {
        var reader = new Utf8JsonReader(data);
        ReadOnlySpan<byte> responseId = default;
        if (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
        {
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("error"u8))
                    return false;
                var isId = reader.ValueTextEquals("responseId"u8);
                reader.Read();
                if (isId && reader.TokenType == JsonTokenType.String)
                    responseId = reader.ValueSpan;
                else
                    reader.Skip();
            }
        }
        _started = true;
        _idSeed = ToolCallIds.Seed(responseId);
        Encoder.Start(output, responseId);
        return true;
    }

    /// <summary>The first event was an error object: report it as the stream's error.</summary>
    private bool Stop(IBufferWriter<byte> output, ReadOnlySpan<byte> data)
    {
        var reader = new Utf8JsonReader(data);
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isError = reader.ValueTextEquals("error"u8);
            reader.Read();
            if (isError)
            {
                Fail(GeminiErrorMapper.FromStream(ref reader, DeploymentName, apiKey), output);
                return false;
            }
            reader.Skip();
        }
        return Malformed(output);
    }

    private bool Candidates(ref Utf8JsonReader reader, ReadOnlySpan<byte> data, IBufferWriter<byte> output)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            return true;
        }
        var position = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
        {
            // The candidate's index follows its content on the wire: read the whole candidate first.
            var index = -1;
            int partsStart = -1, partsEnd = -1;
            ReadOnlySpan<byte> finish = default;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("content"u8))
                {
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.StartObject)
                    {
                        reader.Skip();
                        continue;
                    }
                    while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                    {
                        var isParts = reader.ValueTextEquals("parts"u8);
                        reader.Read();
                        if (isParts && reader.TokenType == JsonTokenType.StartArray)
                            partsStart = (int)reader.TokenStartIndex;
                        reader.Skip();
                        if (isParts && partsStart >= 0)
                            partsEnd = (int)reader.BytesConsumed;
                    }
                }
                else if (reader.ValueTextEquals("finishReason"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.String)
                        finish = reader.ValueSpan;
                }
                else if (reader.ValueTextEquals("index"u8))
                {
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out index))
                        return false;
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
            // proto3 JSON omits a zero index: an unnumbered candidate is numbered by its position.
            var choice = index >= 0 ? index : position;
            position++;
            if (choice >= MaxCandidates)
                return false;
            if (partsStart >= 0 && !Parts(data[partsStart..partsEnd], choice, output))
                return false;
            if (!finish.IsEmpty && !_finished[choice])
            {
                _finished[choice] = true;
                Finished = true;
                Encoder.Finish(output, choice, GeminiWire.MapFinishReason(finish, _toolCalls[choice] > 0));
            }
        }
        return reader.TokenType == JsonTokenType.EndArray;
    }

    private bool Parts(ReadOnlySpan<byte> parts, int choice, IBufferWriter<byte> output)
    {
        var reader = new Utf8JsonReader(parts);
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
        {
            // "thought" and "thoughtSignature" may follow the text or call they qualify: read the whole part first.
            ReadOnlySpan<byte> text = default, signature = default, name = default, args = default;
            bool thought = false, call = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("text"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.String)
                        text = reader.ValueSpan;
                }
                else if (reader.ValueTextEquals("thought"u8))
                {
                    reader.Read();
                    thought = reader.TokenType == JsonTokenType.True;
                }
                else if (reader.ValueTextEquals("thoughtSignature"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.String)
                        signature = reader.ValueSpan;
                }
                else if (reader.ValueTextEquals("functionCall"u8))
                {
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.StartObject)
                        return false;
                    call = true;
                    while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                    {
                        if (reader.ValueTextEquals("name"u8))
                        {
                            reader.Read();
                            if (reader.TokenType == JsonTokenType.String)
                                name = reader.ValueSpan;
                        }
                        else if (reader.ValueTextEquals("args"u8))
                        {
                            reader.Read();
                            var start = (int)reader.TokenStartIndex;
                            var isObject = reader.TokenType == JsonTokenType.StartObject;
                            reader.Skip();
                            if (isObject)
                                args = parts[start..(int)reader.BytesConsumed];
                        }
                        else
                        {
                            reader.Read();
                            reader.Skip();
                        }
                    }
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
            if (call)
                ToolCall(output, choice, name, args, signature);
            else if (!text.IsEmpty)
            {
                if (thought)
                    Encoder.Reasoning(output, choice, text);
                else
                    Encoder.Text(output, choice, text);
            }
        }
        return true;
    }

    private void ToolCall(IBufferWriter<byte> output, int choice, ReadOnlySpan<byte> name, ReadOnlySpan<byte> args, ReadOnlySpan<byte> signature)
    {
        var index = _toolCalls[choice]++;
        var idLength = ToolCallIds.Length + (signature.IsEmpty ? 0 : GeminiToolCallIds.SignatureSeparatorUtf8.Length + signature.Length);
        var scratch = Scratch.Get(idLength + Math.Max(2, JsonStringEscape.MaxLength(args.Length)));
        ToolCallIds.Write(scratch, _idSeed, choice, index);
        if (!signature.IsEmpty)
        {
            GeminiToolCallIds.SignatureSeparatorUtf8.CopyTo(scratch[ToolCallIds.Length..]);
            signature.CopyTo(scratch[(idLength - signature.Length)..]);
        }
        Encoder.ToolCallStart(output, choice, index, scratch[..idLength], name);
        var arguments = scratch[idLength..];
        var length = args.IsEmpty ? Write("{}"u8, arguments) : JsonStringEscape.Escape(args, arguments);
        Encoder.ToolArguments(output, choice, index, arguments[..length]);
    }

    private static int Write(ReadOnlySpan<byte> bytes, Span<byte> destination)
    {
        bytes.CopyTo(destination);
        return bytes.Length;
    }

    private static bool HasBlockReason(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return false;
        }
        var blocked = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isReason = reader.ValueTextEquals("blockReason"u8);
            reader.Read();
            if (isReason && reader.TokenType == JsonTokenType.String)
                blocked = true;
            else
                reader.Skip();
        }
        return blocked;
    }

}
