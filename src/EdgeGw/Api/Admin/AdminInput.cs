using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using EdgeGw.Json;
using EdgeGw.Spend;

namespace EdgeGw.Api.Admin;

/// <summary>
/// An admin request's fields, from the JSON body (POST) or the query string (GET), each read with
/// its type checked; a wrong one throws <see cref="AdminInputException"/> naming the field.
/// Unknown fields are ignored, as LiteLLM does. "Present" and "null" differ: an update sets only
/// the fields it names, and an explicit null clears one.
/// </summary>
internal sealed class AdminInput : IDisposable
{
    private readonly JsonDocument? _document;
    private readonly JsonElement _root;
    private readonly IQueryCollection? _query;
    // The document reads the pooled body in place: the buffer goes back to the pool only with it.
    private readonly Buffers.PooledBufferWriter? _body;

    private AdminInput(JsonDocument? document, IQueryCollection? query, Buffers.PooledBufferWriter? body = null)
    {
        _document = document;
        _root = document?.RootElement ?? default;
        _query = query;
        _body = body;
    }

    public static async Task<AdminInput> ReadAsync(HttpContext context, long maxBytes)
    {
        if (HttpMethods.IsGet(context.Request.Method))
            return new AdminInput(null, context.Request.Query);
        var (body, error) = await RequestBodyReader.ReadAsync(context, maxBytes);
        if (error is not null)
            throw new AdminInputException("body", error.Message, error.Status);
        if (body!.WrittenCount == 0)
        {
            body.Dispose();
            return new AdminInput(JsonDocument.Parse("{}"), null);
        }
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body.WrittenMemory);
        }
        catch (JsonException e)
        {
            body.Dispose();
            throw new AdminInputException("body", $"Request body is not valid JSON: {e.Message}");
        }
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            body.Dispose();
            throw new AdminInputException("body", "Request body must be a JSON object");
        }
        return new AdminInput(document, null, body);
    }

    public bool Has(string name) => _query is not null ? _query.ContainsKey(name) : _root.TryGetProperty(name, out _);

    private bool TryGet(string name, out JsonElement value)
    {
        value = default;
        return _document is not null && _root.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null;
    }

    private string? Query(string name) => _query is not null && _query.TryGetValue(name, out var v) && v.Count > 0 ? v[0] : null;

    public string? String(string name)
    {
        if (_query is not null)
            return Query(name);
        if (!TryGet(name, out var value))
            return null;
        if (value.ValueKind != JsonValueKind.String)
            throw Invalid(name, "must be a string");
        return JsonText.TryGetString(value, out var text) ? text : throw Invalid(name, JsonText.InvalidText);
    }

    public string RequiredString(string name) =>
        String(name) is { Length: > 0 } s ? s : throw new AdminInputException(name, $"{name} is required");

    public decimal? Money(string name)
    {
        decimal number;
        if (_query is not null)
        {
            if (Query(name) is not { } text)
                return null;
            if (!decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out number))
                throw Invalid(name, "must be a number");
        }
        else
        {
            if (!TryGet(name, out var value))
                return null;
            if (value.ValueKind != JsonValueKind.Number || !value.TryGetDecimal(out number))
                throw Invalid(name, "must be a number");
        }
        if (number < 0)
            throw Invalid(name, "must not be negative");
        if (number > Spend.Money.MaxDollars)
            throw Invalid(name, "is too large");
        return number;
    }

    public int? Count(string name)
    {
        int number;
        if (_query is not null)
        {
            if (Query(name) is not { } text)
                return null;
            if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out number))
                throw Invalid(name, "must be a non-negative integer");
        }
        else
        {
            if (!TryGet(name, out var value))
                return null;
            if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out number))
                throw Invalid(name, "must be a non-negative integer");
        }
        return number >= 0 ? number : throw Invalid(name, "must be a non-negative integer");
    }

    public bool? Bool(string name)
    {
        if (_query is not null)
        {
            return Query(name) switch
            {
                null => null,
                "true" or "True" or "1" => true,
                "false" or "False" or "0" => false,
                _ => throw Invalid(name, "must be true or false"),
            };
        }
        if (!TryGet(name, out var value))
            return null;
        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Invalid(name, "must be true or false"),
        };
    }

    public ImmutableArray<string>? Strings(string name)
    {
        if (_query is not null)
            return _query.TryGetValue(name, out var v) ? [.. v.Where(s => s is not null).Cast<string>()] : null;
        if (!TryGet(name, out var value))
            return null;
        if (value.ValueKind != JsonValueKind.Array)
            throw Invalid(name, "must be a list of strings");
        var builder = ImmutableArray.CreateBuilder<string>();
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String)
                throw Invalid(name, "must be a list of strings");
            builder.Add(JsonText.TryGetString(item, out var text) ? text! : throw Invalid(name, JsonText.InvalidText));
        }
        return builder.ToImmutable();
    }

    /// <summary>A JSON object; null when absent.</summary>
    public JsonElement? Object(string name)
    {
        if (!TryGet(name, out var value))
            return null;
        return value.ValueKind == JsonValueKind.Object ? value : throw Invalid(name, "must be an object");
    }

    /// <summary>A JSON object or a list of them (LiteLLM accepts both for <c>member</c>); null when absent.</summary>
    public IReadOnlyList<JsonElement>? Objects(string name)
    {
        if (!TryGet(name, out var value))
            return null;
        if (value.ValueKind == JsonValueKind.Object)
            return [value];
        if (value.ValueKind != JsonValueKind.Array || value.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.Object))
            throw Invalid(name, "must be an object or a list of objects");
        return [.. value.EnumerateArray()];
    }

    /// <summary>A JSON object, kept as its text.</summary>
    public string? Metadata(string name)
    {
        if (!TryGet(name, out var value))
            return null;
        if (value.ValueKind != JsonValueKind.Object)
            throw Invalid(name, "must be a JSON object");
        try
        {
            return value.GetRawText();
        }
        catch (InvalidOperationException)
        {
            throw Invalid(name, JsonText.InvalidText);
        }
    }

    public BudgetDuration? Duration(string name)
    {
        var text = String(name);
        if (text is null)
            return null;
        if (!BudgetDuration.TryParse(text, out var duration))
            throw Invalid(name, $"must be {BudgetDuration.Expected}, got '{text}'");
        // A key's expiry may be any duration; a budget window must be one LiteLLM can reset on.
        if (name == "budget_duration" && duration.BudgetProblem is { } problem)
            throw Invalid(name, $"{problem}, got '{text}'");
        return duration;
    }

    private static AdminInputException Invalid(string name, string why) => new(name, $"Invalid {name}: {why}");

    public void Dispose()
    {
        _document?.Dispose();
        _body?.Dispose();
    }
}
