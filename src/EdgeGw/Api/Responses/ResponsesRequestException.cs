namespace EdgeGw.Api.Responses;

/// <summary>A Responses request field the bridge cannot take, named by its JSON path for the 400.</summary>
internal sealed class ResponsesRequestException(string param, string message) : Exception(message)
{
    public string Param { get; } = param;
}
