namespace EdgeGw.Storage;

/// <summary>
/// A stored credential changed. It travels as a model change ("model:credential:NAME") because deployments
/// borrow credentials: a replica that reloads database models on a model change reloads credentials with them.
/// </summary>
internal static class CredentialChange
{
    public const string IdPrefix = "credential:";

    public static AccountChange For(string credentialName) => new(AccountTable.Model, IdPrefix + credentialName);
}
