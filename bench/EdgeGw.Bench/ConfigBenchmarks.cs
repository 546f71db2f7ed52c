using BenchmarkDotNet.Attributes;
using EdgeGw.Config;

namespace EdgeGw.Bench;

/// <summary>Start-up and reload cost: parsing and validating the example config.</summary>
public class ConfigBenchmarks
{
    private string _yaml = "";

    [GlobalSetup]
    public void Setup()
    {
        var dir = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(dir, "config.yaml")))
            dir = Path.GetDirectoryName(dir) ?? throw new FileNotFoundException("config.yaml not found above the bench output");
        _yaml = File.ReadAllText(Path.Combine(dir, "config.yaml"));
    }

    [Benchmark]
    public int ParseExampleConfig() => ConfigLoader.Parse(_yaml, name => name == "LITELLM_MASTER_KEY" ? "sk-bench" : null).Deployments.Length;
}
