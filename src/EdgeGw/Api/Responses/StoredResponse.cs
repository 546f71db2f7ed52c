namespace EdgeGw.Api.Responses;

/// <summary>
/// One turn of a Responses conversation as EdgeGw keeps it. A bridged turn carries its input items
/// (a JSON array in item-list form: a string <c>input</c> becomes one user message item) and the
/// Response object as returned; a pass-through turn (OpenAI/Azure store it themselves) keeps only
/// where it lives, so GET/DELETE/cancel and follow-ups go back to that deployment.
/// </summary>
/// <param name="KeyHash">The SHA-256 hex of the key that created it (<see cref="Auth.Caller.Token"/>); null when auth is off.</param>
internal sealed record StoredResponse(
    string Id,
    string DeploymentId,
    string ModelGroup,
    string? PreviousResponseId,
    ReadOnlyMemory<byte> InputItemsJson,
    ReadOnlyMemory<byte> ResponseJson,
    string? KeyHash,
    string? TeamId,
    DateTimeOffset CreatedAt)
{
    /// <summary>The response is stored by the upstream deployment; EdgeGw only remembers which one.</summary>
    public bool IsForwarded => ResponseJson.IsEmpty;

    /// <summary>A pass-through response's record: its id as the upstream gave it and the deployment that holds it.</summary>
    public static StoredResponse Forwarded(string id, string deploymentId, string modelGroup, string? previousResponseId, Auth.Caller caller, DateTimeOffset createdAt) =>
        new(id, deploymentId, modelGroup, previousResponseId, default, default, ResponseAccess.KeyHashOf(caller), ResponseAccess.TeamOf(caller), createdAt);
}
