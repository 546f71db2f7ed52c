using EdgeGw.Ops;

namespace EdgeGw.Tests.Ops;

public sealed class IdlePagesTests
{
    private const string Smaps = """
        55fd6ccab000-55fd6cce0000 r--p 00000000 fe:00 1234                       /opt/edgegw
        Size:                212 kB
        Rss:                 212 kB
        Anonymous:             0 kB
        VmFlags: rd mr mw me dw sd
        55fd6cce0000-55fd6dd14000 r-xp 00035000 fe:00 1234                       /opt/edgegw
        Rss:               12372 kB
        Anonymous:             0 kB
        55fd6e41a000-55fd6e41b000 r--p 0176f000 fe:00 1234                       /opt/edgegw
        Rss:                   4 kB
        Anonymous:             4 kB
        55fd6e98b000-55fd6e9f1000 rw-p 01ce0000 fe:00 1234                       /opt/edgegw
        Rss:                 408 kB
        Anonymous:           156 kB
        55fd6e9f1000-55fd6f0f1000 rw-p 00000000 00:00 0
        Rss:                7128 kB
        Anonymous:          7128 kB
        7f55dfc20000-7f55dfc82000 r--p 00000000 fe:00 99                         /usr/lib/libcrypto.so.3 (deleted)
        Rss:                 392 kB
        Anonymous:             0 kB
        7ffd1a3f0000-7ffd1a3f2000 r-xp 00000000 00:00 0                          [vdso]
        Rss:                   8 kB
        Anonymous:             0 kB
        7f55dfd00000-7f55dfd01000 r--p 00000000 fe:00 77                         /usr/lib/libm.so.6
        Rss:                   0 kB
        Anonymous:             0 kB
        """;

    [Fact]
    public void CleanReadOnlyFileMappings_AreTheOnlyOnesReleased()
    {
        var found = IdlePages.CleanFileMappings(Smaps.Split('\n'));

        // Not the relocated (copy-on-write) page, the writable data, anonymous memory, a deleted file, the vDSO, or nothing resident.
        Assert.Equal(
            [new(0x55fd6ccab000, 0x55fd6cce0000, 212 << 10), new(0x55fd6cce0000, 0x55fd6dd14000, 12372 << 10)],
            found);
    }

    [Fact]
    public void Release_DropsMappedFilePagesFromRss()
    {
        var before = RssFileKb();

        var released = IdlePages.Release();

        Assert.True(released > 1 << 20, $"released {released} bytes");
        Assert.True(RssFileKb() < before, $"RssFile {before} kB before, {RssFileKb()} kB after");
    }

    private static long RssFileKb() =>
        long.Parse(File.ReadAllLines("/proc/self/status").Single(l => l.StartsWith("RssFile:", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
}
