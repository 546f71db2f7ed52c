namespace EdgeGw.Api.Admin;

/// <summary>One admin route for the dispatcher.</summary>
internal sealed record AdminRoute(string Path, string Method, Func<HttpContext, GatewayState, Task> Handler, bool MasterOnly = true);

/// <summary>
/// LiteLLM's management API. Every route needs the master key except <c>/key/info</c>, which a
/// virtual key may call for itself, and the reads a key that belongs to a user may make of that
/// user's own data (<see cref="AdminScope"/>).
/// </summary>
internal static class AdminRoutes
{
    public static readonly AdminRoute[] All =
    [
        new("/key/generate", "POST", KeyEndpoints.GenerateAsync),
        new("/key/info", "GET", KeyEndpoints.InfoAsync, MasterOnly: false),
        new("/key/update", "POST", KeyEndpoints.UpdateAsync),
        new("/key/delete", "POST", KeyEndpoints.DeleteAsync),
        new("/key/list", "GET", KeyEndpoints.ListAsync, MasterOnly: false),
        new("/key/regenerate", "POST", KeyEndpoints.RegenerateAsync),
        new("/key/block", "POST", KeyEndpoints.BlockAsync),
        new("/key/unblock", "POST", KeyEndpoints.UnblockAsync),
        new("/team/new", "POST", TeamEndpoints.NewAsync),
        new("/team/info", "GET", TeamEndpoints.InfoAsync),
        new("/team/update", "POST", TeamEndpoints.UpdateAsync),
        new("/team/delete", "POST", TeamEndpoints.DeleteAsync),
        new("/team/list", "GET", TeamEndpoints.ListAsync),
        new("/team/member_add", "POST", TeamMemberEndpoints.AddAsync),
        new("/team/member_update", "POST", TeamMemberEndpoints.UpdateAsync),
        new("/team/member_delete", "POST", TeamMemberEndpoints.DeleteAsync),
        new("/user/new", "POST", UserEndpoints.NewAsync),
        new("/user/info", "GET", UserEndpoints.InfoAsync),
        new("/user/update", "POST", UserEndpoints.UpdateAsync),
        new("/user/delete", "POST", UserEndpoints.DeleteAsync),
        new("/user/list", "GET", UserEndpoints.ListAsync),
        new("/user/daily/activity", "GET", DailyActivityEndpoints.UserAsync, MasterOnly: false),
        new("/team/daily/activity", "GET", DailyActivityEndpoints.TeamAsync),
        new("/model/live", "GET", ModelLiveEndpoint.HandleAsync),
        new("/model/new", "POST", ModelEndpoints.NewAsync),
        new("/model/update", "POST", ModelUpdateEndpoints.UpdateAsync),
        new("/model/delete", "POST", ModelEndpoints.DeleteAsync),
        new("/spend/logs", "GET", SpendEndpoints.LogsAsync),
        new("/spend/logs/ui", "GET", SpendEndpoints.LogsPageAsync, MasterOnly: false),
        new("/global/spend/report", "GET", SpendEndpoints.ReportAsync),
        new("/global/spend/models", "GET", SpendEndpoints.ModelsAsync),
    ];
}
