using System.Text;
using System.Text.Json;

namespace EdgeGw.Tests.Infrastructure;

/// <summary>One route as the dispatcher registers it.</summary>
public sealed record FuzzRoute(string Path, string Method, bool Anthropic = false, string? BaseBody = null);

/// <summary>One malformed request: the route, header lines, body bytes, and what a correct answer must be.</summary>
/// <param name="StrictlyRejected">Nothing valid is left in it: the answer must be 4xx, not merely "not 5xx".</param>
/// <param name="ServerLevel">Kestrel rejects it before routing, so the envelope is OpenAI's whatever the route.</param>
public sealed record FuzzCase(FuzzRoute Route, string Target, string Description, string[] Headers, byte[]? Body, bool StrictlyRejected, bool ServerLevel = false)
{
    public byte[] Bytes => RawHttp.Request(Route.Method, Target, Headers, Body);
}

/// <summary>
/// A generated, seeded (so deterministic) corpus of malformed bodies and headers for every route:
/// truncated JSON, wrong types for every field of a valid body, huge numbers, deep nesting,
/// invalid UTF-8, lone surrogates, nulls, wrong content types, bad Authorization forms, huge,
/// duplicated and non-ASCII headers.
/// </summary>
public static class FuzzCorpus
{
    public const string Model = "mock-gpt";

