using System.Text.Json;

namespace EdgeGw.Providers.Anthropic;

/// <summary>
/// OpenAI parameters the Messages API cannot honour. A harmless value (null, <c>n: 1</c>,
/// <c>logprobs: false</c>, a zero penalty, an empty <c>logit_bias</c>, text-only
/// <c>modalities</c>) is ignored; any other value is a 400 unless <c>drop_params</c> is on.
/// </summary>
internal static class UnsupportedParams
{
    private static readonly string[] Names =
    [
        "n", "logprobs", "top_logprobs", "presence_penalty", "frequency_penalty", "logit_bias", "seed",
        "audio", "modalities", "prediction", "functions", "function_call", "web_search_options",
    ];

    public static bool IsUnsupported(string name) => Array.IndexOf(Names, name) >= 0;

    public static bool IsHarmless(string name, JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Null => true,
        JsonValueKind.False => name == "logprobs",
        JsonValueKind.Number => name switch
        {
            "n" => value.TryGetInt32(out var n) && n == 1,
            "presence_penalty" or "frequency_penalty" => value.GetDouble() == 0,
            _ => false,
        },
        JsonValueKind.Object => name == "logit_bias" && !value.EnumerateObject().Any(),
        JsonValueKind.Array => name == "modalities" && value.EnumerateArray().All(m => m.ValueKind == JsonValueKind.String && m.ValueEquals("text")),
        _ => false,
    };
}
