using System.Globalization;
using EdgeGw.Api;

namespace EdgeGw.Spend;

/// <summary>
/// LiteLLM's refusal once spend has reached a budget: <c>type: "budget_exceeded"</c>, 429 as current
/// LiteLLM answers it (rate-limit semantics, so clients back off rather than fail hard).
/// </summary>
internal static class BudgetError
{
    public static GatewayError Exceeded(string? who, long spendNanos, long maxNanos) => new(429,
        $"Budget has been exceeded!{who} Current cost: {Format(spendNanos)}, Max budget: {Format(maxNanos)}",
        "budget_exceeded", "429");

    public static string Format(long nanos) => Money.ToDollars(nanos).ToString(CultureInfo.InvariantCulture);
}
