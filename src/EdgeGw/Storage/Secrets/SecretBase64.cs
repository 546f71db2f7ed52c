namespace EdgeGw.Storage.Secrets;

/// <summary>
/// Base64 as LiteLLM's values use it: written URL-safe with padding (Python's urlsafe_b64encode), read in
/// either alphabet with or without padding (urlsafe_b64decode, then the standard-base64 fallback).
/// </summary>
internal static class SecretBase64
{
    public static string EncodeUrl(ReadOnlySpan<byte> bytes) =>
        Convert.ToBase64String(bytes).Replace('+', '-').Replace('/', '_');

    public static byte[]? TryDecode(ReadOnlySpan<char> text)
    {
        var padded = new char[text.Length + 3];
        var length = 0;
        foreach (var c in text)
        {
            padded[length++] = c switch
            {
                '-' => '+',
                '_' => '/',
                _ => c,
            };
        }
        var trimmed = length;
        while (trimmed > 0 && padded[trimmed - 1] == '=')
            trimmed--;
        length = trimmed;
        while (length % 4 != 0)
            padded[length++] = '=';
        var bytes = new byte[length / 4 * 3];
        return Convert.TryFromBase64Chars(padded.AsSpan(0, length), bytes, out var written) ? bytes[..written] : null;
    }
}
