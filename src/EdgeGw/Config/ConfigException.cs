namespace EdgeGw.Config;

/// <summary>A config problem, reported to the operator as "key.path: what is wrong".</summary>
internal sealed class ConfigException(string path, string problem)
    : Exception(path.Length == 0 ? problem : $"{path}: {problem}")
{
    public string KeyPath { get; } = path;
}
