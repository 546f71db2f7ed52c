using System.Text.Json;
using EdgeGw.Json;
using EdgeGw.Streaming;

namespace EdgeGw.Api.Responses;

/// <summary>
/// Canonical stream events → the Responses API stream, the grammar the official SDKs parse:
/// <code>
///   response.created → response.in_progress
///     → (output_item.added → [content_part.added | reasoning_summary_part.added]
///          → (output_text | reasoning_summary_text | function_call_arguments).delta*
///          → .done → [content_part.done | reasoning_summary_part.done] → output_item.done)*
///     → response.completed | response.incomplete | (error → response.failed)
/// </code>
/// Each event has its <c>event:</c> line and a JSON <c>type</c> and <c>sequence_number</c> (from 0).
/// Items are opened in output_index order and closed before the next opens; only choice 0 is sent,
/// since a Response has one output list. Everything streamed is kept in <see cref="ResponsesOutputItems"/>
/// because the <c>.done</c> events and the final Response repeat it.
/// </summary>
internal sealed class ResponsesEventEncoder : IChatStreamEncoder
{
    private readonly ResponsesStreamHead _head;
    private readonly int _idTailStart, _idTailLength;
    private readonly ResponsesOutputItems _items = new();
    private long _sequence;
    private bool _started, _ended, _open;
    private int _openToolIndex = -1;
    private FinishReason _finish;

    public ResponsesEventEncoder(ResponsesStreamHead head)
    {
        _head = head;
        // Item ids reuse the response id's unique part ("resp_abc" → "msg_abc_0"), not a Guid per item.
        var id = head.ResponseIdJson.AsSpan();
        var start = id.Length > 0 && id[0] == (byte)'"' ? 1 : 0;
        var end = id.Length > start && id[^1] == (byte)'"' ? id.Length - 1 : id.Length;
        if (id[start..end].StartsWith("resp_"u8))
            start += 5;
        (_idTailStart, _idTailLength) = (start, end - start);
    }

    public long GeneratedBytes { get; private set; }

    /// <summary>Where a stored turn's final Response goes (once, at the natural end); null when the turn is not stored.</summary>
    public ResponsesTurn? Turn { get; init; }

    private ReadOnlySpan<byte> IdTail => _head.ResponseIdJson.AsSpan(_idTailStart, _idTailLength);

    public void Start(IBufferWriter<byte> output, ReadOnlySpan<byte> id)
    {
        if (_started)
            return;
        _started = true;
        Begin(output, "response.created"u8);
        output.Write(",\"response\":"u8);
        WriteResponse(output, "in_progress"u8, default, withOutput: false);
        End(output);
        Begin(output, "response.in_progress"u8);
        output.Write(",\"response\":"u8);
        WriteResponse(output, "in_progress"u8, default, withOutput: false);
        End(output);
    }

    public void Text(IBufferWriter<byte> output, int choice, ReadOnlySpan<byte> text) =>
        Delta(output, choice, text, ResponsesItemKind.Message, "response.output_text.delta"u8,
            ",\"content_index\":0,\"delta\":\""u8, "\",\"logprobs\":[]"u8);

    public void Reasoning(IBufferWriter<byte> output, int choice, ReadOnlySpan<byte> text) =>
        Delta(output, choice, text, ResponsesItemKind.Reasoning, "response.reasoning_summary_text.delta"u8,
            ",\"summary_index\":0,\"delta\":\""u8, "\""u8);

    private void Delta(IBufferWriter<byte> output, int choice, ReadOnlySpan<byte> text, ResponsesItemKind kind, ReadOnlySpan<byte> type,
        ReadOnlySpan<byte> head, ReadOnlySpan<byte> tail)
    {
        GeneratedBytes += text.Length;
        if (choice != 0 || text.IsEmpty || _ended)
            return;
        Open(output, kind, -1, default, default);
        _items.AppendText(text);
        ItemEvent(output, type);
        output.Write(head);
        output.Write(text);
        output.Write(tail);
        End(output);
    }

    public void ToolCallStart(IBufferWriter<byte> output, int choice, int index, ReadOnlySpan<byte> id, ReadOnlySpan<byte> name)
    {
        if (choice != 0 || _ended)
            return;
        Open(output, ResponsesItemKind.FunctionCall, index, id, name);
    }

    public void ToolArguments(IBufferWriter<byte> output, int choice, int index, ReadOnlySpan<byte> fragment)
    {
        GeneratedBytes += fragment.Length;
        // Upstreams stream one call's arguments after another; a fragment for any call but the open
        // one has no item to go to (its item is done, or was never started).
        if (choice != 0 || _ended || !_open || _items.LastKind != ResponsesItemKind.FunctionCall || index != _openToolIndex || fragment.IsEmpty)
            return;
        _items.AppendText(fragment);
        ItemEvent(output, "response.function_call_arguments.delta"u8);
        output.Write(",\"delta\":\""u8);
        output.Write(fragment);
        output.Write("\""u8);
        End(output);
    }

