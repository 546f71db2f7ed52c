using EdgeGw.Storage;

namespace EdgeGw.Tests.Callbacks;

/// <summary>The smallest finished request a callback can be handed.</summary>
internal static class CallbackRows
{
    public static SpendRow Row(string id) => new()
    {
        RequestId = id,
        ApiKey = "hash",
        StartTime = DateTimeOffset.UnixEpoch,
        EndTime = DateTimeOffset.UnixEpoch,
        Model = "gpt-4o",
        ModelGroup = "gpt",
        ModelId = "d1",
        Status = "success",
    };
}
