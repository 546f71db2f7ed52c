using System.Collections.Concurrent;
using System.Net.Http.Headers;
using Microsoft.Extensions.Primitives;

namespace EdgeGw.Upstream;

/// <summary>
/// The answering provider's response headers, as LiteLLM's proxy returns them: every one again
/// as <c>llm_provider-&lt;name&gt;</c> (lower case), and OpenAI's <c>x-ratelimit-*</c> as they are,
/// unless the gateway's own key/team/user limits already filled them in.
/// </summary>
internal static class ProviderHeaders
{
    private const string Prefix = "llm_provider-";
    private const string RateLimitPrefix = "x-ratelimit-";
    // Provider header names repeat on every answer; the cap keeps a provider that mints names per
    // request from growing the table.
    private const int MaxCachedNames = 1024;
    private static readonly ConcurrentDictionary<string, string> PrefixedNames = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Adds <paramref name="upstream"/>'s headers to the client's response, if it has not started.</summary>
    public static void Copy(HttpResponseMessage upstream, HttpResponse client)
    {
        if (client.HasStarted)
            return;
        var headers = client.Headers;
        foreach (var (name, values) in upstream.Headers.NonValidated)
            Add(headers, name, values);
        foreach (var (name, values) in upstream.Content.Headers.NonValidated)
            Add(headers, name, values);
        // LiteLLM's litellm_remaining_requests_metric / _tokens_metric follow these two.
        Observability.RequestTelemetry.Of(client.HttpContext)?.ProviderRemaining(
            Remaining(upstream, "x-ratelimit-remaining-requests"), Remaining(upstream, "x-ratelimit-remaining-tokens"));
    }

    private static long Remaining(HttpResponseMessage upstream, string name) =>
        upstream.Headers.NonValidated.TryGetValues(name, out var values) && values.Count == 1
            && long.TryParse(values.ToString(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n)
            ? n
            : -1;

    /// <summary>The same from a Pipelines-client answer: its raw header bytes, strings reused per connection.</summary>
    public static void Copy(Http1.Http1Connection upstream, HttpResponse client)
    {
        if (client.HasStarted)
            return;
        var headers = client.Headers;
        var head = upstream.Head;
        for (var i = 0; i < head.Count; i++)
        {
            var (text, prefixed, value) = upstream.Strings.Get(i, head.Name(i), head.Value(i));
            // A name sent twice is one header with two values, as HttpClient groups it.
            Add(headers, text, prefixed, headers.TryGetValue(prefixed, out var earlier) ? StringValues.Concat(earlier, value) : new StringValues(value));
        }
        Observability.RequestTelemetry.Of(client.HttpContext)?.ProviderRemaining(
            Remaining(head.Find("x-ratelimit-remaining-requests"u8)), Remaining(head.Find("x-ratelimit-remaining-tokens"u8)));
    }

    private static long Remaining(ReadOnlySpan<byte> value) =>
        !value.IsEmpty && System.Buffers.Text.Utf8Parser.TryParse(value, out long n, out var used) && used == value.Length && n >= 0 ? n : -1;

    private static void Add(IHeaderDictionary headers, string name, HeaderStringValues values) =>
        Add(headers, name, Prefixed(name), values.Count == 1 ? new StringValues(values.ToString()) : new StringValues([.. values]));

    private static void Add(IHeaderDictionary headers, string name, string prefixed, StringValues value)
    {
        headers[prefixed] = value;
        if (name.StartsWith(RateLimitPrefix, StringComparison.OrdinalIgnoreCase) && !headers.ContainsKey(name))
            headers[name] = value;
    }

    public static string Prefixed(string name)
    {
        if (PrefixedNames.TryGetValue(name, out var prefixed))
            return prefixed;
        prefixed = Prefix + name.ToLowerInvariant();
        if (PrefixedNames.Count < MaxCachedNames)
            PrefixedNames.TryAdd(name, prefixed);
        return prefixed;
    }
}
