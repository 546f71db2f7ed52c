using System.Text;
using EdgeGw.Providers.Bedrock.Aws;

namespace EdgeGw.Tests.Bedrock;

/// <summary>
/// The per-request budget of SigV4 (bench/SigV4Benchmarks measured 544 B): the Authorization string plus the
/// header entries; the canonical request, hashes and signing key must not be allocated per signature.
/// </summary>
public sealed class SigV4AllocationTests
{
    private const int Signatures = 200;
    private const long BudgetPerSignature = 700;

    [Fact]
    public void RepeatedSigning_StaysWithinPerRequestBudget()
    {
        var signer = new SigV4Signer("us-east-1", "bedrock", TimeProvider.System);
        var credentials = new AwsCredentials("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", new string('t', 800));
        var body = Encoding.UTF8.GetBytes("{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"" + new string('x', 1000) + "\"}]}]}");
        using var message = new HttpRequestMessage(HttpMethod.Post,
            "https://bedrock-runtime.us-east-1.amazonaws.com/model/us.anthropic.claude-3-5-sonnet-20241022-v2%3A0/converse") { Content = new ByteArrayContent(body) };
        message.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
        for (var i = 0; i < 10; i++)
            signer.Sign(message, body, credentials); // warm-up: JIT, pool buckets, signing key

        // The least of three rounds, so a stray allocation by the test host does not count.
        var least = long.MaxValue;
        for (var round = 0; round < 3; round++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < Signatures; i++)
                signer.Sign(message, body, credentials);
            least = Math.Min(least, (GC.GetAllocatedBytesForCurrentThread() - before) / Signatures);
        }

        Assert.InRange(least, 0, BudgetPerSignature);
    }
}
