using EdgeGw.Auth;

namespace EdgeGw.Api.Responses;

/// <summary>
/// One <c>store: true</c> turn on its way into the <see cref="IResponseStore"/>: a bridged turn with
/// its input items and the Response object as sent (non-streamed, or the stream's final Response),
/// a pass-through turn as a pointer to the OpenAI/Azure deployment that keeps it.
/// </summary>
internal sealed class ResponsesTurn(IResponseStore store, string id, string modelGroup, string? previousResponseId,
    ReadOnlyMemory<byte> inputItemsJson, Caller caller, DateTimeOffset createdAt)
{
    /// <summary>The deployment that answered; set by the attempt before the adapter runs.</summary>
    public string DeploymentId { get; set; } = "";

    public void Completed(ReadOnlySpan<byte> responseJson) =>
        store.Save(new StoredResponse(id, DeploymentId, modelGroup, previousResponseId, inputItemsJson, responseJson.ToArray(),
            ResponseAccess.KeyHashOf(caller), ResponseAccess.TeamOf(caller), createdAt));

    /// <summary>A pass-through turn, under the id its upstream gave it.</summary>
    public void Forwarded(string upstreamId) =>
        store.Save(StoredResponse.Forwarded(upstreamId, DeploymentId, modelGroup, previousResponseId, caller, createdAt));
}