    /// <summary>Every route of the dispatcher, with a valid body for those that take one (a test checks this list against the registration).</summary>
    public static readonly FuzzRoute[] Routes =
    [
        new("/v1/chat/completions", "POST", BaseBody: ChatBody),
        new("/chat/completions", "POST", BaseBody: ChatBody),
        new("/v1/embeddings", "POST", BaseBody: """{"model":"mock-gpt","input":["hello","world"],"encoding_format":"float","dimensions":8,"user":"u"}"""),
        new("/embeddings", "POST", BaseBody: """{"model":"mock-gpt","input":"hello"}"""),
        new("/v1/completions", "POST", BaseBody: """{"model":"mock-gpt","prompt":["Say hi"],"max_tokens":16,"temperature":0.5,"stop":["\n"],"n":1,"stream":false,"user":"u"}"""),
        new("/completions", "POST", BaseBody: """{"model":"mock-gpt","prompt":"Say hi","stream":true}"""),
        new("/v1/messages", "POST", Anthropic: true, BaseBody: MessagesBody),
        new("/v1/messages/count_tokens", "POST", Anthropic: true, BaseBody: """{"model":"mock-gpt","system":"s","messages":[{"role":"user","content":[{"type":"text","text":"hi"}]}],"tools":[]}"""),
        new("/v1/responses", "POST", BaseBody: ResponsesBody),
        new("/responses", "POST", BaseBody: ResponsesBody),
        new("/v1/models", "GET"),
        new("/v1/responses/resp_example", "GET"),
        new("/v1/responses/resp_example", "DELETE"),
        new("/v1/responses/resp_example/input_items", "GET"),
        new("/v1/responses/resp_example/cancel", "POST", BaseBody: "{}"),
        new("/responses/resp_example", "GET"),
        new("/responses/resp_example", "DELETE"),
        new("/responses/resp_example/input_items", "GET"),
        new("/responses/resp_example/cancel", "POST", BaseBody: "{}"),
        new("/models", "GET"),
        new("/health/liveliness", "GET"),
        new("/health/liveness", "GET"),
        new("/health/readiness", "GET"),
        new("/metrics", "GET"),
        new("/health", "GET"),
        new("/model/info", "GET"),
        new("/v1/model/info", "GET"),
        new("/v2/model/info", "GET"),
        new("/cache/ping", "GET"),
        new("/cache/delete", "POST", BaseBody: """{"keys":["litellm.caching:0123","other"]}"""),
        new("/cache/flushall", "POST", BaseBody: """{"note":"ignored, as LiteLLM takes no body"}"""),
        new("/key/generate", "POST", BaseBody: """{"key_alias":"fuzz","models":["mock-gpt"],"max_budget":1.5,"rpm_limit":10,"tpm_limit":1000,"max_parallel_requests":2,"duration":"30d","budget_duration":"1d","metadata":{"a":1},"team_id":"fuzz-team","user_id":"fuzz-user","aliases":{},"tags":["t"]}"""),
        new("/key/info", "GET"),
        new("/key/update", "POST", BaseBody: """{"key":"sk-fuzz-existing-key-0001","max_budget":2,"models":["mock-gpt"],"rpm_limit":5,"blocked":false,"metadata":{},"duration":"1h","budget_duration":"30d"}"""),
        new("/key/delete", "POST", BaseBody: """{"keys":["sk-fuzz-no-such-key-0001"],"key_aliases":["nope"]}"""),
        new("/model/new", "POST", BaseBody: """{"model_name":"fuzz-added","litellm_params":{"model":"mock/fuzz","mock_response":"ok","rpm":5},"model_info":{"mode":"chat"}}"""),
        new("/model/delete", "POST", BaseBody: """{"id":"fuzz-no-such-model"}"""),
        new("/model/update", "POST", BaseBody: """{"model_name":"fuzz-renamed","litellm_params":{"rpm":3,"api_key":"k"},"model_info":{"id":"fuzz-no-such-model"}}"""),
        new("/model/model_example/update", "PATCH", BaseBody: """{"model_name":"fuzz-renamed","litellm_params":{"rpm":3,"input_cost_per_token":null},"model_info":{"mode":"chat"}}"""),
        new("/credentials", "GET"),
        new("/credentials", "POST", BaseBody: """{"credential_name":"fuzz-cred","credential_values":{"api_key":"sk-fuzz","api_base":"https://example.com"},"credential_info":{}}"""),
        new("/credentials/by_name/cred_example", "GET"),
        new("/credentials/by_model/cred_example", "GET"),
        new("/credentials/cred_example", "PATCH", BaseBody: """{"credential_values":{"api_key":"sk-fuzz-2"}}"""),
        new("/credentials/cred_example", "DELETE"),
        new("/key/list", "GET"),
        new("/key/regenerate", "POST", BaseBody: """{"key":"sk-fuzz-no-such-key-0001","new_key":"sk-fuzz-new-key-00001","max_budget":1}"""),
        new("/key/block", "POST", BaseBody: """{"key":"sk-fuzz-no-such-key-0001"}"""),
        new("/key/unblock", "POST", BaseBody: """{"key":"sk-fuzz-no-such-key-0001"}"""),
        new("/team/new", "POST", BaseBody: """{"team_id":"fuzz-team-2","team_alias":"a","models":["mock-gpt"],"max_budget":3,"rpm_limit":1,"tpm_limit":2,"budget_duration":"7d","members_with_roles":[{"role":"user","user_id":"fuzz-user"}],"metadata":{}}"""),
        new("/team/info", "GET"),
        new("/team/update", "POST", BaseBody: """{"team_id":"fuzz-team","max_budget":4,"models":[],"blocked":false,"budget_duration":"1mo"}"""),
        new("/team/delete", "POST", BaseBody: """{"team_ids":["fuzz-no-such-team"]}"""),
        new("/team/list", "GET"),
        new("/team/member_add", "POST", BaseBody: """{"team_id":"fuzz-team","member":{"role":"user","user_id":"fuzz-user-2"},"max_budget_in_team":1}"""),
        new("/team/member_update", "POST", BaseBody: """{"team_id":"fuzz-team","user_id":"fuzz-user","role":"admin","max_budget_in_team":2}"""),
        new("/team/member_delete", "POST", BaseBody: """{"team_id":"fuzz-team","user_id":"fuzz-no-such-user"}"""),
        new("/user/new", "POST", BaseBody: """{"user_id":"fuzz-user-3","user_email":"a@b.c","user_role":"internal_user","max_budget":1,"models":["mock-gpt"],"teams":["fuzz-team"],"auto_create_key":false,"budget_duration":"1d"}"""),
        new("/user/info", "GET"),
        new("/user/update", "POST", BaseBody: """{"user_id":"fuzz-user","user_email":"x@y.z","max_budget":5,"user_role":"internal_user","models":[]}"""),
        new("/user/delete", "POST", BaseBody: """{"user_ids":["fuzz-no-such-user"]}"""),
        new("/spend/logs", "GET"),
        new("/global/spend/report", "GET"),
        new("/global/spend/models", "GET"),
        new("/spend/logs/ui", "GET"),
        new("/user/list", "GET"),
        new("/user/daily/activity", "GET"),
        new("/team/daily/activity", "GET"),
        new("/model/live", "GET"),
        new("/ui/login", "POST", BaseBody: """{"username":"admin","password":"not-the-master-key"}"""),
        new("/ui/session", "GET"),
        new("/ui/logout", "POST", BaseBody: """{"reason":"ignored"}"""),
    ];

