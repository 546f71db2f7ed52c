namespace EdgeGw.Providers.Vertex.Auth;

/// <summary>One way of trading a Google credential for an access token at its <see cref="TokenUri"/>.</summary>
internal interface IGoogleGrant
{
    Uri TokenUri { get; }

    /// <summary>What the error text may name as the credential, e.g. "service account key from vertex_credentials".</summary>
    string Description { get; }

    /// <summary>The <c>application/x-www-form-urlencoded</c> body of a token request made at <paramref name="now"/>.</summary>
    string FormBody(DateTimeOffset now);

    /// <summary>Secret text the token endpoint's error message must not carry back to a caller.</summary>
    IReadOnlyList<string> Secrets { get; }
}
