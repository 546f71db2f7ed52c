namespace EdgeGw.Tests.Infrastructure;

/// <summary>One span as an OTLP/HTTP protobuf export carried it (ids as lowercase hex).</summary>
public sealed record OtlpSpan(string TraceId, string SpanId, string ParentSpanId, string Name, int Kind, string Scope,
    IReadOnlyDictionary<string, object> Attributes, IReadOnlyDictionary<string, object> Resource)
{
    /// <summary>Status.code: 0 unset, 1 ok, 2 error.</summary>
    public int StatusCode { get; init; }
    public string StatusMessage { get; init; } = "";
    public IReadOnlyList<string> Events { get; init; } = [];
}

/// <summary>
/// Reads an <c>ExportTraceServiceRequest</c> with a bare protobuf wire reader: enough of
/// opentelemetry-proto's trace.proto (resource, scope, span ids, name, kind, attributes) to assert on.
/// </summary>
public static class OtlpTraces
{
    public static List<OtlpSpan> Decode(byte[] body)
    {
        var spans = new List<OtlpSpan>();
        foreach (var (field, resourceSpans) in Fields(body))
        {
            if (field != 1)
                continue;
            var resource = new Dictionary<string, object>();
            foreach (var (f, value) in Fields(Bytes(resourceSpans)))
            {
                if (f == 1)
                    ReadAttributes(Bytes(value), 1, resource);
                else if (f == 2)
                    ReadScopeSpans(Bytes(value), resource, spans);
            }
        }
        return spans;
    }

    private static void ReadScopeSpans(byte[] scopeSpans, Dictionary<string, object> resource, List<OtlpSpan> spans)
    {
        var scope = "";
        foreach (var (f, value) in Fields(scopeSpans))
        {
            if (f == 1)
                scope = Fields(Bytes(value)).Where(x => x.Field == 1).Select(x => Text(x.Value)).FirstOrDefault() ?? "";
            else if (f == 2)
                spans.Add(ReadSpan(Bytes(value), scope, resource));
        }
    }

    private static OtlpSpan ReadSpan(byte[] span, string scope, Dictionary<string, object> resource)
    {
        string traceId = "", spanId = "", parent = "", name = "";
        var kind = 0;
        var status = 0;
        var statusMessage = "";
        var events = new List<string>();
        var attributes = new Dictionary<string, object>();
        foreach (var (f, value) in Fields(span))
        {
            switch (f)
            {
                case 1: traceId = Convert.ToHexStringLower(Bytes(value)); break;
                case 2: spanId = Convert.ToHexStringLower(Bytes(value)); break;
                case 4: parent = Convert.ToHexStringLower(Bytes(value)); break;
                case 5: name = Text(value); break;
                case 6: kind = (int)(ulong)value; break;
                case 9: ReadAttribute(Bytes(value), attributes); break;
                case 11: events.Add(Fields(Bytes(value)).Where(x => x.Field == 2).Select(x => Text(x.Value)).FirstOrDefault() ?? ""); break;
                case 15:
                    foreach (var (s, v) in Fields(Bytes(value)))
                    {
                        if (s == 2)
                            statusMessage = Text(v);
                        else if (s == 3)
                            status = (int)(ulong)v;
                    }
                    break;
            }
        }
        return new(traceId, spanId, parent, name, kind, scope, attributes, resource) { StatusCode = status, StatusMessage = statusMessage, Events = events };
    }

    private static void ReadAttributes(byte[] message, int field, Dictionary<string, object> into)
    {
        foreach (var (f, value) in Fields(message))
        {
            if (f == field)
                ReadAttribute(Bytes(value), into);
        }
    }

    // KeyValue { string key = 1; AnyValue value = 2 }.
    private static void ReadAttribute(byte[] keyValue, Dictionary<string, object> into)
    {
        var key = "";
        object? result = null;
        foreach (var (f, value) in Fields(keyValue))
        {
            if (f == 1)
                key = Text(value);
            else if (f == 2)
                result = AnyValue(Bytes(value)) ?? result;
        }
        if (result is not null)
            into[key] = result;
    }

    // AnyValue's string/bool/int/double cases, and arrays of them (as object[]).
    private static object? AnyValue(byte[] any)
    {
        object? result = null;
        foreach (var (a, value) in Fields(any))
        {
            result = a switch
            {
                1 => Text(value),
                2 => (ulong)value != 0,
                3 => (long)(ulong)value,
                4 => BitConverter.Int64BitsToDouble((long)(ulong)value),
                5 => Fields(Bytes(value)).Where(x => x.Field == 1).Select(x => AnyValue(Bytes(x.Value))).ToArray(),
                _ => result,
            };
        }
        return result;
    }

    private static byte[] Bytes(object value) => (byte[])value;

    private static string Text(object value) => System.Text.Encoding.UTF8.GetString((byte[])value);

    /// <summary>The message's fields in order: varint and fixed64 as ulong, length-delimited as byte[].</summary>
    private static List<(int Field, object Value)> Fields(byte[] message)
    {
        var fields = new List<(int, object)>();
        var at = 0;
        while (at < message.Length)
        {
            var tag = Varint(message, ref at);
            var field = (int)(tag >> 3);
            switch ((int)(tag & 7))
            {
                case 0:
                    fields.Add((field, Varint(message, ref at)));
                    break;
                case 1:
                    fields.Add((field, BitConverter.ToUInt64(message, at)));
                    at += 8;
                    break;
                case 2:
                    var length = (int)Varint(message, ref at);
                    fields.Add((field, message[at..(at + length)]));
                    at += length;
                    break;
                case 5:
                    fields.Add((field, (ulong)BitConverter.ToUInt32(message, at)));
                    at += 4;
                    break;
                default:
                    throw new FormatException($"wire type {tag & 7} at {at}");
            }
        }
        return fields;
    }

    private static ulong Varint(byte[] message, ref int at)
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = message[at++];
            value |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80)
                return value;
        }
        throw new FormatException("varint longer than 10 bytes");
    }
}