    public void Finish(IBufferWriter<byte> output, int choice, FinishReason reason)
    {
        if (choice != 0 || _ended)
            return;
        _finish = reason;
        Close(output);
    }

    public void Done(IBufferWriter<byte> output, in Usage usage)
    {
        if (_ended)
            return;
        Start(output, default);
        Close(output);
        if (_finish is FinishReason.Length or FinishReason.ContentFilter)
        {
            Begin(output, "response.incomplete"u8);
            output.Write(",\"response\":"u8);
            WriteResponse(output, "incomplete"u8, default, withOutput: true, usage);
        }
        else
        {
            Begin(output, "response.completed"u8);
            output.Write(",\"response\":"u8);
            WriteResponse(output, "completed"u8, default, withOutput: true, usage);
        }
        End(output);
        if (Turn is not null)
        {
            // Once per stream, at its end: the Response the store keeps for previous_response_id.
            var final = new ArrayBufferWriter<byte>(1024);
            WriteResponse(final, _finish is FinishReason.Length or FinishReason.ContentFilter ? "incomplete"u8 : "completed"u8, default, withOutput: true, usage);
            Turn.Completed(final.WrittenSpan);
        }
        Release();
    }

    /// <summary>
    /// An error after the first byte: an <c>error</c> event (the SDKs surface it as a stream error)
    /// then <c>response.failed</c> with the error in the Response, so no client sees a silent end.
    /// </summary>
    public void Error(IBufferWriter<byte> output, GatewayError error)
    {
        if (_ended)
            return;
        Start(output, default);
        if (_open)
            _items.MarkIncomplete(_items.Count - 1); // cut short: in the failed Response as it stood
        var code = ResponsesErrorCode(error);
        var message = JsonEncodedText.Encode(error.Message, JsonOptions.Writer.Encoder);
        Begin(output, "error"u8);
        output.Write(",\"code\":\""u8);
        output.Write(code);
        output.Write("\",\"message\":\""u8);
        output.Write(message.EncodedUtf8Bytes);
        output.Write("\",\"param\":null"u8);
        End(output);
        Begin(output, "response.failed"u8);
        output.Write(",\"response\":"u8);
        WriteResponse(output, "failed"u8, message.EncodedUtf8Bytes, withOutput: true, error: code);
        End(output);
        Release();
    }

    /// <summary>The Responses API's error codes: the ones a gateway failure can be.</summary>
    private static ReadOnlySpan<byte> ResponsesErrorCode(GatewayError error) => error.Status switch
    {
        429 => "rate_limit_exceeded"u8,
        400 => "invalid_prompt"u8,
        _ => "server_error"u8,
    };

    private void Release()
    {
        _ended = true;
        _items.Release();
    }

    private void Open(IBufferWriter<byte> output, ResponsesItemKind kind, int toolIndex, ReadOnlySpan<byte> callId, ReadOnlySpan<byte> name)
    {
        Start(output, default);
        if (_open && _items.LastKind == kind && kind != ResponsesItemKind.FunctionCall)
            return;
        Close(output);
        var index = _items.Open(kind, callId, name);
        _open = true;
        _openToolIndex = toolIndex;
        Begin(output, "response.output_item.added"u8);
        output.Write(",\"output_index\":"u8);
        UsageJson.WriteNumber(output, index);
        switch (kind)
        {
            case ResponsesItemKind.Message:
                ResponsesOutputItems.WriteId(output, ",\"item\":{\"id\":\"msg_"u8, IdTail, index);
                output.Write("\",\"type\":\"message\",\"status\":\"in_progress\",\"role\":\"assistant\",\"content\":[]}"u8);
                End(output);
                ItemEvent(output, "response.content_part.added"u8);
                output.Write(",\"content_index\":0,\"part\":{\"type\":\"output_text\",\"text\":\"\",\"annotations\":[],\"logprobs\":[]}"u8);
                break;
            case ResponsesItemKind.Reasoning:
                ResponsesOutputItems.WriteId(output, ",\"item\":{\"id\":\"rs_"u8, IdTail, index);
                output.Write("\",\"type\":\"reasoning\",\"summary\":[]}"u8);
                End(output);
                ItemEvent(output, "response.reasoning_summary_part.added"u8);
                output.Write(",\"summary_index\":0,\"part\":{\"type\":\"summary_text\",\"text\":\"\"}"u8);
                break;
            default:
                ResponsesOutputItems.WriteId(output, ",\"item\":{\"id\":\"fc_"u8, IdTail, index);
                output.Write("\",\"type\":\"function_call\",\"status\":\"in_progress\",\"arguments\":\"\",\"call_id\":\""u8);
                output.Write(callId);
                output.Write("\",\"name\":\""u8);
                output.Write(name);
                output.Write("\"}"u8);
                break;
        }
        End(output);
    }

