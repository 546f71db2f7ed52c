namespace EdgeGw.Api.Responses;

/// <summary>
/// Ids in OpenAI's shapes (<c>resp_…</c>, <c>msg_…</c>, <c>fc_…</c>, <c>rs_…</c>): clients and the
/// Agents SDK only pass them back, but some check the prefix.
/// </summary>
internal static class ResponseIds
{
    public const string ResponsePrefix = "resp_";

    /// <summary>A new response id, random (v4) so it cannot be guessed from another.</summary>
    public static string NewResponseId() => ResponsePrefix + Guid.NewGuid().ToString("N");

    /// <summary>An output item's id, derived from its response's (<paramref name="prefix"/> like <c>"msg_"</c>).</summary>
    public static string Item(string responseId, string prefix, int index = 0) =>
        prefix + responseId.AsSpan(ResponsePrefix.Length).ToString() + (index == 0 ? "" : "_" + index.ToString(System.Globalization.CultureInfo.InvariantCulture));
}
