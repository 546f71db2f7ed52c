using System.Globalization;

namespace EdgeGw.Config;

/// <summary>
/// <c>redis[s]://[[user]:password@]host[:port][/db][?ssl_cert_reqs=none&amp;…]</c>, as redis-py's
/// <c>from_url</c> reads it. What the URL says wins over the other settings; what it leaves out they fill.
/// Errors never repeat the URL: it may hold a password.
/// </summary>
internal static class RedisSettingsUrl
{
    public static RedisSettings Resolve(RedisSettings settings, string path)
    {
        if (settings.Url is not { } text)
            return settings;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("redis" or "rediss") || uri.Host.Length == 0)
            throw new ConfigException(path, "expected redis://[user:password@]host:port[/db] or rediss://… (the value is not repeated: it may hold a password)");
        var resolved = settings with
        {
            Host = Uri.UnescapeDataString(uri.Host.Trim('[', ']')),
            Port = uri.IsDefaultPort || uri.Port < 0 ? 6379 : uri.Port,
            Ssl = settings.Ssl || uri.Scheme == "rediss",
            ClusterNodes = [],
            SentinelNodes = [],
        };
        if (uri.UserInfo.Length > 0)
        {
            // Split before unescaping: an escaped ':' belongs to the name or the password.
            var colon = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
            var user = colon < 0 ? "" : uri.UserInfo[..colon];
            var password = colon < 0 ? uri.UserInfo : uri.UserInfo[(colon + 1)..];
            resolved = resolved with
            {
                Username = user.Length > 0 ? Uri.UnescapeDataString(user) : resolved.Username,
                Password = password.Length > 0 ? Uri.UnescapeDataString(password) : resolved.Password,
            };
        }
        var db = uri.AbsolutePath.Trim('/');
        if (db.Length > 0)
            resolved = resolved with { Database = Database(db, path) };
        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
            resolved = Query(resolved, pair, path);
        return resolved;
    }

    private static RedisSettings Query(RedisSettings settings, string pair, string path)
    {
        var equals = pair.IndexOf('=', StringComparison.Ordinal);
        var name = Uri.UnescapeDataString(equals < 0 ? pair : pair[..equals]);
        var value = equals < 0 ? "" : Uri.UnescapeDataString(pair[(equals + 1)..].Replace('+', ' '));
        var at = $"{path} (?{name}=)";
        return name switch
        {
            "db" => settings with { Database = Database(value, at) },
            "ssl_cert_reqs" => settings with { SslCertReqs = RedisSettingsReader.CertificateCheck(value, at) },
            "ssl_ca_certs" => settings with { SslCaCerts = value },
            "ssl_check_hostname" => settings with { SslCheckHostname = Yaml11.Bool(value) ?? throw new ConfigException(at, "expected true or false") },
            "ssl_certfile" => settings with { SslCertFile = value },
            "ssl_keyfile" => settings with { SslKeyFile = value },
            // redis-py's pool and socket tuning (max_connections, socket_timeout, …) has no counterpart here.
            _ => settings,
        };
    }

    private static int Database(string text, string path) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var db)
            ? db
            : throw new ConfigException(path, "the database after the host must be a number (redis://host:6379/0)");
}
