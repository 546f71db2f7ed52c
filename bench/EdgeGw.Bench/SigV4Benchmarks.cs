using System.Text;
using BenchmarkDotNet.Attributes;
using EdgeGw.Providers.Bedrock.Aws;

namespace EdgeGw.Bench;

/// <summary>
/// SigV4 on every Bedrock request: one Converse call (model id with an encoded ':', ~1 KB JSON body) signed with
/// static and with session credentials. The same message is re-signed each time, which replaces its headers.
/// <see cref="HashBodyOnly"/> shows the floor in the same run.
/// </summary>
public class SigV4Benchmarks
{
    private readonly SigV4Signer _signer = new("us-east-1", "bedrock", TimeProvider.System);
    private readonly AwsCredentials _static = new("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
    private readonly AwsCredentials _session = new("ASIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", new string('t', 800));
    private HttpRequestMessage _message = null!;
    private byte[] _body = null!;

    [GlobalSetup]
    public void Setup()
    {
        _body = Encoding.UTF8.GetBytes("{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"" + new string('x', 1000) + "\"}]}],\"inferenceConfig\":{\"maxTokens\":256}}");
        _message = new HttpRequestMessage(HttpMethod.Post,
            "https://bedrock-runtime.us-east-1.amazonaws.com/model/us.anthropic.claude-3-5-sonnet-20241022-v2%3A0/converse")
        { Content = new ByteArrayContent(_body) };
        _message.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
    }

    [GlobalCleanup]
    public void Cleanup() => _message.Dispose();

    [Benchmark(Baseline = true)]
    public void SignStaticKeys() => _signer.Sign(_message, _body, _static);

    [Benchmark]
    public void SignSessionCredentials() => _signer.Sign(_message, _body, _session);

    /// <summary>The floor any signer pays: hashing the body once.</summary>
    [Benchmark]
    public byte[] HashBodyOnly() => System.Security.Cryptography.SHA256.HashData(_body);
}
