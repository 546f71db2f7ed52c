using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.E2E;

/// <summary>
/// The native binary on a real PostgreSQL server that is stopped in the middle of steady traffic and
/// started again: cached keys keep serving, readiness says the database is unavailable, and every
/// request answered 200 ends up as one row in LiteLLM's ledger once the database is back.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresOutageTests(PostgresServer server)
{
    private const int Requests = 300;
    private const int OutageStartsAt = 100;
    private const int OutageEndsAt = 200;

    [Fact]
    public async Task DatabaseStoppedMidLoad_EveryServedRequestLandsInSpendLogsAndReadinessReportsTheOutage()
    {
        var database = server.CreateDatabase();
        var environment = new Dictionary<string, string> { ["DATABASE_URL"] = server.Url(database) };
        await using var gateway = await GatewayProcess.StartAsync(PersistenceTests.Config, environment: environment);
        using var generated = await gateway.Client.PostAsync("/key/generate", PersistenceTests.Json("""{"max_budget":1000}"""));
        Assert.Equal(HttpStatusCode.OK, generated.StatusCode);
        var key = JsonDocument.Parse(await generated.Content.ReadAsStringAsync()).RootElement.GetProperty("key").GetString()!;
        using var client = new HttpClient { BaseAddress = gateway.Client.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);

        var served = 0;
        var servedDuringOutage = 0;
        var refusals = new List<string>();
        string? readinessDuringOutage = null;
        try
        {
            for (var i = 0; i < Requests; i++)
            {
                if (i == OutageStartsAt)
                    server.Shutdown();
                if (i == OutageEndsAt)
                {
                    // Readiness is asked until the writer has met the stopped server (bounded): a commit must fail first.
                    for (var attempt = 0; attempt < 100 && readinessDuringOutage is null; attempt++)
                    {
                        using var ready = await gateway.Client.GetAsync("/health/readiness");
                        if (ready.StatusCode != HttpStatusCode.OK)
                            readinessDuringOutage = $"{(int)ready.StatusCode} {await ready.Content.ReadAsStringAsync()}";
                        else
                            await Task.Delay(100);
                    }
                    server.Restart();
                }
                using var chat = await client.PostAsync("/v1/chat/completions", PersistenceTests.Json("""{"model":"priced","messages":[{"role":"user","content":"hi"}]}"""));
                if (chat.StatusCode == HttpStatusCode.OK)
                {
                    served++;
                    if (i is >= OutageStartsAt and < OutageEndsAt)
                        servedDuringOutage++;
                }
                else
                {
                    refusals.Add($"#{i}: {(int)chat.StatusCode} {await chat.Content.ReadAsStringAsync()}");
                }
                await Task.Delay(10);
            }
        }
        finally
        {
            server.Restart();
        }

        Assert.True(refusals.Count == 0, "requests refused: " + string.Join('\n', refusals.Take(5)));
        Assert.True(servedDuringOutage > 0, "no request was answered while the database was down");
        Assert.NotNull(readinessDuringOutage);
        Assert.StartsWith("503 ", readinessDuringOutage, StringComparison.Ordinal);
        Assert.Contains("\"db\":\"unavailable\"", readinessDuringOutage, StringComparison.Ordinal);

        var drained = false;
        for (var i = 0; i < 300 && !drained; i++)
        {
            await Task.Delay(100);
            drained = (await gateway.Client.GetStringAsync("/metrics")).Contains("edgegw_spend_queued_rows 0.0\n", StringComparison.Ordinal);
        }
        Assert.True(drained, "the queued spend rows never landed after the database returned");
        using (var ready = await gateway.Client.GetAsync("/health/readiness"))
        {
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
            Assert.Contains("\"db\":\"connected\"", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        var token = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
        var rows = Convert.ToInt64(server.Scalar(database, $"""SELECT count(*) FROM "LiteLLM_SpendLogs" WHERE api_key = '{token}'"""), CultureInfo.InvariantCulture);
        var distinct = Convert.ToInt64(server.Scalar(database, $"""SELECT count(DISTINCT request_id) FROM "LiteLLM_SpendLogs" WHERE api_key = '{token}'"""), CultureInfo.InvariantCulture);
        var rowSum = Convert.ToDouble(server.Scalar(database, $"""SELECT sum(spend) FROM "LiteLLM_SpendLogs" WHERE api_key = '{token}'"""), CultureInfo.InvariantCulture);
        var keySpend = Convert.ToDouble(server.Scalar(database, $"""SELECT spend FROM "LiteLLM_VerificationToken" WHERE token = '{token}'"""), CultureInfo.InvariantCulture);
        Assert.Equal(served, rows);
        Assert.Equal(served, distinct);
        Assert.True(rowSum > 0);
        // Both are sums of the same float amounts in different orders: equal to far below a millionth of a cent.
        Assert.True(Math.Abs(rowSum - keySpend) < 1e-9, $"key spend {keySpend} but its {rows} rows sum to {rowSum}");
    }
}
