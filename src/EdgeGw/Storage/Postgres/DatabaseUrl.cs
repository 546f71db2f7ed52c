using System.Globalization;
using System.Text;
using Npgsql;

namespace EdgeGw.Storage.Postgres;

/// <summary>
/// A <c>DATABASE_URL</c> as LiteLLM users write it (Prisma's form of libpq's URL):
/// <c>postgresql://user:password@host:port/database?sslmode=require&amp;schema=litellm</c>, turned
/// into an Npgsql connection string. User, password, host and database are percent-decoded; a
/// password holding an unencoded <c>@</c> still works (the last <c>@</c> ends it, as hosts cannot
/// hold one). Query parameters that mean something to Npgsql are mapped; others are ignored.
/// </summary>
internal sealed record DatabaseUrl(string ConnectionString, string? Schema, string Redacted)
{
    public static bool TryParse(string url, out DatabaseUrl parsed, out string error)
    {
        parsed = null!;
        error = "";
        var text = url.Trim();
        var scheme = text.IndexOf("://", StringComparison.Ordinal);
        var name = scheme < 0 ? "" : text[..scheme];
        if (name is not ("postgresql" or "postgres"))
        {
            error = "DATABASE_URL must start with postgresql:// or postgres://";
            return false;
        }
        var rest = text[(scheme + 3)..];
        var queryStart = rest.IndexOf('?', StringComparison.Ordinal);
        var query = queryStart < 0 ? "" : rest[(queryStart + 1)..];
        var beforeQuery = queryStart < 0 ? rest : rest[..queryStart];
        var at = beforeQuery.LastIndexOf('@');
        var userInfo = at < 0 ? "" : beforeQuery[..at];
        var hostAndPath = at < 0 ? beforeQuery : beforeQuery[(at + 1)..];
        var slash = hostAndPath.IndexOf('/', StringComparison.Ordinal);
        var hostPort = slash < 0 ? hostAndPath : hostAndPath[..slash];
        var path = slash < 0 ? "" : hostAndPath[(slash + 1)..];

        var b = new NpgsqlConnectionStringBuilder();
        var colon = userInfo.IndexOf(':', StringComparison.Ordinal);
        if (!Decode(colon < 0 ? userInfo : userInfo[..colon], "user name", out var user, ref error)
            || !Decode(colon < 0 ? "" : userInfo[(colon + 1)..], "password", out var password, ref error)
            || !Decode(path, "database name", out var database, ref error)
            || !HostAndPort(hostPort, b, ref error))
            return false;
        if (user.Length > 0)
            b.Username = user;
        if (colon >= 0)
            b.Password = password;
        if (database.Length > 0)
            b.Database = database;

        string? schema = null;
        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var key = eq < 0 ? pair : pair[..eq];
            if (!Decode(eq < 0 ? "" : pair[(eq + 1)..], key, out var value, ref error) || !Apply(key, value, b, ref schema, ref error))
                return false;
        }
        if (schema is not null)
            b.SearchPath = schema;
        // Shown in logs and errors: everything but the password.
        var redacted = $"{name}://{(user.Length > 0 ? Uri.EscapeDataString(user) + (colon >= 0 ? ":****" : "") + "@" : "")}{hostPort}/{path}";
        parsed = new DatabaseUrl(b.ConnectionString, schema, redacted);
        return true;
    }

    private static bool Apply(string key, string value, NpgsqlConnectionStringBuilder b, ref string? schema, ref string error)
    {
        switch (key)
        {
            case "sslmode":
                SslMode? mode = value switch
                {
                    "disable" => SslMode.Disable,
                    "allow" => SslMode.Allow,
                    "prefer" => SslMode.Prefer,
                    "require" => SslMode.Require,
                    "verify-ca" => SslMode.VerifyCA,
                    "verify-full" => SslMode.VerifyFull,
                    _ => null,
                };
                if (mode is null)
                    return Bad(out error, $"sslmode '{value}' is not one of disable, allow, prefer, require, verify-ca, verify-full");
                b.SslMode = mode.Value;
                return true;
            case "sslaccept":
                // Prisma's switch: strict checks the certificate and its host name.
                if (value == "strict")
                    b.SslMode = SslMode.VerifyFull;
                return true;
            case "sslrootcert":
                b.RootCertificate = value;
                return true;
            case "sslcert":
                b.SslCertificate = value;
                return true;
            case "sslkey":
                b.SslKey = value;
                return true;
            case "schema":
                schema = value.Length == 0 ? null : value;
                return true;
            case "host":
                // libpq's and Prisma's way to name a unix socket folder: ?host=/var/run/postgresql
                b.Host = value;
                return true;
            case "application_name":
                b.ApplicationName = value;
                return true;
            case "connection_limit":
                return Number(key, value, 1, out var limit, ref error) && Set(() => b.MaxPoolSize = limit);
            case "connect_timeout":
                return Number(key, value, 0, out var seconds, ref error) && Set(() => b.Timeout = seconds);
            case "pgbouncer":
                // PgBouncer in transaction mode keeps no session state across statements.
                if (value == "true")
                    b.NoResetOnClose = true;
                return true;
            default:
                return true;
        }
    }

    private static bool Set(Action set)
    {
        set();
        return true;
    }

    private static bool Number(string key, string value, int min, out int number, ref string error)
    {
        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out number) && number >= min)
            return true;
        error = $"DATABASE_URL: {key} must be a whole number of at least {min}, got '{value}'";
        return false;
    }

    private static bool HostAndPort(string hostPort, NpgsqlConnectionStringBuilder b, ref string error)
    {
        if (hostPort.Length == 0)
            return true; // localhost, or ?host= names a socket
        string host;
        var portText = "";
        if (hostPort.StartsWith('['))
        {
            var close = hostPort.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
                return Bad(out error, "DATABASE_URL: an IPv6 host must be closed with ']'");
            host = hostPort[1..close];
            if (close + 1 < hostPort.Length)
            {
                if (hostPort[close + 1] != ':')
                    return Bad(out error, "DATABASE_URL: expected ':port' after the IPv6 host");
                portText = hostPort[(close + 2)..];
            }
        }
        else if (hostPort.Contains(',', StringComparison.Ordinal))
        {
            // libpq's several hosts (host1:5432,host2:5432): Npgsql reads the same list.
            b.Host = hostPort;
            return true;
        }
        else
        {
            var colon = hostPort.LastIndexOf(':');
            host = colon < 0 ? hostPort : hostPort[..colon];
            portText = colon < 0 ? "" : hostPort[(colon + 1)..];
        }
        if (!Decode(host, "host", out var decoded, ref error))
            return false;
        b.Host = decoded;
        if (portText.Length > 0)
        {
            if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
                return Bad(out error, $"DATABASE_URL: port '{portText}' is not a number from 1 to 65535");
            b.Port = port;
        }
        return true;
    }

    /// <summary>Percent-decoding that refuses a malformed escape instead of passing it on as text.</summary>
    private static bool Decode(string text, string what, out string decoded, ref string error)
    {
        decoded = text;
        if (!text.Contains('%', StringComparison.Ordinal))
            return true;
        var bytes = new List<byte>(text.Length);
        Span<byte> one = stackalloc byte[4];
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '%')
            {
                if (i + 2 >= text.Length || !byte.TryParse(text.AsSpan(i + 1, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var b))
                {
                    decoded = "";
                    return Bad(out error, $"DATABASE_URL: the {what} has a malformed percent-escape (write a literal % as %25)");
                }
                bytes.Add(b);
                i += 2;
            }
            else
            {
                var n = Encoding.UTF8.GetBytes(text.AsSpan(i, char.IsHighSurrogate(text[i]) && i + 1 < text.Length ? 2 : 1), one);
                if (n > 0 && char.IsHighSurrogate(text[i]))
                    i++;
                for (var k = 0; k < n; k++)
                    bytes.Add(one[k]);
            }
        }
        decoded = Encoding.UTF8.GetString([.. bytes]);
        return true;
    }

    private static bool Bad(out string error, string message)
    {
        error = message;
        return false;
    }
}
