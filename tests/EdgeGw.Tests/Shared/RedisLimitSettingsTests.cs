using EdgeGw.Config;

namespace EdgeGw.Tests.Shared;

/// <summary>EdgeGw's own shared-limit settings under <c>router_settings</c>.</summary>
public sealed class RedisLimitSettingsTests
{
    private static GatewayConfig Parse(string router) => ConfigLoader.Parse($$"""
        general_settings: { master_key: sk-test }
        router_settings: { redis_url: "redis://127.0.0.1:6379"{{router}} }
        """, _ => null);

    [Fact]
    public void NoSettings_FallBackToLocalLimitsWithTightTimeout()
    {
        var redis = Parse("").Redis!;

        Assert.Equal((RedisFailureMode.Local, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(30)), (redis.OnUnavailable, redis.Timeout, redis.LeaseTtl));
    }

    [Fact]
    public void ClosedModeTimeoutAndLeaseTtl_AreReadAndNotReportedIgnored()
    {
        var config = Parse(", redis_failure_mode: closed, redis_timeout: 0.1, redis_lease_ttl: 30");

        Assert.Equal((RedisFailureMode.Closed, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(30)),
            (config.Redis!.OnUnavailable, config.Redis.Timeout, config.Redis.LeaseTtl));
        Assert.Empty(config.IgnoredKeys);
    }

    [Fact]
    public void UnknownFailureMode_NamesTheKey()
    {
        var error = Assert.Throws<ConfigException>(() => Parse(", redis_failure_mode: sometimes"));

        Assert.Contains("router_settings.redis_failure_mode", error.Message, StringComparison.Ordinal);
        Assert.Contains("local or closed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AdmissionCredit_OnByDefaultOffWhenSetFalseAndNotReportedIgnored()
    {
        var off = Parse(", redis_admission_credit: false");

        Assert.True(Parse("").Redis!.AdmissionCredit);
        Assert.False(off.Redis!.AdmissionCredit);
        Assert.Empty(off.IgnoredKeys);
    }

    [Fact]
    public void AdmissionCreditNotABoolean_NamesTheKey()
    {
        var error = Assert.Throws<ConfigException>(() => Parse(", redis_admission_credit: sometimes"));

        Assert.Contains("router_settings.redis_admission_credit", error.Message, StringComparison.Ordinal);
    }
}
