using System.Net;

namespace EdgeGw.Tests.Providers.Gemini;

public sealed class GeminiVersionedApiBaseTests : GeminiTestBase
{
    protected override string ApiBaseSuffix => "/v1beta/";
    protected override string ModelId => "models/gemini-2.0-flash";

    [Fact]
    public async Task ApiBaseWithVersionAndPrefixedModel_AreNotDoubled()
    {
        Upstream.RespondJson(GeminiWireFixtures.Simple);

        using var response = await ChatAsync(UserMessage());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("/v1beta/models/gemini-2.0-flash:generateContent", Upstream.LastRequest.PathAndQuery);
    }
}