    private const string ChatBody = """{"model":"mock-gpt","messages":[{"role":"system","content":"s"},{"role":"user","content":[{"type":"text","text":"hi"}]}],"stream":false,"temperature":0.5,"max_tokens":16,"n":1,"user":"u","metadata":{"k":"v"},"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object"}}}],"tool_choice":"auto","num_retries":1,"fallbacks":["mock-gpt"],"timeout":30,"stream_options":{"include_usage":true},"response_format":{"type":"text"}}""";
    private const string MessagesBody = """{"model":"mock-gpt","max_tokens":16,"system":"s","messages":[{"role":"user","content":[{"type":"text","text":"hi"}]}],"stream":false,"temperature":0.5,"tools":[{"name":"f","input_schema":{"type":"object"}}],"metadata":{"user_id":"u"},"stop_sequences":["x"]}""";

    private const string ResponsesBody = """{"model":"mock-gpt","instructions":"be brief","input":[{"role":"user","content":[{"type":"input_text","text":"hi"}]},{"type":"function_call","call_id":"c1","name":"f","arguments":"{}"},{"type":"function_call_output","call_id":"c1","output":"ok"}],"tools":[{"type":"function","name":"f","parameters":{"type":"object"}}],"tool_choice":"auto","text":{"format":{"type":"json_schema","name":"s","schema":{"type":"object"}}},"reasoning":{"effort":"low"},"max_output_tokens":16,"temperature":0.5,"top_p":1,"parallel_tool_calls":true,"metadata":{"k":"v"},"store":false,"stream":false}""";

    /// <summary>Raw JSON values put in place of every field: wrong types, extremes, broken text.</summary>
    private static readonly string[] WrongValues =
    [
        "null", "true", "0", "-1", "1.5", "1e309", "-1e309", "99999999999999999999999999999", "9223372036854775808", "\"\"", "\"x\"",
        "\"\\ud800\"", "\"\\udfff\\ud800\"", "\"\\u0000\"", "[]", "{}", "[null]", "[{}]", "[[[]]]", "{\"a\":{\"b\":[1,\"2\",null]}}",
        new string('[', 5000) + new string(']', 5000), "\"" + new string('a', 100_000) + "\"", "\"99999999mo\"", "\"1000000w\"", "\"9999-12-31\"",
    ];

    private static readonly string[] GetQueries =
    [
        "?key=%FF%FE", "?key=%ED%A0%80", "?key=", "?key=" + new string('k', 6000), "?page=-1", "?page=0", "?page=abc", "?page=2147483648", "?page=99999999999999999999",
        "?size=0", "?size=-5", "?size=1000000", "?start_date=garbage", "?start_date=9999-12-31&end_date=0000-01-01", "?end_date=2024-13-45",
        "?team_id=%00", "?team_id=%ED%A0%80", "?user_id=" + new string('u', 6000), "?api_key=%ZZ", "?model=%C0%AF", "?a=1&a=2&a=3", "?%=%", "?key=sk-x&key=sk-y",
        "?start_date=2024-01-01&end_date=2023-01-01&group_by=nope", "?return_full_data=maybe", "?team_id=fuzz-team&page=1&size=1",
    ];

