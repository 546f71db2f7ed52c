using EdgeGw.Api;
using EdgeGw.Buffers;
using EdgeGw.Json;
using EdgeGw.Upstream;

namespace EdgeGw.Streaming;

/// <summary>
/// What the upstream decoders of translated providers share: the end of the stream (natural once
/// the provider's finish was seen, broken otherwise), in-band failures, and one pooled scratch
/// buffer for ids and escaped arguments.
/// </summary>
internal abstract class ChatStreamDecoder<TEncoder>(TEncoder encoder, string deploymentName) : IStreamTranslator
    where TEncoder : IChatStreamEncoder
{
    protected TEncoder Encoder { get; } = encoder;
    protected string DeploymentName { get; } = deploymentName;
    protected PooledScratch Scratch;
    protected Usage CurrentUsage;
    /// <summary>The provider's finish arrived: the end of the body is the stream's natural end.</summary>
    protected bool Finished { get; set; }
    /// <summary>Done or failed: nothing more goes to the client.</summary>
    protected bool Over { get; private set; }

    public Usage Usage => CurrentUsage;
    public GatewayError? Error { get; private set; }
    public long GeneratedBytes => Encoder.GeneratedBytes;

    public abstract bool OnEvent(in SseEvent sseEvent, IBufferWriter<byte> output);

    protected bool Malformed(IBufferWriter<byte> output)
    {
        Fail(UpstreamErrors.MalformedStream(DeploymentName), output);
        return false;
    }

    public void OnEnd(IBufferWriter<byte> output)
    {
        if (!Over)
        {
            if (Finished)
            {
                Over = true;
                Encoder.Done(output, CurrentUsage);
            }
            else
            {
                Fail(UpstreamErrors.IncompleteStream(DeploymentName), output);
            }
        }
        Scratch.Release();
    }

    public void Fail(GatewayError error, IBufferWriter<byte> output)
    {
        Over = true;
        Error = error;
        Encoder.Error(output, error);
    }
}
