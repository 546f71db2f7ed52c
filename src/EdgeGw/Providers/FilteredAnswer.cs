using System.Text.Json;
using EdgeGw.Api;
using EdgeGw.Upstream;

namespace EdgeGw.Providers;

/// <summary>
/// LiteLLM's router (<c>_should_raise_content_policy_error</c>): a non-streamed answer whose choice
/// ends in <c>content_filter</c> — Gemini's <c>SAFETY</c>/<c>PROHIBITED_CONTENT</c> prompt block,
/// Azure's filtered output, Anthropic's <c>refusal</c> — is a ContentPolicyViolationError when a
/// content-policy fallback could take the request, and is answered as the 200 it is otherwise.
/// </summary>
internal static class FilteredAnswer
{
    /// <summary>The error to fall back on, or null to send <paramref name="openAiCompletion"/> as it is.</summary>
    /// <param name="source">The deployment (or model group) named in the error.</param>
    public static GatewayError? Check(ChatCall call, ReadOnlySpan<byte> openAiCompletion, string source) =>
        call.FilteredAnswerFallsBack && HasString(openAiCompletion, ChoiceDepth, "finish_reason"u8, "content_filter"u8) ? Blocked(source, "finish_reason content_filter") : null;

    /// <summary>The same for an Anthropic <c>message</c> passed through to an Anthropic-format client (<c>stop_reason: refusal</c>).</summary>
    public static GatewayError? CheckMessage(ChatCall call, ReadOnlySpan<byte> anthropicMessage, string source) =>
        call.FilteredAnswerFallsBack && HasString(anthropicMessage, 1, "stop_reason"u8, "refusal"u8) ? Blocked(source, "stop_reason refusal") : null;

    // A member of a choice: {"choices":[{"finish_reason":…}]}.
    private const int ChoiceDepth = 3;

    private static GatewayError Blocked(string source, string ending) => ContentPolicy.Violation(new GatewayError(400,
        $"Response output was blocked: the answer from '{source}' ended with {ending}.", "invalid_request_error", ContentPolicy.Code));

    /// <summary>Whether a property <paramref name="name"/> at <paramref name="depth"/> holds the string <paramref name="value"/>.</summary>
    public static bool HasString(ReadOnlySpan<byte> json, int depth, ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        var reader = new Utf8JsonReader(json);
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == depth && reader.ValueTextEquals(name))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.String && reader.ValueTextEquals(value))
                        return true;
                }
            }
        }
        catch (JsonException)
        {
            // Not for this check to judge: the writer reports a malformed answer.
        }
        return false;
    }
}
