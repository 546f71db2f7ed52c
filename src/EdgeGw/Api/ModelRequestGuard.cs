using EdgeGw.Auth;
using EdgeGw.Providers;
using EdgeGw.Routing;
using EdgeGw.Spend;

namespace EdgeGw.Api;

/// <summary>
/// What every model request (chat, messages, embeddings) passes between routing and the provider:
/// the caller's model allowlist and budgets before, the bill after.
/// </summary>
internal static class ModelRequestGuard
{
    public static GatewayError? Admit(HttpContext context, GatewayState state, ModelGroup group, out Caller caller)
    {
        caller = Caller.Of(context);
        return ModelAccess.Check(caller, state.Data.Accounts, group.Name) ?? state.Data.Ledger.Check(caller, state.GlobalBudget);
    }

    public static RequestAccounting Begin(HttpContext context, GatewayState state, Caller caller, ModelGroup group, ChatEndpoint endpoint) =>
        new(state.Data.Ledger, caller, context, group.Name) { Endpoint = endpoint };
}
