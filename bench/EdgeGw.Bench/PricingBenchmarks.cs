using BenchmarkDotNet.Attributes;
using EdgeGw.Spend;

namespace EdgeGw.Bench;

/// <summary>
/// The built-in price table: parsing the embedded genai-prices data once at start-up, and a
/// request's price lookup (cached per provider and model after the first). Expected lookup: 0 B.
/// </summary>
public class PricingBenchmarks
{
    private byte[] _json = null!;
    private PricingTable _table = null!;

    [GlobalSetup]
    public void Setup()
    {
        using var stream = typeof(BuiltInPrices).Assembly.GetManifestResourceStream("EdgeGw.Spend.BuiltInPrices.json")!;
        _json = new byte[stream.Length];
        stream.ReadExactly(_json);
        _table = new PricingTable(BuiltInPrices.Instance, null);
        _table.Lookup("anthropic", "claude-haiku-4-5-20251001");
    }

    [Benchmark]
    public int ParseBuiltInTable() => BuiltInPrices.Parse(_json).Providers.Length;

    [Benchmark]
    public bool LookupCached() => _table.Lookup("anthropic", "claude-haiku-4-5-20251001") is not null;
}
