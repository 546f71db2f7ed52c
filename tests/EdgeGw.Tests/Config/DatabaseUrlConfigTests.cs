using EdgeGw.Config;
using EdgeGw.Storage;

namespace EdgeGw.Tests.Config;

/// <summary>Which database the gateway opens: LiteLLM's <c>database_url</c> / <c>DATABASE_URL</c> select PostgreSQL.</summary>
public sealed class DatabaseUrlConfigTests
{
    private static DatabaseChoice Choose(string general, Dictionary<string, string> env) =>
        DatabaseChoice.For(ConfigLoader.Parse($"general_settings: {{ master_key: sk-m{general} }}\n", env.GetValueOrDefault).General, "edgegw.db");

    [Fact]
    public void DatabaseUrlInTheEnvironment_SelectsPostgres()
    {
        var choice = Choose("", new() { ["DATABASE_URL"] = "postgresql://u:p@db:5432/litellm" });

        Assert.Equal(new DatabaseChoice.Postgres("postgresql://u:p@db:5432/litellm", "DATABASE_URL"), choice);
    }

    [Fact]
    public void ConfigDatabaseUrlFromOsEnviron_ResolvesAndWinsOverDatabaseUrl()
    {
        var choice = Choose(", database_url: os.environ/PG_URL", new() { ["PG_URL"] = "postgresql://a@one/x", ["DATABASE_URL"] = "postgresql://b@two/y" });

        Assert.Equal(new DatabaseChoice.Postgres("postgresql://a@one/x", "general_settings.database_url"), choice);
    }

    [Fact]
    public void DatabaseConnectionPoolLimit_BecomesTheUrlsConnectionLimit()
    {
        var choice = Choose(", database_connection_pool_limit: 7", new() { ["DATABASE_URL"] = "postgresql://u:p@db:5432/litellm?sslmode=disable" });

        Assert.Equal("postgresql://u:p@db:5432/litellm?sslmode=disable&connection_limit=7", ((DatabaseChoice.Postgres)choice).Url);
    }

    [Fact]
    public void ConnectionLimitInTheUrl_WinsOverThePoolLimitSetting()
    {
        var choice = Choose(", database_connection_pool_limit: 7", new() { ["DATABASE_URL"] = "postgresql://u:p@db/litellm?connection_limit=3" });

        Assert.Equal("postgresql://u:p@db/litellm?connection_limit=3", ((DatabaseChoice.Postgres)choice).Url);
    }

    [Fact]
    public void NoDatabaseUrl_KeepsTheSqliteFile()
    {
        Assert.Equal(new DatabaseChoice.Sqlite("edgegw.db"), Choose("", []));
    }
}