    private void Close(IBufferWriter<byte> output)
    {
        if (!_open)
            return;
        _open = false;
        _openToolIndex = -1;
        var index = _items.Count - 1;
        if (_finish is FinishReason.Length or FinishReason.ContentFilter)
            _items.MarkIncomplete(index);
        switch (_items.Kind(index))
        {
            case ResponsesItemKind.Message:
                ItemEvent(output, "response.output_text.done"u8);
                output.Write(",\"content_index\":0,\"text\":\""u8);
                output.Write(_items.Text(index));
                output.Write("\",\"logprobs\":[]"u8);
                End(output);
                ItemEvent(output, "response.content_part.done"u8);
                output.Write(",\"content_index\":0,\"part\":{\"type\":\"output_text\",\"text\":\""u8);
                output.Write(_items.Text(index));
                output.Write("\",\"annotations\":[],\"logprobs\":[]}"u8);
                End(output);
                break;
            case ResponsesItemKind.Reasoning:
                ItemEvent(output, "response.reasoning_summary_text.done"u8);
                output.Write(",\"summary_index\":0,\"text\":\""u8);
                output.Write(_items.Text(index));
                output.Write("\""u8);
                End(output);
                ItemEvent(output, "response.reasoning_summary_part.done"u8);
                output.Write(",\"summary_index\":0,\"part\":{\"type\":\"summary_text\",\"text\":\""u8);
                output.Write(_items.Text(index));
                output.Write("\"}"u8);
                End(output);
                break;
            default:
                ItemEvent(output, "response.function_call_arguments.done"u8);
                output.Write(",\"name\":\""u8);
                output.Write(_items.Name(index));
                output.Write("\",\"arguments\":\""u8);
                output.Write(_items.Text(index));
                output.Write("\""u8);
                End(output);
                break;
        }
        Begin(output, "response.output_item.done"u8);
        output.Write(",\"output_index\":"u8);
        UsageJson.WriteNumber(output, index);
        output.Write(",\"item\":"u8);
        _items.WriteItem(output, index, IdTail);
        End(output);
    }

    /// <summary>A whole Response object: the echo of the request, the status and, at the end, the items and usage.</summary>
    private void WriteResponse(IBufferWriter<byte> output, ReadOnlySpan<byte> status, ReadOnlySpan<byte> errorMessage, bool withOutput,
        in Usage usage = default, ReadOnlySpan<byte> error = default)
    {
        output.Write("{\"id\":"u8);
        output.Write(_head.ResponseIdJson);
        output.Write(",\"object\":\"response\",\"created_at\":"u8);
        UsageJson.WriteNumber(output, _head.CreatedAt);
        output.Write(",\"status\":\""u8);
        output.Write(status);
        if (error.IsEmpty)
        {
            output.Write("\",\"error\":null"u8);
        }
        else
        {
            output.Write("\",\"error\":{\"code\":\""u8);
            output.Write(error);
            output.Write("\",\"message\":\""u8);
            output.Write(errorMessage);
            output.Write("\"}"u8);
        }
        output.Write(_finish switch
        {
            FinishReason.Length when withOutput && error.IsEmpty => ",\"incomplete_details\":{\"reason\":\"max_output_tokens\"},"u8,
            FinishReason.ContentFilter when withOutput && error.IsEmpty => ",\"incomplete_details\":{\"reason\":\"content_filter\"},"u8,
            _ => ",\"incomplete_details\":null,"u8,
        });
        output.Write(_head.EchoJson.Span);
        output.Write("\"model\":"u8);
        output.Write(_head.ModelJson);
        output.Write(",\"output\":["u8);
        if (withOutput)
        {
            for (var i = 0; i < _items.Count; i++)
            {
                if (i > 0)
                    output.Write(","u8);
                _items.WriteItem(output, i, IdTail);
            }
        }
        output.Write("],\"usage\":"u8);
        if (withOutput && error.IsEmpty)
            UsageJson.WriteResponses(output, usage);
        else
            output.Write("null"u8);
        output.Write("}"u8);
    }

    /// <summary>The head every per-item event shares: type, sequence number, item id and output index.</summary>
    private void ItemEvent(IBufferWriter<byte> output, ReadOnlySpan<byte> type)
    {
        var index = _items.Count - 1;
        Begin(output, type);
        var kind = _items.Kind(index);
        ResponsesOutputItems.WriteId(output, kind switch
        {
            ResponsesItemKind.Message => ",\"item_id\":\"msg_"u8,
            ResponsesItemKind.Reasoning => ",\"item_id\":\"rs_"u8,
            _ => ",\"item_id\":\"fc_"u8,
        }, IdTail, index);
        output.Write("\",\"output_index\":"u8);
        UsageJson.WriteNumber(output, index);
    }

    private void Begin(IBufferWriter<byte> output, ReadOnlySpan<byte> type)
    {
        output.Write("event: "u8);
        output.Write(type);
        output.Write("\ndata: {\"type\":\""u8);
        output.Write(type);
        output.Write("\",\"sequence_number\":"u8);
        UsageJson.WriteNumber(output, _sequence++);
    }

    private static void End(IBufferWriter<byte> output) => output.Write("}\n\n"u8);
}
