namespace EdgeGw.Limits;

/// <summary>Which of an entity's limits refused a request.</summary>
internal enum LimitKind : byte
{
    None,
    Requests,
    Tokens,
    Parallel,
}