    /// <summary>Header lines in place of a valid key; <c>true</c> when Kestrel itself refuses them (OpenAI envelope on any route): non-ASCII values are a 400 there.</summary>
    private static (string[] Lines, bool ServerLevel)[] HeaderVariants(string key) =>
    [
        ([], false),
        (["Authorization: Bearer"], false),
        (["Authorization: Bearer "], false),
        (["Authorization: Basic dXNlcjpwYXNz"], false),
        (["Authorization: bearer " + key], false),
        (["Authorization: Bearer " + key + " extra"], false),
        (["Authorization: Bearer sk-\u00ff\u00fe\u00e9"], true),
        (["Authorization: Bearer " + key, "Authorization: Bearer sk-other"], false),
        (["x-api-key: " + key, "x-api-key: sk-other"], false),
        (["x-litellm-api-key: sk-\u00e9\u00e9", "Authorization: Bearer " + key], true),
        (["Authorization: Bearer " + new string('k', 20_000)], false),
        (["Authorization: Bearer " + key, "x-litellm-num-retries: 99999999999999999999"], false),
        (["Authorization: Bearer " + key, "x-litellm-num-retries: -1"], false),
        (["Authorization: Bearer " + key, "x-litellm-timeout: abc"], false),
        (["Authorization: Bearer " + key, "x-litellm-call-id: \u00ff\u00fe" + new string('c', 3000)], true),
        (["Authorization: Bearer " + key, "x-litellm-tags: a,,b,\u00e9"], true),
        (["Authorization: Bearer " + key, "Content-Type: application/json; charset=latin1"], false),
        (["Authorization: Bearer " + key, "x-big: " + new string('h', 40_000)], true),
        (["Authorization: Bearer " + key, "bad header name: x"], true),
        (["Authorization: Bearer " + key, "x-\u00e9: 1"], true),
    ];

    /// <summary>
    /// Builds the corpus for <paramref name="routes"/>: every header variant and query per route, and
    /// up to <paramref name="bodiesPerRoute"/> bodies per POST route, picked with a fixed seed.
    /// </summary>
    /// <param name="model">Put in place of <see cref="Model"/> in the bodies (to reach another provider's translator).</param>
    /// <param name="routes">Which routes to cover (all by default).</param>
    public static IReadOnlyList<FuzzCase> Build(string masterKey, int bodiesPerRoute, int seed = 1414, string model = Model, Func<FuzzRoute, bool>? routes = null)
    {
        var random = new Random(seed);
        var cases = new List<FuzzCase>();
        string[] auth = [$"Authorization: Bearer {masterKey}"];
        foreach (var original in Routes.Where(routes ?? (_ => true)))
        {
            var route = original with { BaseBody = original.BaseBody?.Replace($"\"{Model}\"", $"\"{model}\"", StringComparison.Ordinal) };
            var json = route.BaseBody is null ? null : Encoding.UTF8.GetBytes(route.BaseBody);
            foreach (var (lines, serverLevel) in HeaderVariants(masterKey))
            {
                string[] headers = json is null ? lines : [.. lines, "Content-Type: application/json"];
                cases.Add(new(route, route.Path, "headers: " + Describe(lines), headers, json, false, serverLevel));
            }
            if (json is null)
            {
                foreach (var query in GetQueries)
                    cases.Add(new(route, route.Path + query, "query: " + query[..Math.Min(query.Length, 60)], auth, null, false));
                continue;
            }
            var bodies = Bodies(route.BaseBody!, random).ToList();
            foreach (var (description, body, strict, contentType) in bodies.OrderBy(_ => random.Next()).Take(bodiesPerRoute))
                cases.Add(new(route, route.Path, description, contentType is null ? auth : [.. auth, "Content-Type: " + contentType], body, strict));
        }
        return cases;
    }

