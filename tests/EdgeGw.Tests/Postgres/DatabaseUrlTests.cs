using EdgeGw.Storage.Postgres;
using Npgsql;

namespace EdgeGw.Tests.Postgres;

public class DatabaseUrlTests
{
    private static NpgsqlConnectionStringBuilder Parse(string url, out DatabaseUrl parsed)
    {
        Assert.True(DatabaseUrl.TryParse(url, out parsed, out var error), error);
        return new NpgsqlConnectionStringBuilder(parsed.ConnectionString);
    }

    private static string Error(string url)
    {
        Assert.False(DatabaseUrl.TryParse(url, out _, out var error));
        return error;
    }

    [Fact]
    public void LiteLlmDocsUrl_MapsUserPasswordHostPortDatabase()
    {
        var b = Parse("postgresql://llmproxy:dbpassword9090@db.internal:5433/litellm", out var parsed);
        Assert.Equal(("llmproxy", "dbpassword9090", "db.internal", 5433, "litellm"), (b.Username, b.Password, b.Host, b.Port, b.Database));
        Assert.Null(parsed.Schema);
        Assert.Equal(SslMode.Prefer, b.SslMode);
    }

    [Fact]
    public void PostgresScheme_IsAcceptedAndPortDefaultsTo5432()
    {
        var b = Parse("postgres://u:p@localhost/db", out _);
        Assert.Equal(("localhost", 5432, "db"), (b.Host, b.Port, b.Database));
    }

    [Fact]
    public void PercentEncodedPassword_IsDecoded()
    {
        var b = Parse("postgresql://app%40corp:p%40ss%2Fw%3Ard%25%20x@h:5432/my%20db", out _);
        Assert.Equal("app@corp", b.Username);
        Assert.Equal("p@ss/w:rd% x", b.Password);
        Assert.Equal("my db", b.Database);
    }

    [Fact]
    public void UnencodedAtInPassword_LastAtEndsTheUserInfo()
    {
        var b = Parse("postgresql://user:p@ss@db:5432/litellm", out _);
        Assert.Equal(("user", "p@ss", "db"), (b.Username, b.Password, b.Host));
    }

    [Fact]
    public void SslModeAndSchema_AreMapped()
    {
        var b = Parse("postgresql://u:p@h/db?sslmode=require&schema=litellm&connection_limit=7&connect_timeout=12&application_name=gw", out var parsed);
        Assert.Equal(SslMode.Require, b.SslMode);
        Assert.Equal("litellm", parsed.Schema);
        Assert.Equal("litellm", b.SearchPath);
        Assert.Equal((7, 12, "gw"), (b.MaxPoolSize, b.Timeout, b.ApplicationName));
    }

    [Theory]
    [InlineData("disable", SslMode.Disable)]
    [InlineData("verify-ca", SslMode.VerifyCA)]
    [InlineData("verify-full", SslMode.VerifyFull)]
    public void EachLibpqSslMode_IsMapped(string mode, SslMode expected) =>
        Assert.Equal(expected, Parse($"postgresql://u@h/db?sslmode={mode}", out _).SslMode);

    [Fact]
    public void Ipv6HostWithPort_IsParsed()
    {
        var b = Parse("postgresql://u:p@[::1]:6543/db", out _);
        Assert.Equal(("::1", 6543), (b.Host, b.Port));
    }

    [Fact]
    public void SocketFolderInHostParameter_IsUsed()
    {
        var b = Parse("postgresql://u:p@/db?host=%2Fvar%2Frun%2Fpostgresql", out _);
        Assert.Equal("/var/run/postgresql", b.Host);
    }

    [Fact]
    public void UnknownParameters_AreIgnored()
    {
        var b = Parse("postgresql://u:p@h/db?pool_timeout=10&statement_cache_size=100&pgbouncer=true", out _);
        Assert.True(b.NoResetOnClose);
    }

    [Fact]
    public void Redacted_HidesThePassword()
    {
        Parse("postgresql://admin:s3cr3t-pw@db:5432/litellm?sslmode=require", out var parsed);
        Assert.Equal("postgresql://admin:****@db:5432/litellm", parsed.Redacted);
        Assert.DoesNotContain("s3cr3t", parsed.Redacted, StringComparison.Ordinal);
    }

    [Fact]
    public void MysqlUrl_IsRefusedNamingTheSchemes() =>
        Assert.Contains("postgresql://", Error("mysql://u:p@h/db"), StringComparison.Ordinal);

    [Fact]
    public void BadPort_IsRefusedNamingThePort() =>
        Assert.Contains("'54x2'", Error("postgresql://u:p@h:54x2/db"), StringComparison.Ordinal);

    [Fact]
    public void UnknownSslMode_IsRefusedNamingTheValue() =>
        Assert.Contains("'required'", Error("postgresql://u:p@h/db?sslmode=required"), StringComparison.Ordinal);

    [Fact]
    public void MalformedPercentEscapeInPassword_IsRefusedWithoutShowingIt()
    {
        var error = Error("postgresql://u:ab%zzsecret@h/db");
        Assert.Contains("password", error, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", error, StringComparison.Ordinal);
    }
}
