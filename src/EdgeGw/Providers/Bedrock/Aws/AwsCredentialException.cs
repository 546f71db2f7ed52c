namespace EdgeGw.Providers.Bedrock.Aws;

/// <summary>Credentials could not be had; <see cref="Exception.Message"/> is safe to show the caller (no secret in it).</summary>
internal sealed class AwsCredentialException : Exception
{
    public AwsCredentialException(int status, string message) : base(message) => Status = status;

    public AwsCredentialException(int status, string message, Exception inner) : base(message, inner) => Status = status;

    public AwsCredentialException() : this(500, "AWS credentials are unavailable") { }

    public AwsCredentialException(string message) : this(500, message) { }

    public AwsCredentialException(string message, Exception inner) : this(500, message, inner) { }

    /// <summary>401 when AWS refused or nothing is configured; 500 when the credential service could not be reached or answered garbage.</summary>
    public int Status { get; }
}
