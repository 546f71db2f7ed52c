using System.Text;

namespace EdgeGw.Bench;

/// <summary>Synthetic upstream streams in each provider's framing, built in memory.</summary>
public static class StreamFixtures
{
    public const int Events = 1024; // long enough that per-stream setup (~0.8 KB) rounds to 0 B per event

    public static byte[] OpenAiTextStream(int events = Events)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < events; i++)
            sb.Append("data: {\"id\":\"chatcmpl-ABC\",\"object\":\"chat.completion.chunk\",\"created\":1727346182,\"model\":\"gpt-4o-2024-08-06\",\"system_fingerprint\":\"fp_1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\" token")
              .Append(i).Append("\"},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\n\n");
        sb.Append("data: [DONE]\n\n");
        return Encoding.UTF8.GetBytes(sb.ToString());
    }
}
