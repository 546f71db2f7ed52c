using System.Text;

namespace EdgeGw.Tests.Infrastructure;

/// <summary>Large chat bodies for memory tests: escapes included, so translation must keep them as the client wrote them.</summary>
public static class LargePrompt
{
    /// <summary>An OpenAI chat body (model <c>claude</c>) whose user message is about <paramref name="size"/> bytes of escaped prompt.</summary>
    public static byte[] ChatBody(int size)
    {
        const string Line = "A line of a long prompt, with \\\"quotes\\\", caf\\u00e9 and a newline.\\n";
        var text = new StringBuilder(size + 256);
        text.Append("""{"model":"claude","max_tokens":64,"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":""");
        text.Append('"');
        while (text.Length < size)
            text.Append(Line);
        text.Append("\"}]}");
        return Encoding.UTF8.GetBytes(text.ToString());
    }
}
