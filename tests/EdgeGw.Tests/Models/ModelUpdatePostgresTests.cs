using System.Net;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Models;

/// <summary>Model updates on PostgreSQL: the change lands in LiteLLM's <c>LiteLLM_ProxyModelTable</c> and serves at once.</summary>
[Collection(PostgresCollection.Name)]
public sealed class ModelUpdatePostgresTests(PostgresServer server)
{
    [Fact]
    public async Task PatchOnPostgres_ChangesLiteLlmsRowAndTheNextRequest()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.RespondJson(StoredModels.Completion);
        await using var other = await FakeUpstream.StartAsync();
        other.RespondJson(StoredModels.Completion);
        var db = server.CreateDatabase();
        await using var gateway = await TestGateway.StartAsync(AdminClient.CheapModel, StoredModels.On, databaseUrl: server.Url(db));
        await gateway.PostAdminAsync("/model/new", StoredModels.New(upstream));
        var storedKey = (string?)server.Scalar(db, """SELECT litellm_params->>'api_key' FROM "LiteLLM_ProxyModelTable" WHERE model_id = 'm-1'""");

        using var request = new HttpRequestMessage(HttpMethod.Patch, "/model/m-1/update")
        {
            Content = new StringContent("{\"litellm_params\":{\"api_base\":\"" + other.Url + "/v1\",\"rpm\":8},\"model_info\":{\"base_model\":\"gpt-4o\"}}",
                System.Text.Encoding.UTF8, "application/json"),
        };
        using var patched = await gateway.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);

        Assert.Equal($"8 chat gpt-4o default_user_id {storedKey}", (string?)server.Scalar(db, """
            SELECT concat_ws(' ', litellm_params->>'rpm', model_info->>'mode', model_info->>'base_model', updated_by, litellm_params->>'api_key')
            FROM "LiteLLM_ProxyModelTable" WHERE model_id = 'm-1'
            """));
        using var response = await gateway.PostJsonAsync("/v1/chat/completions", StoredModels.Chat);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(upstream.Requests);
        Assert.Equal("Bearer sk-db-upstream-key", other.LastRequest.Headers["authorization"]);
        var listing = await gateway.GetAdminAsync("/v2/model/info?modelId=m-1");
        Assert.True(Assert.Single(listing.GetProperty("data").EnumerateArray()).GetProperty("model_info").GetProperty("db_model").GetBoolean());
    }
}
