using System.Text.Json;
using System.Text.RegularExpressions;

namespace EdgeGw.Spend;

/// <summary>
/// A genai-prices match rule (<c>equals</c>, <c>starts_with</c>, <c>ends_with</c>, <c>contains</c>,
/// <c>regex</c>, <c>and</c>, <c>or</c>), built once when the table loads. Like genai-prices, ids
/// are compared lowercased and regexes run unanchored on the lowercased id.
/// </summary>
internal abstract class ModelMatch
{
    /// <param name="id">The model or provider id, already lowercased.</param>
    public abstract bool Matches(ReadOnlySpan<char> id);

    public static ModelMatch Read(ref Utf8JsonReader reader)
    {
        Expect(ref reader, JsonTokenType.StartObject);
        reader.Read();
        Expect(ref reader, JsonTokenType.PropertyName);
        var kind = reader.GetString();
        reader.Read();
        ModelMatch rule;
        if (kind is "and" or "or")
        {
            Expect(ref reader, JsonTokenType.StartArray);
            var rules = new List<ModelMatch>();
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                rules.Add(Read(ref reader));
            rule = kind == "and" ? new All([.. rules]) : new Any([.. rules]);
        }
        else
        {
            var text = reader.GetString() ?? "";
            rule = kind switch
            {
                "equals" => new Text(text, TextKind.Equals),
                "starts_with" => new Text(text, TextKind.StartsWith),
                "ends_with" => new Text(text, TextKind.EndsWith),
                "contains" => new Text(text, TextKind.Contains),
                "regex" => new Pattern(text),
                _ => throw new JsonException($"unknown match rule '{kind}'"),
            };
        }
        reader.Read();
        Expect(ref reader, JsonTokenType.EndObject);
        return rule;
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type)
    {
        if (reader.TokenType != type)
            throw new JsonException($"expected {type} in a match rule, found {reader.TokenType}");
    }

    private enum TextKind : byte { Equals, StartsWith, EndsWith, Contains }

    private sealed class Text(string value, TextKind kind) : ModelMatch
    {
        private readonly string _value = value.ToLowerInvariant();

        public override bool Matches(ReadOnlySpan<char> id) => kind switch
        {
            TextKind.Equals => id.SequenceEqual(_value),
            TextKind.StartsWith => id.StartsWith(_value, StringComparison.Ordinal),
            TextKind.EndsWith => id.EndsWith(_value, StringComparison.Ordinal),
            _ => id.Contains(_value, StringComparison.Ordinal),
        };
    }

    private sealed class Pattern(string pattern) : ModelMatch
    {
        // Interpreted (Native AOT has no Regex compiler) and built on first use: most never run,
        // and building them all would double the table's start-up parse.
        private Regex? _regex;

        public override bool Matches(ReadOnlySpan<char> id) =>
            (_regex ??= new Regex(pattern, RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100))).IsMatch(id);
    }

    private sealed class All(ModelMatch[] rules) : ModelMatch
    {
        public override bool Matches(ReadOnlySpan<char> id)
        {
            foreach (var rule in rules)
            {
                if (!rule.Matches(id))
                    return false;
            }
            return true;
        }
    }

    private sealed class Any(ModelMatch[] rules) : ModelMatch
    {
        public override bool Matches(ReadOnlySpan<char> id)
        {
            foreach (var rule in rules)
            {
                if (rule.Matches(id))
                    return true;
            }
            return false;
        }
    }
}
