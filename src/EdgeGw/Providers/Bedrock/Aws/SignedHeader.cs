namespace EdgeGw.Providers.Bedrock.Aws;

/// <summary>A header that goes into the signature, with its value exactly as sent.</summary>
internal readonly record struct SignedHeader(string Name, string Value)
{
    /// <summary>Orders names as their lower-case forms compare ordinally, which is how SigV4 lists them.</summary>
    public static int CompareNames(string a, string b)
    {
        var length = Math.Min(a.Length, b.Length);
        for (var i = 0; i < length; i++)
        {
            var diff = char.ToLowerInvariant(a[i]) - char.ToLowerInvariant(b[i]);
            if (diff != 0)
                return diff;
        }
        return a.Length - b.Length;
    }
}
