using System.Text.Json;

namespace EdgeGw.Observability.Logging;

/// <summary>
/// A log entry that writes itself as UTF-8 (<see cref="ConsoleLogger.Write{TEntry}"/>): its message
/// and its <c>json_logs</c> state, which <see cref="ConsoleLogger.Log{TState}"/> would otherwise get
/// from a formatted string and a list of boxed values.
/// </summary>
internal interface IUtf8LogEntry
{
    /// <summary>The message as the entry's template renders it (invariant culture, as the logging generator's).</summary>
    void WriteMessage(ArrayBufferWriter<byte> utf8);

    /// <summary>Each placeholder as a field (numbers and booleans typed), then <c>{OriginalFormat}</c>.</summary>
    void WriteState(Utf8JsonWriter json);
}
