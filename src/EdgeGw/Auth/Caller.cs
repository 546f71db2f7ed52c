namespace EdgeGw.Auth;

/// <summary>Who is calling, once the key has been checked.</summary>
internal enum CallerKind
{
    Anonymous,
    Master,
}
