using System.Text.Json;
using EdgeGw.Observability.Logging;

namespace EdgeGw.Observability;

/// <summary>
/// One request's log line. When EdgeGw's console logger is the request log's only provider it is
/// written straight into the thread's UTF-8 line (<see cref="ConsoleLogger.Write{TEntry}"/>): the
/// bytes <see cref="RequestLog.Completed"/> produces, without its message string (≈ 300 chars),
/// boxed state and UTF-16 → UTF-8 pass. Otherwise <see cref="LogTo"/> takes the ILogger path.
/// </summary>
internal readonly ref struct RequestLogEntry : IUtf8LogEntry
{
    public required string CallId { get; init; }
    public required string KeyAlias { get; init; }
    /// <summary>What <see cref="LogKeyId.Format"/> wrote.</summary>
    public required ReadOnlySpan<char> KeyHash { get; init; }
    public required string ModelGroup { get; init; }
    public required string DeploymentId { get; init; }
    public required int Status { get; init; }
    public required long PromptTokens { get; init; }
    public required long CompletionTokens { get; init; }
    // Finite (from money and stopwatch ticks), so JSON numbers as the ILogger path writes them.
    public required double Cost { get; init; }
    public required bool Stream { get; init; }
    public required double OverheadMs { get; init; }
    public required double DurationMs { get; init; }

    public void LogTo(ILogger logger) => RequestLog.Completed(logger, CallId, KeyAlias, LogKeyId.Text(KeyHash), ModelGroup, DeploymentId,
        Status, PromptTokens, CompletionTokens, Cost, Stream, OverheadMs, DurationMs);

    public void WriteMessage(ArrayBufferWriter<byte> utf8)
    {
        LogText.Append(utf8, "request call_id="u8);
        LogText.Append(utf8, CallId);
        LogText.Append(utf8, " key_alias="u8);
        LogText.Append(utf8, KeyAlias);
        LogText.Append(utf8, " key_hash="u8);
        LogText.Append(utf8, KeyHash);
        LogText.Append(utf8, " model_group="u8);
        LogText.Append(utf8, ModelGroup);
        LogText.Append(utf8, " deployment="u8);
        LogText.Append(utf8, DeploymentId);
        LogText.Append(utf8, " status="u8);
        LogText.Append(utf8, Status);
        LogText.Append(utf8, " prompt_tokens="u8);
        LogText.Append(utf8, PromptTokens);
        LogText.Append(utf8, " completion_tokens="u8);
        LogText.Append(utf8, CompletionTokens);
        LogText.Append(utf8, " cost="u8);
        LogText.Append(utf8, Cost);
        LogText.Append(utf8, " stream="u8);
        LogText.Append(utf8, Stream);
        LogText.Append(utf8, " overhead_ms="u8);
        LogText.Append(utf8, OverheadMs);
        LogText.Append(utf8, " duration_ms="u8);
        LogText.Append(utf8, DurationMs);
    }

    public void WriteState(Utf8JsonWriter json)
    {
        json.WriteString("CallId"u8, CallId);
        json.WriteString("KeyAlias"u8, KeyAlias);
        json.WriteString("KeyHash"u8, KeyHash);
        json.WriteString("ModelGroup"u8, ModelGroup);
        json.WriteString("DeploymentId"u8, DeploymentId);
        json.WriteNumber("Status"u8, Status);
        json.WriteNumber("PromptTokens"u8, PromptTokens);
        json.WriteNumber("CompletionTokens"u8, CompletionTokens);
        json.WriteNumber("Cost"u8, Cost);
        json.WriteBoolean("Stream"u8, Stream);
        json.WriteNumber("OverheadMs"u8, OverheadMs);
        json.WriteNumber("DurationMs"u8, DurationMs);
        json.WriteString("{OriginalFormat}"u8, RequestLog.Template);
    }
}
