using System.Net;
using System.Text;
using System.Text.Json;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Ui;

/// <summary>A browser's side of the UI session API: no API key, the cookie sent by hand so each test sees exactly what travels.</summary>
internal sealed class UiClient : IDisposable
{
    public const string Models = """
        - model_name: mock-gpt
          litellm_params:
            model: mock/mock-gpt
            mock_response: "hello"
        """;

    private readonly HttpClient _http;

    public UiClient(Uri baseAddress, HttpMessageHandler? handler = null)
    {
        handler ??= new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false, AutomaticDecompression = DecompressionMethods.None };
        _http = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public UiClient(TestGateway gateway) : this(gateway.BaseAddress)
    {
    }

    /// <summary>The session cookie's value from the last login (null before one).</summary>
    public string? Cookie { get; set; }
    public string? Csrf { get; set; }

    public async Task<(HttpResponseMessage Response, string Body)> LoginAsync(string username, string password)
    {
        var body = $$"""{"username":{{JsonEncodedText.Encode(username).ToString().Quoted()}},"password":{{JsonEncodedText.Encode(password).ToString().Quoted()}}}""";
        var response = await SendAsync(HttpMethod.Post, "/ui/login", body, withCsrf: false);
        var text = await response.Content.ReadAsStringAsync();
        if (response.StatusCode == HttpStatusCode.OK)
        {
            Cookie = CookieValue(response) ?? throw new InvalidOperationException("login set no cookie");
            Csrf = JsonDocument.Parse(text).RootElement.GetProperty("csrf_token").GetString();
        }
        return (response, text);
    }

    public static string? SetCookie(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Set-Cookie", out var values) ? values.Single(v => v.StartsWith("edgegw_ui=", StringComparison.Ordinal)) : null;

    private static string? CookieValue(HttpResponseMessage response) =>
        SetCookie(response) is { } header ? header["edgegw_ui=".Length..header.IndexOf(';', StringComparison.Ordinal)] : null;

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? json = null, bool withCsrf = true,
        IReadOnlyDictionary<string, string>? headers = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null)
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        if (Cookie is not null)
            request.Headers.Add("Cookie", $"edgegw_ui={Cookie}");
        if (withCsrf && Csrf is not null)
            request.Headers.Add("X-CSRF-Token", Csrf);
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
            request.Headers.TryAddWithoutValidation(name, value);
        return await _http.SendAsync(request);
    }

    public Task<HttpResponseMessage> GetAsync(string path, IReadOnlyDictionary<string, string>? headers = null) =>
        SendAsync(HttpMethod.Get, path, headers: headers);

    public void Dispose() => _http.Dispose();
}

internal static class QuotedText
{
    public static string Quoted(this string escaped) => '"' + escaped + '"';
}
