using System.Net;
using System.Text.Json;
using EdgeGw.Api;

namespace EdgeGw.Providers.OpenAi;

/// <summary>
/// An HTTP 200 whose body is <c>{"error": …}</c> without choices (OpenRouter and some proxies answer
/// so) is the upstream's error. As LiteLLM: the status is the error's numeric <c>code</c> when it is
/// an HTTP error status, else 422; the message is the error's, redacted like any upstream error.
/// </summary>
internal static class OpenAiBodyError
{
    public static GatewayError? Find(ReadOnlySpan<byte> json, string deploymentName, string? apiKey)
    {
        if (!OpenAiObjectScan.TryScan(json, out var scan) || !scan.HasError || scan.HasChoices)
            return null;
        var body = json.ToArray();
        using var status = new HttpResponseMessage((HttpStatusCode)Status(body));
        return OpenAiErrorMapper.Map(status, body, deploymentName, apiKey);
    }

    private static int Status(byte[] body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object
                && error.TryGetProperty("code", out var code))
            {
                var number = code.ValueKind switch
                {
                    JsonValueKind.Number when code.TryGetInt32(out var n) => n,
                    JsonValueKind.String when int.TryParse(code.GetString(), out var n) => n,
                    _ => 0,
                };
                if (number is >= 400 and <= 599)
                    return number;
            }
        }
        catch (JsonException)
        {
            // The scan found an error member; a body it cannot re-read keeps the default.
        }
        return StatusCodes.Status422UnprocessableEntity;
    }
}
