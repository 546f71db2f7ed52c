namespace EdgeGw.Storage.Secrets;

/// <summary>A stored secret does not open under this process's salt key; names the field, never the value.</summary>
internal sealed class SecretDecryptException(string field)
    : Exception($"cannot decrypt {field}: LITELLM_SALT_KEY (or the master key) differs from the one that encrypted it")
{
    public string Field { get; } = field;
}
