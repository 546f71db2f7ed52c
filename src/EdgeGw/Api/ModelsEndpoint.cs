using System.Text.Json;
using EdgeGw.Json;

namespace EdgeGw.Api;

/// <summary><c>GET /v1/models</c>: each model name, wildcard name and visible alias the caller may use, once, in OpenAI's list shape.</summary>
internal static class ModelsEndpoint
{
    private static readonly long StartedAt = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    public static async Task HandleAsync(HttpContext context, GatewayState state)
    {
        var response = context.Response;
        response.ContentType = "application/json";
        await using (var json = new Utf8JsonWriter(response.BodyWriter, JsonOptions.Writer))
        {
            json.WriteStartObject();
            json.WriteString("object"u8, "list"u8);
            json.WriteStartArray("data"u8);
            var caller = Auth.Caller.Of(context);
            foreach (var model in state.Models.Listed)
            {
                if (!Auth.ModelAccess.IsAllowed(caller, state.Data.Accounts, state.Models.AccessGroups, model.Name, model.AliasOf))
                    continue;
                json.WriteStartObject();
                json.WriteString("id"u8, model.Name);
                json.WriteString("object"u8, "model"u8);
                json.WriteNumber("created"u8, StartedAt);
                json.WriteString("owned_by"u8, "openai"u8); // what LiteLLM reports for every model
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        await response.BodyWriter.FlushAsync(context.RequestAborted);
    }
}
