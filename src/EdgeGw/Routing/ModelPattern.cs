namespace EdgeGw.Routing;

/// <summary>
/// A <c>model_name</c> with <c>*</c> wildcards (LiteLLM's wildcard routing), split once into its
/// literal parts. Matching is span-based and allocation-free; each <c>*</c> captures what it covered,
/// which fills the <c>*</c>s of the deployment's <c>litellm_params.model</c> in order.
/// </summary>
internal sealed class ModelPattern
{
    // re.escape's special characters: LiteLLM ranks patterns by the length of their escaped regex.
    private const string RegexSpecial = "()[]{}?*+-|^$\\.&~# \t\n\r\v\f";
    private const string ComplexityChars = "*+?\\^$|()";

    private readonly string[] _parts;

    public ModelPattern(string pattern)
    {
        Text = pattern;
        _parts = pattern.Split('*');
        (RegexLength, Complexity) = Specificity(pattern);
    }

    public string Text { get; }
    public int Wildcards => _parts.Length - 1;
    /// <summary>LiteLLM's first sort key (longer patterns first): the length of the pattern as its regex.</summary>
    public int RegexLength { get; }
    /// <summary>LiteLLM's second sort key: regex operators in that regex.</summary>
    public int Complexity { get; }

    /// <summary>
    /// Whether <paramref name="name"/> matches the whole pattern; <paramref name="captures"/> (at least
    /// <see cref="Wildcards"/> long) receives each wildcard's range, earlier wildcards taking the most.
    /// </summary>
    public bool TryMatch(ReadOnlySpan<char> name, Span<Range> captures)
    {
        var first = _parts[0];
        var last = _parts[^1];
        if (_parts.Length == 1)
            return name.SequenceEqual(first);
        if (name.Length < first.Length + last.Length || !name.StartsWith(first, StringComparison.Ordinal) || !name.EndsWith(last, StringComparison.Ordinal))
            return false;
        // Place the middle parts as far right as they go, so each capture is as long as possible (a greedy regex).
        var end = name.Length - last.Length;
        for (var i = _parts.Length - 2; i >= 1; i--)
        {
            var at = name[first.Length..end].LastIndexOf(_parts[i], StringComparison.Ordinal);
            if (at < 0)
                return false;
            at += first.Length;
            captures[i] = new Range(at + _parts[i].Length, end);
            end = at;
        }
        captures[0] = new Range(first.Length, end);
        return true;
    }

    /// <summary>Whether <paramref name="text"/> matches glob <paramref name="pattern"/> as a whole ('*' matches any run).</summary>
    public static bool IsMatch(ReadOnlySpan<char> pattern, ReadOnlySpan<char> text)
    {
        int p = 0, t = 0, star = -1, resume = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                resume = t;
            }
            else if (p < pattern.Length && pattern[p] == text[t])
            {
                p++;
                t++;
            }
            else if (star >= 0)
            {
                p = star + 1;
                t = ++resume;
            }
            else
            {
                return false;
            }
        }
        while (p < pattern.Length && pattern[p] == '*')
            p++;
        return p == pattern.Length;
    }

    private static (int Length, int Complexity) Specificity(string pattern)
    {
        int length = 0, complexity = 0;
        foreach (var c in pattern)
        {
            if (c == '*')
            {
                length += 4; // "(.*)"
                complexity += 3;
            }
            else if (RegexSpecial.Contains(c, StringComparison.Ordinal))
            {
                length += 2;
                complexity += ComplexityChars.Contains(c, StringComparison.Ordinal) ? 2 : 1;
            }
            else
            {
                length++;
            }
        }
        return (length, complexity);
    }
}
