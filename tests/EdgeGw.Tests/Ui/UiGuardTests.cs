using System.Net;
using EdgeGw.Tests.Infrastructure;
using EdgeGw.Ui;

namespace EdgeGw.Tests.Ui;

/// <summary>The login throttle and the logout list stay bounded whatever arrives.</summary>
public sealed class UiGuardTests
{
    private static IPAddress V4(int i) => new([10, (byte)(i >> 16), (byte)(i >> 8), (byte)i]);

    [Fact]
    public void ThrottleFull_NewcomersShareOneBucketAndOldClientsKeepTheirs()
    {
        var time = new FakeTime();
        var throttle = new LoginThrottle(time, capacity: 100);
        for (var i = 0; i < 100; i++)
            throttle.Failed(V4(i));

        // 5 failures from 5 unseen addresses fill the shared bucket: a sixth unseen address must wait too.
        for (var i = 100; i < 105; i++)
            throttle.Failed(V4(i));

        Assert.NotNull(throttle.RetryAfter(V4(200)));
        Assert.Null(throttle.RetryAfter(V4(0))); // one failure of its own so far
        time.Advance(LoginThrottle.Window);
        Assert.Null(throttle.RetryAfter(V4(200)));
        throttle.Failed(V4(300)); // expired entries made room
        Assert.Null(throttle.RetryAfter(V4(300)));
    }

    [Fact]
    public void Ipv6AddressesOfOneSlash64_CountAsOneClient()
    {
        var throttle = new LoginThrottle(new FakeTime());
        for (var i = 1; i <= LoginThrottle.MaxFailures; i++)
            throttle.Failed(IPAddress.Parse($"2001:db8:1:2::{i:x}"));

        Assert.NotNull(throttle.RetryAfter(IPAddress.Parse("2001:db8:1:2::ffff")));
        Assert.Null(throttle.RetryAfter(IPAddress.Parse("2001:db8:1:3::1")));
    }

    [Fact]
    public void SuccessfulLogin_ClearsTheClientsFailures()
    {
        var throttle = new LoginThrottle(new FakeTime());
        var client = IPAddress.Loopback;
        for (var i = 0; i < LoginThrottle.MaxFailures - 1; i++)
            throttle.Failed(client);
        throttle.Succeeded(client);
        throttle.Failed(client);
        Assert.Null(throttle.RetryAfter(client));
    }

    [Fact]
    public void RevocationsFull_SoonestToExpireMakeRoom()
    {
        var time = new FakeTime();
        var revoked = new SessionRevocations(time, capacity: 10);
        var ids = Enumerable.Range(0, 12).Select(_ => Guid.NewGuid()).ToArray();
        for (var i = 0; i < ids.Length; i++)
            revoked.Revoke(ids[i], time.GetUtcNow().AddMinutes(10 + i));

        Assert.True(revoked.Count <= 10);
        Assert.True(revoked.IsRevoked(ids[^1]));
        Assert.False(revoked.IsRevoked(ids[0])); // made room first: it would have expired first
    }
}