    private static string Describe(string[] lines) =>
        lines.Length == 0 ? "(none)" : string.Join(" | ", lines.Select(l => l.Length > 60 ? l[..60] + $"…({l.Length})" : l));

    private static IEnumerable<(string Description, byte[] Body, bool Strict, string? ContentType)> Bodies(string baseBody, Random random)
    {
        const string Json = "application/json";
        var bytes = Encoding.UTF8.GetBytes(baseBody);
        // Not strict: an empty body is all defaults for /key/generate, /team/new, /user/new (as LiteLLM's optional fields).
        yield return ("empty body", [], false, Json);
        yield return ("empty body, no content type", [], false, null);
        foreach (var cut in new[] { 1, bytes.Length / 3, bytes.Length / 2, bytes.Length - 1, random.Next(1, bytes.Length - 1) })
            yield return ($"truncated at {cut}", bytes[..cut], true, Json);
        foreach (var text in new[] { "hello", "{", "}", "[", "nul", "\u0000", "{\"model\":}", "{\"a\" 1}", "{'model':'x'}", "{\"model\":\"mock-gpt\",}" })
            yield return ($"not JSON: {text}", Encoding.UTF8.GetBytes(text), true, Json);
        foreach (var top in new[] { "[]", "[" + baseBody + "]", "\"str\"", "123", "null", "true" })
            yield return ($"top level {top[..Math.Min(top.Length, 10)]}", Encoding.UTF8.GetBytes(top), true, Json);
        yield return ("deep nesting", Encoding.UTF8.GetBytes(new string('[', 100_000) + new string(']', 100_000)), true, Json);
        yield return ("deep object nesting", Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("{\"a\":", 5000)) + "1" + new string('}', 5000)), true, Json);
        yield return ("invalid UTF-8 outside strings", [0xFF, 0xFE, .. bytes], true, Json);
        foreach (var contentType in new[] { "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/json; charset=utf-16" })
            yield return ($"content type {contentType}", bytes, false, contentType);
        for (var i = 0; i < 3; i++)
        {
            var broken = (byte[])bytes.Clone();
            broken[random.Next(broken.Length)] = (byte)(0x80 + random.Next(0x80));
            yield return ("a random byte made invalid UTF-8", broken, false, Json);
        }
        foreach (var (path, mutated) in FieldMutations(baseBody))
            yield return ($"{path} = {Short(mutated.Value)}", mutated.Body, false, Json);
    }

    private static string Short(string value) => value.Length > 30 ? value[..30] + $"…({value.Length})" : value;

    /// <summary>Every property (nested ones too) of the valid body, replaced by each wrong value in turn, or removed.</summary>
    private static IEnumerable<(string Path, (string Value, byte[] Body) Mutated)> FieldMutations(string baseBody)
    {
        using var document = JsonDocument.Parse(baseBody);
        var paths = new List<string[]>();
        CollectPaths(document.RootElement, [], paths);
        foreach (var path in paths)
        {
            var name = string.Join('.', path);
            foreach (var value in WrongValues)
                yield return (name, (value, Replace(document.RootElement, path, value)));
            yield return (name, ("(removed)", Replace(document.RootElement, path, null)));
        }
        // Invalid UTF-8 inside a string value: bytes no JSON escape can express.
        var raw = Encoding.UTF8.GetBytes(baseBody);
        var quote = Array.IndexOf(raw, (byte)'"', Array.IndexOf(raw, (byte)':') + 1);
        if (quote > 0)
            yield return ("first string value", ("raw 0xC3 0x28 0xED 0xA0 0x80", [.. raw[..(quote + 1)], 0xC3, 0x28, 0xED, 0xA0, 0x80, .. raw[(quote + 1)..]]));
    }

    private static void CollectPaths(JsonElement element, string[] prefix, List<string[]> paths)
    {
        if (element.ValueKind == JsonValueKind.Object)
            foreach (var property in element.EnumerateObject())
            {
                string[] path = [.. prefix, property.Name];
                paths.Add(path);
                CollectPaths(property.Value, path, paths);
            }
        else if (element.ValueKind == JsonValueKind.Array)
        {
            var index = 0;
            foreach (var item in element.EnumerateArray())
                CollectPaths(item, [.. prefix, (index++).ToString(System.Globalization.CultureInfo.InvariantCulture)], paths);
        }
    }

    /// <summary>The document with the value at <paramref name="path"/> replaced by raw JSON (or removed when null).</summary>
    private static byte[] Replace(JsonElement root, string[] path, string? rawValue)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { SkipValidation = true }))
            Write(writer, root, path, 0, rawValue);
        return stream.ToArray();
    }

    private static void Write(Utf8JsonWriter writer, JsonElement element, string[] path, int depth, string? rawValue)
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            writer.WriteStartObject();
            foreach (var property in element.EnumerateObject())
            {
                var onPath = depth < path.Length && property.Name == path[depth];
                if (onPath && depth == path.Length - 1)
                {
                    if (rawValue is null)
                        continue;
                    writer.WritePropertyName(property.Name);
                    writer.WriteRawValue(rawValue, skipInputValidation: true);
                }
                else
                {
                    writer.WritePropertyName(property.Name);
                    if (onPath)
                        Write(writer, property.Value, path, depth + 1, rawValue);
                    else
                        property.Value.WriteTo(writer);
                }
            }
            writer.WriteEndObject();
        }
        else if (element.ValueKind == JsonValueKind.Array)
        {
            writer.WriteStartArray();
            var index = 0;
            foreach (var item in element.EnumerateArray())
            {
                var onPath = depth < path.Length && path[depth] == index.ToString(System.Globalization.CultureInfo.InvariantCulture);
                if (onPath)
                    Write(writer, item, path, depth + 1, rawValue);
                else
                    item.WriteTo(writer);
                index++;
            }
            writer.WriteEndArray();
        }
        else
            element.WriteTo(writer);
    }

    /// <summary>What is wrong with <paramref name="response"/> for <paramref name="fuzz"/>, or null when it is a correct answer.</summary>
    public static string? Check(FuzzCase fuzz, RawResponse response)
    {
        if (response.Status >= 500)
            return $"{response.Status}: {response.BodyText[..Math.Min(300, response.BodyText.Length)]}";
        if (fuzz.StrictlyRejected && response.Status < 400)
            return $"{response.Status} for a body with nothing valid in it";
        if (response.Status < 400)
            return null;
        try
        {
            using var json = JsonDocument.Parse(response.Body);
            var root = json.RootElement;
            if (fuzz.Route.Anthropic && !fuzz.ServerLevel)
            {
                if (root.GetProperty("type").GetString() != "error" || root.GetProperty("error").GetProperty("type").ValueKind != JsonValueKind.String
                    || string.IsNullOrEmpty(root.GetProperty("error").GetProperty("message").GetString()))
                    return $"{response.Status}: not Anthropic's error envelope: {response.BodyText}";
            }
            else
            {
                var error = root.GetProperty("error");
                if (string.IsNullOrEmpty(error.GetProperty("message").GetString()) || !error.TryGetProperty("type", out _) || !error.TryGetProperty("code", out _))
                    return $"{response.Status}: not OpenAI's error envelope: {response.BodyText}";
            }
            return null;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return $"{response.Status}: body is not the error envelope ({e.Message}): '{response.BodyText[..Math.Min(300, response.BodyText.Length)]}'";
        }
    }
}
