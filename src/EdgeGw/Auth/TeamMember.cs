using EdgeGw.Spend;

namespace EdgeGw.Auth;

/// <summary>A user's place in a team (LiteLLM's <c>LiteLLM_TeamMembership</c>): role and <c>max_budget_in_team</c>.</summary>
internal sealed record TeamMemberSettings
{
    public required string TeamId { get; init; }
    public required string UserId { get; init; }
    public string Role { get; init; } = "user";
    public long? MaxBudgetNanos { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
}

/// <summary>A team membership in the request-time cache: its settings and what the user spent through the team's keys.</summary>
internal sealed class TeamMember(TeamMemberSettings settings, SpendCounter spend)
{
    private TeamMemberSettings _settings = settings;

    public TeamMemberSettings Settings
    {
        get => Volatile.Read(ref _settings);
        set => Volatile.Write(ref _settings, value);
    }

    public SpendCounter Spend { get; } = spend;

    /// <summary>The row's id, made once: the spend writer is handed it with every charge.</summary>
    public string Id { get; } = MemberId(settings.TeamId, settings.UserId);

    // Team and user ids are free text; a unit separator cannot be typed into either by accident.
    public static string MemberId(string teamId, string userId) => teamId + "\u001f" + userId;
}
