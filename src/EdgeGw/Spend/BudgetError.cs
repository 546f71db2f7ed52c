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

    /// <summary>Spend is under the budget but requests in flight have reserved the rest: they may still cost it.</summary>
    public static GatewayError Reserved(string? who, long spendNanos, long reservedNanos, long maxNanos) => new(429,
        $"Budget has been exceeded!{who} Current cost: {Format(spendNanos)}, Max budget: {Format(maxNanos)}, "
        + $"reserved by requests in flight: {Format(reservedNanos)}. Retry when they finish.",
        "budget_exceeded", "429") { RetryAfterSeconds = 1 };

    public static string Format(long nanos) => Money.ToDollars(nanos).ToString(CultureInfo.InvariantCulture);
}
