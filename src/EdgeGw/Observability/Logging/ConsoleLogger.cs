using System.Text;
using System.Text.Json;

namespace EdgeGw.Observability.Logging;

/// <summary>
/// Formats a log entry as one UTF-8 line on the caller's thread (into a per-thread buffer) and
/// hands it to the <see cref="LogSink"/>. The shapes are those of Microsoft's console formatters
/// as EdgeGw configured them: simple single-line
/// (<c>2026-11-22T07:10:00.123Z info: Category[Id] message</c>) or, with <c>json_logs</c>, one JSON
/// object with <c>Timestamp, EventId, LogLevel, Category, Message, State</c>.
/// </summary>
internal sealed class ConsoleLogger(string category, bool json, LogSink sink) : ILogger
{
    [ThreadStatic] private static ArrayBufferWriter<byte>? t_line;
    [ThreadStatic] private static Utf8JsonWriter? t_json;

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel))
            return;
        var message = formatter(state, exception);
        var line = t_line ??= new ArrayBufferWriter<byte>(1024);
        line.ResetWrittenCount();
        if (json)
            WriteJson(line, logLevel, eventId, state, exception, message);
        else
            WriteSimple(line, logLevel, eventId, exception, message);
        sink.Append(line.WrittenSpan);
        if (line.Capacity > 64 * 1024)
            t_line = null; // one huge line must not pin its buffer to the thread
    }

    private void WriteSimple(ArrayBufferWriter<byte> line, LogLevel level, EventId eventId, Exception? exception, string message)
    {
        var span = line.GetSpan(64);
        DateTime.UtcNow.TryFormat(span, out var written, "yyyy-MM-ddTHH:mm:ss.fffZ ", System.Globalization.CultureInfo.InvariantCulture);
        line.Advance(written);
        Append(line, ShortLevel(level));
        Append(line, ": ");
        Append(line, category);
        Append(line, "[");
        span = line.GetSpan(11);
        eventId.Id.TryFormat(span, out written);
        line.Advance(written);
        Append(line, "] ");
        AppendOneLine(line, message);
        if (exception is not null)
        {
            Append(line, " ");
            AppendOneLine(line, exception.ToString());
        }
        Append(line, "\n");
    }

    private void WriteJson<TState>(ArrayBufferWriter<byte> line, LogLevel level, EventId eventId, TState state, Exception? exception, string message)
    {
        var writer = t_json ??= new Utf8JsonWriter(line, new JsonWriterOptions { SkipValidation = true });
        writer.Reset(line);
        writer.WriteStartObject();
        Span<char> timestamp = stackalloc char[32];
        DateTime.UtcNow.TryFormat(timestamp, out var length, "yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture);
        writer.WriteString("Timestamp"u8, timestamp[..length]);
        writer.WriteNumber("EventId"u8, eventId.Id);
        writer.WriteString("LogLevel"u8, level.ToString());
        writer.WriteString("Category"u8, category);
        writer.WriteString("Message"u8, message);
        if (exception is not null)
            writer.WriteString("Exception"u8, exception.ToString());
        if (state is IReadOnlyList<KeyValuePair<string, object?>> values)
        {
            writer.WriteStartObject("State"u8);
            writer.WriteString("Message"u8, message);
            foreach (var (name, value) in values)
                WriteValue(writer, name, value);
            writer.WriteEndObject();
        }
        writer.WriteEndObject();
        writer.Flush();
        Append(line, "\n");
    }

    // As Microsoft's JSON console formatter writes state values: JSON numbers and booleans where
    // the value is one, a string otherwise.
    private static void WriteValue(Utf8JsonWriter writer, string name, object? value)
    {
        switch (value)
        {
            case null: writer.WriteNull(name); break;
            case bool b: writer.WriteBoolean(name, b); break;
            case int i: writer.WriteNumber(name, i); break;
            case long l: writer.WriteNumber(name, l); break;
            case double d when double.IsFinite(d): writer.WriteNumber(name, d); break;
            case decimal m: writer.WriteNumber(name, m); break;
            default: writer.WriteString(name, Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)); break;
        }
    }

    private static string ShortLevel(LogLevel level) => level switch
    {
        LogLevel.Trace => "trce",
        LogLevel.Debug => "dbug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "fail",
        _ => "crit",
    };

    private static void Append(ArrayBufferWriter<byte> line, string text)
    {
        var span = line.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length));
        line.Advance(Encoding.UTF8.GetBytes(text, span));
    }

    // Single-line output: a message with line breaks (an exception's stack) stays on one line.
    private static void AppendOneLine(ArrayBufferWriter<byte> line, string text)
    {
        var start = line.WrittenCount;
        Append(line, text);
        var written = System.Runtime.InteropServices.MemoryMarshal.AsMemory(line.WrittenMemory).Span[start..];
        written.Replace((byte)'\n', (byte)' ');
        written.Replace((byte)'\r', (byte)' ');
    }
}
