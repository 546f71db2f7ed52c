using System.Globalization;
using EdgeGw.Routing;
using EdgeGw.Spend;

namespace EdgeGw.Api;

/// <summary>
/// LiteLLM's request headers that act like body fields: <c>x-litellm-tags</c> (comma-separated),
/// <c>x-litellm-customer-id</c> / <c>x-litellm-end-user-id</c> (the end user, ahead of any body field)
/// <c>x-litellm-timeout</c> (seconds, ahead of the body's <c>timeout</c>) and
/// <c>x-litellm-num-retries</c> (ahead of the body's <c>num_retries</c>, as LiteLLM copies it over) and
/// <c>x-litellm-spend-logs-metadata</c> (a JSON object, ahead of the body's <c>spend_logs_metadata</c>).
/// </summary>
internal static class LiteLlmHeaders
{
    public static RequestRoutingOptions Apply(IHeaderDictionary headers, RequestRoutingOptions options)
    {
        var attribution = options.Attribution;
        if (headers.TryGetValue("x-litellm-tags", out var tags) && tags.ToString() is { Length: > 0 } list)
            (attribution ??= new()).OfferTags(RequestAttribution.SplitTags(list), RequestAttribution.TagsFromHeader);
        if ((headers.TryGetValue("x-litellm-customer-id", out var customer) || headers.TryGetValue("x-litellm-end-user-id", out customer))
            && customer.ToString() is { Length: > 0 } endUser)
            (attribution ??= new()).OfferEndUser(endUser, RequestAttribution.EndUserFromHeader);
        if (headers.TryGetValue("x-litellm-timeout", out var timeout)
            && double.TryParse(timeout.ToString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds is > 0 and < 86_400)
            options = options with { Timeout = TimeSpan.FromSeconds(seconds) };
        if (headers.TryGetValue("x-litellm-spend-logs-metadata", out var spendLogs) && spendLogs.ToString() is { Length: > 0 } json && IsJsonObject(json))
            (attribution ??= new()).OfferSpendLogsMetadata(json, overrides: true);
        if (headers.TryGetValue("x-litellm-num-retries", out var retries)
            && int.TryParse(retries.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            options = options with { NumRetries = n };
        return ReferenceEquals(attribution, options.Attribution) ? options : options with { Attribution = attribution };
    }

    // The value is stored verbatim inside the row's metadata JSON: anything but one whole object is ignored.
    private static bool IsJsonObject(string text)
    {
        try
        {
            var reader = new System.Text.Json.Utf8JsonReader(System.Text.Encoding.UTF8.GetBytes(text));
            if (!reader.Read() || reader.TokenType != System.Text.Json.JsonTokenType.StartObject)
                return false;
            reader.Skip();
            return !reader.Read();
        }
        catch (System.Text.Json.JsonException)
        {
            return false;
        }
    }
}
