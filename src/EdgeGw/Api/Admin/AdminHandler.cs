using EdgeGw.Storage;

namespace EdgeGw.Api.Admin;

/// <summary>
/// Runs an admin operation: reads its input, serialises mutations (one at a time, so checks like
/// alias uniqueness hold), and turns invalid input into a 400 naming the field and a database
/// that cannot be written (disk full) into a 503.
/// </summary>
internal static class AdminHandler
{
    public static GatewayError StorageError(StoreUnavailableException e) => new(503,
        $"Storage unavailable: {e.Message}. Nothing more was changed; retry when the database accepts writes again.",
        "service_unavailable", "503") { RetryAfterSeconds = 5 };

    public static async Task RunAsync(HttpContext context, GatewayState state, bool mutates, Func<AdminInput, GatewayData, Task> work)
    {
        var data = state.Data;
        try
        {
            using var input = await AdminInput.ReadAsync(context, state.Config.General.MaxRequestSizeBytes);
            if (!mutates)
            {
                await work(input, data);
                return;
            }
            await data.Accounts.AdminGate.WaitAsync(context.RequestAborted);
            try
            {
                await work(input, data);
            }
            finally
            {
                data.Accounts.AdminGate.Release();
            }
        }
        catch (AdminInputException e)
        {
            await ErrorWriter.WriteOpenAiAsync(context, e.ToError());
        }
        catch (StoreUnavailableException e) when (!context.Response.HasStarted)
        {
            // Each write reaches the cache only after the database took it, so nothing changed that this answer does not say.
            await ErrorWriter.WriteOpenAiAsync(context, StorageError(e));
        }
    }
}
