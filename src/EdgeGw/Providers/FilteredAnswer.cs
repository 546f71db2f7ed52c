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
        call.FilteredAnswerFallsBack && EndsInContentFilter(openAiCompletion)
            ? ContentPolicy.Violation(new GatewayError(400,
                $"Response output was blocked: the answer from '{source}' ended with finish_reason content_filter.",
                "invalid_request_error", ContentPolicy.Code))
            : null;

    /// <summary>Whether a <c>chat.completion</c>'s choice (an object inside the top-level array) ends in <c>content_filter</c>.</summary>
    public static bool EndsInContentFilter(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        try
        {
            while (reader.Read())
            {
                // Depth 3 is a member of a choice: {"choices":[{"finish_reason":…}]}.
                if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 3 && reader.ValueTextEquals("finish_reason"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.String && reader.ValueTextEquals("content_filter"u8))
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
