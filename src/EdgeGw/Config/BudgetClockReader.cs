using System.Globalization;
using EdgeGw.Spend;
using YamlDotNet.RepresentationModel;

namespace EdgeGw.Config;

/// <summary><c>litellm_settings.timezone</c> and <c>budget_reset_time</c>: the calendar budgets reset on.</summary>
internal static class BudgetClockReader
{
    public static BudgetClock Read(YamlValues values, YamlMappingNode? litellm, string path)
    {
        var zoneName = values.String(YamlValues.Child(litellm, "timezone"), $"{path}.timezone");
        var zone = TimeZoneInfo.Utc;
        if (zoneName is not null)
        {
            // LiteLLM falls back to UTC for a zone it cannot find; say so rather than fail to start.
            var found = BudgetClock.FindZone(zoneName);
            zone = found ?? TimeZoneInfo.Utc;
            if (found is null)
                values.Warn($"{path}.timezone: unknown time zone '{zoneName}' (not in the tz database, /usr/share/zoneinfo); budgets reset on UTC boundaries");
        }
        var atText = values.String(YamlValues.Child(litellm, "budget_reset_time"), $"{path}.budget_reset_time");
        var at = TimeSpan.Zero;
        if (atText is not null && !TimeSpan.TryParseExact(atText, ["hh\\:mm", "h\\:mm", "hh\\:mm\\:ss", "h\\:mm\\:ss"], CultureInfo.InvariantCulture, out at))
            throw new ConfigException($"{path}.budget_reset_time", $"expected a 24-hour time like \"12:00\", got '{atText}'");
        if (at >= TimeSpan.FromDays(1))
            throw new ConfigException($"{path}.budget_reset_time", $"expected a 24-hour time like \"12:00\", got '{atText}'");
        return zone == TimeZoneInfo.Utc && at == TimeSpan.Zero ? BudgetClock.Utc : new BudgetClock(zone, at);
    }
}
