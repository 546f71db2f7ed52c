using System.Globalization;
using System.Text.Json;

namespace EdgeGw.Observability.Logging;

/// <summary>
/// Formats a log entry as one UTF-8 line on the caller's thread (into a per-thread buffer) and
/// hands it to the <see cref="LogSink"/>. The shapes are those of Microsoft's console formatters
/// as EdgeGw configured them: simple single-line
/// (<c>2026-11-22T07:10:00.123Z info: Category[Id] message</c>) or, with <c>json_logs</c>, one JSON
/// object with <c>Timestamp, EventId, LogLevel, Category, Message, State</c>.
/// </summary>
internal sealed class ConsoleLogger(string category, bool json, LogSink sink, TimeProvider time) : ILogger
{
    private const int MaxKeptBuffer = 64 * 1024; // one huge line must not pin its buffer to the thread

    [ThreadStatic] private static ArrayBufferWriter<byte>? t_line;
    [ThreadStatic] private static ArrayBufferWriter<byte>? t_message;
    [ThreadStatic] private static Utf8JsonWriter? t_json;

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel))
            return;
        var message = formatter(state, exception);
        var line = StartLine();
        if (json)
        {
            var writer = StartJson(line, logLevel, eventId);
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
            EndJson(writer, line);
        }
        else
        {
            var start = StartSimple(line, logLevel, eventId);
            LogText.Append(line, message);
            if (exception is not null)
            {
                LogText.Append(line, " "u8);
                LogText.Append(line, exception.ToString());
            }
            EndSimple(line, start);
        }
        Send(line);
    }

    /// <summary>
    /// The line <see cref="Log{TState}"/> writes for the entry, byte for byte, without its message
    /// string and boxed state (the request line's ≈ 400 B). Level and filters are the caller's to
    /// check, through the <see cref="ILogger"/> the factory gave it.
    /// </summary>
    public void Write<TEntry>(LogLevel level, EventId eventId, scoped in TEntry entry) where TEntry : IUtf8LogEntry, allows ref struct
    {
        var line = StartLine();
        if (json)
        {
            // The message is a JSON string twice over, so it is escaped from a buffer of its own.
            var message = t_message ??= new ArrayBufferWriter<byte>(512);
            message.ResetWrittenCount();
            entry.WriteMessage(message);
            var writer = StartJson(line, level, eventId);
            writer.WriteString("Message"u8, message.WrittenSpan);
            writer.WriteStartObject("State"u8);
            writer.WriteString("Message"u8, message.WrittenSpan);
            entry.WriteState(writer);
            writer.WriteEndObject();
            EndJson(writer, line);
            if (message.Capacity > MaxKeptBuffer)
                t_message = null;
        }
        else
        {
            var start = StartSimple(line, level, eventId);
            entry.WriteMessage(line);
            EndSimple(line, start);
        }
        Send(line);
    }

    private static ArrayBufferWriter<byte> StartLine()
    {
        var line = t_line ??= new ArrayBufferWriter<byte>(1024);
        line.ResetWrittenCount();
        return line;
    }

    private void Send(ArrayBufferWriter<byte> line)
    {
        sink.Append(line.WrittenSpan);
        if (line.Capacity > MaxKeptBuffer)
            t_line = null;
    }

    /// <summary>Writes <c>&lt;timestamp&gt; info: Category[Id] </c>; returns where the message starts.</summary>
    private int StartSimple(ArrayBufferWriter<byte> line, LogLevel level, EventId eventId)
    {
        var span = line.GetSpan(64);
        time.GetUtcNow().UtcDateTime.TryFormat(span, out var written, "yyyy-MM-ddTHH:mm:ss.fffZ ", CultureInfo.InvariantCulture);
        line.Advance(written);
        LogText.Append(line, ShortLevel(level));
        LogText.Append(line, ": "u8);
        LogText.Append(line, category);
        LogText.Append(line, "["u8);
        LogText.Append(line, eventId.Id);
        LogText.Append(line, "] "u8);
        return line.WrittenCount;
    }

    // Single-line output: a message with line breaks (an exception's stack) stays on one line.
    private static void EndSimple(ArrayBufferWriter<byte> line, int messageStart)
    {
        var message = System.Runtime.InteropServices.MemoryMarshal.AsMemory(line.WrittenMemory).Span[messageStart..];
        message.Replace((byte)'\n', (byte)' ');
        message.Replace((byte)'\r', (byte)' ');
        LogText.Append(line, "\n"u8);
    }

    private Utf8JsonWriter StartJson(ArrayBufferWriter<byte> line, LogLevel level, EventId eventId)
    {
        var writer = t_json ??= new Utf8JsonWriter(line, new JsonWriterOptions { SkipValidation = true });
        writer.Reset(line);
        writer.WriteStartObject();
        Span<char> timestamp = stackalloc char[32];
        time.GetUtcNow().UtcDateTime.TryFormat(timestamp, out var length, "yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
        writer.WriteString("Timestamp"u8, timestamp[..length]);
        writer.WriteNumber("EventId"u8, eventId.Id);
        writer.WriteString("LogLevel"u8, LevelName(level));
        writer.WriteString("Category"u8, category);
        return writer;
    }

    private static void EndJson(Utf8JsonWriter writer, ArrayBufferWriter<byte> line)
    {
        writer.WriteEndObject();
        writer.Flush();
        LogText.Append(line, "\n"u8);
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
            default: writer.WriteString(name, Convert.ToString(value, CultureInfo.InvariantCulture)); break;
        }
    }

    // The enum's names, without boxing the level to ask it.
    private static ReadOnlySpan<byte> LevelName(LogLevel level) => level switch
    {
        LogLevel.Trace => "Trace"u8,
        LogLevel.Debug => "Debug"u8,
        LogLevel.Information => "Information"u8,
        LogLevel.Warning => "Warning"u8,
        LogLevel.Error => "Error"u8,
        LogLevel.Critical => "Critical"u8,
        _ => "None"u8,
    };

    private static ReadOnlySpan<byte> ShortLevel(LogLevel level) => level switch
    {
        LogLevel.Trace => "trce"u8,
        LogLevel.Debug => "dbug"u8,
        LogLevel.Information => "info"u8,
        LogLevel.Warning => "warn"u8,
        LogLevel.Error => "fail"u8,
        _ => "crit"u8,
    };
}
