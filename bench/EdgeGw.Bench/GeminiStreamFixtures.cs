using System.Text;

namespace EdgeGw.Bench;

/// <summary>Synthetic Gemini <c>streamGenerateContent?alt=sse</c> bodies, framed as Gemini frames them (CRLF).</summary>
public static class GeminiStreamFixtures
{
    public const int Events = 1024; // long enough that per-stream setup (~0.8 KB) rounds to 0 B per event

    /// <summary><paramref name="events"/> text events, then one finishing event.</summary>
    public static byte[] TextStream(int events = Events) => Build(events, functionCallEvery: 0);

    /// <summary>As <see cref="TextStream"/>, with every 8th event a complete <c>functionCall</c> instead.</summary>
    public static byte[] MixedStream(int events = Events) => Build(events, functionCallEvery: 8);

    private static byte[] Build(int events, int functionCallEvery)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < events; i++)
        {
            sb.Append("data: {\"candidates\":[{\"content\":{\"parts\":[");
            if (functionCallEvery > 0 && i % functionCallEvery == 0)
                sb.Append("{\"functionCall\":{\"name\":\"get_weather\",\"args\":{\"city\":\"Paris\",\"units\":\"c\",\"days\":").Append(i % 7).Append("}}}");
            else
                sb.Append("{\"text\":\" token").Append(i).Append("\"}");
            sb.Append("],\"role\":\"model\"},\"index\":0}],\"usageMetadata\":{\"promptTokenCount\":20,\"candidatesTokenCount\":").Append(i + 1)
              .Append(",\"totalTokenCount\":").Append(i + 21).Append("},\"modelVersion\":\"gemini-2.5-flash\",\"responseId\":\"tS77aIl-bench\"}\r\n\r\n");
        }
        sb.Append("data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\".\"}],\"role\":\"model\"},\"finishReason\":\"STOP\",\"index\":0}],\"usageMetadata\":{\"promptTokenCount\":20,\"candidatesTokenCount\":")
          .Append(events + 1).Append(",\"totalTokenCount\":").Append(events + 21).Append("},\"modelVersion\":\"gemini-2.5-flash\",\"responseId\":\"tS77aIl-bench\"}\r\n\r\n");
        return Encoding.UTF8.GetBytes(sb.ToString());
    }
}
