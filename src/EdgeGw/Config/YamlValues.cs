using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace EdgeGw.Config;

/// <summary>
/// Typed reads of YAML scalars with LiteLLM's <c>os.environ/NAME</c> indirection. Every failure
/// names the key path, so the operator sees <c>model_list[2].litellm_params.rpm: …</c>.
/// </summary>
internal sealed class YamlValues(Func<string, string?> environment)
{
    private const string EnvPrefix = "os.environ/";
    private readonly List<string> _warnings = [];

    public IReadOnlyList<string> Warnings => _warnings;

    public static YamlMappingNode? Mapping(YamlNode? node, string path) => node switch
    {
        null => null,
        YamlMappingNode map => map,
        _ when IsNull(node) => null,
        _ => throw new ConfigException(path, "expected a mapping of key: value"),
    };

    public static YamlSequenceNode? Sequence(YamlNode? node, string path) => node switch
    {
        null => null,
        YamlSequenceNode seq => seq,
        _ when IsNull(node) => null,
        _ => throw new ConfigException(path, "expected a list"),
    };

    public static YamlNode? Child(YamlMappingNode? map, string key) =>
        map is not null && map.Children.TryGetValue(new YamlScalarNode(key), out var node) ? node : null;

    /// <summary>An unquoted <c>~</c>, <c>null</c> or empty value: absent, as PyYAML reads it.</summary>
    public static bool IsNull(YamlNode? node) =>
        node is null || node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any } scalar && Yaml11.IsNull(scalar.Value);

    /// <summary>A non-fatal finding, listed at start-up.</summary>
    public void Warn(string warning) => _warnings.Add(warning);

    /// <summary>An environment variable, empty treated as unset.</summary>
    public string? Environment(string name) => environment(name) is { Length: > 0 } value ? value : null;

    /// <summary>A scalar as text, with <c>os.environ/NAME</c> resolved; null when absent, null or unset.</summary>
    public string? String(YamlNode? node, string path)
    {
        if (node is null)
            return null;
        if (node is not YamlScalarNode scalar)
            throw new ConfigException(path, "expected a single value, not a list or mapping");
        var value = scalar.Value;
        if (scalar.Style is ScalarStyle.Plain or ScalarStyle.Any && Yaml11.IsNull(value))
            return null;
        if (value is null || !value.StartsWith(EnvPrefix, StringComparison.Ordinal))
            return value;

        var name = value[EnvPrefix.Length..];
        if (name.Length == 0)
            throw new ConfigException(path, "os.environ/ needs a variable name, e.g. os.environ/OPENAI_API_KEY");
        var resolved = environment(name);
        if (string.IsNullOrEmpty(resolved))
        {
            _warnings.Add($"{path}: environment variable {name} is not set");
            return null;
        }
        return resolved;
    }

    public string Required(YamlNode? node, string path) =>
        String(node, path) ?? throw new ConfigException(path, node is null ? "required" : "required, but empty");

    /// <summary>A whole number in any YAML 1.1 spelling (<c>200_000</c>, <c>0x10</c>); an integral float (<c>100.0</c>) too.</summary>
    public int? Int(YamlNode? node, string path)
    {
        var text = String(node, path);
        if (text is null)
            return null;
        if (Yaml11.TryInteger(text, out var whole))
        {
            return whole is >= int.MinValue and <= int.MaxValue
                ? (int)whole
                : throw new ConfigException(path, $"{text} is too large (at most {int.MaxValue})");
        }
        // YAML writers sometimes emit 100.0 for an integer; accept integral floats.
        if (Yaml11.TryFloat(text, out var d) && double.IsFinite(d) && d == Math.Floor(d) && Math.Abs(d) < int.MaxValue)
            return (int)d;
        throw new ConfigException(path, $"expected a whole number, got '{text}'");
    }

    public int? NonNegativeInt(YamlNode? node, string path)
    {
        var value = Int(node, path);
        if (value < 0)
            throw new ConfigException(path, $"must not be negative, got {value}");
        return value;
    }

    public double? Double(YamlNode? node, string path)
    {
        var text = String(node, path);
        if (text is null)
            return null;
        if (!Yaml11.TryFloat(text, out var value) || !double.IsFinite(value))
            throw new ConfigException(path, $"expected a finite number, got '{text}'");
        return value;
    }

    /// <summary>Money: exact decimal, never negative; <c>.inf</c> is no limit (null), as Python compares spend with it.</summary>
    public decimal? Decimal(YamlNode? node, string path)
    {
        var text = String(node, path);
        if (text is null)
            return null;
        decimal value;
        if (Yaml11.TryInteger(text, out var whole))
            value = whole;
        else if (Yaml11.TryFloat(text, out var d) && double.IsPositiveInfinity(d))
            return null;
        else if (!decimal.TryParse(text.Replace("_", "", StringComparison.Ordinal), NumberStyles.Float, CultureInfo.InvariantCulture, out value))
            throw new ConfigException(path, $"expected a number, got '{text}'");
        if (value < 0)
            throw new ConfigException(path, $"must not be negative, got {text}");
        return value;
    }

    /// <summary>A boolean as PyYAML spells it: true/false, yes/no, on/off, each lower, Title or UPPER case.</summary>
    public bool? Bool(YamlNode? node, string path)
    {
        var text = String(node, path);
        if (text is null)
            return null;
        return Yaml11.Bool(text) ?? throw new ConfigException(path, $"expected true or false (or yes/no, on/off), got '{text}'");
    }

    /// <summary>Seconds, as LiteLLM writes timeouts (<c>timeout: 30</c> or <c>0.5</c>).</summary>
    public TimeSpan? Seconds(YamlNode? node, string path)
    {
        var value = Double(node, path);
        if (value is null)
            return null;
        if (value <= 0)
            throw new ConfigException(path, $"must be a positive number of seconds, got {value.Value.ToString(CultureInfo.InvariantCulture)}");
        return TimeSpan.FromSeconds(value.Value);
    }
}
