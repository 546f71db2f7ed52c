using System.Collections.Concurrent;
using System.Net;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EdgeGw.Tests.Infrastructure;

/// <summary>What the fake upstream saw of one request.</summary>
public sealed record RecordedRequest(string Method, string PathAndQuery, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public string BodyText => System.Text.Encoding.UTF8.GetString(Body);
    public System.Text.Json.JsonDocument Json() => System.Text.Json.JsonDocument.Parse(Body);
}

/// <summary>
/// A provider stand-in on loopback: real Kestrel, real sockets, answering with whatever bytes the
/// test hands it, and recording every request it receives.
/// </summary>
public sealed class FakeUpstream : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly StrongBox<int> _connections;
    private Func<HttpContext, RecordedRequest, Task> _handler = (c, _) => { c.Response.StatusCode = 500; return Task.CompletedTask; };

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();
    public Uri BaseAddress { get; }

    private FakeUpstream(WebApplication app, Uri baseAddress, StrongBox<int> connections)
    {
        _app = app;
        _connections = connections;
        BaseAddress = baseAddress;
    }

    public static async Task<FakeUpstream> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        // No body cap: a provider takes what the gateway sends (Kestrel alone stops at 30 MB).
        var connections = new StrongBox<int>();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, 0, listen => listen.Use(next => connection =>
            {
                Interlocked.Increment(ref connections.Value);
                return next(connection);
            }));
            k.Limits.MaxRequestBodySize = null;
        });
        var app = builder.Build();
        FakeUpstream? self = null;
        app.Run(async context =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            var headers = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString());
            var recorded = new RecordedRequest(context.Request.Method, context.Request.Path + context.Request.QueryString, headers, body.ToArray());
            self!.Requests.Enqueue(recorded);
            await self._handler(context, recorded);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        self = new FakeUpstream(app, new Uri(address), connections);
        return self;
    }

    /// <summary>TCP connections accepted so far: how many the gateway opened (and did not reuse).</summary>
    public int Connections => Volatile.Read(ref _connections.Value);

    public string Url => BaseAddress.ToString().TrimEnd('/');

    public void Handle(Func<HttpContext, RecordedRequest, Task> handler) => _handler = handler;

    /// <summary>Answers every request with one JSON body.</summary>
    public void RespondJson(string json, int status = 200, IDictionary<string, string>? headers = null) => Handle(async (c, _) =>
    {
        c.Response.StatusCode = status;
        c.Response.ContentType = "application/json";
        foreach (var (k, v) in headers ?? new Dictionary<string, string>())
            c.Response.Headers[k] = v;
        await c.Response.WriteAsync(json);
    });

    /// <summary>Answers with an SSE body sent in the given pieces, flushing after each, with an optional pause.</summary>
    public void RespondStream(IEnumerable<string> pieces, TimeSpan pause = default, string contentType = "text/event-stream; charset=utf-8") => Handle(async (c, _) =>
    {
        c.Response.StatusCode = 200;
        c.Response.ContentType = contentType;
        foreach (var piece in pieces)
        {
            await c.Response.WriteAsync(piece);
            await c.Response.Body.FlushAsync();
            if (pause > TimeSpan.Zero)
                await Task.Delay(pause);
        }
    });

    public RecordedRequest LastRequest => Requests.Last();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
