namespace EdgeGw.Tests.Infrastructure;

/// <summary>A clock that moves only when a test says so: budget windows and expiry without sleeping.</summary>
public sealed class FakeTime(DateTimeOffset start) : TimeProvider
{
    private long _ticks = start.UtcTicks;

    public FakeTime() : this(new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero))
    {
    }

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
}
