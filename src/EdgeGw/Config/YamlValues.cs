using System.Globalization;
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
        YamlScalarNode { Value: null or "" or "~" or "null" } => null,
        _ => throw new ConfigException(path, "expected a mapping of key: value"),
    };

    public static YamlSequenceNode? Sequence(YamlNode? node, string path) => node switch
    {
        null => null,
        YamlSequenceNode seq => seq,
        YamlScalarNode { Value: null or "" or "~" or "null" } => null,
        _ => throw new ConfigException(path, "expected a list"),
    };

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
        if (scalar.Style == YamlDotNet.Core.ScalarStyle.Plain && value is "" or "~" or "null" or "Null" or "NULL")
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

    public int? Int(YamlNode? node, string path)
    {
        var text = String(node, path);
        if (text is null)
            return null;
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            // YAML writers sometimes emit 100.0 for an integer; accept integral floats.
            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d == Math.Floor(d) && Math.Abs(d) < int.MaxValue)
                return (int)d;
            throw new ConfigException(path, $"expected a whole number, got '{text}'");
        }
        return value;
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
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
            throw new ConfigException(path, $"expected a number, got '{text}'");
        return value;
    }

    public decimal? Decimal(YamlNode? node, string path)
    {
        var text = String(node, path);
        if (text is null)
            return null;
        if (!decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            throw new ConfigException(path, $"expected a number, got '{text}'");
        if (value < 0)
            throw new ConfigException(path, $"must not be negative, got {text}");
        return value;
    }

    public bool? Bool(YamlNode? node, string path)
    {
        var text = String(node, path);
        return text switch
        {
            null => null,
            "true" or "True" or "TRUE" or "yes" or "on" => true,
            "false" or "False" or "FALSE" or "no" or "off" => false,
            _ => throw new ConfigException(path, $"expected true or false, got '{text}'"),
        };
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
