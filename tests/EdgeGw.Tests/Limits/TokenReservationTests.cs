using System.Net;
using System.Text;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Limits;

/// <summary>
/// tpm limits under concurrency: each request reserves its prompt estimate plus its output cap at
/// admission and settles to its usage, so requests in flight together pass a tpm limit by at most one reservation.
/// </summary>
public sealed class TokenReservationTests : IAsyncLifetime
{
    private const int Prompt = 10, Completion = 10; // what the upstream reports for every answer

    private FakeUpstream _upstream = null!;
    private TestGateway _gateway = null!;

    private static string Body(bool stream) =>
        $$"""{"model":"gpt","max_tokens":10,"stream":{{(stream ? "true" : "false")}},"messages":[{"role":"user","content":"hello"}]}""";

    public async Task InitializeAsync()
    {
        _upstream = await FakeUpstream.StartAsync();
        _gateway = await TestGateway.StartAsync(OpenAiDeploymentYaml.Of("gpt", _upstream), time: new FakeTime());
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task FortyConcurrentRequestsOnTpm500_TokensThroughStayWithinOneReservation(bool stream)
    {
        var key = await _gateway.NewKeyAsync("""{"tpm_limit":500}""");
        var body = Body(stream);
        var reservation = (Encoding.UTF8.GetByteCount(body) + 3) / 4 + 10;

        var responses = await HeldBurst.SendAsync(_gateway, _upstream, key, body, 40, c => HeldBurst.AnswerAsync(c, stream, Prompt, Completion));

        var admitted = responses.Count(r => r.StatusCode == HttpStatusCode.OK);
        var through = admitted * (Prompt + Completion);
        Assert.True(through <= 500 + reservation, $"{through} tokens through a tpm_limit of 500");
        Assert.Equal(500 / reservation + (500 % reservation == 0 ? 0 : 1), admitted); // admitted while the window had room
        foreach (var refused in responses.Where(r => r.StatusCode != HttpStatusCode.OK))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
            Assert.Contains("tpm_limit 500", (await AdminClient.ErrorOf(refused)).GetProperty("message").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task OutputCountType_ReservesOnlyTheOutputCap()
    {
        await using var gateway = await TestGateway.StartAsync(OpenAiDeploymentYaml.Of("gpt", _upstream), "  token_rate_limit_type: output\n", new FakeTime());
        var key = await gateway.NewKeyAsync("""{"tpm_limit":100}""");

        var responses = await HeldBurst.SendAsync(gateway, _upstream, key, Body(stream: false), 40, c => HeldBurst.AnswerAsync(c, false, Prompt, Completion));

        // max_tokens 10 a request: ten fill a window of 100 output tokens, whatever the prompts.
        Assert.Equal(10, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
    }
}
