namespace EdgeGw.Json;

/// <summary>Where a JSON value sits in a buffer: start offset and length in bytes (quotes included for strings).</summary>
internal readonly record struct JsonRange(int Start, int Length)
{
    public int End => Start + Length;
    public bool IsEmpty => Length == 0;
}
