using System.Globalization;
using EdgeGw.Api;

namespace EdgeGw.Spend;

/// <summary>LiteLLM's refusal once spend has reached a budget: 400, <c>type: "budget_exceeded"</c>.</summary>
internal static class BudgetError
{
    public static GatewayError Exceeded(string? who, long spendNanos, long maxNanos) => new(400,
        $"Budget has been exceeded!{who} Current cost: {Format(spendNanos)}, Max budget: {Format(maxNanos)}",
        "budget_exceeded", "400");

    public static string Format(long nanos) => Money.ToDollars(nanos).ToString(CultureInfo.InvariantCulture);
}
