namespace EdgeGw.Storage.Secrets;

/// <summary>The at-rest format new secrets are written in; every format is always readable.</summary>
internal enum SecretFormat
{
    /// <summary>LiteLLM's original nacl SecretBox value (no prefix): every LiteLLM version reads it.</summary>
    LegacyNacl,

    /// <summary>LiteLLM's "v3:gcm:" AES-256-GCM value (HKDF key): only recent LiteLLM reads it.</summary>
    V3Gcm,
}
