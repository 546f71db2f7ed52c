namespace EdgeGw.Ui;

/// <summary>
/// One file of the admin UI, ready to send: its bytes as is and, when they came out smaller, Brotli
/// and gzip variants made once; each with its own strong ETag (a different encoding is a different representation).
/// </summary>
internal sealed record UiAsset(string ContentType, byte[] Identity, byte[]? Brotli, byte[]? Gzip, string ETag)
{
    /// <summary>Whether a variant exists, so caches must key on Accept-Encoding.</summary>
    public bool Compressed => Brotli is not null || Gzip is not null;

    public string BrotliETag => ETag.Insert(ETag.Length - 1, "-br");
    public string GzipETag => ETag.Insert(ETag.Length - 1, "-gz");
}
