using System.Collections.Frozen;
using System.IO.Compression;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;

namespace EdgeGw.Ui;

/// <summary>
/// The admin UI's files, embedded in the binary (EdgeGw.csproj) and prepared once per process: the
/// version hash over all of them, <c>{{BASE}}</c> in index.html made <c>/ui/v/&lt;hash&gt;/</c>, and
/// each text file precompressed, so a request only looks a file up and writes its bytes.
/// </summary>
internal sealed class UiAssets
{
    private const string ResourcePrefix = "EdgeGw.Ui.wwwroot/";
    public const string IndexName = "index.html";
    private static readonly byte[] BasePlaceholder = "{{BASE}}"u8.ToArray();

    // Built shortly after the server listens (RequestDispatcher.PrepareUiAsync) or by the first /ui request if sooner, never on
    // the start's path: Brotli's best level costs tens of ms.
    private static readonly Lazy<UiAssets> EmbeddedAssets = new(() => Build(ReadEmbedded()));

    private readonly FrozenDictionary<string, UiAsset>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    private UiAssets(string version, FrozenDictionary<string, UiAsset> files)
    {
        Version = version;
        Base = $"/ui/v/{version}/";
        Files = files;
        _lookup = files.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public static UiAssets Embedded => EmbeddedAssets.Value;

    /// <summary>A short hash of every file's name and bytes: it changes whenever any file does.</summary>
    public string Version { get; }
    /// <summary><c>/ui/v/&lt;Version&gt;/</c>, where every file is served with a year-long immutable cache.</summary>
    public string Base { get; }
    /// <summary>Files by their path under wwwroot (index.html with its <c>{{BASE}}</c> already replaced).</summary>
    public FrozenDictionary<string, UiAsset> Files { get; }

    public bool TryGet(ReadOnlySpan<char> path, out UiAsset asset) => _lookup.TryGetValue(path, out asset!);

    public static UiAssets Build(IReadOnlyList<(string Path, byte[] Bytes)> files)
    {
        var version = VersionOf(files);
        var basePath = Encoding.UTF8.GetBytes($"/ui/v/{version}/");
        var prepared = new Dictionary<string, UiAsset>(StringComparer.Ordinal);
        foreach (var (path, bytes) in files)
            prepared[path] = Prepare(path, path == IndexName ? Replace(bytes, BasePlaceholder, basePath) : bytes);
        return new UiAssets(version, prepared.ToFrozenDictionary(StringComparer.Ordinal));
    }

    private static List<(string Path, byte[] Bytes)> ReadEmbedded()
    {
        var assembly = typeof(UiAssets).Assembly;
        var files = new List<(string, byte[])>();
        foreach (var name in assembly.GetManifestResourceNames())
        {
            if (!name.StartsWith(ResourcePrefix, StringComparison.Ordinal))
                continue;
            using var stream = assembly.GetManifestResourceStream(name)!;
            var bytes = new byte[stream.Length];
            stream.ReadExactly(bytes);
            // MSBuild's RecursiveDir uses the build machine's separator.
            files.Add((name[ResourcePrefix.Length..].Replace('\\', '/'), bytes));
        }
        return files;
    }

    private static string VersionOf(IReadOnlyList<(string Path, byte[] Bytes)> files)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> length = stackalloc byte[8];
        foreach (var (path, bytes) in files.OrderBy(f => f.Path, StringComparer.Ordinal))
        {
            hash.AppendData(Encoding.UTF8.GetBytes(path));
            System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(length, bytes.Length);
            hash.AppendData(length);
            hash.AppendData(bytes);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset())[..12];
    }

    private static UiAsset Prepare(string path, byte[] bytes)
    {
        var (type, compressible) = UiContentTypes.For(path);
        var etag = $"\"{Convert.ToHexStringLower(SHA256.HashData(bytes))[..20]}\"";
        if (!compressible)
            return new UiAsset(type, bytes, null, null, etag);
        var brotli = Smaller(BrotliOf(bytes), bytes.Length);
        var gzip = Smaller(GzipOf(bytes), bytes.Length);
        return new UiAsset(type, bytes, brotli, gzip, etag);
    }

    private static byte[]? Smaller(byte[] variant, int identityLength) => variant.Length < identityLength ? variant : null;

    private static byte[] BrotliOf(byte[] bytes)
    {
        var output = new byte[BrotliEncoder.GetMaxCompressedLength(bytes.Length)];
        // A window just covering the file compresses it as well as the default 4 MB one, and the encoder's
        // memory (which stays in the process's RSS) scales with the window.
        var window = Math.Clamp(BitOperations.Log2((uint)bytes.Length + 16) + 1, 10, 22);
        return BrotliEncoder.TryCompress(bytes, output, out var written, quality: 11, window: window) ? output[..written] : bytes;
    }

    private static byte[] GzipOf(byte[] bytes)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.SmallestSize, leaveOpen: true))
            gzip.Write(bytes);
        return output.ToArray();
    }

    private static byte[] Replace(byte[] bytes, byte[] placeholder, byte[] value)
    {
        using var output = new MemoryStream(bytes.Length);
        ReadOnlySpan<byte> rest = bytes;
        int at;
        while ((at = rest.IndexOf(placeholder)) >= 0)
        {
            output.Write(rest[..at]);
            output.Write(value);
            rest = rest[(at + placeholder.Length)..];
        }
        output.Write(rest);
        return output.ToArray();
    }
}
