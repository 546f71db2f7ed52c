using System.Buffers;
using EdgeGw.Json;

namespace EdgeGw.Api.Responses;

/// <summary>The kinds of output item a bridged Responses stream produces, one per run of canonical events.</summary>
internal enum ResponsesItemKind : byte
{
    None,
    Message,
    Reasoning,
    FunctionCall,
}

/// <summary>
/// The output items of one Responses stream, kept because the <c>.done</c> events and the final
/// Response repeat everything streamed. Text, call ids, names and arguments are appended (still
/// JSON-escaped) to one pooled buffer that only grows; items hold offsets into it, so the stream
/// allocates nothing per event once the buffer has reached the answer's size.
/// </summary>
internal sealed class ResponsesOutputItems
{
    private struct Item
    {
        public ResponsesItemKind Kind;
        public bool Incomplete;
        public int CallIdStart, CallIdLength, NameStart, NameLength, TextStart, TextLength;
    }

    private byte[] _bytes = [];
    private int _used;
    private Item[] _items = [];

    /// <summary>Items opened so far; the last is the open one while the encoder has one open.</summary>
    public int Count { get; private set; }

    public ResponsesItemKind LastKind => Count == 0 ? ResponsesItemKind.None : _items[Count - 1].Kind;

    public int Open(ResponsesItemKind kind, ReadOnlySpan<byte> callId = default, ReadOnlySpan<byte> name = default)
    {
        if (Count == _items.Length)
            Array.Resize(ref _items, Math.Max(4, Count * 2));
        ref var item = ref _items[Count];
        item = new Item { Kind = kind };
        item.CallIdStart = Append(callId);
        item.CallIdLength = callId.Length;
        item.NameStart = Append(name);
        item.NameLength = name.Length;
        item.TextStart = _used;
        return Count++;
    }

    /// <summary>Appends to the last item's text (or arguments): its bytes are the buffer's tail, so they stay contiguous.</summary>
    public void AppendText(ReadOnlySpan<byte> text)
    {
        Append(text);
        _items[Count - 1].TextLength += text.Length;
    }

    public void MarkIncomplete(int index) => _items[index].Incomplete = true;

    public ReadOnlySpan<byte> Text(int index) => _bytes.AsSpan(_items[index].TextStart, _items[index].TextLength);

    public ReadOnlySpan<byte> Name(int index) => _bytes.AsSpan(_items[index].NameStart, _items[index].NameLength);

    public ResponsesItemKind Kind(int index) => _items[index].Kind;

    /// <summary>The item as the Response's <c>output</c> and <c>response.output_item.done</c> carry it.</summary>
    public void WriteItem(IBufferWriter<byte> output, int index, ReadOnlySpan<byte> idTail)
    {
        ref readonly var item = ref _items[index];
        switch (item.Kind)
        {
            case ResponsesItemKind.Message:
                WriteId(output, "{\"id\":\"msg_"u8, idTail, index);
                output.Write(item.Incomplete
                    ? "\",\"type\":\"message\",\"status\":\"incomplete\",\"role\":\"assistant\",\"content\":[{\"type\":\"output_text\",\"text\":\""u8
                    : "\",\"type\":\"message\",\"status\":\"completed\",\"role\":\"assistant\",\"content\":[{\"type\":\"output_text\",\"text\":\""u8);
                output.Write(Text(index));
                output.Write("\",\"annotations\":[],\"logprobs\":[]}]}"u8);
                break;
            case ResponsesItemKind.Reasoning:
                WriteId(output, "{\"id\":\"rs_"u8, idTail, index);
                output.Write("\",\"type\":\"reasoning\",\"summary\":[{\"type\":\"summary_text\",\"text\":\""u8);
                output.Write(Text(index));
                output.Write("\"}]}"u8);
                break;
            default:
                WriteId(output, "{\"id\":\"fc_"u8, idTail, index);
                output.Write(item.Incomplete
                    ? "\",\"type\":\"function_call\",\"status\":\"incomplete\",\"arguments\":\""u8
                    : "\",\"type\":\"function_call\",\"status\":\"completed\",\"arguments\":\""u8);
                output.Write(Text(index));
                output.Write("\",\"call_id\":\""u8);
                output.Write(_bytes.AsSpan(item.CallIdStart, item.CallIdLength));
                output.Write("\",\"name\":\""u8);
                output.Write(Name(index));
                output.Write("\"}"u8);
                break;
        }
    }

    /// <summary>Writes <c>prefix + idTail + "_" + index</c>: item ids unique per response without a Guid per item.</summary>
    public static void WriteId(IBufferWriter<byte> output, ReadOnlySpan<byte> prefix, ReadOnlySpan<byte> idTail, int index)
    {
        output.Write(prefix);
        output.Write(idTail);
        output.Write("_"u8);
        UsageJson.WriteNumber(output, index);
    }

    /// <summary>The stream is over: the buffer goes back to the pool.</summary>
    public void Release()
    {
        if (_bytes.Length > 0)
            ArrayPool<byte>.Shared.Return(_bytes);
        _bytes = [];
        _used = 0;
        Count = 0;
    }

    private int Append(ReadOnlySpan<byte> bytes)
    {
        var start = _used;
        if (bytes.IsEmpty)
            return start;
        if (_used + bytes.Length > _bytes.Length)
            Grow(_used + bytes.Length);
        bytes.CopyTo(_bytes.AsSpan(_used));
        _used += bytes.Length;
        return start;
    }

    private void Grow(int needed)
    {
        var larger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, Math.Max(4096, _bytes.Length * 2)));
        _bytes.AsSpan(0, _used).CopyTo(larger);
        if (_bytes.Length > 0)
            ArrayPool<byte>.Shared.Return(_bytes);
        _bytes = larger;
    }
}
