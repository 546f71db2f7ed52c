using System.Net;
using System.Text;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Spend;

/// <summary>
/// Budgets under concurrency: each request reserves its priced estimate (prompt estimate × input
/// price + output cap × output price) at admission, so requests in flight together cannot pass a
/// budget by more than one reservation, and every path gives the reservation back.
/// </summary>
public sealed class BudgetReservationTests : IAsyncLifetime
{
    private const decimal InputPrice = 0.00001m, OutputPrice = 0.00002m;
    private const int Prompt = 10, Completion = 10; // what the upstream reports for every answer
    private const decimal ActualCost = Prompt * InputPrice + Completion * OutputPrice; // 0.0003

    private FakeUpstream _upstream = null!;
    private TestGateway _gateway = null!;

    private static string Body(bool stream, string maxTokens = ""","max_tokens":10""") =>
        $$"""{"model":"gpt"{{maxTokens}},"stream":{{(stream ? "true" : "false")}},"messages":[{"role":"user","content":"hello"}]}""";

    /// <summary>The reservation of <paramref name="body"/>: a token per four bytes of it, plus its output cap.</summary>
    private static decimal Reservation(string body, int outputCap = 10) =>
        (Encoding.UTF8.GetByteCount(body) + 3) / 4 * InputPrice + outputCap * OutputPrice;

    public async Task InitializeAsync()
    {
        _upstream = await FakeUpstream.StartAsync();
        string Priced(string name, string path, int order) => OpenAiDeploymentYaml.Of(name, _upstream, path,
            $"input_cost_per_token: {InputPrice}", $"output_cost_per_token: {OutputPrice}", $"order: {order}");
        _gateway = await TestGateway.StartAsync(string.Join('\n', Priced("gpt", "/ok", 2), Priced("flaky", "/down", 1), Priced("flaky", "/ok", 2)));
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    private void AnswerEveryRequest(bool stream = false) => _upstream.Handle((c, _) => HeldBurst.AnswerAsync(c, stream, Prompt, Completion));

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task FortyConcurrentRequestsOnATinyBudget_SpendStaysWithinOneReservation(bool stream)
    {
        const decimal budget = 0.001m;
        var key = await _gateway.NewKeyAsync($$"""{"max_budget":{{budget}}}""");
        var body = Body(stream);

        var responses = await HeldBurst.SendAsync(_gateway, _upstream, key, body, 40, c => HeldBurst.AnswerAsync(c, stream, Prompt, Completion));

        var admitted = responses.Count(r => r.StatusCode == HttpStatusCode.OK);
        Assert.InRange(admitted, 1, 39);
        foreach (var refused in responses.Where(r => r.StatusCode != HttpStatusCode.OK))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
            var error = await AdminClient.ErrorOf(refused);
            Assert.Equal("budget_exceeded", error.GetProperty("type").GetString());
            Assert.StartsWith("Budget has been exceeded!", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        }
        var spend = await _gateway.KeySpendAsync(key);
        Assert.Equal(admitted * ActualCost, spend);
        Assert.True(spend <= budget + Reservation(body), $"spent {spend} on a budget of {budget}");

        // Every reservation came back: spend is under the budget, so the next request runs.
        AnswerEveryRequest(stream);
        using var next = await _gateway.ChatAsync(key, body);
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
    }

    [Fact]
    public async Task RequestsWithoutMaxTokens_ReserveTheDefaultCapSoOnlyOneRunsOnATinyBudget()
    {
        var key = await _gateway.NewKeyAsync("""{"max_budget":0.001}""");
        var body = Body(stream: false, maxTokens: "");
        Assert.True(Reservation(body, outputCap: 4096) > 0.001m);

        var responses = await HeldBurst.SendAsync(_gateway, _upstream, key, body, 40, c => HeldBurst.AnswerAsync(c, false, Prompt, Completion));

        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        var refused = responses.First(r => r.StatusCode != HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        var message = (await AdminClient.ErrorOf(refused)).GetProperty("message").GetString()!;
        Assert.Contains("reserved by requests in flight", message, StringComparison.Ordinal);
        Assert.Equal(ActualCost, await _gateway.KeySpendAsync(key));
    }

    [Fact]
    public async Task RequestFailingUpstream_GivesItsReservationBack()
    {
        // One reservation is more than the whole budget: a leaked one would refuse every later request.
        var key = await _gateway.NewKeyAsync("""{"max_budget":0.0001}""");
        _upstream.RespondJson("""{"error":{"message":"bad request","type":"invalid_request_error"}}""", status: 400);
        using (var failed = await _gateway.ChatAsync(key, Body(stream: false)))
            Assert.Equal(HttpStatusCode.BadRequest, failed.StatusCode);

        AnswerEveryRequest();
        using var next = await _gateway.ChatAsync(key, Body(stream: false));

        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
    }

    [Fact]
    public async Task RetryOnAnotherDeployment_MovesTheReservationAndChargesOnce()
    {
        // Between one request's cost and its reservation: the retry is refused if the first attempt's hold stays.
        var key = await _gateway.NewKeyAsync("""{"max_budget":0.00035}""");
        Assert.True(Reservation(Body(false).Replace("\"gpt\"", "\"flaky\"", StringComparison.Ordinal)) > 0.00035m);
        _upstream.Handle((c, r) => r.PathAndQuery.StartsWith("/down/", StringComparison.Ordinal)
            ? WriteServerErrorAsync(c)
            : HeldBurst.AnswerAsync(c, false, Prompt, Completion));
        var body = Body(stream: false).Replace("\"gpt\"", "\"flaky\"", StringComparison.Ordinal);

        using (var retried = await _gateway.ChatAsync(key, body))
        {
            Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
            Assert.Equal("1", retried.Headers.GetValues("x-litellm-attempted-retries").Single());
        }
        Assert.Equal(ActualCost, await _gateway.KeySpendAsync(key));

        using var next = await _gateway.ChatAsync(key, Body(stream: false));
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
    }

    [Fact]
    public async Task ClientHangingUpMidStream_GivesTheReservationBack()
    {
        var key = await _gateway.NewKeyAsync("""{"max_budget":0.00035}""");
        var rest = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _upstream.Handle(async (c, _) =>
        {
            c.Response.ContentType = "text/event-stream";
            await c.Response.WriteAsync("data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Hi\"},\"finish_reason\":null}]}\n\n");
            await c.Response.Body.FlushAsync();
            await rest.Task;
            await HeldBurst.AnswerAsync(c, true, Prompt, Completion);
        });
        using (var cts = new CancellationTokenSource())
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = new StringContent(Body(stream: true), Encoding.UTF8, "application/json") };
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
            using var response = await _gateway.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cts.Token);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var stream = await response.Content.ReadAsStreamAsync(cts.Token);
            _ = await stream.ReadAsync(new byte[64], cts.Token);
            await cts.CancelAsync(); // hang up mid-stream
        }
        rest.SetResult();
        AnswerEveryRequest();

        // The server notices the hang-up on its own time: ask again, bounded.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        HttpStatusCode status;
        do
        {
            using var next = await _gateway.ChatAsync(key, Body(stream: false));
            status = next.StatusCode;
            if (status != HttpStatusCode.OK)
                await Task.Delay(20);
        }
        while (status != HttpStatusCode.OK && DateTime.UtcNow < deadline);
        Assert.Equal(HttpStatusCode.OK, status);
    }

    private static async Task WriteServerErrorAsync(HttpContext context)
    {
        context.Response.StatusCode = 500;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync("""{"error":{"message":"upstream down","type":"server_error"}}""");
    }
}
