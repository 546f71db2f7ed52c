using System.Globalization;
using EdgeGw.Config;
using StackExchange.Redis;

namespace EdgeGw.Shared;

/// <summary>Turns LiteLLM-style Redis settings into StackExchange.Redis options.</summary>
internal static class RedisOptions
{
    public static ConfigurationOptions For(RedisSettings settings)
    {
        var options = new ConfigurationOptions
        {
            // Start (and keep serving) while Redis is down; the multiplexer reconnects by itself.
            AbortOnConnectFail = false,
            ConnectTimeout = Milliseconds(settings.Timeout * 4),
            SyncTimeout = Milliseconds(settings.Timeout),
            AsyncTimeout = Milliseconds(settings.Timeout),
            ConnectRetry = 1,
            ClientName = "edgegw",
        };
        if (settings.Url is { } url)
            FromUrl(options, url);
        else if (settings.Host is { } host)
            options.EndPoints.Add(host, settings.Port);
        options.User ??= settings.Username;
        options.Password ??= settings.Password;
        options.Ssl |= settings.Ssl;
        if (settings.Database is { } db)
            options.DefaultDatabase = db;
        return options;
    }

    /// <summary><c>redis[s]://[[user]:password@]host[:port][/db]</c>, as redis-py's <c>from_url</c> reads it.</summary>
    private static void FromUrl(ConfigurationOptions options, string text)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("redis" or "rediss"))
            throw new ConfigException("redis_url", "expected redis://[user:password@]host:port[/db] or rediss://… (the value is not repeated: it may hold a password)");
        options.EndPoints.Add(uri.Host, uri.IsDefaultPort || uri.Port < 0 ? 6379 : uri.Port);
        options.Ssl = uri.Scheme == "rediss";
        if (uri.UserInfo.Length > 0)
        {
            var info = Uri.UnescapeDataString(uri.UserInfo);
            var colon = info.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
                options.Password = info;
            else
            {
                if (colon > 0)
                    options.User = info[..colon];
                options.Password = info[(colon + 1)..];
            }
        }
        var path = uri.AbsolutePath.Trim('/');
        if (path.Length > 0 && int.TryParse(path, NumberStyles.None, CultureInfo.InvariantCulture, out var db))
            options.DefaultDatabase = db;
    }

    private static int Milliseconds(TimeSpan span) => (int)Math.Max(1, span.TotalMilliseconds);
}
