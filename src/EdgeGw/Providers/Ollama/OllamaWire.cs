using System.Collections.Frozen;
using EdgeGw.Streaming;

namespace EdgeGw.Providers.Ollama;

/// <summary>Ollama's native API (<c>github.com/ollama/ollama/blob/main/docs/api.md</c>): paths, option names, enums.</summary>
internal static class OllamaWire
{
    public const string ChatPath = "/api/chat";
    public const string GeneratePath = "/api/generate";
    public const string EmbedPath = "/api/embed";

    /// <summary>
    /// <c>api_base</c> is the host root, as LiteLLM takes it; one written for the OpenAI-compatible
    /// endpoint (<c>…/v1</c>) or naming the native path itself is cut back to the root.
    /// </summary>
    public static string Root(string apiBase)
    {
        var root = apiBase.TrimEnd('/');
        foreach (var suffix in (ReadOnlySpan<string>)["/v1", ChatPath, GeneratePath, EmbedPath])
        {
            if (root.EndsWith(suffix, StringComparison.Ordinal))
                return root[..^suffix.Length].TrimEnd('/');
        }
        return root;
    }

    /// <summary>
    /// Ollama's own <c>options</c> (<c>api.Options</c>), accepted at the top level of the request as
    /// LiteLLM passes provider-specific parameters through.
    /// </summary>
    public static readonly FrozenSet<string> OptionNames = FrozenSet.ToFrozenSet(
    [
        "num_ctx", "num_keep", "num_predict", "top_k", "min_p", "typical_p", "repeat_last_n", "repeat_penalty",
        "mirostat", "mirostat_tau", "mirostat_eta", "penalize_newline", "tfs_z", "num_batch", "num_gpu", "main_gpu",
        "num_gqa", "num_thread", "use_mmap", "use_mlock", "numa", "low_vram",
    ], StringComparer.Ordinal);

    /// <summary>
    /// <c>litellm_params</c> an Ollama deployment honours as request defaults, as LiteLLM does:
    /// <c>keep_alive</c> and Ollama's option names (<c>num_ctx: 8192</c>).
    /// </summary>
    public static bool IsDeploymentParam(string key) => key == "keep_alive" || OptionNames.Contains(key);

    /// <summary><c>done_reason</c> → OpenAI: <c>length</c> is the token cap; <c>stop</c>, <c>load</c> and <c>unload</c> are stops, or tool calls when the model made some.</summary>
    public static FinishReason MapDoneReason(ReadOnlySpan<byte> reason, bool madeToolCalls) =>
        reason.SequenceEqual("length"u8) ? FinishReason.Length
        : madeToolCalls ? FinishReason.ToolCalls
        : FinishReason.Stop;
}
