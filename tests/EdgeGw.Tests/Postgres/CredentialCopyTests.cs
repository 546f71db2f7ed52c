using System.Net;
using EdgeGw.Ops;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Postgres;

/// <summary><c>edgegw db copy</c> carries stored credentials into LiteLLM's <c>LiteLLM_CredentialsTable</c>, still encrypted.</summary>
[Collection(PostgresCollection.Name)]
public class CredentialCopyTests(PostgresServer server)
{
    [Fact]
    public async Task StoredCredentialCopiedTwice_OneRowStillEncryptedAndBorrowedOnPostgres()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.RespondJson("""
            {"id":"chatcmpl-1","object":"chat.completion","created":1741569952,"model":"gpt-4o","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}}
            """);
        var path = TestGateway.NewDatabasePath();
        try
        {
            await using (var embedded = await TestGateway.StartAsync(AdminClient.CheapModel, databasePath: path))
            {
                await embedded.PostAdminAsync("/credentials",
                    $$$"""{"credential_name":"moved","credential_values":{"api_key":"sk-moved-secret","api_base":"{{{upstream.Url}}}/v1"},"credential_info":{}}""");
            }

            var db = server.CreateDatabase();
            foreach (var _ in new[] { 1, 2 })
            {
                using var output = new StringWriter();
                using var errors = new StringWriter();
                Assert.True(await DatabaseCopyCommand.RunAsync(["copy", "--from", "sqlite:" + path, "--to", server.Url(db)], output, errors) == 0, errors.ToString());
                Assert.Contains("credentials: 1 stored credentials", output.ToString(), StringComparison.Ordinal);
                Assert.DoesNotContain("sk-moved-secret", output.ToString(), StringComparison.Ordinal);
            }

            Assert.Equal(1L, server.Scalar(db, """SELECT count(*) FROM "LiteLLM_CredentialsTable" """));
            Assert.DoesNotContain("sk-moved-secret", (string)server.Scalar(db, """SELECT credential_values::text FROM "LiteLLM_CredentialsTable" """)!, StringComparison.Ordinal);
            await using var onPostgres = await TestGateway.StartAsync(AdminClient.CheapModel + """

                - model_name: borrower
                  litellm_params:
                    model: openai/gpt-4o
                    litellm_credential_name: moved
                """, databaseUrl: server.Url(db));
            using var response = await onPostgres.PostJsonAsync("/v1/chat/completions", """{"model":"borrower","messages":[{"role":"user","content":"hi"}]}""");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("Bearer sk-moved-secret", upstream.LastRequest.Headers["authorization"]);
        }
        finally
        {
            TestGateway.DeleteDatabase(path);
        }
    }
}
