using EdgeGw.Api;
using EdgeGw.Storage;

namespace EdgeGw.Spend;

/// <summary>
/// Fail closed when spend cannot be recorded: once the rows waiting for a failing database reach
/// the writer's bound, a new model request is refused with 503 before it reaches a provider (every
/// model request writes a row, $0 ones included, so all are refused; admin reads, health and
/// count_tokens write none and still answer). With <c>allow_requests_on_db_unavailable</c> the
/// request is served and its row dropped and counted instead (LiteLLM's escape hatch).
/// </summary>
internal static class SpendRecording
{
    public static GatewayError? Check(SpendWriter writer)
    {
        if (!writer.IsFull || writer.DropRowsWhenFull)
            return null;
        writer.Refused();
        return new GatewayError(503,
            $"Spend cannot be recorded: the database cannot be written and {writer.QueuedRows} spend rows are already waiting in memory " +
            $"(the bound is {writer.MaxQueuedRows}). New requests are refused until it recovers; " +
            "general_settings.allow_requests_on_db_unavailable: true serves them without storing their spend logs.",
            "service_unavailable", "503") { RetryAfterSeconds = 5 };
    }
}
