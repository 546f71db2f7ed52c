using System.Text;

namespace EdgeGw.Tests.Infrastructure;

/// <summary>Large request bodies for memory tests: escapes included, so translation must keep them as the client wrote them.</summary>
public static class LargePrompt
{
    /// <summary>An OpenAI chat body whose user message is about <paramref name="size"/> bytes of escaped prompt.</summary>
    public static byte[] ChatBody(int size, string model = "claude") => Body(
        "{\"model\":\"" + model + "\",\"max_tokens\":64,\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},{\"role\":\"user\",\"content\":\"",
        size, "\"}]}");

    /// <summary>An OpenAI embeddings body whose one input is about <paramref name="size"/> bytes of escaped text.</summary>
    public static byte[] EmbeddingBody(int size, string model) => Body("{\"model\":\"" + model + "\",\"input\":\"", size, "\"}");

    private static byte[] Body(string head, int size, string tail)
    {
        const string Line = "A line of a long prompt, with \\\"quotes\\\", caf\\u00e9 and a newline.\\n";
        var text = new StringBuilder(size + 256).Append(head);
        while (text.Length < size)
            text.Append(Line);
        return Encoding.UTF8.GetBytes(text.Append(tail).ToString());
    }
}
