using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.E2E;

/// <summary>Two native gateway processes on one PostgreSQL database, as replicas behind a load balancer run.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresReplicaProcessTests(PostgresServer server)
{
    private const string Chat = """{"model":"cheap","messages":[{"role":"user","content":"hi"}]}""";

    private static string Config(string databaseUrl) => $"""
        model_list:
          - model_name: cheap
            litellm_params:
              model: mock/cheap
              mock_response: one two three
              input_cost_per_token: 0.001
              output_cost_per_token: 0.002
        general_settings:
          master_key: {GatewayProcess.MasterKey}
          database_url: {databaseUrl}
        """;

    private static async Task<HttpStatusCode> ChatAsync(GatewayProcess gateway, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = new StringContent(Chat, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var response = await gateway.Client.SendAsync(request);
        return response.StatusCode;
    }

    /// <summary>Polls until the chat answers <paramref name="status"/> or <paramref name="bound"/> passes; the last status.</summary>
    private static async Task<HttpStatusCode> ChatWithinAsync(GatewayProcess gateway, string key, HttpStatusCode status, TimeSpan bound)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var got = await ChatAsync(gateway, key);
            if (got == status || clock.Elapsed > bound)
                return got;
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task KeyMadeOnOneProcess_WorksOnTheOtherAndStopsThereOnceDeleted_SpendFromBothInOneLog()
    {
        var url = server.Url(server.CreateDatabase());
        await using var a = await GatewayProcess.StartAsync(Config(url));
        await using var b = await GatewayProcess.StartAsync(Config(url));

        using var generated = await a.Client.PostAsync("/key/generate", new StringContent("{}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, generated.StatusCode);
        var key = JsonDocument.Parse(await generated.Content.ReadAsStringAsync()).RootElement.GetProperty("key").GetString()!;

        Assert.Equal(HttpStatusCode.OK, await ChatWithinAsync(b, key, HttpStatusCode.OK, TimeSpan.FromSeconds(1)));
        Assert.Equal(HttpStatusCode.OK, await ChatAsync(a, key));

        // Both requests' rows in the one ledger, read through either process.
        var rows = 0;
        for (var i = 0; i < 100 && rows < 2; i++)
        {
            await Task.Delay(50);
            rows = JsonDocument.Parse(await b.Client.GetStringAsync("/spend/logs")).RootElement.GetArrayLength();
        }
        Assert.Equal(2, rows);

        using var deleted = await a.Client.PostAsync("/key/delete", new StringContent($$"""{"keys":["{{key}}"]}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, await ChatWithinAsync(b, key, HttpStatusCode.Unauthorized, TimeSpan.FromSeconds(1)));
    }
}
