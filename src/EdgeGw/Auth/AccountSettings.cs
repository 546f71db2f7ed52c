using System.Collections.Immutable;
using EdgeGw.Spend;

namespace EdgeGw.Auth;

/// <summary>What every budget-carrying account has. Settings are immutable; an update swaps the record.</summary>
internal abstract record AccountSettings
{
    public ImmutableArray<string> Models { get; init; } = [];
    public long? MaxBudgetNanos { get; init; }
    // Declared once here so the rate limiter reads a key's, team's or user's limits the same way.
    public int? RpmLimit { get; init; }
    public int? TpmLimit { get; init; }
    public int? MaxParallelRequests { get; init; }
    public BudgetDuration? BudgetDuration { get; init; }
    public string MetadataJson { get; init; } = "{}";
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
}

/// <summary>A virtual key, known by its hash only.</summary>
internal sealed record KeySettings : AccountSettings
{
    public required TokenHash Token
    {
        get => _token;
        init
        {
            _token = value;
            TokenHex = value.ToHex();
        }
    }

    private readonly TokenHash _token;

    /// <summary>The token's hex (LiteLLM's <c>token</c>), formatted once: every billed request names it twice.</summary>
    public string TokenHex { get; private init; } = "";
    /// <summary><c>sk-...abcd</c>: the last 4 characters of the plaintext.</summary>
    public required string KeyName { get; init; }
    public string? KeyAlias { get; init; }
    public string? TeamId { get; init; }
    public string? UserId { get; init; }
    public bool Blocked { get; init; }
    public DateTimeOffset? Expires { get; init; }
}

internal sealed record TeamSettings : AccountSettings
{
    public required string TeamId { get; init; }
    public string? TeamAlias { get; init; }
    public bool Blocked { get; init; }
}

internal sealed record UserSettings : AccountSettings
{
    public required string UserId { get; init; }
    public string? UserEmail { get; init; }
    public string? UserAlias { get; init; }
}
