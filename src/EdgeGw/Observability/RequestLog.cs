namespace EdgeGw.Observability;

/// <summary>
/// The one log line per model request. Structured: with <c>json_logs</c> each placeholder is a
/// field of the JSON line's <c>State</c>. Never carries a key, only its alias or a keyed hash
/// (<see cref="LogKeyId"/>). <see cref="RequestLogEntry"/> writes the same line without a string.
/// </summary>
internal static partial class RequestLog
{
    public const int Id = 100;

    public const string Template =
        "request call_id={CallId} key_alias={KeyAlias} key_hash={KeyHash} model_group={ModelGroup} deployment={DeploymentId} " +
        "status={Status} prompt_tokens={PromptTokens} completion_tokens={CompletionTokens} cost={Cost} stream={Stream} " +
        "overhead_ms={OverheadMs} duration_ms={DurationMs}";

    public static readonly EventId Event = new(Id, "request");

    [LoggerMessage(EventId = Id, EventName = "request", Level = LogLevel.Information, Message = Template)]
    public static partial void Completed(ILogger logger, string callId, string keyAlias, string keyHash, string modelGroup, string deploymentId,
        int status, long promptTokens, long completionTokens, double cost, bool stream, double overheadMs, double durationMs);
}
