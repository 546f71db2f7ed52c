using System.Globalization;
using EdgeGw.Api;

namespace EdgeGw.Limits;

/// <summary>How limits show on the wire: the 429 for a refusal, and OpenAI's <c>x-ratelimit-*</c> headers.</summary>
internal static class RateLimitResponse
{
    public static GatewayError Refused(in Refusal refusal, string modelGroup)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(refusal.RetryAfter.TotalSeconds));
        var entity = refusal.Entity;
        if (entity.Scope == "deployment")
        {
            // LiteLLM's wording, which clients and dashboards already match on.
            return new GatewayError(429,
                $"No deployments available for selected model, Try again in {seconds} seconds. Passed model={modelGroup}. Every deployment is at its rpm/tpm limit.",
                "rate_limit_error", "429") { RetryAfterSeconds = seconds };
        }
        var what = refusal.Kind switch
        {
            LimitKind.Requests => $"rpm_limit {refusal.Limit} (requests per minute)",
            LimitKind.Tokens => $"tpm_limit {refusal.Limit} (tokens per minute)",
            _ => $"max_parallel_requests {refusal.Limit}",
        };
        var whose = entity.Scope == "global" ? "the proxy" : $"{entity.Scope} '{entity.Name}'";
        return new GatewayError(429, $"Rate limit exceeded: {whose} has {what}; the limit resets in {seconds}s.", "rate_limit_error", "429")
        {
            RetryAfterSeconds = seconds,
        };
    }

    /// <summary>OpenAI's rate-limit headers for the tightest request and token limits that applied.</summary>
    public static void WriteHeaders(HttpResponse response, ref LimitTargets targets, int count, long now)
    {
        RateBucket? requests = null, tokens = null;
        for (var i = 0; i < count; i++)
        {
            var entity = targets[i];
            if (entity?.Requests is { } r && (requests is null || r.Remaining(now) < requests.Remaining(now)))
                requests = r;
            if (entity?.Tokens is { } t && (tokens is null || t.Remaining(now) < tokens.Remaining(now)))
                tokens = t;
        }
        var headers = response.Headers;
        if (requests is not null)
        {
            headers["x-ratelimit-limit-requests"] = requests.LimitText;
            headers["x-ratelimit-remaining-requests"] = Math.Max(0, requests.Remaining(now)).ToString(CultureInfo.InvariantCulture);
            headers["x-ratelimit-reset-requests"] = Duration(requests.UntilFull(now));
        }
        if (tokens is not null)
        {
            headers["x-ratelimit-limit-tokens"] = tokens.LimitText;
            headers["x-ratelimit-remaining-tokens"] = Math.Max(0, tokens.Remaining(now)).ToString(CultureInfo.InvariantCulture);
            headers["x-ratelimit-reset-tokens"] = Duration(tokens.UntilFull(now));
        }
    }

    /// <summary>OpenAI's duration style: <c>6m0s</c>, <c>1.5s</c>, <c>0s</c>.</summary>
    public static string Duration(TimeSpan span)
    {
        if (span.TotalSeconds >= 60)
            return $"{(int)span.TotalMinutes}m{span.Seconds}s";
        var seconds = Math.Round(span.TotalSeconds, 3);
        // A bucket a request has barely dented is full again within a millisecond: the usual answer, without a new string.
        return seconds == 0 ? "0s" : string.Create(CultureInfo.InvariantCulture, $"{seconds}s");
    }
}
