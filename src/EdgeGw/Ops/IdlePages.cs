using System.Globalization;
using System.Runtime.InteropServices;

namespace EdgeGw.Ops;

/// <summary>
/// Once start-up is done, gives back what it left in the idle process's RSS: the heap's scratch (the
/// UI build's compressors, ~3 MB) and the clean file pages it faulted in (the binary's code and
/// read-only data, the shared libraries'). Start-up runs code once (config, migrations, DI, the UI
/// build) and the kernel maps 64 KB around each fault: 22 MB of the 31 MB binary stayed mapped
/// though most of it never runs again. The pages stay in the page cache; a request's first touch
/// maps them back.
/// </summary>
internal static partial class IdlePages
{
    private const int MadviseDontNeed = 4;

    /// <summary>Waits for the start-up work still running, then releases; never fails the process.</summary>
    public static async Task ReleaseAfterAsync(Task startupWork, ILogger logger)
    {
        try
        {
            await startupWork.ConfigureAwait(false);
            var released = Release();
            LogReleased(logger, released >> 20);
        }
#pragma warning disable CA1031 // best effort: a kernel or libc without madvise leaves RSS as it was
        catch (Exception e)
#pragma warning restore CA1031
        {
            LogNotReleased(logger, e.Message);
        }
    }

    /// <summary>Compacts the heap, then unmaps every clean, read-only, file-backed mapping; returns the bytes those had resident.</summary>
    public static long Release()
    {
        var mappings = CleanFileMappings(File.ReadAllLines("/proc/self/smaps"));
        // Between reading and unmapping: the collection frees the smaps text too, and the GC code it
        // runs is unmapped with the rest (the other order left 1 MB of garbage or 4 MB of GC pages).
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        long released = 0;
        foreach (var mapping in mappings)
        {
            // Only mappings without a single private (copy-on-write) page: dropping those would lose relocated data.
            if (madvise((nint)mapping.Start, (nuint)(mapping.End - mapping.Start), MadviseDontNeed) == 0)
                released += mapping.ResidentBytes;
        }
        return released;
    }

    internal readonly record struct Mapping(ulong Start, ulong End, long ResidentBytes);

    /// <summary>Read-only private file mappings whose resident pages are all the file's own (smaps "Anonymous: 0 kB").</summary>
    internal static List<Mapping> CleanFileMappings(string[] smaps)
    {
        var found = new List<Mapping>();
        Mapping? current = null;
        long anonymous = -1;
        foreach (var line in smaps)
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 0)
                continue;
            if (fields[0].Contains('-', StringComparison.Ordinal) && fields.Length >= 5 && !fields[0].EndsWith(':'))
            {
                Add(found, current, anonymous);
                current = null;
                anonymous = -1;
                var range = fields[0].Split('-');
                var path = fields.Length >= 6 ? fields[5] : "";
                if (fields[1] is "r--p" or "r-xp" && path.StartsWith('/') && fields.Length == 6)
                    current = new Mapping(Hex(range[0]), Hex(range[1]), 0);
            }
            else if (current is { } mapping && fields is ["Rss:", var rss, "kB"])
            {
                current = mapping with { ResidentBytes = long.Parse(rss, CultureInfo.InvariantCulture) << 10 };
            }
            else if (current is not null && fields is ["Anonymous:", var anon, "kB"])
            {
                anonymous = long.Parse(anon, CultureInfo.InvariantCulture);
            }
        }
        Add(found, current, anonymous);
        return found;
    }

    private static void Add(List<Mapping> found, Mapping? mapping, long anonymous)
    {
        if (mapping is { ResidentBytes: > 0 } clean && anonymous == 0)
            found.Add(clean);
    }

    private static ulong Hex(string text) => ulong.Parse(text, NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    [LibraryImport("libc.so.6", EntryPoint = "madvise")]
    private static partial int madvise(nint address, nuint length, int advice);

    [LoggerMessage(Level = LogLevel.Debug, Message = "start-up done: {Mb} MB of clean file pages unmapped from the idle process")]
    private static partial void LogReleased(ILogger logger, long mb);

    [LoggerMessage(Level = LogLevel.Debug, Message = "start-up pages not released: {Reason}")]
    private static partial void LogNotReleased(ILogger logger, string reason);
}
