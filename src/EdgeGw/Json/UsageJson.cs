using System.Buffers;
using System.Buffers.Text;
namespace EdgeGw.Json;

/// <summary>A usage object in each client format's shape: streamed final events and the bodies the cache assembles from streams.</summary>
internal static class UsageJson
{
    public static void WriteOpenAi(IBufferWriter<byte> output, in Usage usage)
    {
        output.Write("{\"prompt_tokens\":"u8);
        WriteNumber(output, usage.PromptTokens);
        output.Write(",\"completion_tokens\":"u8);
        WriteNumber(output, usage.CompletionTokens);
        output.Write(",\"total_tokens\":"u8);
        WriteNumber(output, usage.TotalTokens);
        output.Write(",\"prompt_tokens_details\":{\"cached_tokens\":"u8);
        WriteNumber(output, usage.CachedTokens);
        output.Write("},\"completion_tokens_details\":{\"reasoning_tokens\":"u8);
        WriteNumber(output, usage.ReasoningTokens);
        output.Write("}}"u8);
    }

    /// <summary>Anthropic counts cache reads apart from <c>input_tokens</c>; OpenAI's <c>prompt_tokens</c> includes them.</summary>
    public static void WriteAnthropic(IBufferWriter<byte> output, in Usage usage) =>
        WriteAnthropic(output, usage, usage.PromptTokens - usage.CachedTokens - usage.CacheCreationTokens);

    /// <summary>With <paramref name="inputTokens"/> given: a stream without upstream usage reports its estimate.</summary>
    public static void WriteAnthropic(IBufferWriter<byte> output, in Usage usage, long inputTokens)
    {
        output.Write("{\"input_tokens\":"u8);
        WriteNumber(output, inputTokens);
        output.Write(",\"output_tokens\":"u8);
        WriteNumber(output, usage.CompletionTokens);
        if (usage.CachedTokens > 0)
        {
            output.Write(",\"cache_read_input_tokens\":"u8);
            WriteNumber(output, usage.CachedTokens);
        }
        if (usage.CacheCreationTokens > 0)
        {
            output.Write(",\"cache_creation_input_tokens\":"u8);
            WriteNumber(output, usage.CacheCreationTokens);
        }
        output.Write("}"u8);
    }

    /// <summary>The Responses API's usage: input/output naming, cached and reasoning tokens in their details objects.</summary>
    public static void WriteResponses(IBufferWriter<byte> output, in Usage usage)
    {
        output.Write("{\"input_tokens\":"u8);
        WriteNumber(output, usage.PromptTokens);
        output.Write(",\"input_tokens_details\":{\"cached_tokens\":"u8);
        WriteNumber(output, usage.CachedTokens);
        output.Write("},\"output_tokens\":"u8);
        WriteNumber(output, usage.CompletionTokens);
        output.Write(",\"output_tokens_details\":{\"reasoning_tokens\":"u8);
        WriteNumber(output, usage.ReasoningTokens);
        output.Write("},\"total_tokens\":"u8);
        WriteNumber(output, usage.TotalTokens);
        output.Write("}"u8);
    }

    public static void WriteNumber(IBufferWriter<byte> output, long value)
    {
        var span = output.GetSpan(20);
        Utf8Formatter.TryFormat(value, span, out var written);
        output.Advance(written);
    }
}
