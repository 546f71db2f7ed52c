namespace EdgeGw.Routing;

/// <summary>Deployments of a group (by index) a request has already tried; a bit mask, spilling to an array past 64.</summary>
internal struct DeploymentSet
{
    private ulong _bits;
    private bool[]? _large;

    public readonly bool IsEmpty => _bits == 0 && (_large is null || Array.IndexOf(_large, true) < 0);

    public readonly bool Contains(int index) =>
        index < 64 ? (_bits & (1UL << index)) != 0 : _large is not null && index - 64 < _large.Length && _large[index - 64];

    public void Add(int index, int groupSize)
    {
        if (index < 64)
            _bits |= 1UL << index;
        else
            (_large ??= new bool[groupSize - 64])[index - 64] = true;
    }

    public void Clear()
    {
        _bits = 0;
        if (_large is not null)
            Array.Clear(_large);
    }
}
