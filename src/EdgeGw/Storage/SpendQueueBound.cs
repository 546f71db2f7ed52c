using System.Globalization;

namespace EdgeGw.Storage;

/// <summary><c>EDGEGW_SPEND_QUEUE_ROWS</c>: how many spend rows wait in memory for a failing database (LiteLLM has no such setting).</summary>
internal static class SpendQueueBound
{
    public const string Variable = "EDGEGW_SPEND_QUEUE_ROWS";

    public static int FromEnvironment()
    {
        var text = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrWhiteSpace(text))
            return SpendWriter.DefaultMaxQueuedRows;
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var rows) && rows > 0
            ? rows
            : throw new StoreException($"{Variable} must be a positive whole number of rows, got '{text}'");
    }
}
