using System.Globalization;
using System.Web;
using EdgeGw.Providers.Bedrock.Aws;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Bedrock;

/// <summary>
/// An STS stand-in on loopback speaking the Query API: form POSTs in, AssumeRole(WithWebIdentity)Response XML out.
/// AssumeRole requests must carry a valid SigV4 signature (service "sts") by <see cref="SigningKeys"/>; each answer
/// hands out fresh numbered credentials expiring <see cref="Lifetime"/> after <see cref="Clock"/>'s now.
/// </summary>
internal sealed class FakeSts : IAsyncDisposable
{
    private readonly FakeUpstream _upstream;
    private int _issued;

    private FakeSts(FakeUpstream upstream, TimeProvider clock)
    {
        _upstream = upstream;
        Clock = clock;
        upstream.Handle(HandleAsync);
    }

    public static async Task<FakeSts> StartAsync(TimeProvider clock) => new(await FakeUpstream.StartAsync(), clock);

    public TimeProvider Clock { get; }
    public string Url => _upstream.Url + "/";
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromHours(1);
    public AwsCredentials? SigningKeys { get; set; }
    public string SigningRegion { get; set; } = "us-east-1";
    /// <summary>Answers wait for this before being sent, so a test can pile callers onto one refresh.</summary>
    public TaskCompletionSource Gate { get; set; } = CompletedGate();
    /// <summary>When set, every call is refused with this status and STS error code.</summary>
    public (int Status, string Code)? Refuse { get; set; }
    public int Calls => _upstream.Requests.Count;
    public IReadOnlyList<Dictionary<string, string>> Forms => _upstream.Requests.Select(r => Form(r.BodyText)).ToList();
    public IReadOnlyList<RecordedRequest> Requests => _upstream.Requests.ToList();
    public List<string> SignatureFailures { get; } = [];

    public static TaskCompletionSource CompletedGate()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        gate.SetResult();
        return gate;
    }

    public static Dictionary<string, string> Form(string body)
    {
        var parsed = HttpUtility.ParseQueryString(body);
        return parsed.AllKeys.ToDictionary(k => k!, k => parsed[k]!);
    }

    private async Task HandleAsync(HttpContext context, RecordedRequest request)
    {
        await Gate.Task;
        var form = Form(request.BodyText);
        var action = form.GetValueOrDefault("Action") ?? "";
        if (Refuse is { } refuse)
        {
            await Answer(context, refuse.Status, $"""
                <ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
                  <Error><Type>Sender</Type><Code>{refuse.Code}</Code><Message>Not authorized to perform sts:{action}</Message></Error>
                  <RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId>
                </ErrorResponse>
                """);
            return;
        }
        if (action == "AssumeRole")
            CheckSignature(request);
        else if (request.Headers.ContainsKey("authorization"))
            SignatureFailures.Add("AssumeRoleWithWebIdentity must not be signed");
        var n = Interlocked.Increment(ref _issued);
        var expiration = (Clock.GetUtcNow() + Lifetime).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        await Answer(context, 200, $"""
            <{action}Response xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
              <{action}Result>
                <AssumedRoleUser>
                  <Arn>arn:aws:sts::123456789012:assumed-role/bedrock/{form.GetValueOrDefault("RoleSessionName")}</Arn>
                  <AssumedRoleId>ARO123EXAMPLE123:{form.GetValueOrDefault("RoleSessionName")}</AssumedRoleId>
                </AssumedRoleUser>
                <Credentials>
                  <AccessKeyId>ASIATEMP{n}</AccessKeyId>
                  <SecretAccessKey>temp-secret-{n}</SecretAccessKey>
                  <SessionToken>temp-token-{n}</SessionToken>
                  <Expiration>{expiration}</Expiration>
                </Credentials>
                <PackedPolicySize>6</PackedPolicySize>
              </{action}Result>
              <ResponseMetadata><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ResponseMetadata>
            </{action}Response>
            """);
    }

    private static async Task Answer(HttpContext context, int status, string xml)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/xml";
        await context.Response.WriteAsync(xml);
    }

    // Recomputes the signature from what arrived on the wire, with the keys the test says AssumeRole must be signed by.
    private void CheckSignature(RecordedRequest request)
    {
        if (SigningKeys is null || !request.Headers.TryGetValue("authorization", out var authorization) || !request.Headers.TryGetValue("x-amz-date", out var amzDate))
        {
            SignatureFailures.Add("AssumeRole arrived unsigned");
            return;
        }
        var when = DateTimeOffset.ParseExact(amzDate, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
        List<SignedHeader> headers = [new("host", request.Headers["host"]), new("content-type", request.Headers["content-type"]), new("x-amz-date", amzDate)];
        if (request.Headers.TryGetValue("x-amz-security-token", out var token))
            headers.Add(new("x-amz-security-token", token));
        var expected = new SigV4Signer(SigningRegion, "sts", Clock)
            .Authorization(request.Method, request.PathAndQuery, "", headers.ToArray(), request.Body, SigningKeys, amzDate, when);
        if (expected != authorization)
            SignatureFailures.Add($"expected {expected}, got {authorization}");
    }

    public ValueTask DisposeAsync() => _upstream.DisposeAsync();
}
